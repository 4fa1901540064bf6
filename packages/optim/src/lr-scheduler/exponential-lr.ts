/** ExponentialLR: multiply the learning rate by `gamma` every epoch. */
import type { Optimizer } from "../optimizer.js";
import { checkNumber } from "../validate.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Options of {@link ExponentialLR}.
 *
 * @example
 * const options: ExponentialLROptions = { gamma: 0.95 };
 */
export interface ExponentialLROptions {
  /** Multiplicative factor of the decay, every epoch. */
  gamma: number;
  /** Index of the last epoch when resuming. Default -1. */
  lastEpoch?: number;
}

/**
 * Decays each group's lr by `gamma` every epoch (PyTorch's `ExponentialLR`).
 *
 * @example
 * const scheduler = new ExponentialLR(optimizer, { gamma: 0.95 });
 * scheduler.step(); // lr = 0.95 * lr
 */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative factor of the decay. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    checkNumber("ExponentialLR", "gamma", options?.gamma);
    super(optimizer, options.lastEpoch);
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected override get schedulerName(): string {
    return "ExponentialLR";
  }

  protected override stateKeys(): string[] {
    return ["gamma"];
  }

  protected getLr(): number[] {
    return this.optimizer.paramGroups.map((g) => (this.lastEpoch === 0 ? g.lr : g.lr * this.gamma));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}
