/**
 * Reductions over any set of dims, with `keepdim`, and their derivatives.
 */
import { ShapeError, formatShape, isFloatingPoint, DTypeError } from "@tessera/storage";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import type { ReduceOptions, Tensor } from "../tensor.js";
import { attach, execute1, needsGrad, setSumImpl } from "./helpers.js";

/** `dim` option → sorted unique non-negative dims (all dims when omitted). */
export function reductionDims(op: string, x: Tensor, dim: number | readonly number[] | undefined): number[] {
  const n = x.ndim;
  if (dim === undefined) return Array.from({ length: n }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : dim;
  const out: number[] = [];
  for (const d of list) {
    const lo = -Math.max(n, 1);
    const hi = Math.max(n, 1) - 1;
    if (!Number.isInteger(d) || d < lo || d > hi) {
      throw new ShapeError(`${op}: dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${d}) for a tensor of shape ${formatShape(x.shape)}`);
    }
    const nd = n === 0 ? 0 : d < 0 ? d + n : d;
    if (out.includes(nd)) throw new ShapeError(`${op}: dim ${nd} appears multiple times in the list of dims`);
    out.push(nd);
  }
  if (n === 0) return [];
  return out.sort((a, b) => a - b);
}

/** The gradient of a keepdim=false reduction reshaped to broadcast against the input. */
function unreduce(g: Tensor, inputShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0) return g;
  const shape = inputShape.slice();
  for (const d of dims) shape[d] = 1;
  return g.reshape(shape);
}

class SumBackward extends Node {
  readonly name = "SumBackward1";
  constructor(x: Tensor, private readonly dims: readonly number[], private readonly keepdim: boolean) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const shape = this.inputShapes[0]!;
    return [unreduce(g!, shape, this.dims, this.keepdim).expand(shape)];
  }
}

class ProdBackward extends Node {
  readonly name = "ProdBackward1";
  private readonly x: SavedTensor;
  private readonly out: SavedTensor;
  constructor(x: Tensor, out: Tensor, private readonly dims: readonly number[], private readonly keepdim: boolean) {
    super([x]);
    this.x = new SavedTensor(x);
    this.out = new SavedTensor(out, this);
  }
  backward([g]: readonly (Tensor | null)[]) {
    // ∂prod/∂x_i is the product of the other elements. Computed without dividing by zero:
    // with no zero in the slice it is prod / x_i; with one zero, only that element gets the
    // product of the nonzero rest; with two or more, everything is 0.
    const shape = this.inputShapes[0]!;
    const x = this.x.unpack(this.name);
    const out = unreduce(this.out.unpack(this.name), shape, this.dims, this.keepdim);
    const gg = unreduce(g!, shape, this.dims, this.keepdim);
    const isZero = x.eq(0);
    const zeros = isZero.sum({ dim: this.dims, keepdim: true });
    const nonZeroProd = x.where(isZero.logicalNot(), 1).prod({ dim: this.dims, keepdim: true });
    const safeX = x.where(isZero.logicalNot(), 1);
    const noZeroGrad = out.div(safeX).where(zeros.eq(0), 0);
    const oneZeroGrad = nonZeroProd.expand(shape).where(isZero.logicalAnd(zeros.eq(1)), 0);
    return [gg.mul(noZeroGrad.where(isZero.logicalNot(), oneZeroGrad))];
  }
  override releaseSaved(): void {
    this.x.release();
    this.out.release();
  }
}

/** max/min over dims: the gradient is split evenly among the elements equal to the result. */
class ExtremumBackward extends Node {
  private readonly x: SavedTensor;
  private readonly out: SavedTensor;
  constructor(readonly name: string, x: Tensor, out: Tensor, private readonly dims: readonly number[], private readonly keepdim: boolean) {
    super([x]);
    this.x = new SavedTensor(x);
    this.out = new SavedTensor(out, this);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const shape = this.inputShapes[0]!;
    const x = this.x.unpack(this.name);
    const out = unreduce(this.out.unpack(this.name), shape, this.dims, this.keepdim);
    const gg = unreduce(g!, shape, this.dims, this.keepdim);
    const hit = x.eq(out);
    const count = hit.sum({ dim: this.dims, keepdim: true });
    // Multiplied by the mask (not where): a NaN result has no hits, and its gradient is NaN as in PyTorch.
    return [gg.div(count).mul(hit)];
  }
  override releaseSaved(): void {
    this.x.release();
    this.out.release();
  }
}

/** Sum over dims. Bool and int32 inputs sum to int32. */
export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  return sumDims(x, reductionDims("sum", x, options.dim), options.keepdim ?? false);
}

/** Sum over already-normalized dims. */
export function sumDims(x: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const out = execute1("sum", [x], { dims, keepdim });
  if (needsGrad(x)) attach(out, new SumBackward(x, dims, keepdim));
  return out;
}
setSumImpl(sumDims);

/** Mean over dims (floating point only, as PyTorch). */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  if (!isFloatingPoint(x.dtype)) {
    throw new DTypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point dtype, but got ${x.dtype} (shape ${formatShape(x.shape)}). Cast first: x.to("float32").mean().`,
    );
  }
  const dims = reductionDims("mean", x, options.dim);
  let count = 1;
  for (const d of dims) count *= x.shape[d]!;
  const s = sumDims(x, dims, options.keepdim ?? false);
  const out = s.div(count);
  s.dispose();
  return out;
}

/** Product over dims. */
export function prod(x: Tensor, options: ReduceOptions = {}): Tensor {
  const dims = reductionDims("prod", x, options.dim);
  const keepdim = options.keepdim ?? false;
  const out = execute1("prod", [x], { dims, keepdim });
  if (needsGrad(x)) attach(out, new ProdBackward(x, out, dims, keepdim));
  return out;
}

function extremum(op: "max" | "min", x: Tensor, options: ReduceOptions): Tensor {
  const dims = reductionDims(op, x, options.dim);
  const keepdim = options.keepdim ?? false;
  const out = execute1(op, [x], { dims, keepdim });
  if (needsGrad(x)) attach(out, new ExtremumBackward(op === "max" ? "AmaxBackward0" : "AminBackward0", x, out, dims, keepdim));
  return out;
}

/** Maximum over dims (values; like PyTorch's `amax`). */
export function max(x: Tensor, options: ReduceOptions = {}): Tensor {
  return extremum("max", x, options);
}

/** Minimum over dims (values; like PyTorch's `amin`). */
export function min(x: Tensor, options: ReduceOptions = {}): Tensor {
  return extremum("min", x, options);
}

function argExtremum(op: "argmax" | "argmin", x: Tensor, options: { dim?: number; keepdim?: boolean }): Tensor {
  const dim = options.dim === undefined ? null : reductionDims(op, x, options.dim)[0] ?? 0;
  return execute1(op, [x], { dim, keepdim: options.keepdim ?? false });
}

/** Index of the maximum (int32). */
export function argmax(x: Tensor, options: { dim?: number; keepdim?: boolean } = {}): Tensor {
  return argExtremum("argmax", x, options);
}

/** Index of the minimum (int32). */
export function argmin(x: Tensor, options: { dim?: number; keepdim?: boolean } = {}): Tensor {
  return argExtremum("argmin", x, options);
}
