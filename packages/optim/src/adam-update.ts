/** The update shared by Adam and AdamW (PyTorch 1.13's single-tensor form). */
import { type Tensor, adamStep_, hasKernel, keep, zerosLike } from "@tessera/autograd";
import { OptimError } from "./errors.js";

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
  fused?: boolean | null | undefined;
}

/** @internal Zeroed state for `p`. */
export function initAdamState(p: Tensor, amsgrad: boolean): AdamState {
  const state: AdamState = { step: 0, expAvg: keep(zerosLike(p)), expAvgSq: keep(zerosLike(p)) };
  if (amsgrad) state.maxExpAvgSq = keep(zerosLike(p));
  return state;
}

/**
 * @internal Why the fused `adamStep` kernel can't update `p` from `grad`, or null if it can:
 * the backend must have the op, and the gradient the parameter's float dtype, shape and device.
 */
export function fusedUnavailable(p: Tensor, grad: Tensor): string | null {
  if (!hasKernel(p, "adamStep")) return `the backend of device "${p.device}" has no fused adamStep kernel`;
  if (p.dtype !== "float32" && p.dtype !== "float64") return `the parameter is ${p.dtype}, not float32 or float64`;
  if (grad.device !== p.device) return `the gradient is on ${grad.device} but the parameter on ${p.device}`;
  if (grad.dtype !== p.dtype) return `the gradient is ${grad.dtype} but the parameter ${p.dtype}`;
  if (grad.shape.length !== p.shape.length || grad.shape.some((d, i) => d !== p.shape[i])) {
    return `the gradient has shape [${grad.shape.join(", ")}] but the parameter [${p.shape.join(", ")}]`;
  }
  return null;
}

/**
 * @internal One Adam step of `p`. `decoupled` is AdamW's weight decay (`p *= 1 - lr * wd`)
 * instead of Adam's L2 penalty added to the gradient. With `o.fused` unset (automatic) it runs
 * the fused `adamStep` kernel when {@link fusedUnavailable} allows, else the composed update;
 * `fused: true` requires the kernel (an error says why it can't run), `fused: false` always
 * composes. Both give the same numbers (bit for bit on the CPU backend).
 */
export function adamUpdate(p: Tensor, grad: Tensor, state: AdamState, o: AdamUpdateOptions, decoupled: boolean, where = "Adam"): void {
  if (o.fused !== false) {
    const why = fusedUnavailable(p, grad);
    if (why === null) {
      adamUpdateFused(p, grad, state, o, decoupled);
      return;
    }
    if (o.fused === true) {
      throw new OptimError(
        `${where}: fused: true, but the fused update can't run for a parameter of shape [${p.shape.join(", ")}]: ${why}. Leave fused unset to fall back to the composed update automatically, or set fused: false.`,
      );
    }
  }
  adamUpdateComposed(p, grad, state, o, decoupled);
}

/** @internal The fused update: one `adamStep` kernel call, in place. */
export function adamUpdateFused(p: Tensor, grad: Tensor, state: AdamState, o: AdamUpdateOptions, decoupled: boolean): void {
  const [beta1, beta2] = o.betas;
  state.step += 1;
  // amsgrad switched on after the first steps: start the maximum from zeros.
  if (o.amsgrad) state.maxExpAvgSq ??= keep(zerosLike(p));
  adamStep_(p, grad, state.expAvg, state.expAvgSq, o.amsgrad ? state.maxExpAvgSq! : null, {
    lr: o.lr,
    beta1,
    beta2,
    eps: o.eps,
    weightDecay: o.weightDecay,
    decoupled,
    amsgrad: o.amsgrad,
    maximize: o.maximize,
    step: state.step,
  });
}

/** @internal The composed update: about 13 elementwise tensor ops (PyTorch 1.13's formulas). */
export function adamUpdateComposed(p: Tensor, grad: Tensor, state: AdamState, o: AdamUpdateOptions, decoupled: boolean): void {
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
