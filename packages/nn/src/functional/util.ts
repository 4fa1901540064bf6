/**
 * Shared plumbing of the functional ops: the `reduction` option of the losses, dtype and
 * shape checks that name the op, and reading index values back where the device can do it
 * synchronously (to turn an out-of-range index into a clear error before a kernel sees it).
 *
 * Nothing here is exported from `functional/index.ts`.
 */
import { type Tensor, noGrad } from "@tessera/autograd";
import { DTypeError, DeviceError, ShapeError, TesseraError, formatShape, isFloatingPoint } from "@tessera/storage";

/** How a loss combines its per-element values: PyTorch's `reduction` argument. */
export type Reduction = "mean" | "sum" | "none";

/** Throws unless `reduction` is one of the three names. */
export function checkReduction(op: string, reduction: string): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new TesseraError(`${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}.`);
  }
  return reduction;
}

/** Applies a `reduction` to elementwise losses (mean over all elements). */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  return reduction === "sum" ? loss.sum() : loss.mean();
}

/** Throws a DTypeError unless `x` is float32 or float64. */
export function requireFloat(op: string, name: string, x: Tensor): void {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(
      `${op}: expected ${name} to be a floating point tensor, got ${x.dtype} (shape ${formatShape(x.shape)}). Cast it first: ${name}.to("float32").`,
    );
  }
}

/** Throws a DTypeError unless `x` is int32 (Tessera's index dtype). */
export function requireInt(op: string, name: string, x: Tensor): void {
  if (x.dtype !== "int32") {
    throw new DTypeError(
      `${op}: expected ${name} to be an int32 tensor of indices, got ${x.dtype} (shape ${formatShape(x.shape)}). Cast it: ${name}.to("int32").`,
    );
  }
}

/** Throws a ShapeError unless `a` and `b` have the same shape. */
export function requireSameShape(op: string, aName: string, a: Tensor, bName: string, b: Tensor, fix: string): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(`${op}: ${aName} has shape ${formatShape(a.shape)} but ${bName} has shape ${formatShape(b.shape)}; they must match. ${fix}`);
  }
}

/** True if `a` and `b` have the same shape. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The values of `t` when its device reads synchronously (the CPU), else `null`: callers use
 * it for checks that make errors clearer and skip them elsewhere.
 */
export function valuesIfSync(t: Tensor): ArrayLike<number> | null {
  try {
    return noGrad(() => t.dataSync());
  } catch (e) {
    if (e instanceof DeviceError) return null;
    throw e;
  }
}

/**
 * Checks that every index in `t` lies in `[0, size)`, except `skip` (an ignored value), on
 * devices that read synchronously. `describe(bad)` words the error.
 */
export function checkIndexRange(t: Tensor, size: number, describe: (bad: number) => string, skip?: number): void {
  const values = valuesIfSync(t);
  if (values === null) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === skip) continue;
    if (v < 0 || v >= size) throw new TesseraError(describe(v));
  }
}

/** `shape` as a broadcastable shape with `size` at dim 1 and ones elsewhere (per-channel). */
export function channelShape(ndim: number, size: number, dim = 1): number[] {
  const shape = new Array<number>(ndim).fill(1);
  shape[dim] = size;
  return shape;
}

/**
 * A new tensor object with `x`'s values and storage, in the graph (gradient passes through).
 * Functional ops return it where they would return their input unchanged, so that disposing
 * the result never disposes the caller's tensor.
 */
export function alias(x: Tensor): Tensor {
  return x.reshape(x.shape);
}
