/** ReduceLROnPlateau: cut the learning rate when a metric stops improving. */
import { Tensor } from "@tessera/autograd";
import type { Optimizer } from "../optimizer.js";
import { OptimError } from "../errors.js";
import { checkChoice, checkInteger, checkNonNegative, perGroup, show } from "../validate.js";
import { type SchedulerStateDict, checkOptimizer } from "./lr-scheduler.js";

/**
 * Options of {@link ReduceLROnPlateau}.
 *
 * @example
 * const options: ReduceLROnPlateauOptions = { mode: "min", factor: 0.5, patience: 5 };
 */
export interface ReduceLROnPlateauOptions {
  /** `"min"` (default): the metric should fall (a loss); `"max"`: it should rise (an accuracy). */
  mode?: "min" | "max";
  /** The lr is multiplied by `factor` on a plateau; in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before cutting the lr. Default 10. */
  patience?: number;
  /** How much better a metric must be to count as an improvement. Default 1e-4. */
  threshold?: number;
  /** `"rel"` (default): better than `best * (1 ∓ threshold)`; `"abs"`: than `best ∓ threshold`. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a cut before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound of the lr, or one per param group. Default 0. */
  minLr?: number | readonly number[];
  /** A cut smaller than `eps` is skipped. Default 1e-8. */
  eps?: number;
}

/**
 * Multiplies each group's lr by `factor` when the metric passed to `step(metric)` has not
 * improved for more than `patience` epochs (PyTorch's `ReduceLROnPlateau`). It is not an
 * {@link LRScheduler}: it is driven by a metric, not by the epoch count.
 *
 * @example
 * const scheduler = new ReduceLROnPlateau(optimizer, { mode: "min", patience: 3 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   train();
 *   scheduler.step(await validationLoss());
 * }
 */
export class ReduceLROnPlateau {
  /** The optimizer whose learning rates this scheduler cuts. */
  readonly optimizer: Optimizer;
  /** `"min"` or `"max"`. */
  mode: "min" | "max";
  /** Multiplicative factor of a cut. */
  factor: number;
  /** Bad epochs tolerated before a cut. */
  patience: number;
  /** Improvement threshold. */
  threshold: number;
  /** `"rel"` or `"abs"`. */
  thresholdMode: "rel" | "abs";
  /** Epochs of cooldown after a cut. */
  cooldown: number;
  /** Remaining epochs of cooldown. */
  cooldownCounter = 0;
  /** Lower bound of each group's lr. */
  minLrs: number[];
  /** Minimal cut. */
  eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs stepped. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const name = "ReduceLROnPlateau";
    checkOptimizer(name, optimizer);
    const factor = options.factor ?? 0.1;
    if (typeof factor !== "number" || !(factor >= 0 && factor < 1)) {
      throw new OptimError(`${name}: invalid factor: ${show(factor)}; it must be a number in [0, 1) (the lr is multiplied by it).`);
    }
    const mode = options.mode ?? "min";
    checkChoice(name, "mode", mode, ["min", "max"]);
    const thresholdMode = options.thresholdMode ?? "rel";
    checkChoice(name, "thresholdMode", thresholdMode, ["rel", "abs"]);
    const patience = options.patience ?? 10;
    checkInteger(name, "patience", patience, 0);
    const cooldown = options.cooldown ?? 0;
    checkInteger(name, "cooldown", cooldown, 0);
    const threshold = options.threshold ?? 1e-4;
    checkNonNegative(name, "threshold", threshold);
    const eps = options.eps ?? 1e-8;
    checkNonNegative(name, "eps", eps);
    this.optimizer = optimizer;
    this.minLrs = perGroup(name, "minLr", options.minLr ?? 0, optimizer.paramGroups.length);
    this.mode = mode;
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.cooldown = cooldown;
    this.eps = eps;
    this.best = this.modeWorse;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The worst possible metric for the mode: Infinity for "min", -Infinity for "max". */
  private get modeWorse(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  /**
   * True while counting down the cooldown after a cut.
   *
   * @example
   * if (scheduler.inCooldown) console.log("lr just cut");
   */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /**
   * True if `a` improves on `best` by more than the threshold (for the mode).
   *
   * @example
   * new ReduceLROnPlateau(optimizer, { threshold: 0.1 }).isBetter(0.85, 1); // true
   */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /**
   * Records the metric of one epoch and cuts the lr if it has not improved for more than
   * `patience` epochs. Pass a number (`await loss.item()`), not a tensor.
   *
   * @example
   * scheduler.step(valLoss);
   */
  step(metric: number): void {
    if ((metric as unknown) instanceof Tensor) {
      throw new OptimError("ReduceLROnPlateau.step: pass the metric as a number, e.g. scheduler.step(await loss.item()).");
    }
    if (typeof metric !== "number") throw new OptimError(`ReduceLROnPlateau.step: the metric must be a number, got ${show(metric)}.`);
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown don't count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const old = group.lr;
      const next = Math.max(old * this.factor, this.minLrs[i]!);
      if (old - next > this.eps) group.lr = next;
    });
  }

  /**
   * The learning rate of each param group after the last step.
   *
   * @example
   * scheduler.getLastLr(); // [0.01]
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's state as plain data. `best` is written as null while it is ±Infinity, so
   * the dict survives `JSON.stringify`.
   *
   * @example
   * const saved = scheduler.stateDict();
   */
  stateDict(): SchedulerStateDict {
    return {
      mode: this.mode,
      factor: this.factor,
      patience: this.patience,
      threshold: this.threshold,
      thresholdMode: this.thresholdMode,
      cooldown: this.cooldown,
      cooldownCounter: this.cooldownCounter,
      minLrs: [...this.minLrs],
      eps: this.eps,
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  /**
   * Restores a state from {@link stateDict}.
   *
   * @example
   * scheduler.loadStateDict(saved);
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const where = "ReduceLROnPlateau.loadStateDict";
    if (stateDict === null || typeof stateDict !== "object") throw new OptimError(`${where}: expected a state dict from stateDict(), got ${show(stateDict)}.`);
    const keys = ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "cooldownCounter", "minLrs", "eps", "best", "numBadEpochs", "lastEpoch", "lastLr"];
    for (const key of keys) {
      if (!(key in stateDict)) throw new OptimError(`${where}: the state dict has no "${key}"; was it saved from another kind of scheduler?`);
    }
    checkChoice(where, "mode", stateDict.mode, ["min", "max"]);
    checkChoice(where, "thresholdMode", stateDict.thresholdMode, ["rel", "abs"]);
    const groups = this.optimizer.paramGroups.length;
    const minLrs = stateDict.minLrs;
    if (!Array.isArray(minLrs) || minLrs.length !== groups) throw new OptimError(`${where}: minLrs must list one value per param group (${groups}), got ${show(minLrs)}.`);
    this.mode = stateDict.mode;
    this.thresholdMode = stateDict.thresholdMode;
    this.factor = stateDict.factor as number;
    this.patience = stateDict.patience as number;
    this.threshold = stateDict.threshold as number;
    this.cooldown = stateDict.cooldown as number;
    this.cooldownCounter = stateDict.cooldownCounter as number;
    this.minLrs = [...(minLrs as number[])];
    this.eps = stateDict.eps as number;
    this.best = stateDict.best === null ? this.modeWorse : (stateDict.best as number);
    this.numBadEpochs = stateDict.numBadEpochs as number;
    this.lastEpoch = stateDict.lastEpoch as number;
    this.lastLr = [...(stateDict.lastLr as number[])];
  }
}
