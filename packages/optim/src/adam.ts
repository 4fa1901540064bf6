/** Adam: adaptive moment estimation, with the L2 penalty added to the gradient. */
import type { Tensor } from "@tessera/autograd";
import { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
import { type AdamState, adamUpdate, initAdamState } from "./adam-update.js";
import { checkBetas, checkBoolean, checkNonNegative } from "./validate.js";

/**
 * Options of {@link Adam}.
 *
 * @example
 * const options: Partial<AdamOptions> = { lr: 3e-4, betas: [0.9, 0.95] };
 */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr: number;
  /** Decay rates of the running averages of the gradient and its square. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient (use {@link AdamW} for decoupled decay). Default 0. */
  weightDecay: number;
  /** The AMSGrad variant: normalize by the running maximum of the second moment. Default false. */
  amsgrad: boolean;
  /** Maximize the objective. Default false. */
  maximize: boolean;
  /**
   * Run the whole update of a parameter as one fused kernel (the catalog's `adamStep`), as
   * PyTorch's `fused` option does. Unset (default): automatic — fused where the parameter's
   * backend has the kernel and the gradient has the parameter's dtype, shape and device,
   * composed from elementwise ops otherwise. `true`: always fused, an error where it can't
   * be. `false`: always composed. Both paths give the same numbers (bit for bit on the CPU).
   */
  fused?: boolean | null;
}

/** @internal Checks Adam's and AdamW's options. */
export function checkAdamOptions(o: AdamOptions, where: string): void {
  checkNonNegative(where, "lr", o.lr);
  checkBetas(where, o.betas);
  checkNonNegative(where, "eps", o.eps);
  checkNonNegative(where, "weightDecay", o.weightDecay);
  checkBoolean(where, "amsgrad", o.amsgrad);
  checkBoolean(where, "maximize", o.maximize);
  if (o.fused !== undefined && o.fused !== null) checkBoolean(where, "fused", o.fused);
}

/**
 * Adam, PyTorch's `torch.optim.Adam` (single-tensor form):
 *
 * ```
 * g = maximize ? -grad : grad;  g += weightDecay * p;  t += 1
 * m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g²
 * vMax = max(vMax, v)   (amsgrad; then v := vMax below)
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 *
 * By default each parameter's update is one fused kernel where its backend has one (the
 * catalog's `adamStep`: one pass over the parameter instead of about 13), and the composed
 * update otherwise; the `fused` option forces either (see {@link AdamOptions.fused}).
 *
 * @example
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
 * optimizer.zeroGrad();
 * loss.backward();
 * optimizer.step();
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  /**
   * @param params Tensors to optimize, or param groups with their own options.
   * @param options `lr`, `betas`, `eps`, `weightDecay`, `amsgrad`, `maximize`, `fused`.
   */
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      amsgrad: options.amsgrad ?? false,
      maximize: options.maximize ?? false,
      ...(options.fused !== undefined ? { fused: options.fused } : {}),
    });
  }

  protected override get optimizerName(): string {
    return "Adam";
  }

  protected checkOptions(o: AdamOptions, where: string): void {
    checkAdamOptions(o, where);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    return initAdamState(p, group.amsgrad);
  }

  protected override get optionalOptions(): readonly string[] {
    return ["fused"];
  }

  protected update(p: Tensor, grad: Tensor, state: AdamState, group: ParamGroup<AdamOptions>): void {
    adamUpdate(p, grad, state, group, false, "Adam");
  }
}
