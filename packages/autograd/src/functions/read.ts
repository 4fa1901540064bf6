/** Reading tensor values back to JavaScript. */
import { type DType, type TypedArray, DeviceError, isContiguous, numel } from "@tessera/storage";
import type { Tensor } from "../tensor.js";
import { execute1 } from "../runtime.js";

/** The elements in row-major order, as a new typed array. */
export async function readContiguous(t: Tensor): Promise<TypedArray> {
  const storage = t._liveStorage("data");
  if (isContiguous(t._layout)) {
    return t._backend.read(storage.buffer, t.dtype, t._layout.offset, numel(t.shape));
  }
  const c = execute1("copy", [t], {});
  try {
    return await t._backend.read(c._storage!.buffer, t.dtype, 0, c.numel());
  } finally {
    c.dispose();
  }
}

/** {@link readContiguous}, synchronously; errors on devices that cannot read at once. */
export function readContiguousSync(t: Tensor): TypedArray {
  const storage = t._liveStorage("dataSync");
  const readSync = t._backend.readSync;
  if (readSync === undefined) {
    throw new DeviceError(`dataSync: the ${t.device} device cannot read values synchronously. Use await t.data() (or await t.item()) instead.`);
  }
  if (isContiguous(t._layout)) {
    return readSync.call(t._backend, storage.buffer, t.dtype, t._layout.offset, numel(t.shape));
  }
  const c = execute1("copy", [t], {});
  try {
    return readSync.call(t._backend, c._storage!.buffer, t.dtype, 0, c.numel());
  } finally {
    c.dispose();
  }
}

/** Flat row-major values → nested arrays of `shape` (booleans for bool). */
export function toNested(data: TypedArray, shape: readonly number[], dtype: DType): unknown {
  const convert = dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
  if (shape.length === 0) return convert(data[0]!);
  let index = 0;
  const build = (dim: number): unknown[] => {
    const out = new Array<unknown>(shape[dim]!);
    for (let i = 0; i < shape[dim]!; i++) {
      out[i] = dim === shape.length - 1 ? convert(data[index++]!) : build(dim + 1);
    }
    return out;
  };
  return build(0);
}
