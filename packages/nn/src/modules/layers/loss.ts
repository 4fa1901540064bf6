/** Loss modules: `MSELoss`, `L1Loss`, `CrossEntropyLoss`, `NLLLoss`, `BCELoss`, `BCEWithLogitsLoss`. */
import type { Tensor } from "@tessera/autograd";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import { reprFields } from "./common.js";

/** How a loss reduces over elements: `"mean"` (default), `"sum"` or `"none"`. */
export type Reduction = "mean" | "sum" | "none";

/** Base of the loss modules: `forward(input, target)` → loss. */
export abstract class Loss extends Module<[Tensor, Tensor], Tensor> {
  readonly reduction: Reduction;

  constructor(reduction: Reduction = "mean") {
    super();
    this.reduction = reduction;
  }

  override extraRepr(): string {
    return this.reduction === "mean" ? "" : reprFields({ reduction: this.reduction });
  }
}

/**
 * Mean squared error, `F.mseLoss`.
 *
 * @example new MSELoss().forward(pred, target); // 0-dim
 */
export class MSELoss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error, `F.l1Loss`.
 *
 * @example new L1Loss({ reduction: "sum" }).forward(pred, target);
 */
export class L1Loss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options.reduction);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Options of {@link NLLLoss}. */
export interface NLLLossOptions {
  /** Per-class weight [C] (a buffer named `weight`, as PyTorch). */
  weight?: Tensor | null;
  /** A target value that contributes no loss. Default -100. */
  ignoreIndex?: number;
  /** Default "mean" (weighted mean over non-ignored targets). */
  reduction?: Reduction;
}

/** Options of {@link CrossEntropyLoss}. */
export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Mix the target with the uniform distribution by this amount. Default 0. */
  labelSmoothing?: number;
}

/**
 * Negative log-likelihood of log-probabilities [N, C, …] at int32 class targets [N, …],
 * `F.nllLoss`.
 *
 * @example new NLLLoss().forward(logProbs, labels);
 */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;

  constructor(options: NLLLossOptions = {}) {
    super(options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.registerBuffer("weight", options.weight ?? null);
  }

  /** The class weights (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.bufferOrNull("weight");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Cross entropy of logits [N, C, …] against int32 class targets [N, …] or class
 * probabilities (same shape as the input), `F.crossEntropy`.
 *
 * @example new CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, labels);
 */
export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super(options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.registerBuffer("weight", options.weight ?? null);
  }

  /** The class weights (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.bufferOrNull("weight");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * Binary cross entropy of probabilities in [0, 1], `F.binaryCrossEntropy`.
 *
 * @example new BCELoss().forward(sigmoid(logits), targets);
 */
export class BCELoss extends Loss {
  constructor(options: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(options.reduction);
    this.registerBuffer("weight", options.weight ?? null);
  }

  /** The element weights (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.bufferOrNull("weight");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid + binary cross entropy in one stable step, `F.binaryCrossEntropyWithLogits`.
 * `posWeight` weighs the positive term per class.
 *
 * @example new BCEWithLogitsLoss({ posWeight: tensor([3]) }).forward(logits, targets);
 */
export class BCEWithLogitsLoss extends Loss {
  constructor(options: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
    super(options.reduction);
    this.registerBuffer("weight", options.weight ?? null);
    this.registerBuffer("pos_weight", options.posWeight ?? null);
  }

  /** The element weights (buffer `weight`), or null. */
  get weight(): Tensor | null {
    return this.bufferOrNull("weight");
  }

  /** The positive-class weights (buffer `pos_weight`), or null. */
  get posWeight(): Tensor | null {
    return this.bufferOrNull("pos_weight");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}
