/**
 * The catalog's reference kernels as kernels of a typed-array backend: a new backend can run
 * every op it has not written yet with them, so it is complete (and conformant) on day one and
 * replacing hot ops one at a time is an optimization, never a prerequisite.
 */
import { type DType, type TypedArray, allocTypedArray } from "@tessera/storage";
import { type AttrsOf, type OpName, type OpSchema, type StridedArray, CATALOG, OP_NAMES } from "@tessera/kernels";
import type { Backend, Kernel, KernelTable, TensorView } from "./contract.js";

/** Backend views hold `buffer`; reference kernels call the same thing `data`. */
function strided(view: TensorView<TypedArray>): StridedArray {
  return { data: view.buffer, dtype: view.dtype, layout: view.layout };
}

/**
 * Catalog op `op`'s reference kernel as a kernel of a typed-array backend: right for every
 * layout and dtype by definition (the conformance suite compares against it), and slow (it
 * walks index by index).
 *
 * @example
 * const gather = referenceKernel("gather");
 * gather([input, index], [out], { dim: 1 });
 */
export function referenceKernel<K extends OpName>(op: K): Kernel<TypedArray, K> {
  const schema = CATALOG[op] as OpSchema<AttrsOf<K>>;
  return (inputs, outputs, attrs) => schema.reference(inputs.map(strided), outputs.map(strided), attrs);
}

/**
 * A complete kernel table for a typed-array backend: `native` where it has an entry, the
 * reference kernel everywhere else, and no entry for the ops in `omit`.
 *
 * @example
 * const kernels = withReferenceFallback({ add, mul, matmul }); // every catalog op
 * const noMatmul = withReferenceFallback({ add }, ["matmul"]);  // matmul missing on purpose
 */
export function withReferenceFallback(native: KernelTable<TypedArray>, omit: readonly OpName[] = []): KernelTable<TypedArray> {
  // Looping over the op names loses the pairing of each op with its attribute type, so the
  // table is built untyped; each entry is `native[op]` (typed by `KernelTable`) or
  // `referenceKernel(op)` (typed by construction).
  const table: Record<string, unknown> = {};
  for (const op of OP_NAMES) {
    if (omit.includes(op)) continue;
    table[op] = native[op] ?? referenceKernel(op);
  }
  return table as KernelTable<TypedArray>;
}

/**
 * A `Backend<TypedArray>` named `name` that holds every dtype and runs every catalog op with
 * its reference kernel. Slow and obviously correct: the conformance suite's self-test, and the
 * starting point of a backend of your own (see `withReferenceFallback`).
 *
 * @example
 * import { createReferenceBackend, registerBackend } from "@tessera/backend";
 * import { describeConformance } from "@tessera/backend/testing";
 * const reference = createReferenceBackend();
 * registerBackend(reference);
 * describeConformance(reference); // all green, by construction
 */
export function createReferenceBackend(name = "reference"): Backend<TypedArray> {
  return {
    name,
    dtypes: ["float32", "float64", "int32", "bool"],
    kernels: withReferenceFallback({}),
    allocate: (dtype: DType, length: number) => allocTypedArray(dtype, length),
    free: () => {},
    upload: (buffer: TypedArray, _dtype: DType, data: TypedArray) => buffer.set(data),
    read: async (buffer: TypedArray, _dtype: DType, start: number, length: number) => buffer.slice(start, start + length),
    readSync: (buffer: TypedArray, _dtype: DType, start: number, length: number) => buffer.slice(start, start + length),
    sync: async () => {},
  };
}
