/** LinearLR: scale the learning rate by a factor that changes linearly over `totalIters` epochs. */
import type { Optimizer } from "../optimizer.js";
import { OptimError } from "../errors.js";
import { checkClosedUnitInterval, checkInteger } from "../validate.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Options of {@link LinearLR}.
 *
 * @example
 * const options: LinearLROptions = { startFactor: 0.1, endFactor: 1, totalIters: 5 };
 */
export interface LinearLROptions {
  /** Factor of the first epoch, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor from epoch `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs over which the factor moves from `startFactor` to `endFactor`. Default 5. */
  totalIters?: number;
  /** Index of the last epoch when resuming. Default -1. */
  lastEpoch?: number;
}

/**
 * Multiplies each group's initial lr by a factor moving linearly from `startFactor` to
 * `endFactor` over `totalIters` epochs (PyTorch's `LinearLR`): a warm-up, or a linear decay.
 *
 * @example
 * // Warm up from 0.1 × lr to lr over 5 epochs.
 * const scheduler = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 */
export class LinearLR extends LRScheduler {
  /** Factor of the first epoch. */
  readonly startFactor: number;
  /** Factor from epoch `totalIters` on. */
  readonly endFactor: number;
  /** Epochs of the linear change. */
  readonly totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    const startFactor = options.startFactor ?? 1 / 3;
    const endFactor = options.endFactor ?? 1;
    const totalIters = options.totalIters ?? 5;
    checkClosedUnitInterval("LinearLR", "startFactor", startFactor);
    if (startFactor === 0) {
      throw new OptimError("LinearLR: invalid startFactor: 0; it must be in (0, 1] (the schedule is computed from ratios of the factor).");
    }
    checkClosedUnitInterval("LinearLR", "endFactor", endFactor);
    checkInteger("LinearLR", "totalIters", totalIters, 1);
    super(optimizer, options.lastEpoch);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override get schedulerName(): string {
    return "LinearLR";
  }

  protected override stateKeys(): string[] {
    return ["startFactor", "endFactor", "totalIters"];
  }

  protected getLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr * s);
    if (e > n) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((base) => base * (s + ((f - s) * Math.min(n, e)) / n));
  }
}
