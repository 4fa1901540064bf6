/** OneCycleLR: the 1cycle policy, a warm-up to `maxLr` and an annealing far below the start. */
import type { Optimizer } from "../optimizer.js";
import { OptimError } from "../errors.js";
import { checkBoolean, checkChoice, checkClosedUnitInterval, checkInteger, perGroup, show } from "../validate.js";
import { LRScheduler, checkOptimizer } from "./lr-scheduler.js";

/**
 * Options of {@link OneCycleLR}.
 *
 * @example
 * const options: OneCycleLROptions = { maxLr: 0.1, totalSteps: 1000 };
 */
export interface OneCycleLROptions {
  /** Peak learning rate, or one per param group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle. Give it, or both `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  /** Epochs to train for (with `stepsPerEpoch`, when `totalSteps` is not given). */
  epochs?: number;
  /** Steps per epoch (with `epochs`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** `"cos"` (default) or `"linear"` annealing. */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or Adam's beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak lr, or one per group. Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and end, or one per group. Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** The initial lr is `maxLr / divFactor`. Default 25. */
  divFactor?: number;
  /** The final lr is `initialLr / finalDivFactor`. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial lr, then down to the minimum) as in the paper. Default false. */
  threePhase?: boolean;
  /** Index of the last step when resuming. Default -1. */
  lastEpoch?: number;
}

/** One phase of the cycle: where it ends and which group keys it anneals between. */
interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/**
 * The 1cycle learning-rate policy (PyTorch's `OneCycleLR`): the lr rises from
 * `maxLr / divFactor` to `maxLr`, then anneals to `maxLr / (divFactor * finalDivFactor)`,
 * while the momentum (Adam's beta1) moves inversely between `maxMomentum` and `baseMomentum`.
 * Step it after every batch; stepping past `totalSteps` is an error.
 *
 * It sets `initialLr`, `maxLr`, `minLr` (and `maxMomentum`, `baseMomentum`) in each param group.
 *
 * @example
 * const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, epochs: 10, stepsPerEpoch: batches.length });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const batch of batches) {
 *     trainStep(batch); // zeroGrad, backward, optimizer.step()
 *     scheduler.step();
 *   }
 * }
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  readonly totalSteps: number;
  /** The phases of the cycle. */
  readonly phases: Phase[];
  /** The annealing strategy. */
  readonly annealStrategy: "cos" | "linear";
  /** Whether momentum (or beta1) is cycled. */
  readonly cycleMomentum: boolean;
  /** True when the optimizer has `betas` (Adam): beta1 is cycled instead of `momentum`. */
  readonly useBeta1: boolean;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const name = "OneCycleLR";
    checkOptimizer(name, optimizer);
    const o = options ?? ({} as OneCycleLROptions);
    let totalSteps: number;
    if (o.totalSteps === undefined && (o.epochs === undefined || o.stepsPerEpoch === undefined)) {
      throw new OptimError(`${name}: give either totalSteps, or both epochs and stepsPerEpoch.`);
    } else if (o.totalSteps !== undefined) {
      checkInteger(name, "totalSteps", o.totalSteps, 1);
      totalSteps = o.totalSteps;
    } else {
      checkInteger(name, "epochs", o.epochs, 1);
      checkInteger(name, "stepsPerEpoch", o.stepsPerEpoch, 1);
      totalSteps = o.epochs! * o.stepsPerEpoch!;
    }
    const pctStart = o.pctStart ?? 0.3;
    checkClosedUnitInterval(name, "pctStart", pctStart);
    const annealStrategy = o.annealStrategy ?? "cos";
    checkChoice(name, "annealStrategy", annealStrategy, ["cos", "linear"]);
    const cycleMomentum = o.cycleMomentum ?? true;
    checkBoolean(name, "cycleMomentum", cycleMomentum);
    const threePhase = o.threePhase ?? false;
    checkBoolean(name, "threePhase", threePhase);
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    for (const [key, value] of [["divFactor", divFactor], ["finalDivFactor", finalDivFactor]] as const) {
      if (typeof value !== "number" || !(value > 0)) throw new OptimError(`${name}: invalid ${key}: ${show(value)}; it must be a number > 0.`);
    }
    const groups = optimizer.paramGroups;
    const maxLrs = perGroup(name, "maxLr", o.maxLr, groups.length);
    const useBeta1 = "betas" in optimizer.defaults;
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !useBeta1) {
        throw new OptimError(
          `${name}: cycleMomentum needs an optimizer with momentum or betas (SGD, RMSprop, Adam, AdamW); this one has neither. Pass cycleMomentum: false.`,
        );
      }
      maxMomentums = perGroup(name, "maxMomentum", o.maxMomentum ?? 0.95, groups.length);
      baseMomentums = perGroup(name, "baseMomentum", o.baseMomentum ?? 0.85, groups.length);
    }
    const lastEpoch = o.lastEpoch ?? -1;
    checkInteger(name, "lastEpoch", lastEpoch, -1);
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = g.initialLr / finalDivFactor;
      });
    }
    if (cycleMomentum && lastEpoch === -1) {
      groups.forEach((g, i) => {
        if (useBeta1) g.betas = [maxMomentums[i]!, ...(g.betas as number[]).slice(1)];
        else g.momentum = maxMomentums[i]!;
        g.maxMomentum = maxMomentums[i]!;
        g.baseMomentum = baseMomentums[i]!;
      });
    }
    super(optimizer, lastEpoch);
    this.totalSteps = totalSteps;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.phases = threePhase
      ? [
          { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: 2 * pctStart * totalSteps - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
          { endStep: totalSteps - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
        ]
      : [
          { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: totalSteps - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        ];
    this.initialStep();
  }

  protected override get schedulerName(): string {
    return "OneCycleLR";
  }

  protected override stateKeys(): string[] {
    return ["totalSteps", "phases", "annealStrategy", "cycleMomentum", "useBeta1"];
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new OptimError(
        `OneCycleLR: tried to step ${step + 1} times, but totalSteps is ${this.totalSteps}. Create the scheduler with a larger totalSteps (or epochs × stepsPerEpoch).`,
      );
    }
    const anneal = this.annealStrategy === "cos" ? annealCos : annealLinear;
    return this.optimizer.paramGroups.map((group) => {
      let start = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i]!;
        if (step <= phase.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (phase.endStep - start);
          lr = anneal(group[phase.startLr] as number, group[phase.endLr] as number, pct);
          if (this.cycleMomentum) momentum = anneal(group[phase.startMomentum] as number, group[phase.endMomentum] as number, pct);
          break;
        }
        start = phase.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) group.betas = [momentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = momentum;
      }
      return lr;
    });
  }
}
