/**
 * The attributes of every catalog op. Dims in attributes are already normalized
 * (non-negative); the user-facing layer turns `-1` into `ndim - 1` before calling.
 */
import type { DType } from "@tessera/storage";

/** Ops without attributes. */
export type NoAttrs = Record<string, never>;

/** `sum`, `prod`, `max`, `min` over `dims` (sorted, unique; empty reduces nothing). */
export interface ReduceAttrs {
  readonly dims: readonly number[];
  readonly keepdim: boolean;
}

/** `argmax`, `argmin` along `dim`, or over all elements (flattened) when `dim` is null. */
export interface ArgReduceAttrs {
  readonly dim: number | null;
  readonly keepdim: boolean;
}

/** `cast` to `dtype` (floats truncate toward zero to int32; nonzero becomes true for bool). */
export interface CastAttrs {
  readonly dtype: DType;
}

/** `fill`: every element of the output set to `value`. */
export interface FillAttrs {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly value: number;
}

/** `arange`: `start, start+step, …` while below `end` (above it for a negative step). */
export interface ArangeAttrs {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly dtype: DType;
}

/** Ops along one dim: `gather`, `scatterAdd`, `indexSelect`. */
export interface DimAttrs {
  readonly dim: number;
}

/**
 * Philox 4x32-10 stream position shared by the random ops. Element `i` of the output uses
 * output word `i % 4` of the Philox block at counter `counter + floor(i / 4)` under `key`.
 */
export interface PhiloxAttrs {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The two 32-bit key words (from the seed). */
  readonly key: readonly [number, number];
  /** First 64-bit block counter to use (a safe integer). */
  readonly counter: number;
}

/** `randomUniform`: values in `[low, high)`. */
export interface RandomUniformAttrs extends PhiloxAttrs {
  readonly low: number;
  readonly high: number;
}

/** `randomNormal`: values with the given mean and standard deviation (Box–Muller). */
export interface RandomNormalAttrs extends PhiloxAttrs {
  readonly mean: number;
  readonly std: number;
}

/** A (height, width) pair. */
export type Pair = readonly [number, number];

/** `conv2d` over NCHW input and [outC, inC/groups, kH, kW] weight (no bias: added by the caller). */
export interface Conv2dAttrs {
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
}

/** Gradient of `conv2d` with respect to its input. Inputs: gradOutput, weight. */
export interface Conv2dBackwardInputAttrs extends Conv2dAttrs {
  readonly inputShape: readonly number[];
}

/** Gradient of `conv2d` with respect to its weight. Inputs: input, gradOutput. */
export interface Conv2dBackwardWeightAttrs extends Conv2dAttrs {
  readonly weightShape: readonly number[];
}

/**
 * `maxPool2d` over NCHW input. Outputs: values, and int32 indices of each maximum, flat over
 * the input's H×W plane (as PyTorch's `return_indices`).
 */
export interface MaxPool2dAttrs {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
}

/** Gradient of `maxPool2d`. Inputs: gradOutput, indices. */
export interface MaxPool2dBackwardAttrs {
  readonly inputShape: readonly number[];
}

/** `avgPool2d` over NCHW input. */
export interface AvgPool2dAttrs {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  /** Divide by this instead of the window size, when set. */
  readonly divisorOverride: number | null;
}

/** Gradient of `avgPool2d`. Input: gradOutput. */
export interface AvgPool2dBackwardAttrs extends AvgPool2dAttrs {
  readonly inputShape: readonly number[];
}

/**
 * `adamStep`: one Adam/AdamW update of a parameter and its moment estimates (PyTorch 1.13's
 * single-tensor Adam). The bias corrections are computed from `step` by the kernels, as
 * `1 - beta1 ** step` and `1 - beta2 ** step` in float64.
 */
export interface AdamStepAttrs {
  /** Learning rate. */
  readonly lr: number;
  /** Decay rate of the running average of the gradient. */
  readonly beta1: number;
  /** Decay rate of the running average of the squared gradient. */
  readonly beta2: number;
  /** Added to the denominator. */
  readonly eps: number;
  /** Weight decay: an L2 penalty added to the gradient, or (with `decoupled`) AdamW's shrink. */
  readonly weightDecay: number;
  /** AdamW: `param *= 1 - lr * weightDecay` before the step, instead of the L2 penalty. */
  readonly decoupled: boolean;
  /** AMSGrad: a fifth input and fourth output, the running maximum of `expAvgSq`. */
  readonly amsgrad: boolean;
  /** Ascend instead of descend (the gradient is negated). */
  readonly maximize: boolean;
  /** The step number of this update (1 on the first step). */
  readonly step: number;
}
