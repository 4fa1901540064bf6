/**
 * Composite functions written from primitives, with numerically stable formulations:
 * variance, standard deviation, logsumexp, softmax, logSoftmax. softmax and logSoftmax have
 * their own nodes (one saved output instead of a chain of intermediates).
 */
import { ShapeError, formatShape, normalizeDim } from "@tessera/storage";
import { noGrad } from "../grad-mode.js";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import type { Tensor, VarianceOptions } from "../tensor.js";
import { attach, needsGrad, requireFloatTensor } from "./helpers.js";
import { reductionDims } from "./reduction.js";
import { tidyInternal } from "./scope.js";

/** Variance over dims with Bessel's `correction` (default 1). */
export function variance(x: Tensor, options: VarianceOptions = {}): Tensor {
  requireFloatTensor("var", x);
  const dims = reductionDims("var", x, options.dim);
  const keepdim = options.keepdim ?? false;
  const correction = options.correction ?? 1;
  let n = 1;
  for (const d of dims) n *= x.shape[d]!;
  return tidyInternal(() => {
    const centered = x.sub(x.mean({ dim: dims, keepdim: true }));
    return centered.mul(centered).sum({ dim: dims, keepdim }).div(Math.max(n - correction, 0));
  });
}

/** Standard deviation over dims (square root of {@link variance}). */
export function std(x: Tensor, options: VarianceOptions = {}): Tensor {
  return tidyInternal(() => variance(x, options).sqrt());
}

/** log Σ exp(x) over dims, shifted by the maximum so it never overflows. */
export function logsumexp(x: Tensor, options: { dim: number | readonly number[]; keepdim?: boolean }): Tensor {
  requireFloatTensor("logsumexp", x);
  const dims = reductionDims("logsumexp", x, options.dim);
  const keepdim = options.keepdim ?? false;
  return tidyInternal(() => {
    // The shift is a constant for the gradient; infinite maxima shift by 0 so -inf stays -inf.
    const m = noGrad(() => {
      const raw = x.max({ dim: dims, keepdim: true });
      return raw.where(raw.abs().ne(Infinity), 0);
    });
    const s = x.sub(m).exp().sum({ dim: dims, keepdim: true }).log().add(m);
    return keepdim ? s : s.squeeze(dims);
  });
}

function softmaxDim(op: string, x: Tensor, dim: number): number {
  requireFloatTensor(op, x);
  if (typeof dim !== "number") {
    throw new ShapeError(`${op}: dim must be given as a number (the dim to normalize over), e.g. x.${op}(-1); got ${String(dim)} for shape ${formatShape(x.shape)}`);
  }
  return x.ndim === 0 ? 0 : normalizeDim(dim, x.ndim, op);
}

class SoftmaxBackward extends Node {
  readonly name = "SoftmaxBackward0";
  private readonly y: SavedTensor;
  constructor(x: Tensor, y: Tensor, private readonly dim: number) {
    super([x]);
    this.y = new SavedTensor(y, this);
  }
  backward([g]: readonly (Tensor | null)[]) {
    // dx = y ⊙ (g − Σ g⊙y)
    const y = this.y.unpack(this.name);
    return [y.mul(g!.sub(g!.mul(y).sum({ dim: this.dim, keepdim: true })))];
  }
  override releaseSaved(): void {
    this.y.release();
  }
}

class LogSoftmaxBackward extends Node {
  readonly name = "LogSoftmaxBackward0";
  private readonly y: SavedTensor;
  constructor(x: Tensor, y: Tensor, private readonly dim: number) {
    super([x]);
    this.y = new SavedTensor(y, this);
  }
  backward([g]: readonly (Tensor | null)[]) {
    // dx = g − exp(y) ⊙ Σ g
    const y = this.y.unpack(this.name);
    return [g!.sub(y.exp().mul(g!.sum({ dim: this.dim, keepdim: true })))];
  }
  override releaseSaved(): void {
    this.y.release();
  }
}

/** softmax along `dim`: exp(x − max) / Σ exp(x − max). */
export function softmax(x: Tensor, dim: number): Tensor {
  const d = softmaxDim("softmax", x, dim);
  const y = noGrad(() =>
    tidyInternal(() => {
      const e = x.sub(x.max({ dim: d, keepdim: true })).exp();
      return e.div(e.sum({ dim: d, keepdim: true }));
    }),
  );
  if (needsGrad(x)) attach(y, new SoftmaxBackward(x, y, d));
  return y;
}

/** log(softmax(x)) along `dim`: x − max − log Σ exp(x − max). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = softmaxDim("logSoftmax", x, dim);
  const y = noGrad(() =>
    tidyInternal(() => {
      const shifted = x.sub(x.max({ dim: d, keepdim: true }));
      return shifted.sub(shifted.exp().sum({ dim: d, keepdim: true }).log());
    }),
  );
  if (needsGrad(x)) attach(y, new LogSoftmaxBackward(x, y, d));
  return y;
}
