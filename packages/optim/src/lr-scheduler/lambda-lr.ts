/** LambdaLR: the initial learning rate times a function of the epoch. */
import type { Optimizer } from "../optimizer.js";
import { OptimError } from "../errors.js";
import { LRScheduler, checkOptimizer } from "./lr-scheduler.js";

/**
 * A learning-rate multiplier as a function of the epoch index.
 *
 * @example
 * const warmup: LrLambda = (epoch) => Math.min(1, (epoch + 1) / 10);
 */
export type LrLambda = (epoch: number) => number;

/**
 * Options of {@link LambdaLR}.
 *
 * @example
 * const options: LambdaLROptions = { lrLambda: (epoch) => 0.95 ** epoch };
 */
export interface LambdaLROptions {
  /** One function for every group, or one per param group. */
  lrLambda: LrLambda | readonly LrLambda[];
  /** Index of the last epoch when resuming. Default -1. */
  lastEpoch?: number;
}

/**
 * Sets each group's lr to its initial lr times `lrLambda(epoch)` (PyTorch's `LambdaLR`).
 * The functions are not part of the state dict: recreate the scheduler with them, then load it.
 *
 * @example
 * const scheduler = new LambdaLR(optimizer, { lrLambda: (epoch) => 0.95 ** epoch });
 */
export class LambdaLR extends LRScheduler {
  /** One function per param group. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, options: LambdaLROptions) {
    checkOptimizer("LambdaLR", optimizer);
    const groups = optimizer.paramGroups.length;
    const given = options?.lrLambda;
    let lambdas: LrLambda[];
    if (Array.isArray(given)) {
      if (given.length !== groups) throw new OptimError(`LambdaLR: expected ${groups} lrLambda functions (one per param group), got ${given.length}.`);
      lambdas = [...given];
    } else {
      lambdas = new Array<LrLambda>(groups).fill(given as LrLambda);
    }
    lambdas.forEach((fn, i) => {
      if (typeof fn !== "function") throw new OptimError(`LambdaLR: lrLambda${Array.isArray(given) ? `[${i}]` : ""} must be a function (epoch) => factor, got ${String(fn)}.`);
    });
    super(optimizer, options.lastEpoch);
    this.lrLambdas = lambdas;
    this.initialStep();
  }

  protected override get schedulerName(): string {
    return "LambdaLR";
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}
