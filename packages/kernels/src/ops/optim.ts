/**
 * Fused optimizer updates. `adamStep` is the whole Adam/AdamW update of one parameter in one
 * elementwise pass, with exactly the arithmetic (order and roundings) of the composed update
 * in `@tessera/optim` (PyTorch 1.13's single-tensor Adam), so that the two agree bit for bit:
 *
 * ```
 * g = maximize ? -grad : grad
 * decoupled: p = p * (1 - lr * wd)          else: g = g + p * wd     (when wd != 0)
 * m = m * beta1 + g * (1 - beta1)
 * v = v * beta2 + (g * (1 - beta2)) * g
 * amsgrad: vMax = max(vMax, v), s = vMax     else: s = v
 * denom = sqrt(s) / sqrt(1 - beta2^step) + eps
 * p = p + (m * -(lr / (1 - beta1^step))) / denom
 * ```
 *
 * In float32 every intermediate is rounded to float32 and every scalar is the float32 the
 * composed path's scalar operand holds ({@link adamStepScalars}).
 */
import { type DType, DTypeError, ShapeError, TesseraError, formatShape, shapesEqual } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { requireFloat } from "../dtypes.js";
import { forEachOffset } from "../strided.js";
import type { AdamStepAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/**
 * The scalars of one `adamStep`, as the composed update's scalar operands hold them: in
 * float64 as computed, in float32 rounded once to float32 (a scalar operand of a float32
 * tensor is a float32 0-d tensor). Every backend's kernel uses these, so they agree on them.
 *
 * @example
 * const s = adamStepScalars({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0,
 *   decoupled: false, amsgrad: false, maximize: false, step: 1 }, "float64");
 * s.negStepSize; // -(1e-3 / (1 - 0.9)) = -0.01
 */
export interface AdamStepScalars {
  readonly beta1: number;
  readonly oneMinusBeta1: number;
  readonly beta2: number;
  readonly oneMinusBeta2: number;
  readonly eps: number;
  /** The L2 penalty factor added to the gradient (0 when `decoupled` or without decay). */
  readonly l2: number;
  /** AdamW's factor `1 - lr * weightDecay` (1 when not `decoupled` or without decay). */
  readonly decay: number;
  /** `sqrt(1 - beta2 ** step)`. */
  readonly biasCorrection2Sqrt: number;
  /** `-(lr / (1 - beta1 ** step))`. */
  readonly negStepSize: number;
}

/**
 * The scalars of one {@link AdamStepAttrs} update for tensors of `dtype` (see
 * {@link AdamStepScalars}).
 *
 * @example
 * adamStepScalars(attrs, "float32").beta1 === Math.fround(attrs.beta1); // true
 */
export function adamStepScalars(attrs: AdamStepAttrs, dtype: DType): AdamStepScalars {
  const r = dtype === "float32" ? Math.fround : (x: number) => x;
  const biasCorrection1 = 1 - attrs.beta1 ** attrs.step;
  const biasCorrection2 = 1 - attrs.beta2 ** attrs.step;
  const wd = attrs.weightDecay;
  return {
    beta1: r(attrs.beta1),
    oneMinusBeta1: r(1 - attrs.beta1),
    beta2: r(attrs.beta2),
    oneMinusBeta2: r(1 - attrs.beta2),
    eps: r(attrs.eps),
    l2: !attrs.decoupled && wd !== 0 ? r(wd) : 0,
    decay: attrs.decoupled && wd !== 0 ? r(1 - attrs.lr * wd) : 1,
    biasCorrection2Sqrt: r(Math.sqrt(biasCorrection2)),
    negStepSize: r(-(attrs.lr / biasCorrection1)),
  };
}

const INPUTS = ["param", "grad", "expAvg", "expAvgSq", "maxExpAvgSq"] as const;

function checkAttrs(attrs: AdamStepAttrs): void {
  const numbers = ["lr", "beta1", "beta2", "eps", "weightDecay", "step"] as const;
  for (const key of numbers) {
    if (typeof attrs[key] !== "number" || !Number.isFinite(attrs[key])) {
      throw new TesseraError(`adamStep: attribute ${key} must be a finite number, got ${String(attrs[key])}.`);
    }
  }
  for (const key of ["decoupled", "amsgrad", "maximize"] as const) {
    if (typeof attrs[key] !== "boolean") {
      throw new TesseraError(`adamStep: attribute ${key} must be a boolean, got ${String(attrs[key])}.`);
    }
  }
  if (!Number.isInteger(attrs.step) || attrs.step < 1) {
    throw new TesseraError(`adamStep: attribute step must be a positive integer (1 on the first update), got ${attrs.step}.`);
  }
  for (const key of ["beta1", "beta2"] as const) {
    if (!(attrs[key] >= 0 && attrs[key] < 1)) {
      throw new TesseraError(`adamStep: attribute ${key} must be in [0, 1), got ${attrs[key]}; the bias correction 1 - ${key}^step would not be positive.`);
    }
  }
}

/**
 * `adamStep`: inputs `param, grad, expAvg, expAvgSq` (and `maxExpAvgSq` with `amsgrad`), all
 * of one shape and one float dtype; outputs the new `param, expAvg, expAvgSq` (and
 * `maxExpAvgSq`). Outputs may be strided views, and may be the very views of the
 * corresponding inputs: that is how the optimizer runs it in place (every element is read
 * before it is written, at the same position).
 *
 * @example
 * const m = { shape: [3], dtype: "float32" } as const;
 * optimOps.adamStep.infer([m, m, m, m], { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8,
 *   weightDecay: 0, decoupled: false, amsgrad: false, maximize: false, step: 1 }); // three metas like m
 */
const adamStep: OpSchema<AdamStepAttrs> = {
  name: "adamStep",
  family: "optim",
  inputs: INPUTS, // maxExpAvgSq only with amsgrad
  outputs: 4, // 3 without amsgrad: infer returns the actual list
  stridedOutput: true,
  infer(inputs: readonly TensorMeta[], attrs: AdamStepAttrs): TensorMeta[] {
    checkAttrs(attrs);
    const expected = attrs.amsgrad ? 5 : 4;
    if (inputs.length !== expected) {
      throw new TesseraError(
        `adamStep: expected ${expected} inputs (${INPUTS.slice(0, expected).join(", ")}) with amsgrad ${attrs.amsgrad}, but got ${inputs.length}. ${
          attrs.amsgrad ? "Pass maxExpAvgSq (zeros on the first step)." : "Pass maxExpAvgSq only with amsgrad: true."
        }`,
      );
    }
    const param = inputs[0]!;
    requireFloat("adamStep", param, "param");
    for (let i = 1; i < inputs.length; i++) {
      const m = inputs[i]!;
      if (m.dtype !== param.dtype) {
        throw new DTypeError(
          `adamStep: ${INPUTS[i]} has dtype ${m.dtype} but param has dtype ${param.dtype}; every input must have the param's dtype. Cast it first, e.g. ${INPUTS[i]}.to("${param.dtype}").`,
        );
      }
      if (!shapesEqual(m.shape, param.shape)) {
        throw new ShapeError(
          `adamStep: ${INPUTS[i]} has shape ${formatShape(m.shape)} but param has shape ${formatShape(param.shape)}; every input must have the param's shape (no broadcasting).`,
        );
      }
    }
    const out = { shape: param.shape.slice(), dtype: param.dtype };
    return Array.from({ length: expected - 1 }, () => ({ shape: out.shape.slice(), dtype: out.dtype }));
  },
  reference(inputs: readonly StridedArray[], outputs: readonly StridedArray[], attrs: AdamStepAttrs): void {
    checkAttrs(attrs);
    const shape = inputs[0]!.layout.shape;
    for (const out of outputs) checkElementwiseOutput("adamStep", out, shape);
    const dtype = inputs[0]!.dtype;
    const r = dtype === "float32" ? Math.fround : (x: number) => x;
    const s = adamStepScalars(attrs, dtype);
    const { amsgrad, maximize, decoupled } = attrs;
    const [p, g, m, v, vMax] = inputs.map((x) => x.data);
    const [pOut, mOut, vOut, vMaxOut] = outputs.map((x) => x.data);
    const layouts = [...inputs.map((x) => x.layout), ...outputs.map((x) => x.layout)];
    const k = inputs.length; // where the outputs' offsets start
    forEachOffset(shape, layouts, (o) => {
      let param = p![o[0]!]!;
      let grad = maximize ? -g![o[1]!]! : g![o[1]!]!;
      if (decoupled) {
        if (attrs.weightDecay !== 0) param = r(param * s.decay);
      } else if (attrs.weightDecay !== 0) {
        grad = r(grad + r(param * s.l2));
      }
      const expAvg = r(r(m![o[2]!]! * s.beta1) + r(grad * s.oneMinusBeta1));
      const expAvgSq = r(r(v![o[3]!]! * s.beta2) + r(r(grad * s.oneMinusBeta2) * grad));
      let second = expAvgSq;
      if (amsgrad) {
        const old = vMax![o[4]!]!;
        second = Number.isNaN(old) || Number.isNaN(expAvgSq) ? NaN : Math.max(old, expAvgSq);
        vMaxOut![o[k + 3]!] = second;
      }
      const denom = r(r(r(Math.sqrt(second)) / s.biasCorrection2Sqrt) + s.eps);
      pOut![o[k]!] = r(param + r(r(expAvg * s.negStepSize) / denom));
      mOut![o[k + 1]!] = expAvg;
      vOut![o[k + 2]!] = expAvgSq;
    });
  },
};

/** The optim family, keyed by op name. */
export const optimOps = { adamStep } satisfies Record<string, OpSchema<any>>;
