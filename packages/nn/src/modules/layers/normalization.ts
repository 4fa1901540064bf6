/** `BatchNorm1d`, `BatchNorm2d`, `LayerNorm`. */
import { type Tensor, noGrad, ones, zeros } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { type FactoryOptions, checkInt, newParameter, reprFields } from "./common.js";

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}. */
export interface BatchNormOptions extends FactoryOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /**
   * Weight of each new batch in the running statistics: `r ← (1 − m)·r + m·batch`. Default 0.1.
   * `null` gives the cumulative average over all batches so far (factor 1 / numBatchesTracked;
   * reads the counter back, so it needs a device that reads synchronously).
   */
  momentum?: number | null;
  /** Learn a per-channel scale (`weight`, ones) and shift (`bias`, zeros). Default true. */
  affine?: boolean;
  /**
   * Keep running statistics (buffers `running_mean`, `running_var`, `num_batches_tracked`) and
   * normalize with them in evaluation mode. Without them batch statistics are always used.
   * Default true.
   */
  trackRunningStats?: boolean;
}

/** What BatchNorm1d and BatchNorm2d share (PyTorch's `_BatchNorm`). */
export abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** Per-channel scale [numFeatures], or null without `affine`. */
  weight: Parameter | null;
  /** Per-channel shift [numFeatures], or null without `affine`. */
  bias: Parameter | null;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    this.numFeatures = checkInt(this.constructor.name, "numFeatures", numFeatures, 1);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? newParameter([numFeatures], options) : null;
    this.bias = this.affine ? newParameter([numFeatures], options) : null;
    if (this.trackRunningStats) {
      const factory = { dtype: options.dtype ?? "float32", device: options.device };
      this.registerBuffer("running_mean", zeros([numFeatures], factory));
      this.registerBuffer("running_var", ones([numFeatures], factory));
      this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int32", device: options.device }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
    this.resetParameters();
  }

  /** The running mean [numFeatures] (buffer `running_mean`), or null without `trackRunningStats`. */
  get runningMean(): Tensor | null {
    return this.bufferOrNull("running_mean");
  }

  /** The running (unbiased) variance [numFeatures] (buffer `running_var`), or null. */
  get runningVar(): Tensor | null {
    return this.bufferOrNull("running_var");
  }

  /** The number of training batches seen, int32 0-dim (buffer `num_batches_tracked`), or null. */
  get numBatchesTracked(): Tensor | null {
    return this.bufferOrNull("num_batches_tracked");
  }

  /** Resets the running statistics: mean 0, variance 1, count 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** Resets the running statistics and the affine parameters (ones and zeros). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  /** Throws if `input` doesn't have the dims this layer expects. */
  protected abstract checkInputDim(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    const counter = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && counter !== null) {
      noGrad(() => counter.add_(1));
      if (this.momentum === null) factor = 1 / counter.itemSync();
    }
    const useBatchStats = this.training || (this.runningMean === null && this.runningVar === null);
    const track = !this.training || this.trackRunningStats;
    return F.batchNorm(input, track ? this.runningMean : null, track ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, ${reprFields({ eps: this.eps, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats })}`;
  }
}

/**
 * Batch normalization over [N, C] or [N, C, L] input: PyTorch's `nn.BatchNorm1d`. In training
 * mode it normalizes with the batch's statistics and updates the running ones; in evaluation
 * mode (`eval()`) it normalizes with the running statistics.
 *
 * @example
 * const bn = new BatchNorm1d(16);
 * bn.forward(randn([8, 16])).shape; // [8, 16]; bn.runningMean changed
 */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(`BatchNorm1d: expected 2D or 3D input (got ${input.ndim}D input of shape ${formatShape(input.shape)}).`);
    }
  }
}

/**
 * Batch normalization over [N, C, H, W] input: PyTorch's `nn.BatchNorm2d`. Buffers
 * `running_mean`, `running_var` (float) and `num_batches_tracked` (int32).
 *
 * @example
 * const bn = new BatchNorm2d(16);
 * bn.forward(randn([8, 16, 5, 5])).shape; // [8, 16, 5, 5]
 * bn.eval(); // now uses bn.runningMean / bn.runningVar
 */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) {
      throw new ShapeError(`BatchNorm2d: expected 4D input (got ${input.ndim}D input of shape ${formatShape(input.shape)}).`);
    }
  }
}

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions extends FactoryOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn an elementwise scale (`weight`, ones) and shift (`bias`, zeros). Default true. */
  elementwiseAffine?: boolean;
  /** Learn the shift (with `elementwiseAffine`). Default true. */
  bias?: boolean;
}

/**
 * Layer normalization over the last dims (`normalizedShape`): PyTorch's `nn.LayerNorm`.
 * Parameters `weight` (ones) and `bias` (zeros) of shape `normalizedShape`.
 *
 * @example
 * const ln = new LayerNorm(512);
 * ln.forward(randn([2, 10, 512])).shape; // [2, 10, 512]
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** Elementwise scale, or null without `elementwiseAffine`. */
  weight: Parameter | null;
  /** Elementwise shift, or null without `elementwiseAffine` or with `bias: false`. */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new TesseraError("LayerNorm: normalizedShape must not be empty.");
    for (const d of shape) checkInt("LayerNorm", "normalizedShape", d, 1);
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? newParameter(shape, options) : null;
    this.bias = this.elementwiseAffine && (options.bias ?? true) ? newParameter(shape, options) : null;
    this.resetParameters();
  }

  /** Resets `weight` to ones and `bias` to zeros. */
  resetParameters(): void {
    if (this.weight !== null) init.ones_(this.weight);
    if (this.bias !== null) init.zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${reprFields({ normalizedShape: this.normalizedShape })}, ${reprFields({ eps: this.eps, elementwiseAffine: this.elementwiseAffine })}`;
  }
}
