/**
 * Shared plumbing of the differentiable ops: deciding whether to record, attaching a node to
 * outputs, wrapping scalars, type promotion, and summing a broadcast gradient back.
 */
import { type DType, DTypeError, broadcastReductionDims, formatShape, isFloatingPoint, promoteTypes, shapesEqual, TesseraError } from "@tessera/storage";
import { isGradEnabled } from "../grad-mode.js";
import type { Node } from "../graph/node.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { execute, execute1, tensorFromTypedArray } from "../runtime.js";
import { allocTypedArray } from "@tessera/storage";

/** True if grad mode is on and any input requires grad: the op must record a node. */
export function needsGrad(a: Tensor, b?: Tensor, c?: Tensor): boolean {
  return isGradEnabled() && (a._requiresGrad || (b !== undefined && b._requiresGrad) || (c !== undefined && c._requiresGrad));
}

/** True if grad mode is on and any of `inputs` requires grad. */
export function anyNeedsGrad(inputs: readonly Tensor[]): boolean {
  if (!isGradEnabled()) return false;
  for (const t of inputs) if (t._requiresGrad) return true;
  return false;
}

/** Makes `out` the output of `node` and returns it. */
export function attach(out: Tensor, node: Node, index = 0): Tensor {
  out._setGradFn(node, index);
  return out;
}

/** A 0-dim tensor holding `value` on `like`'s device. */
export function scalarTensor(value: number, dtype: DType, like: Tensor): Tensor {
  const data = allocTypedArray(dtype, 1);
  data[0] = dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
  return tensorFromTypedArray(like._backend, data, [], dtype);
}

/**
 * The dtype an op on `a` and `b` computes in, by PyTorch's rules: tensors promote
 * (bool < int32 < float32 < float64); a scalar only lifts the category (an int tensor times
 * 2.5 is float32; a float32 tensor times 2 stays float32).
 */
export function resultType(a: TensorOrScalar, b: TensorOrScalar): DType {
  if (a instanceof Tensor && b instanceof Tensor) {
    // 0-dim tensors, like scalars, only lift the category.
    if (a.ndim === 0 && b.ndim > 0) return scalarLift(b.dtype, a.dtype);
    if (b.ndim === 0 && a.ndim > 0) return scalarLift(a.dtype, b.dtype);
    return promoteTypes(a.dtype, b.dtype);
  }
  if (a instanceof Tensor) return scalarLift(a.dtype, scalarDType(b as number));
  if (b instanceof Tensor) return scalarLift(b.dtype, scalarDType(a as number));
  return scalarDType(a as number) === "float32" || scalarDType(b as number) === "float32" ? "float32" : "int32";
}

function scalarDType(value: number): DType {
  return Number.isInteger(value) ? "int32" : "float32";
}

const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

function scalarLift(tensorDType: DType, scalar: DType): DType {
  return CATEGORY[scalar] > CATEGORY[tensorDType] ? scalar : tensorDType;
}

/** `x` as a tensor of `dtype` on `like`'s device (wrapping scalars, casting tensors). */
export function asTensor(x: TensorOrScalar, dtype: DType, like: Tensor): Tensor {
  if (x instanceof Tensor) return x.dtype === dtype ? x : castTo(x, dtype);
  if (typeof x !== "number") {
    throw new TesseraError(`expected a Tensor or a number, got ${typeof x}`);
  }
  return scalarTensor(x, dtype, like);
}

let castImpl: (x: Tensor, dtype: DType) => Tensor = () => {
  throw new Error("cast not initialised");
};

/** Differentiable cast (set by views.ts to avoid an import cycle). */
export function setCastImpl(fn: (x: Tensor, dtype: DType) => Tensor): void {
  castImpl = fn;
}

/** `x` cast to `dtype`, in the graph. */
export function castTo(x: Tensor, dtype: DType): Tensor {
  return castImpl(x, dtype);
}

/** Throws unless `x` is floating point; `op` names the caller. */
export function requireFloatTensor(op: string, x: Tensor): void {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(`${op}: expected a floating point tensor, got ${x.dtype} (shape ${formatShape(x.shape)}). Cast it first: x.to("float32").`);
  }
}

let sumImpl: (x: Tensor, dims: readonly number[], keepdim: boolean) => Tensor = () => {
  throw new Error("sum not initialised");
};

/** Registers the differentiable sum (set by reduction.ts to avoid an import cycle). */
export function setSumImpl(fn: (x: Tensor, dims: readonly number[], keepdim: boolean) => Tensor): void {
  sumImpl = fn;
}

let reshapeImpl: (x: Tensor, shape: readonly number[]) => Tensor = () => {
  throw new Error("reshape not initialised");
};

/** Registers the differentiable reshape (set by views.ts). */
export function setReshapeImpl(fn: (x: Tensor, shape: readonly number[]) => Tensor): void {
  reshapeImpl = fn;
}

/**
 * Sums a gradient of the broadcast shape back to `shape` (the backward of broadcasting).
 * Returns `grad` itself when no reduction is needed.
 */
export function sumTo(grad: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const { leading, keepdimDims } = broadcastReductionDims(shape, grad.shape);
  const dims: number[] = [];
  for (let i = 0; i < leading; i++) dims.push(i);
  for (const d of keepdimDims) dims.push(d + leading);
  const summed = dims.length > 0 ? sumImpl(grad, dims, true) : grad;
  return shapesEqual(summed.shape, shape) ? summed : reshapeImpl(summed, shape);
}

/** Runs catalog ops without recording (re-exported for the op files). */
export { execute, execute1 };
