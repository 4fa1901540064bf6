/** StepLR: multiply the learning rate by `gamma` every `stepSize` epochs. */
import type { Optimizer } from "../optimizer.js";
import { checkInteger, checkNumber } from "../validate.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Options of {@link StepLR}.
 *
 * @example
 * const options: StepLROptions = { stepSize: 30, gamma: 0.1 };
 */
export interface StepLROptions {
  /** Period of the decay, in epochs. */
  stepSize: number;
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
  /** Index of the last epoch when resuming. Default -1. */
  lastEpoch?: number;
}

/**
 * Decays each group's lr by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
 *
 * @example
 * const scheduler = new StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * // lr = 0.05 for epochs 0–29, 0.005 for 30–59, …
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train();
 *   scheduler.step();
 * }
 */
export class StepLR extends LRScheduler {
  /** Period of the decay, in epochs. */
  readonly stepSize: number;
  /** Multiplicative factor of the decay. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    const gamma = options.gamma ?? 0.1;
    checkInteger("StepLR", "stepSize", options.stepSize, 1);
    checkNumber("StepLR", "gamma", gamma);
    super(optimizer, options.lastEpoch);
    this.stepSize = options.stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected override get schedulerName(): string {
    return "StepLR";
  }

  protected override stateKeys(): string[] {
    return ["stepSize", "gamma"];
  }

  protected getLr(): number[] {
    const decay = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.optimizer.paramGroups.map((g) => (decay ? g.lr * this.gamma : g.lr));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}
