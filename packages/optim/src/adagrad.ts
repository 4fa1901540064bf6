/** Adagrad: per-coordinate learning rates from the sum of squared gradients. */
import { type Tensor, fullLike, keep } from "@tessera/autograd";
import { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
import { checkBoolean, checkNonNegative } from "./validate.js";

/**
 * Options of {@link Adagrad}.
 *
 * @example
 * const options: Partial<AdagradOptions> = { lr: 0.1, lrDecay: 1e-4 };
 */
export interface AdagradOptions {
  /** Learning rate. Default 1e-2. */
  lr: number;
  /** Learning-rate decay: step t uses `lr / (1 + (t - 1) * lrDecay)`. Default 0. */
  lrDecay: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Starting value of the sum of squared gradients. Default 0. */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability. Default 1e-10. */
  eps: number;
  /** Maximize the objective. Default false. */
  maximize: boolean;
}

/**
 * Adagrad's per-parameter state, created when the optimizer is constructed (as PyTorch does).
 *
 * @example
 * (optimizer.state.get(w) as AdagradState).sum;
 */
export type AdagradState = {
  /** Steps taken by this parameter. */
  step: number;
  /** Sum of squared gradients (starts at `initialAccumulatorValue`). */
  sum: Tensor;
};

/**
 * Adagrad, PyTorch's `torch.optim.Adagrad` (single-tensor form, dense gradients):
 *
 * ```
 * g = maximize ? -grad : grad;  g += weightDecay * p;  t += 1
 * clr = lr / (1 + (t - 1) * lrDecay)
 * sum += g²;  p -= clr * g / (sqrt(sum) + eps)
 * ```
 *
 * @example
 * const optimizer = new Adagrad(model.parameters(), { lr: 0.1 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  /**
   * @param params Tensors to optimize, or param groups with their own options.
   * @param options `lr`, `lrDecay`, `weightDecay`, `initialAccumulatorValue`, `eps`, `maximize`.
   */
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
      maximize: options.maximize ?? false,
    });
    for (const group of this.paramGroups) {
      for (const p of group.params) this.state.set(p, this.initState(p, group));
    }
  }

  protected override get optimizerName(): string {
    return "Adagrad";
  }

  protected checkOptions(o: AdagradOptions, where: string): void {
    checkNonNegative(where, "lr", o.lr);
    checkNonNegative(where, "lrDecay", o.lrDecay);
    checkNonNegative(where, "weightDecay", o.weightDecay);
    checkNonNegative(where, "initialAccumulatorValue", o.initialAccumulatorValue);
    checkNonNegative(where, "eps", o.eps);
    checkBoolean(where, "maximize", o.maximize);
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: keep(fullLike(p, group.initialAccumulatorValue)) };
  }

  protected update(p: Tensor, grad: Tensor, state: AdagradState, group: ParamGroup<AdagradOptions>): void {
    state.step += 1;
    let g = group.maximize ? grad.neg() : grad;
    if (group.weightDecay !== 0) g = g.add(p, { alpha: group.weightDecay });
    const clr = group.lr / (1 + (state.step - 1) * group.lrDecay);
    state.sum.add_(g.mul(g));
    const std = state.sum.sqrt().add_(group.eps);
    p.add_(g.mul(-clr).div(std));
  }
}
