/** Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay. */
import { type Tensor, keep } from "@tessera/autograd";
import { OptimError } from "./errors.js";
import { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
import { checkBoolean, checkNonNegative } from "./validate.js";

/**
 * Options of {@link SGD}.
 *
 * @example
 * const options: SGDOptions = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: true, maximize: false };
 */
export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor. Default 0 (plain SGD). */
  momentum: number;
  /** Dampening of the momentum: the gradient enters the buffer times `1 - dampening`. Default 0. */
  dampening: number;
  /** L2 penalty: `weightDecay * param` is added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs `momentum > 0` and `dampening = 0`). Default false. */
  nesterov: boolean;
  /** Maximize the objective (step along the gradient). Default false. */
  maximize: boolean;
}

/**
 * SGD's per-parameter state: the momentum buffer, `null` until the first step with momentum
 * (and always with `momentum = 0`), as PyTorch keeps it.
 *
 * @example
 * const buf = (optimizer.state.get(w) as SGDState).momentumBuffer;
 */
export type SGDState = { momentumBuffer: Tensor | null };

/**
 * Stochastic gradient descent (optionally with momentum), PyTorch's `torch.optim.SGD`:
 *
 * ```
 * g = maximize ? -grad : grad;  g += weightDecay * p
 * if momentum != 0:  buf = (first step) ? g : momentum * buf + (1 - dampening) * g
 *                    g = nesterov ? g + momentum * buf : buf
 * p -= lr * g
 * ```
 *
 * @example
 * const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  /**
   * @param params Tensors to optimize, or param groups with their own options.
   * @param options `lr` (required), `momentum`, `dampening`, `weightDecay`, `nesterov`, `maximize`.
   */
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    super(params, {
      lr: options?.lr,
      momentum: options?.momentum ?? 0,
      dampening: options?.dampening ?? 0,
      weightDecay: options?.weightDecay ?? 0,
      nesterov: options?.nesterov ?? false,
      maximize: options?.maximize ?? false,
    });
  }

  protected override get optimizerName(): string {
    return "SGD";
  }

  protected checkOptions(o: SGDOptions, where: string): void {
    if (o.lr === undefined) throw new OptimError(`${where}: lr is required, e.g. new SGD(params, { lr: 0.01 }).`);
    checkNonNegative(where, "lr", o.lr);
    checkNonNegative(where, "momentum", o.momentum);
    checkNonNegative(where, "dampening", o.dampening);
    checkNonNegative(where, "weightDecay", o.weightDecay);
    checkBoolean(where, "nesterov", o.nesterov);
    checkBoolean(where, "maximize", o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new OptimError(
        `${where}: Nesterov momentum requires a momentum and zero dampening, got momentum ${o.momentum} and dampening ${o.dampening}.`,
      );
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(p: Tensor, grad: Tensor, state: SGDState, group: ParamGroup<SGDOptions>): void {
    let d = group.maximize ? grad.neg() : grad;
    if (group.weightDecay !== 0) d = d.add(p, { alpha: group.weightDecay });
    if (group.momentum !== 0) {
      let buf = state.momentumBuffer;
      if (buf === null) {
        buf = keep(d.clone());
        state.momentumBuffer = buf;
      } else {
        buf.mul_(group.momentum).add_(d, { alpha: 1 - group.dampening });
      }
      d = group.nesterov ? d.add(buf, { alpha: group.momentum }) : buf;
    }
    p.add_(d, { alpha: -group.lr });
  }
}
