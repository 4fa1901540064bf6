/** AdamW: Adam with decoupled weight decay. */
import type { Tensor } from "@tessera/autograd";
import { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
import { type AdamState, adamUpdate, initAdamState } from "./adam-update.js";
import { type AdamOptions, checkAdamOptions } from "./adam.js";

/**
 * Options of {@link AdamW}: those of {@link AdamOptions}, with `weightDecay` (default 1e-2)
 * applied to the parameters directly.
 *
 * @example
 * const options: Partial<AdamWOptions> = { lr: 1e-3, weightDecay: 0.05 };
 */
export type AdamWOptions = AdamOptions;

/**
 * AdamW, PyTorch's `torch.optim.AdamW`: Adam whose weight decay shrinks the parameters
 * (`p *= 1 - lr * weightDecay`) before the Adam step, instead of adding to the gradient.
 * Fused into one kernel per parameter where the backend has it, as {@link Adam} is (the
 * `fused` option).
 *
 * @example
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export class AdamW extends Optimizer<AdamWOptions, AdamState> {
  /**
   * @param params Tensors to optimize, or param groups with their own options.
   * @param options `lr` (1e-3), `betas` ([0.9, 0.999]), `eps` (1e-8), `weightDecay` (1e-2), `amsgrad`, `maximize`, `fused` (unset: automatic).
   */
  constructor(params: Params<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params, {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 1e-2,
      amsgrad: options.amsgrad ?? false,
      maximize: options.maximize ?? false,
      ...(options.fused !== undefined ? { fused: options.fused } : {}),
    });
  }

  protected override get optimizerName(): string {
    return "AdamW";
  }

  protected checkOptions(o: AdamWOptions, where: string): void {
    checkAdamOptions(o, where);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamWOptions>): AdamState {
    return initAdamState(p, group.amsgrad);
  }

  protected override get optionalOptions(): readonly string[] {
    return ["fused"];
  }

  protected update(p: Tensor, grad: Tensor, state: AdamState, group: ParamGroup<AdamWOptions>): void {
    adamUpdate(p, grad, state, group, true, "AdamW");
  }
}
