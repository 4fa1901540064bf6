/**
 * A backend whose kernels are the catalog's reference kernels, over plain typed arrays. It
 * is the conformance suite's self-test and a complete, minimal example of the contract.
 */
import { type DType, type TypedArray, allocTypedArray } from "@tessera/storage";
import { type OpName, OP_NAMES, type StridedArray, getOpSchema } from "@tessera/kernels";
import type { Backend, Kernel, KernelTable, TensorView } from "../contract.js";

/** A tensor view of the reference backend as the reference kernels want it. */
function strided(view: TensorView<TypedArray>): StridedArray {
  return { data: view.buffer, dtype: view.dtype, layout: view.layout };
}

/**
 * A `Backend<TypedArray>` named `name` that holds every dtype and runs every catalog op with
 * its reference kernel. Slow and obviously correct: use it to self-test the conformance
 * suite, or as the starting point of your own backend.
 *
 * @example
 * import { registerBackend } from "@tessera/backend";
 * import { createReferenceBackend, describeConformance } from "@tessera/backend/testing";
 * const reference = createReferenceBackend();
 * registerBackend(reference);
 * describeConformance(reference); // all green, by construction
 */
export function createReferenceBackend(name = "reference"): Backend<TypedArray> {
  const kernels: { [K in OpName]?: Kernel<TypedArray, K> } = {};
  for (const op of OP_NAMES) {
    const schema = getOpSchema(op);
    (kernels as Record<string, Kernel<TypedArray>>)[op] = (inputs, outputs, attrs) => {
      schema.reference(inputs.map(strided), outputs.map(strided), attrs);
    };
  }
  return {
    name,
    dtypes: ["float32", "float64", "int32", "bool"],
    kernels: kernels as KernelTable<TypedArray>,
    allocate: (dtype: DType, length: number) => allocTypedArray(dtype, length),
    free: () => {},
    upload: (buffer: TypedArray, _dtype: DType, data: TypedArray) => buffer.set(data),
    read: async (buffer: TypedArray, _dtype: DType, start: number, length: number) => buffer.slice(start, start + length),
    readSync: (buffer: TypedArray, _dtype: DType, start: number, length: number) => buffer.slice(start, start + length),
    sync: async () => {},
  };
}
