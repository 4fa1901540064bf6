/** CosineAnnealingLR: anneal the learning rate along a cosine from its initial value to `etaMin`. */
import type { Optimizer } from "../optimizer.js";
import { checkInteger, checkNumber } from "../validate.js";
import { LRScheduler } from "./lr-scheduler.js";

/**
 * Options of {@link CosineAnnealingLR}.
 *
 * @example
 * const options: CosineAnnealingLROptions = { tMax: 100, etaMin: 1e-5 };
 */
export interface CosineAnnealingLROptions {
  /** Half period of the cosine, in epochs (PyTorch's `T_max`). */
  tMax: number;
  /** Minimum learning rate. Default 0. */
  etaMin?: number;
  /** Index of the last epoch when resuming. Default -1. */
  lastEpoch?: number;
}

/**
 * Cosine annealing (PyTorch's `CosineAnnealingLR`, without restarts): the lr follows
 * `etaMin + (initialLr - etaMin) * (1 + cos(pi * epoch / tMax)) / 2`, computed recursively from
 * the groups' current lr exactly as PyTorch does (so other changes to the lr compose, and
 * trajectories match PyTorch's to rounding). Past `tMax` the cosine climbs back up.
 *
 * @example
 * const scheduler = new CosineAnnealingLR(optimizer, { tMax: 50 });
 * for (let epoch = 0; epoch < 50; epoch++) {
 *   train();
 *   scheduler.step();
 * }
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half period of the cosine, in epochs. */
  readonly tMax: number;
  /** Minimum learning rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    const etaMin = options?.etaMin ?? 0;
    checkInteger("CosineAnnealingLR", "tMax", options?.tMax, 1);
    checkNumber("CosineAnnealingLR", "etaMin", etaMin);
    super(optimizer, options.lastEpoch);
    this.tMax = options.tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected override get schedulerName(): string {
    return "CosineAnnealingLR";
  }

  protected override stateKeys(): string[] {
    return ["tMax", "etaMin"];
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    const groups = this.optimizer.paramGroups;
    if (e === 0) return groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) {
      // Resumed: nothing to recurse from, use the closed form.
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2);
    }
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (g.lr - etaMin) + etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2);
  }
}
