/** MultiStepLR: multiply the learning rate by `gamma` at each milestone epoch. */
import type { Optimizer } from "../optimizer.js";
import { checkInteger, checkNumber } from "../validate.js";
import { OptimError } from "../errors.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Options of {@link MultiStepLR}.
 *
 * @example
 * const options: MultiStepLROptions = { milestones: [30, 80], gamma: 0.1 };
 */
export interface MultiStepLROptions {
  /** Epochs at which to decay. A milestone listed k times decays by `gamma ** k`. */
  milestones: readonly number[];
  /** Multiplicative factor of the decay. Default 0.1. */
  gamma?: number;
  /** Index of the last epoch when resuming. Default -1. */
  lastEpoch?: number;
}

/**
 * Decays each group's lr by `gamma` when the epoch reaches a milestone (PyTorch's
 * `MultiStepLR`).
 *
 * @example
 * const scheduler = new MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 * // lr = 0.05 for epochs 0–29, 0.005 for 30–79, 0.0005 from 80
 */
export class MultiStepLR extends LRScheduler {
  /** The milestones, sorted (repeats kept). */
  readonly milestones: number[];
  /** Multiplicative factor of the decay. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    if (!Array.isArray(options.milestones)) {
      throw new OptimError(`MultiStepLR: invalid milestones: ${String(options.milestones)}; it must be an array of epoch indices.`);
    }
    options.milestones.forEach((m, i) => checkInteger("MultiStepLR", `milestones[${i}]`, m, 0));
    const gamma = options.gamma ?? 0.1;
    checkNumber("MultiStepLR", "gamma", gamma);
    super(optimizer, options.lastEpoch);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override get schedulerName(): string {
    return "MultiStepLR";
  }

  protected override stateKeys(): string[] {
    return ["milestones", "gamma"];
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.optimizer.paramGroups.map((g) => (hits === 0 ? g.lr : g.lr * this.gamma ** hits));
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}
