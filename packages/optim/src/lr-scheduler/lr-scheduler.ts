/** The base class of the epoch-indexed learning-rate schedulers (PyTorch's `_LRScheduler`). */
import { OptimError } from "../errors.js";
import { Optimizer } from "../optimizer.js";
import { show } from "../validate.js";

/**
 * A scheduler's state dict: its counters, base learning rates, last learning rates and its own
 * settings, under camelCase names (PyTorch's `last_epoch` is `lastEpoch`, `base_lrs` is
 * `baseLrs`, …). Plain data: it survives `JSON.stringify`.
 *
 * @example
 * const sd: SchedulerStateDict = scheduler.stateDict();
 * sd.lastEpoch; // 12
 */
export interface SchedulerStateDict {
  [key: string]: unknown;
}

/** @internal A deep copy of plain data (numbers, strings, arrays, plain objects). */
export function copyPlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => copyPlain(v)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copyPlain(v);
    return out as T;
  }
  return value;
}

/** @internal Throws unless `optimizer` is an {@link Optimizer}. */
export function checkOptimizer(where: string, optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new OptimError(`${where}: expected an Optimizer (SGD, Adam, …) as the first argument, got ${show(optimizer)}.`);
  }
}

/**
 * The base class of schedulers that set each param group's `lr` from an epoch counter, as
 * PyTorch's `torch.optim.lr_scheduler._LRScheduler`.
 *
 * Constructing one stores each group's starting lr as `initialLr` (unless a scheduler already
 * did) and, in the subclass's constructor, takes the first step (`lastEpoch` becomes 0), which
 * sets the lr of epoch 0. Call `step()` after `optimizer.step()`, once per epoch (or per batch
 * for per-batch schedules).
 *
 * A subclass sets its own fields, then calls `this.initialStep()` at the end of its constructor
 * (PyTorch's base constructor steps; here the subclass's fields only exist after `super()`),
 * implements `getLr()` (the new lr of every group from `lastEpoch`, usually from the groups'
 * current `lr`, i.e. "chainable"), and lists its settings in `stateKeys`.
 *
 * @example
 * class HalveEvery extends LRScheduler {
 *   constructor(optimizer: Optimizer, readonly every: number) {
 *     super(optimizer);
 *     this.initialStep();
 *   }
 *   protected override stateKeys() { return ["every"]; }
 *   protected getLr() {
 *     const halve = this.lastEpoch > 0 && this.lastEpoch % this.every === 0;
 *     return this.optimizer.paramGroups.map((g) => (halve ? g.lr / 2 : g.lr));
 *   }
 * }
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's `initialLr` when the scheduler was created. */
  baseLrs: number[];
  /** The index of the last epoch: 0 after construction, +1 per `step()`. */
  lastEpoch: number;
  /** @internal Calls of `step()`, the construction's included (PyTorch's `_step_count`). */
  _stepCount = 0;
  /** @internal The learning rates set by the last step. */
  protected lastLr: number[] = [];

  /**
   * @param optimizer The wrapped optimizer.
   * @param lastEpoch The index of the last epoch when resuming (default -1: start afresh).
   *   When resuming, every group must have `initialLr` (load the optimizer's state dict first).
   */
  constructor(optimizer: Optimizer, lastEpoch = -1) {
    const where = this.schedulerName;
    checkOptimizer(where, optimizer);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) {
      throw new OptimError(`${where}: invalid lastEpoch: ${show(lastEpoch)}; it must be -1 (start afresh) or the index of the last epoch.`);
    }
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    } else {
      optimizer.paramGroups.forEach((group, i) => {
        if (group.initialLr === undefined) {
          throw new OptimError(
            `${where}: param group ${i} has no initialLr, which resuming (lastEpoch = ${lastEpoch}) needs. Load the optimizer's state dict first, or start afresh with lastEpoch = -1.`,
          );
        }
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** The name used in error messages (the class's name). */
  protected get schedulerName(): string {
    return "LRScheduler";
  }

  /** The new lr of every param group, for the epoch `lastEpoch` (already advanced). */
  protected abstract getLr(): number[];

  /**
   * The lr of every group at `lastEpoch` computed directly from `baseLrs`, where the schedule
   * has such a form; used when a {@link SequentialLR} restarts this scheduler at a milestone.
   */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** The names of the subclass's settings saved by {@link stateDict} (e.g. `["stepSize", "gamma"]`). */
  protected stateKeys(): string[] {
    return [];
  }

  /** Takes the first step: resets the step count and sets the lr of epoch `lastEpoch + 1`. */
  protected initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /** @internal {@link initialStep}, for {@link SequentialLR}. */
  _initialStep(): void {
    this.initialStep();
  }

  /**
   * Advances one epoch and sets every param group's `lr`.
   *
   * @example
   * for (let epoch = 0; epoch < 100; epoch++) {
   *   train(); // optimizer.step() per batch
   *   scheduler.step();
   * }
   */
  step(): void {
    this._stepCount += 1;
    this.lastEpoch += 1;
    this.apply(this.getLr());
  }

  /**
   * @internal Jumps to `epoch` using the closed form where the schedule has one (PyTorch's
   * deprecated `step(epoch)`, which SequentialLR uses at milestones).
   */
  _stepTo(epoch: number): void {
    this._stepCount += 1;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr() ?? this.getLr());
  }

  /** @internal Sets the groups' lr and remembers them. */
  protected apply(lrs: readonly number[]): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The learning rate of each param group set by the last step.
   *
   * @example
   * scheduler.step();
   * console.log(scheduler.getLastLr()); // [0.05]
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's state as plain data: `lastEpoch`, `baseLrs`, `lastLr`, the step count and
   * the scheduler's settings. Save it with the optimizer's state dict.
   *
   * @example
   * const checkpoint = { optimizer: optimizer.stateDict(), scheduler: scheduler.stateDict() };
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {
      lastEpoch: this.lastEpoch,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
      stepCount: this._stepCount,
    };
    const self = this as unknown as Record<string, unknown>;
    for (const key of this.stateKeys()) out[key] = copyPlain(self[key]);
    return out;
  }

  /**
   * Restores a state from {@link stateDict}. It does not change the optimizer's learning
   * rates: load the optimizer's state dict too.
   *
   * @example
   * optimizer.loadStateDict(checkpoint.optimizer);
   * scheduler.loadStateDict(checkpoint.scheduler);
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const where = `${this.schedulerName}.loadStateDict`;
    if (stateDict === null || typeof stateDict !== "object") {
      throw new OptimError(`${where}: expected a state dict from stateDict(), got ${show(stateDict)}.`);
    }
    for (const key of ["lastEpoch", "baseLrs", "lastLr", "stepCount", ...this.stateKeys()]) {
      if (!(key in stateDict)) {
        throw new OptimError(`${where}: the state dict has no "${key}"; was it saved from another kind of scheduler?`);
      }
    }
    const groups = this.optimizer.paramGroups.length;
    for (const key of ["baseLrs", "lastLr"]) {
      const v = stateDict[key];
      if (!Array.isArray(v) || v.length !== groups) {
        throw new OptimError(`${where}: ${key} must list one lr per param group (${groups}), got ${show(v)}.`);
      }
    }
    this.lastEpoch = stateDict.lastEpoch as number;
    this.baseLrs = [...(stateDict.baseLrs as number[])];
    this.lastLr = [...(stateDict.lastLr as number[])];
    this._stepCount = stateDict.stepCount as number;
    const self = this as unknown as Record<string, unknown>;
    for (const key of this.stateKeys()) self[key] = copyPlain(stateDict[key]);
  }
}
