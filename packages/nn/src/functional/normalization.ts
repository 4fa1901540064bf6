/**
 * Normalization: PyTorch's `F.layer_norm` and `F.batch_norm`, composed from reductions so
 * that their gradients (of any order) come from autograd.
 */
import { type Tensor, noGrad, tidy } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import { channelShape, requireFloat, sameShape } from "./util.js";

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** Elementwise scale, of shape `normalizedShape`. */
  weight?: Tensor | null;
  /** Elementwise shift, of shape `normalizedShape`. */
  bias?: Tensor | null;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
}

/**
 * Layer normalization over the last `normalizedShape.length` dims (a number means one dim):
 * `(x − mean) / √(var + eps) · weight + bias`, with the biased variance, as PyTorch.
 *
 * @example
 * layerNorm(x, [512]);                                  // x: [batch, seq, 512]
 * layerNorm(x, [512], { weight: gamma, bias: beta, eps: 1e-6 });
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  requireFloat("layerNorm", "x", x);
  if (typeof normalizedShape === "number") normalizedShape = [normalizedShape];
  const k = normalizedShape.length;
  if (k === 0 || !normalizedShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ShapeError(`layerNorm: normalizedShape must be a non-empty list of positive sizes, got ${formatShape(normalizedShape)}.`);
  }
  if (x.ndim < k || !sameShape(x.shape.slice(x.ndim - k), normalizedShape)) {
    throw new ShapeError(
      `layerNorm: given normalizedShape=${formatShape(normalizedShape)}, expected input with shape [*, ${normalizedShape.join(", ")}], but got input of size ${formatShape(x.shape)}. normalizedShape lists the trailing dims to normalize over.`,
    );
  }
  const eps = options.eps ?? 1e-5;
  for (const [name, t] of [["weight", options.weight], ["bias", options.bias]] as const) {
    if (t !== undefined && t !== null && !sameShape(t.shape, normalizedShape)) {
      throw new ShapeError(`layerNorm: ${name} must have shape normalizedShape = ${formatShape(normalizedShape)}, got ${formatShape(t.shape)}.`);
    }
  }
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  return tidy(() => {
    const centered = x.sub(x.mean({ dim: dims, keepdim: true }));
    const variance = centered.mul(centered).mean({ dim: dims, keepdim: true });
    let y = centered.mul(variance.add(eps).rsqrt());
    if (options.weight) y = y.mul(options.weight);
    if (options.bias) y = y.add(options.bias);
    return y;
  });
}

/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  /** Per-channel scale, shape [C]. */
  weight?: Tensor | null;
  /** Per-channel shift, shape [C]. */
  bias?: Tensor | null;
  /**
   * Normalize with the statistics of this batch (and update the running statistics) rather
   * than with the running statistics. Default false.
   */
  training?: boolean;
  /** Weight of the new batch in the running averages: `r ← (1 − m)·r + m·batch`. Default 0.1. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
}

/**
 * Batch normalization over dim 1 (channels) of [N, C], [N, C, L] or [N, C, H, W] input:
 * `(x − mean) / √(var + eps) · weight + bias` per channel.
 *
 * In training the mean and the biased variance of the batch normalize, and `runningMean` /
 * `runningVar` (when given) are updated in place, outside the graph, with the batch mean and
 * the unbiased variance, as PyTorch. In evaluation the running statistics normalize.
 *
 * @example
 * const rm = zeros([16]), rv = ones([16]);
 * const y = batchNorm(x, rm, rv, { weight: gamma, bias: beta, training: true }); // updates rm, rv
 * batchNorm(x, rm, rv, { weight: gamma, bias: beta });                          // eval
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  requireFloat("batchNorm", "x", x);
  if (x.ndim < 2) {
    throw new ShapeError(`batchNorm: expected an input with at least 2 dims [N, C, *], got shape ${formatShape(x.shape)}. For one unbatched sample, unsqueeze(0) it.`);
  }
  const C = x.shape[1]!;
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  const perChannel = [
    ["runningMean", runningMean],
    ["runningVar", runningVar],
    ["weight", options.weight],
    ["bias", options.bias],
  ] as const;
  for (const [name, t] of perChannel) {
    if (t !== undefined && t !== null && (t.ndim !== 1 || t.shape[0] !== C)) {
      throw new ShapeError(`batchNorm: ${name} must have shape [${C}] (one value per channel of input ${formatShape(x.shape)}), got ${formatShape(t.shape)}.`);
    }
  }
  if ((runningMean === null) !== (runningVar === null)) {
    throw new TesseraError("batchNorm: pass both runningMean and runningVar, or neither.");
  }
  const shape = channelShape(x.ndim, C);
  const dims = Array.from({ length: x.ndim }, (_, i) => i).filter((d) => d !== 1);
  const count = x.numel() / Math.max(C, 1);
  return tidy(() => {
    if (training) {
      if (count <= 1) {
        throw new ShapeError(`batchNorm: expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}. Use a batch of 2 or more, or evaluation mode.`);
      }
      const mean = x.mean({ dim: dims, keepdim: true });
      const centered = x.sub(mean);
      const variance = centered.mul(centered).mean({ dim: dims, keepdim: true });
      if (runningMean !== null && runningVar !== null) {
        noGrad(() => {
          runningMean.mul_(1 - momentum).add_(mean.reshape([C]).mul(momentum));
          runningVar.mul_(1 - momentum).add_(variance.reshape([C]).mul((momentum * count) / (count - 1)));
        });
      }
      return normalize(centered, variance, shape, eps, options);
    }
    if (runningMean === null || runningVar === null) {
      throw new TesseraError("batchNorm: runningMean and runningVar must be given in evaluation mode (training: false); pass training: true to normalize with the batch statistics.");
    }
    const centered = x.sub(runningMean.reshape(shape));
    return normalize(centered, runningVar.reshape(shape), shape, eps, options);
  });
}

function normalize(centered: Tensor, variance: Tensor, shape: number[], eps: number, options: BatchNormOptions): Tensor {
  let y = centered.mul(variance.add(eps).rsqrt());
  if (options.weight) y = y.mul(options.weight.reshape(shape));
  if (options.bias) y = y.add(options.bias.reshape(shape));
  return y;
}
