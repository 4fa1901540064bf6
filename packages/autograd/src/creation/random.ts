/** Random tensors from the global Philox generator (see `manualSeed`). */
import { type DType, DTypeError, checkShape, isFloatingPoint, numel, ShapeError } from "@tessera/storage";
import type { Tensor } from "../tensor.js";
import { backendFor, execute1 } from "../runtime.js";
import { nextPhilox } from "../random.js";
import { randomFill_ } from "../functions/inplace.js";
import { tidyInternal } from "../functions/scope.js";
import type { TensorOptions } from "./from-data.js";

function floatDType(op: string, options: TensorOptions): DType {
  const dtype = options.dtype ?? "float32";
  if (!isFloatingPoint(dtype)) throw new DTypeError(`${op}: expected a floating point dtype, got ${dtype}`);
  return dtype;
}

/**
 * Uniform random numbers in [0, 1).
 *
 * @example manualSeed(0); rand([2, 3])
 */
export function rand(shape: readonly number[], options: TensorOptions = {}): Tensor {
  checkShape(shape, "rand");
  const dtype = floatDType("rand", options);
  const t = execute1("randomUniform", [], { shape, dtype, low: 0, high: 1, ...nextPhilox(numel(shape)) }, backendFor(options.device));
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * Standard normal random numbers (mean 0, std 1).
 *
 * @example randn([3, 3], { requiresGrad: true })
 */
export function randn(shape: readonly number[], options: TensorOptions = {}): Tensor {
  checkShape(shape, "randn");
  const dtype = floatDType("randn", options);
  const t = execute1("randomNormal", [], { shape, dtype, mean: 0, std: 1, ...nextPhilox(numel(shape)) }, backendFor(options.device));
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * Random integers in [low, high), int32 by default.
 *
 * @example randint(0, 10, [5])
 */
export function randint(low: number, high: number, shape: readonly number[], options: TensorOptions = {}): Tensor {
  checkShape(shape, "randint");
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ShapeError(`randint: expects integers with low < high, got low=${low}, high=${high}`);
  }
  const backend = backendFor(options.device);
  // float32 on every device (WebGPU has no float64), so the same seed gives the same integers
  // everywhere; the clamp catches a product that rounds up to the range itself.
  const u = execute1("randomUniform", [], { shape, dtype: "float32", low: 0, high: 1, ...nextPhilox(numel(shape)) }, backend);
  const scaled = tidyInternal(() => u.mul(high - low).floor().minimum(high - low - 1).add(low));
  const t = execute1("cast", [scaled], { dtype: options.dtype ?? "int32" }, backend);
  u.dispose();
  scaled.dispose();
  return t;
}

/**
 * Fills `t` in place with uniform numbers in [low, high) (for initialization; use it inside
 * `noGrad` on parameters).
 *
 * @example noGrad(() => uniform_(w, -0.1, 0.1));
 */
export function uniform_<T extends Tensor>(t: T, low = 0, high = 1): T {
  return randomFill_(t, "uniform_", { low, high }, nextPhilox(t.numel()));
}

/** Fills `t` in place with normal numbers of the given mean and std. */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1): T {
  return randomFill_(t, "normal_", { mean, std }, nextPhilox(t.numel()));
}

/**
 * Zeros or ones: each element is 1 with probability `p` (float32 unless `dtype` says).
 *
 * @example bernoulli([4], 0.5)
 */
export function bernoulli(shape: readonly number[], p: number, options: TensorOptions = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
  const u = rand(shape, { device: options.device, dtype: "float32" });
  const mask = u.lt(p);
  const out = mask.to(options.dtype ?? "float32");
  u.dispose();
  if (out !== mask) mask.dispose();
  return out;
}
