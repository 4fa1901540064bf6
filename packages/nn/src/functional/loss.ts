/**
 * Regression losses: PyTorch's `F.mse_loss`, `F.l1_loss`, `F.smooth_l1_loss` and
 * `F.huber_loss`, composed from elementwise ops.
 *
 * One departure from PyTorch: `input` and `target` must have the same shape. PyTorch
 * broadcasts them with a warning, which turns a `[N, 1]` prediction and a `[N]` target into an
 * `[N, N]` loss; here that is an error that says how to fix the shapes.
 */
import { type Tensor, tidy, where } from "@tessera/autograd";
import { TesseraError } from "@tessera/storage";
import { type Reduction, checkReduction, reduce, requireFloat, requireSameShape } from "./util.js";

/** Options of the regression losses. */
export interface RegressionLossOptions {
  /** `"mean"` (default) over all elements, `"sum"`, or `"none"` (elementwise). */
  reduction?: Reduction;
}

function checkPair(op: string, input: Tensor, target: Tensor, reduction: string | undefined): Reduction {
  requireFloat(op, "input", input);
  requireFloat(op, "target", target);
  requireSameShape(op, "input", input, "target", target, "Reshape one of them (e.g. prediction.squeeze(-1) or target.unsqueeze(-1)); Tessera does not broadcast loss arguments.");
  return checkReduction(op, reduction ?? "mean");
}

/**
 * Mean squared error: `(input − target)²`, reduced.
 *
 * @example mseLoss(prediction, target) // a 0-dim tensor
 */
export function mseLoss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  const reduction = checkPair("mseLoss", input, target, options.reduction);
  return tidy(() => {
    const d = input.sub(target);
    return reduce(d.mul(d), reduction);
  });
}

/**
 * Mean absolute error: `|input − target|`, reduced.
 *
 * @example l1Loss(prediction, target, { reduction: "sum" })
 */
export function l1Loss(input: Tensor, target: Tensor, options: RegressionLossOptions = {}): Tensor {
  const reduction = checkPair("l1Loss", input, target, options.reduction);
  return tidy(() => reduce(input.sub(target).abs(), reduction));
}

/** Options of {@link smoothL1Loss}. */
export interface SmoothL1LossOptions extends RegressionLossOptions {
  /** Where the loss changes from quadratic to linear. Default 1. */
  beta?: number;
}

/**
 * Smooth L1: `0.5·d²/beta` where `|d| < beta`, else `|d| − 0.5·beta` (with `d = input − target`);
 * `beta = 0` is the L1 loss.
 *
 * @example smoothL1Loss(boxes, targetBoxes, { beta: 1 / 9 })
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const reduction = checkPair("smoothL1Loss", input, target, options.reduction);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new TesseraError(`smoothL1Loss: beta must be non-negative, got ${beta}.`);
  return tidy(() => {
    const d = input.sub(target).abs();
    if (beta === 0) return reduce(d, reduction);
    return reduce(where(d.lt(beta), d.mul(d).mul(0.5 / beta), d.sub(0.5 * beta)), reduction);
  });
}

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends RegressionLossOptions {
  /** Where the loss changes from quadratic to linear. Default 1. */
  delta?: number;
}

/**
 * Huber loss: `0.5·d²` where `|d| < delta`, else `delta·(|d| − 0.5·delta)`.
 *
 * @example huberLoss(prediction, target, { delta: 2 })
 */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const reduction = checkPair("huberLoss", input, target, options.reduction);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new TesseraError(`huberLoss: delta must be positive, got ${delta}.`);
  return tidy(() => {
    const d = input.sub(target).abs();
    return reduce(where(d.lt(delta), d.mul(d).mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction);
  });
}
