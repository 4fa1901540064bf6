/**
 * Binary cross entropy: PyTorch's `F.binary_cross_entropy` (on probabilities, with its log
 * clamped at −100 and its gradient formula) and `F.binary_cross_entropy_with_logits` (on
 * logits, in the numerically stable form, with `posWeight`).
 */
import { type Tensor, defineFunction, noGrad, tidy } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import { type Reduction, checkReduction, reduce, requireFloat, requireSameShape, valuesIfSync } from "./util.js";

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions {
  /** A rescaling weight per element, broadcastable to the input's shape. */
  weight?: Tensor | null;
  /** `"mean"` (default) over all elements, `"sum"`, or `"none"` (elementwise). */
  reduction?: Reduction;
}

function expandWeight(op: string, name: string, w: Tensor, shape: readonly number[]): Tensor {
  requireFloat(op, name, w);
  const ok = w.ndim <= shape.length && w.shape.every((d, i) => d === 1 || d === shape[shape.length - w.ndim + i]);
  if (!ok) {
    throw new ShapeError(`${op}: ${name} of shape ${formatShape(w.shape)} does not broadcast to the input's shape ${formatShape(shape)}.`);
  }
  return w.expand(shape);
}

/**
 * `−w·(t·log x + (1 − t)·log(1 − x))` elementwise, each log clamped at −100, as PyTorch. The
 * backward is PyTorch's: `∂/∂x = w·(x − t) / max(x·(1 − x), 1e-12)`, finite at x = 0 and 1.
 */
const bceElementwise = defineFunction({
  name: "BinaryCrossEntropyBackward0",
  forward(ctx, x: Tensor, t: Tensor, w: Tensor | null) {
    const loss = tidy(() => {
      const logX = x.log().clamp({ min: -100 });
      const log1mX = x.neg().add(1).log().clamp({ min: -100 });
      const raw = t.mul(logX).add(t.neg().add(1).mul(log1mX)).neg();
      return w === null ? raw : raw.mul(w);
    });
    if (w === null) ctx.saveForBackward(x, t);
    else ctx.saveForBackward(x, t, w);
    return loss;
  },
  backward(ctx, g) {
    const [x, t, w] = ctx.savedTensors as [Tensor, Tensor, Tensor | undefined];
    const [needX, needT, needW] = ctx.needsInputGrad;
    return tidy(() => {
      const gw = w === undefined ? g : g.mul(w);
      const gradX = needX ? gw.mul(x.sub(t)).div(x.mul(x.neg().add(1)).clamp({ min: 1e-12 })) : null;
      const gradT = needT ? gw.mul(x.neg().add(1).log().sub(x.log())) : null;
      let gradW: Tensor | null = null;
      if (needW) {
        const logX = x.log().clamp({ min: -100 });
        const log1mX = x.neg().add(1).log().clamp({ min: -100 });
        gradW = g.mul(t.mul(logX).add(t.neg().add(1).mul(log1mX)).neg());
      }
      return w === undefined ? [gradX, gradT] : [gradX, gradT, gradW];
    });
  },
});

/**
 * Binary cross entropy between probabilities `input` (in [0, 1], e.g. a sigmoid's output) and
 * `target` of the same shape: `−w·(t·log x + (1 − t)·log(1 − x))`, logs clamped at −100.
 * Prefer {@link binaryCrossEntropyWithLogits} on logits: it is stable and fuses the sigmoid.
 *
 * @example binaryCrossEntropy(sigmoid(logits), labels)
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryCrossEntropyOptions = {}): Tensor {
  const op = "binaryCrossEntropy";
  requireFloat(op, "input", input);
  requireFloat(op, "target", target);
  requireSameShape(op, "input", input, "target", target, "Reshape the target to the input's shape (e.g. target.unsqueeze(-1)).");
  const reduction = checkReduction(op, options.reduction ?? "mean");
  checkProbabilities(op, input);
  return tidy(() => {
    const w = options.weight ? expandWeight(op, "weight", options.weight, input.shape) : null;
    return reduce(bceElementwise(input, target, w) as Tensor, reduction);
  });
}

/** PyTorch's value check, on devices that read synchronously. */
function checkProbabilities(op: string, input: Tensor): void {
  if (input.numel() === 0) return;
  const range = noGrad(() => tidy(() => [input.min(), input.max()]));
  const lo = valuesIfSync(range[0]!);
  const hi = valuesIfSync(range[1]!);
  range.forEach((t) => t.dispose());
  if (lo === null || hi === null) return;
  if (!(lo[0]! >= 0 && hi[0]! <= 1)) {
    throw new TesseraError(
      `${op}: all elements of input should be between 0 and 1, got values in [${lo[0]}, ${hi[0]}]. Pass probabilities (e.g. sigmoid(logits)), or use binaryCrossEntropyWithLogits on logits.`,
    );
  }
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /**
   * A weight of the positive term per class, broadcastable to the input (usually [C] for
   * input [N, C]): `posWeight > 1` raises recall, `< 1` precision.
   */
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy on logits: `−w·(p·t·log σ(x) + (1 − t)·log(1 − σ(x)))` with `p` the
 * `posWeight`, computed as `(1 − t)·x + (1 + (p − 1)·t)·softplus(−x)`, which neither
 * overflows nor loses precision for large |x|.
 *
 * @example binaryCrossEntropyWithLogits(logits, labels, { posWeight: tensor([3]) })
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BinaryCrossEntropyWithLogitsOptions = {}): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  requireFloat(op, "input", input);
  requireFloat(op, "target", target);
  requireSameShape(op, "input", input, "target", target, "Reshape the target to the input's shape (e.g. target.unsqueeze(-1)).");
  const reduction = checkReduction(op, options.reduction ?? "mean");
  return tidy(() => {
    // softplus(−x) = log(1 + e^(−x)) = m + log(e^(−m) + e^(−x−m)) with m = max(−x, 0) held
    // constant (the gradient does not depend on the shift).
    const m = noGrad(() => input.neg().clamp({ min: 0 }));
    const softplusNeg = m.neg().exp().add(input.neg().sub(m).exp()).log().add(m);
    const posWeight = options.posWeight ? expandWeight(op, "posWeight", options.posWeight, input.shape) : null;
    const logWeight = posWeight === null ? null : posWeight.sub(1).mul(target).add(1);
    let loss = target.neg().add(1).mul(input).add(logWeight === null ? softplusNeg : logWeight.mul(softplusNeg));
    if (options.weight) loss = loss.mul(expandWeight(op, "weight", options.weight, input.shape));
    return reduce(loss, reduction);
  });
}
