/** RMSprop: divide the gradient by a running root mean square of recent gradients. */
import { type Tensor, keep, zerosLike } from "@tessera/autograd";
import { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
import { checkBoolean, checkNonNegative } from "./validate.js";

/**
 * Options of {@link RMSprop}.
 *
 * @example
 * const options: Partial<RMSpropOptions> = { lr: 1e-3, momentum: 0.9, centered: true };
 */
export interface RMSpropOptions {
  /** Learning rate. Default 1e-2. */
  lr: number;
  /** Smoothing constant of the running average of the squared gradient. Default 0.99. */
  alpha: number;
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor. Default 0. */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance rather than its second moment. Default false. */
  centered: boolean;
  /** Maximize the objective. Default false. */
  maximize: boolean;
}

/**
 * RMSprop's per-parameter state, as PyTorch keeps it.
 *
 * @example
 * (optimizer.state.get(w) as RMSpropState).squareAvg;
 */
export type RMSpropState = {
  /** Steps taken by this parameter. */
  step: number;
  /** Running average of the squared gradient. */
  squareAvg: Tensor;
  /** Momentum buffer (only with `momentum > 0`). */
  momentumBuffer?: Tensor;
  /** Running average of the gradient (only with `centered`). */
  gradAvg?: Tensor;
};

/**
 * RMSprop, PyTorch's `torch.optim.RMSprop` (single-tensor form):
 *
 * ```
 * g = maximize ? -grad : grad;  g += weightDecay * p
 * v = alpha * v + (1 - alpha) * g²
 * centered:  gAvg = alpha * gAvg + (1 - alpha) * g;  avg = sqrt(v - gAvg²) + eps
 * else:      avg = sqrt(v) + eps
 * momentum > 0:  buf = momentum * buf + g / avg;  p -= lr * buf
 * else:          p -= lr * g / avg
 * ```
 *
 * @example
 * const optimizer = new RMSprop(model.parameters(), { lr: 1e-3 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  /**
   * @param params Tensors to optimize, or param groups with their own options.
   * @param options `lr`, `alpha`, `eps`, `weightDecay`, `momentum`, `centered`, `maximize`.
   */
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      maximize: options.maximize ?? false,
    });
  }

  protected override get optimizerName(): string {
    return "RMSprop";
  }

  protected checkOptions(o: RMSpropOptions, where: string): void {
    checkNonNegative(where, "lr", o.lr);
    checkNonNegative(where, "alpha", o.alpha);
    checkNonNegative(where, "eps", o.eps);
    checkNonNegative(where, "weightDecay", o.weightDecay);
    checkNonNegative(where, "momentum", o.momentum);
    checkBoolean(where, "centered", o.centered);
    checkBoolean(where, "maximize", o.maximize);
  }

  protected initState(p: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const state: RMSpropState = { step: 0, squareAvg: keep(zerosLike(p)) };
    if (group.momentum > 0) state.momentumBuffer = keep(zerosLike(p));
    if (group.centered) state.gradAvg = keep(zerosLike(p));
    return state;
  }

  protected update(p: Tensor, grad: Tensor, state: RMSpropState, group: ParamGroup<RMSpropOptions>): void {
    const { alpha, lr, momentum } = group;
    let g = group.maximize ? grad.neg() : grad;
    state.step += 1;
    if (group.weightDecay !== 0) g = g.add(p, { alpha: group.weightDecay });
    state.squareAvg.mul_(alpha).add_(g.mul(1 - alpha).mul(g));
    let avg: Tensor;
    if (group.centered) {
      // centered switched on later (e.g. by hand): start the average from zeros.
      const gradAvg = (state.gradAvg ??= keep(zerosLike(p)));
      gradAvg.mul_(alpha).add_(g, { alpha: 1 - alpha });
      avg = state.squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = state.squareAvg.sqrt();
    }
    avg.add_(group.eps);
    if (momentum > 0) {
      // momentum raised later (e.g. by OneCycleLR): start the buffer from zeros.
      const buf = (state.momentumBuffer ??= keep(zerosLike(p)));
      buf.mul_(momentum).add_(g.div(avg));
      p.add_(buf, { alpha: -lr });
    } else {
      p.add_(g.mul(-lr).div(avg));
    }
  }
}
