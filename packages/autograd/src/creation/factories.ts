/** Tensors of a given shape: zeros, ones, full, empty, arange, linspace, eye, and the *Like forms. */
import { type DType, ShapeError, assertDType, checkShape } from "@tessera/storage";
import type { Tensor } from "../tensor.js";
import { backendFor, emptyTensor, execute1 } from "../runtime.js";
import type { TensorOptions } from "./from-data.js";

/** A shape given as an array or as separate numbers. */
export type ShapeArg = readonly number[];

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * A tensor of `shape` filled with `value`.
 *
 * @example full([2, 3], 7)
 */
export function full(shape: ShapeArg, value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape, "full");
  const dtype: DType = options.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  assertDType(dtype, "full");
  const t = execute1("fill", [], { shape, dtype, value: Number(value) }, backendFor(options.device));
  return finish(t, options);
}

/** Zeros of `shape`. @example zeros([2, 2]) */
export function zeros(shape: ShapeArg, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** Ones of `shape`. @example ones([3]) */
export function ones(shape: ShapeArg, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** A tensor of `shape` with unspecified contents (fastest to create). @example empty([4]) */
export function empty(shape: ShapeArg, options: TensorOptions = {}): Tensor {
  checkShape(shape, "empty");
  const dtype = options.dtype ?? "float32";
  assertDType(dtype, "empty");
  return finish(emptyTensor(backendFor(options.device), shape, dtype), options);
}

function likeOptions(t: Tensor, options: TensorOptions): TensorOptions {
  return { dtype: options.dtype ?? t.dtype, device: options.device ?? t.device, requiresGrad: options.requiresGrad ?? false };
}

/** Zeros with `t`'s shape, dtype and device. */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return zeros(t.shape, likeOptions(t, options));
}

/** Ones with `t`'s shape, dtype and device. */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return ones(t.shape, likeOptions(t, options));
}

/** `value` everywhere, with `t`'s shape, dtype and device. */
export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, likeOptions(t, options));
}

/** Unspecified contents with `t`'s shape, dtype and device. */
export function emptyLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return empty(t.shape, likeOptions(t, options));
}

/**
 * `start, start+step, …` up to (not including) `end`. With one number, `arange(end)` from 0.
 * Integer arguments give int32, others float32 (as PyTorch's int64/float32).
 *
 * @example arange(5) // [0, 1, 2, 3, 4]; arange(0, 1, 0.25) // [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  if (step === 0) throw new ShapeError("arange: step must be nonzero");
  if ((e - s) / step < 0 && e !== s) {
    throw new ShapeError(`arange: upper bound and larger bound inconsistent with step sign (start ${s}, end ${e}, step ${step})`);
  }
  const dtype = options.dtype ?? ([s, e, step].every(Number.isInteger) ? "int32" : "float32");
  const t = execute1("arange", [], { start: s, end: e, step, dtype }, backendFor(options.device));
  return finish(t, options);
}

/**
 * `steps` evenly spaced values from `start` to `end`, both included.
 *
 * @example linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ShapeError(`linspace: number of steps must be a non-negative integer, got ${steps}`);
  const dtype: DType = options.dtype ?? "float32";
  const backend = backendFor(options.device);
  const stepSize = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch computes the second half from the end so `end` is hit exactly (one step is `start`).
  const values = new Float64Array(steps);
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) values[i] = i < half ? start + stepSize * i : end - stepSize * (steps - 1 - i);
  const raw = fromValues(values, backend);
  const t = execute1("cast", [raw], { dtype }, backend);
  raw.dispose();
  return finish(t, options);
}

import { tensorFromTypedArray } from "../runtime.js";
import type { Backend } from "@tessera/backend";
function fromValues(values: Float64Array, backend: Backend): Tensor {
  return tensorFromTypedArray(backend, values, [values.length], "float64");
}

/**
 * The identity matrix with `n` rows and `m` (default `n`) columns.
 *
 * @example eye(3)
 */
export function eye(n: number, m: number = n, options: TensorOptions = {}): Tensor {
  checkShape([n, m], "eye");
  const dtype = options.dtype ?? "float32";
  assertDType(dtype, "eye");
  const backend = backendFor(options.device);
  const rows = execute1("arange", [], { start: 0, end: n, step: 1, dtype: "int32" }, backend);
  const cols = execute1("arange", [], { start: 0, end: m, step: 1, dtype: "int32" }, backend);
  const r = rows.reshape([n, 1]);
  const mask = r.eq(cols);
  const t = execute1("cast", [mask], { dtype }, backend);
  for (const x of [rows, cols, r, mask]) x.dispose();
  return finish(t, options);
}
