/**
 * Running catalog ops on tensors without recording the graph: device and dtype checks, shape
 * inference, output allocation, and the call into the backend's kernel.
 */
import {
  type DType,
  type Layout,
  type TypedArray,
  DeviceError,
  Storage,
  contiguousLayout,
  numel,
  formatShape,
} from "@tessera/storage";
import { type AttrsOf, type OpName, type OpSchema, CATALOG } from "@tessera/kernels";
import { type Backend, type TensorView, checkDTypeSupported, getBackend, getKernel } from "@tessera/backend";
import { Tensor } from "./tensor.js";
import type { Edge } from "./graph/node.js";

/** Allocates uninitialized storage for `length` elements of `dtype` on `backend`. */
export function allocateStorage(backend: Backend, dtype: DType, length: number): Storage {
  const buffer = backend.allocate(dtype, length);
  return new Storage(buffer, dtype, length, backend.name, (b) => backend.free(b, dtype, length));
}

/** A new tensor over fresh contiguous storage of `shape` (contents unspecified). */
export function emptyTensor(backend: Backend, shape: readonly number[], dtype: DType): Tensor {
  checkDTypeSupported(backend, dtype, "empty");
  const storage = allocateStorage(backend, dtype, numel(shape));
  return new Tensor(storage, contiguousLayout(shape), dtype, backend);
}

/** A tensor holding a copy of `data`, with `shape`. */
export function tensorFromTypedArray(backend: Backend, data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  const t = emptyTensor(backend, shape, dtype);
  backend.upload(t._storage!.buffer, dtype, data);
  return t;
}

/** A new tensor object sharing `storage` (a view or a saved tensor being unpacked). */
export function aliasTensor(
  storage: Storage,
  layout: Layout,
  dtype: DType,
  backend: Backend,
  requiresGrad = false,
  edge: Edge | null = null,
): Tensor {
  const t = new Tensor(storage.retain(), layout, dtype, backend);
  if (requiresGrad) {
    t._requiresGrad = true;
    t._setEdge(edge);
  }
  return t;
}

/** The tensor as a kernel sees it; `op` names the caller in the error for a disposed tensor. */
export function viewOf(t: Tensor, op = "op"): TensorView {
  return { buffer: t._liveStorage(op).buffer, dtype: t.dtype, layout: t._layout };
}

/** Throws unless all tensors live on one device; returns that device's backend. */
export function commonBackend(op: string, tensors: readonly Tensor[]): Backend {
  const backend = tensors[0]!._backend;
  for (let i = 1; i < tensors.length; i++) {
    const other = tensors[i]!._backend;
    if (other !== backend) {
      throw new DeviceError(
        `${op}: expected all tensors to be on the same device, but found at least two devices, ${backend.name} and ${other.name} (shapes ${formatShape(tensors[0]!.shape)} and ${formatShape(tensors[i]!.shape)}). Move one with .to("${backend.name}").`,
      );
    }
  }
  return backend;
}

/**
 * Runs catalog op `op` on `inputs` and returns new contiguous output tensors. Records no graph.
 * With no inputs (creation ops), `backend` says where to run.
 */
export function execute<K extends OpName>(
  op: K,
  inputs: readonly Tensor[],
  attrs: AttrsOf<K>,
  backend: Backend = commonBackend(op, inputs),
): Tensor[] {
  const schema = CATALOG[op] as OpSchema<AttrsOf<K>>;
  const views = new Array<TensorView>(inputs.length);
  for (let i = 0; i < inputs.length; i++) views[i] = viewOf(inputs[i]!, op);
  const metas = schema.infer(inputs, attrs);
  const kernel = getKernel(backend, op);
  const outputs: Tensor[] = [];
  const outViews = new Array<TensorView>(metas.length);
  try {
    for (let i = 0; i < metas.length; i++) {
      const m = metas[i]!;
      checkDTypeSupported(backend, m.dtype, op);
      const out = emptyTensor(backend, m.shape, m.dtype);
      outputs.push(out);
      outViews[i] = { buffer: out._storage!.buffer, dtype: m.dtype, layout: out._layout };
    }
    (kernel as (i: readonly TensorView[], o: readonly TensorView[], a: AttrsOf<K>) => void)(views, outViews, attrs);
  } catch (e) {
    // A kernel that rejects its input (an index out of bounds, …) leaves no output behind.
    for (const out of outputs) out.dispose();
    throw e;
  }
  return outputs;
}

/** {@link execute} for single-output ops. */
export function execute1<K extends OpName>(op: K, inputs: readonly Tensor[], attrs: AttrsOf<K>, backend?: Backend): Tensor {
  return execute(op, inputs, attrs, backend)[0]!;
}

/**
 * Runs an elementwise op writing into `out` (which may be a strided view), for in-place ops.
 * The caller bumps the version counter.
 */
export function executeInto<K extends OpName>(op: K, inputs: readonly Tensor[], out: Tensor, attrs: AttrsOf<K>): void {
  const backend = commonBackend(op, [...inputs, out]);
  const schema = CATALOG[op] as OpSchema<AttrsOf<K>>;
  schema.infer(inputs, attrs);
  const kernel = getKernel(backend, op);
  // An input that shares the output's storage through a different view (x[1:].copy_(x[:-1]))
  // is copied first, so every element is read before any is written, on every backend.
  const copies: Tensor[] = [];
  const views = inputs.map((t) => {
    if (t._storage !== out._storage || layoutsEqual(t._layout, out._layout)) return viewOf(t, op);
    const c = execute1("copy", [t], {}, backend);
    copies.push(c);
    return viewOf(c, op);
  });
  try {
    (kernel as (i: readonly TensorView[], o: readonly TensorView[], a: AttrsOf<K>) => void)(views, [viewOf(out, op)], attrs);
  } finally {
    for (const c of copies) c.dispose();
  }
}

function layoutsEqual(a: Layout, b: Layout): boolean {
  if (a.offset !== b.offset || a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) {
    if (a.shape[i] !== b.shape[i] || (a.shape[i] !== 1 && a.strides[i] !== b.strides[i])) return false;
  }
  return true;
}

/** The backend registered for a device name. */
export function backendFor(device: string | undefined): Backend {
  return getBackend(device ?? defaultDevice);
}

let defaultDevice = "cpu";

/** Sets the device new tensors go to when no `device` is given (initially `"cpu"`). */
export function setDefaultDevice(device: string): void {
  getBackend(device);
  defaultDevice = device;
}

/** The device new tensors go to when no `device` is given. */
export function getDefaultDevice(): string {
  return defaultDevice;
}
