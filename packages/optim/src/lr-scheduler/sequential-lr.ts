/** SequentialLR: run schedulers one after another, switching at milestone epochs. */
import type { Optimizer } from "../optimizer.js";
import { OptimError } from "../errors.js";
import { checkInteger } from "../validate.js";
import { LRScheduler, type SchedulerStateDict, checkOptimizer } from "./lr-scheduler.js";

/**
 * Options of {@link SequentialLR}.
 *
 * @example
 * const options: SequentialLROptions = { schedulers: [warmup, cosine], milestones: [5] };
 */
export interface SequentialLROptions {
  /** The schedulers, in order, all of the same optimizer. */
  schedulers: readonly LRScheduler[];
  /** The epochs at which to switch to the next scheduler (one fewer than schedulers, increasing). */
  milestones: readonly number[];
  /** Index of the last epoch when resuming. Default -1. */
  lastEpoch?: number;
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` (restarted at its epoch 0),
 * and so on (PyTorch's `SequentialLR`).
 *
 * @example
 * const warmup = new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * const cosine = new CosineAnnealingLR(optimizer, { tMax: 95 });
 * const scheduler = new SequentialLR(optimizer, { schedulers: [warmup, cosine], milestones: [5] });
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers, in order. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  readonly milestones: number[];

  constructor(optimizer: Optimizer, options: SequentialLROptions) {
    const name = "SequentialLR";
    checkOptimizer(name, optimizer);
    const schedulers = options?.schedulers;
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new OptimError(`${name}: schedulers must be a non-empty array of schedulers.`);
    }
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) {
        throw new OptimError(`${name}: schedulers[${i}] is not an epoch scheduler (ReduceLROnPlateau can't be sequenced).`);
      }
      if (s.optimizer !== optimizer) {
        throw new OptimError(`${name}: expects all schedulers to belong to the optimizer passed in, but schedulers[${i}] wraps another optimizer.`);
      }
    });
    const milestones = options.milestones;
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new OptimError(
        `${name}: expects one more scheduler than milestones, but got ${schedulers.length} schedulers and ${Array.isArray(milestones) ? milestones.length : String(milestones)} milestones.`,
      );
    }
    milestones.forEach((m, i) => {
      checkInteger(name, `milestones[${i}]`, m, 0);
      if (i > 0 && m <= milestones[i - 1]!) throw new OptimError(`${name}: milestones must increase, got [${milestones.join(", ")}].`);
    });
    super(optimizer, options.lastEpoch);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch += 1;
    // Undo the steps the schedulers took when they were created, then start the first one.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr!;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]!._initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  protected override get schedulerName(): string {
    return "SequentialLR";
  }

  protected getLr(): number[] {
    return this.getLastLr();
  }

  /**
   * Advances one epoch: steps the scheduler in charge (restarting it at its epoch 0 on the
   * epoch of its milestone).
   *
   * @example
   * scheduler.step();
   */
  override step(): void {
    this.lastEpoch += 1;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx]! <= this.lastEpoch) idx++;
    const scheduler = this.schedulers[idx]!;
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) scheduler._stepTo(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  /**
   * The state of this scheduler and of each scheduler it runs.
   *
   * @example
   * const saved = scheduler.stateDict();
   */
  override stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      milestones: [...this.milestones],
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /**
   * Restores this scheduler and each scheduler it runs.
   *
   * @example
   * scheduler.loadStateDict(saved);
   */
  override loadStateDict(stateDict: SchedulerStateDict): void {
    const inner = stateDict?.schedulers;
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length) {
      throw new OptimError(`SequentialLR.loadStateDict: expected the states of ${this.schedulers.length} schedulers, got ${Array.isArray(inner) ? inner.length : String(inner)}.`);
    }
    this.schedulers.forEach((s, i) => s.loadStateDict(inner[i] as SchedulerStateDict));
    this.lastEpoch = stateDict.lastEpoch as number;
    this.lastLr = [...(stateDict.lastLr as number[])];
  }
}
