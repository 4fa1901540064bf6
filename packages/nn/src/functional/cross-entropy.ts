/**
 * Classification losses: PyTorch's `F.nll_loss` and `F.cross_entropy` (class indices or class
 * probabilities, per-class weights, `ignoreIndex`, label smoothing), with PyTorch's formulas
 * for every combination.
 *
 * Shapes follow PyTorch: `input` is [N, C], [C] (one sample) or [N, C, d1, …] (e.g. per-pixel
 * classes); class-index targets drop the class dim ([N], [] or [N, d1, …]).
 */
import { type Tensor, logSoftmax, tidy, where } from "@tessera/autograd";
import { DTypeError, ShapeError, TesseraError, formatShape, isFloatingPoint } from "@tessera/storage";
import { type Reduction, channelShape, checkIndexRange, checkReduction, requireFloat, sameShape } from "./util.js";

/** Options of {@link nllLoss}. */
export interface NllLossOptions {
  /** A weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (and are not counted by "mean"). Default -100. */
  ignoreIndex?: number;
  /**
   * `"mean"` (default): the weighted mean, Σ loss / Σ weight[target] over the targets that are
   * not ignored. `"sum"`, or `"none"` (shape of target).
   */
  reduction?: Reduction;
}

/** The class-dim facts every classification loss needs, checked. */
interface ClassLayout {
  /** Where the classes are in `input` (0 for unbatched [C], else 1). */
  classDim: number;
  /** Number of classes. */
  C: number;
  /** Shape of a class-index target. */
  targetShape: number[];
}

function classLayout(op: string, input: Tensor): ClassLayout {
  requireFloat(op, "input", input);
  if (input.ndim === 0) {
    throw new ShapeError(`${op}: input must have a class dim: [C], [N, C] or [N, C, d1, ...]; got a 0-dim tensor.`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const targetShape = input.shape.filter((_, d) => d !== classDim);
  return { classDim, C: input.shape[classDim]!, targetShape };
}

function checkWeight(op: string, weight: Tensor | null | undefined, C: number): void {
  if (weight === undefined || weight === null) return;
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new ShapeError(`${op}: weight must have one entry per class, shape [${C}], got ${formatShape(weight.shape)}.`);
  }
  requireFloat(op, "weight", weight);
}

function checkClassTarget(op: string, input: Tensor, target: Tensor, layout: ClassLayout, ignoreIndex: number): void {
  if (target.dtype !== "int32") {
    throw new DTypeError(
      `${op}: expected target to hold class indices as int32 (shape ${formatShape(layout.targetShape)}), got ${target.dtype} of shape ${formatShape(target.shape)}. Cast it: target.to("int32").`,
    );
  }
  if (!sameShape(target.shape, layout.targetShape)) {
    const batch = input.ndim >= 2 && target.ndim >= 1 && target.shape[0] !== input.shape[0]
      ? ` Expected input batch size (${input.shape[0]}) to match target batch size (${target.shape[0]}).`
      : "";
    throw new ShapeError(
      `${op}: input of shape ${formatShape(input.shape)} needs a class-index target of shape ${formatShape(layout.targetShape)} (input without its class dim ${layout.classDim}), got ${formatShape(target.shape)}.${batch}`,
    );
  }
  checkIndexRange(
    target,
    layout.C,
    (bad) => `${op}: target ${bad} is out of bounds for ${layout.C} classes (input ${formatShape(input.shape)}); class indices must lie in [0, ${layout.C - 1}] or equal ignoreIndex (${ignoreIndex}).`,
    ignoreIndex,
  );
}

/** `input` with the class dim last, flattened to [M, C]. */
function rowsOfClasses(input: Tensor, classDim: number, C: number): Tensor {
  if (input.ndim <= 2) return input.reshape([-1, C]);
  const order = Array.from({ length: input.ndim }, (_, i) => i).filter((d) => d !== classDim);
  return input.permute([...order, classDim]).reshape([-1, C]);
}

/** Per-target values of `nllLoss` before reduction, and the weights that "mean" divides by. */
function nllParts(input: Tensor, target: Tensor, layout: ClassLayout, weight: Tensor | null, ignoreIndex: number): { losses: Tensor; weights: Tensor } {
  const rows = rowsOfClasses(input, layout.classDim, layout.C);
  const flat = target.reshape([-1]);
  const valid = flat.ne(ignoreIndex);
  const safe = where(valid, flat, 0);
  const picked = rows.gather(1, safe.unsqueeze(1)).reshape([-1]);
  const weights = weight === null ? valid.to(input.dtype) : where(valid, weight.indexSelect(0, safe).to(input.dtype), 0);
  return { losses: picked.mul(weights).neg().reshape(layout.targetShape), weights };
}

/**
 * Negative log likelihood: `−weight[t] · input[t]` per target, where `input` holds
 * log-probabilities (e.g. from {@link logSoftmax}) and `target` int32 class indices.
 *
 * @example
 * nllLoss(logSoftmax(logits, 1), labels);                             // [N, C], [N]
 * nllLoss(logp, labels, { weight: classWeights, ignoreIndex: 0 });
 */
export function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const op = "nllLoss";
  const layout = classLayout(op, input);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const reduction = checkReduction(op, options.reduction ?? "mean");
  checkWeight(op, options.weight, layout.C);
  checkClassTarget(op, input, target, layout, ignoreIndex);
  return tidy(() => {
    const { losses, weights } = nllParts(input, target, layout, options.weight ?? null, ignoreIndex);
    if (reduction === "none") return losses;
    return reduction === "sum" ? losses.sum() : losses.sum().div(weights.sum());
  });
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NllLossOptions {
  /**
   * Mixes the target with the uniform distribution: the target becomes
   * `(1 − labelSmoothing) · target + labelSmoothing / C`. In [0, 1]; default 0.
   */
  labelSmoothing?: number;
}

/**
 * Cross entropy between the softmax of `input` (unnormalized logits, classes in dim 1, or dim 0
 * of a single sample) and `target`, which is either
 *
 * - int32 class indices (the input's shape without the class dim): `nllLoss(logSoftmax(input))`,
 *   with `weight`, `ignoreIndex` and label smoothing as PyTorch, or
 * - class probabilities (floating point, the input's shape): `−Σ_c weight_c · target_c · log p_c`,
 *   averaged over samples by "mean" (`ignoreIndex` does not apply).
 *
 * @example
 * crossEntropy(logits, labels);                                 // [N, C] and int32 [N]
 * crossEntropy(logits, labels, { labelSmoothing: 0.1, ignoreIndex: 0 });
 * crossEntropy(logits, softTargets);                            // float [N, C]
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const layout = classLayout(op, input);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const reduction = checkReduction(op, options.reduction ?? "mean");
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing <= 1)) {
    throw new TesseraError(`${op}: labelSmoothing must be between 0.0 and 1.0, got ${String(smoothing)}.`);
  }
  const weight = options.weight ?? null;
  checkWeight(op, weight, layout.C);
  if (isFloatingPoint(target.dtype)) {
    if (!sameShape(target.shape, input.shape)) {
      throw new ShapeError(
        `${op}: a floating point target holds class probabilities and must have the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}. For class indices pass an int32 target of shape ${formatShape(layout.targetShape)}.`,
      );
    }
    return tidy(() => probabilityTarget(input, target, layout, weight, reduction, smoothing));
  }
  checkClassTarget(op, input, target, layout, ignoreIndex);
  return tidy(() => {
    const logp = logSoftmax(input, layout.classDim);
    const { losses, weights } = nllParts(logp, target, layout, weight, ignoreIndex);
    const total = weights.sum();
    const nll = reduction === "none" ? losses : reduction === "sum" ? losses.sum() : losses.sum().div(total);
    if (smoothing === 0) return nll;
    // The uniform part: −Σ_c weight_c · log p_c per target, zero for ignored targets.
    const weighted = weight === null ? logp : logp.mul(weight.reshape(channelShape(input.ndim, layout.C, layout.classDim)));
    const ignored = target.eq(ignoreIndex);
    const smooth = where(ignored, 0, weighted.sum({ dim: layout.classDim }).neg());
    const uniform = reduction === "none" ? smooth : reduction === "sum" ? smooth.sum() : smooth.sum().div(total);
    return nll.mul(1 - smoothing).add(uniform.mul(smoothing / layout.C));
  });
}

function probabilityTarget(input: Tensor, target: Tensor, layout: ClassLayout, weight: Tensor | null, reduction: Reduction, smoothing: number): Tensor {
  const { classDim, C } = layout;
  const logp = logSoftmax(input, classDim);
  const t = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / C) : target;
  let product = logp.mul(t);
  if (weight !== null) product = product.mul(weight.reshape(channelShape(input.ndim, C, classDim)));
  if (reduction === "none") return product.sum({ dim: classDim }).neg();
  if (reduction === "sum") return product.sum().neg();
  // Mean over samples (every element but the class dim); NaN for an empty batch, as PyTorch.
  return product.sum().neg().div(input.numel() / C);
}
