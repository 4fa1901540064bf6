/** `tensor(data)`: a tensor from numbers, nested arrays, booleans or typed arrays. */
import { type DType, type TypedArray, DTypeError, ShapeError, allocTypedArray, assertDType, formatShape } from "@tessera/storage";
import type { Tensor } from "../tensor.js";
import { backendFor, tensorFromTypedArray } from "../runtime.js";

/** Nested arrays of numbers or booleans, a number, a boolean, or a typed array. */
export type TensorData = number | boolean | TypedArray | readonly TensorData[];

/** Options of the creation functions. */
export interface TensorOptions {
  /** Element type. Default: float32 (int32 for an Int32Array, bool for booleans). */
  dtype?: DType;
  /** Device name. Default: the default device (`"cpu"`). */
  device?: string;
  /** Record operations on this tensor for gradients. Default false. */
  requiresGrad?: boolean;
}

function inferShape(data: TensorData): number[] {
  const shape: number[] = [];
  let cur: TensorData = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0] as TensorData;
  }
  if (ArrayBuffer.isView(cur)) shape.push((cur as TypedArray).length);
  return shape;
}

function defaultDType(data: TensorData): DType {
  let cur: TensorData = data;
  while (Array.isArray(cur) && cur.length > 0) cur = cur[0] as TensorData;
  if (typeof cur === "boolean") return "bool";
  if (cur instanceof Int32Array) return "int32";
  if (cur instanceof Float64Array) return "float64";
  if (cur instanceof Uint8Array) return "bool";
  return "float32";
}

function fill(data: TensorData, shape: readonly number[], dim: number, out: TypedArray, pos: { i: number }): void {
  if (dim === shape.length) {
    const v = data as number | boolean;
    if (typeof v !== "number" && typeof v !== "boolean") {
      throw new ShapeError(`tensor: expected a number or boolean at depth ${dim}, got ${Array.isArray(v) ? "an array" : typeof v}; nested arrays must be rectangular (shape ${formatShape(shape)}).`);
    }
    out[pos.i++] = typeof v === "boolean" ? (v ? 1 : 0) : v;
    return;
  }
  if (ArrayBuffer.isView(data) && dim === shape.length - 1) {
    const arr = data as TypedArray;
    if (arr.length !== shape[dim]) throw new ShapeError(`tensor: ragged nested data: expected a row of ${shape[dim]} values at depth ${dim}, got ${arr.length}`);
    for (let k = 0; k < arr.length; k++) out[pos.i++] = arr[k]!;
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new ShapeError(
      `tensor: ragged nested data: expected a sequence of length ${shape[dim]} at depth ${dim}, got ${Array.isArray(data) ? `length ${data.length}` : typeof data}. Every row must have the same length (shape ${formatShape(shape)}).`,
    );
  }
  for (const item of data) fill(item as TensorData, shape, dim + 1, out, pos);
}

/**
 * A tensor holding a copy of `data`.
 *
 * @example
 * tensor([[1, 2], [3, 4]]);                       // float32 [2, 2]
 * tensor([1, 2], { dtype: "int32" });
 * tensor(new Float64Array([1, 2]), { requiresGrad: true });
 */
export function tensor(data: TensorData, options: TensorOptions = {}): Tensor {
  const dtype = options.dtype ?? defaultDType(data);
  assertDType(dtype, "tensor");
  const backend = backendFor(options.device);
  const shape = inferShape(data);
  let n = 1;
  for (const d of shape) n *= d;
  const values = allocTypedArray(dtype, n);
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    if (dtype === "bool") for (let i = 0; i < n; i++) values[i] = src[i] !== 0 ? 1 : 0;
    else if (dtype === "int32") for (let i = 0; i < n; i++) values[i] = Math.trunc(src[i]!);
    else values.set(src);
  } else {
    const pos = { i: 0 };
    const staging = dtype === "float32" || dtype === "float64" ? values : new Float64Array(n);
    fill(data, shape, 0, staging, pos);
    if (staging !== values) {
      for (let i = 0; i < n; i++) {
        const v = staging[i]!;
        if (dtype === "bool") values[i] = v !== 0 ? 1 : 0;
        else {
          if (!Number.isInteger(v)) throw new DTypeError(`tensor: value ${v} is not an integer and can't be stored as ${dtype}; use dtype float32.`);
          values[i] = v;
        }
      }
    }
  }
  const t = tensorFromTypedArray(backend, values, shape, dtype);
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}
