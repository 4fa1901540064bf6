/** The update shared by Adam and AdamW (PyTorch 1.13's single-tensor form). */
import { type Tensor, keep, zerosLike } from "@tessera/autograd";

/**
 * The per-parameter state of {@link Adam} and {@link AdamW}: the step count and the running
 * averages of the gradient and its square (and their running maximum with `amsgrad`).
 *
 * @example
 * const s = optimizer.state.get(w) as AdamState; s.step; // 3
 */
export type AdamState = {
  /** Steps taken by this parameter. */
  step: number;
  /** Exponential moving average of the gradient. */
  expAvg: Tensor;
  /** Exponential moving average of the squared gradient. */
  expAvgSq: Tensor;
  /** Running maximum of `expAvgSq` (only with `amsgrad`). */
  maxExpAvgSq?: Tensor;
};

/** @internal The options the shared update reads. */
export interface AdamUpdateOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** @internal Zeroed state for `p`. */
export function initAdamState(p: Tensor, amsgrad: boolean): AdamState {
  const state: AdamState = { step: 0, expAvg: keep(zerosLike(p)), expAvgSq: keep(zerosLike(p)) };
  if (amsgrad) state.maxExpAvgSq = keep(zerosLike(p));
  return state;
}

/**
 * @internal One Adam step of `p`. `decoupled` is AdamW's weight decay (`p *= 1 - lr * wd`)
 * instead of Adam's L2 penalty added to the gradient.
 */
export function adamUpdate(p: Tensor, grad: Tensor, state: AdamState, o: AdamUpdateOptions, decoupled: boolean): void {
  const [beta1, beta2] = o.betas;
  let g = o.maximize ? grad.neg() : grad;
  state.step += 1;
  if (decoupled) {
    if (o.weightDecay !== 0) p.mul_(1 - o.lr * o.weightDecay);
  } else if (o.weightDecay !== 0) {
    g = g.add(p, { alpha: o.weightDecay });
  }
  state.expAvg.mul_(beta1).add_(g, { alpha: 1 - beta1 });
  state.expAvgSq.mul_(beta2).add_(g.mul(1 - beta2).mul(g));
  const biasCorrection1 = 1 - beta1 ** state.step;
  const biasCorrection2 = 1 - beta2 ** state.step;
  const stepSize = o.lr / biasCorrection1;
  let second = state.expAvgSq;
  if (o.amsgrad) {
    // amsgrad switched on after the first steps: start the maximum from zeros.
    state.maxExpAvgSq ??= keep(zerosLike(p));
    state.maxExpAvgSq.copy_(state.maxExpAvgSq.maximum(state.expAvgSq));
    second = state.maxExpAvgSq;
  }
  const denom = second.sqrt().div(Math.sqrt(biasCorrection2)).add_(o.eps);
  p.add_(state.expAvg.mul(-stepSize).div(denom));
}
