/** Sample cases of the optim family (fused optimizer updates). */
import type { AdamStepAttrs, OpName } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import { fmt, sample } from "./helpers.js";

/** Shapes of the parameter (and so of every input): odd sizes, 3-d, scalar, zero-size. */
const SHAPES: readonly (readonly number[])[] = [[7], [3, 5], [2, 3, 4], [], [0, 3]];

const BASE: AdamStepAttrs = {
  lr: 0.05,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupled: false,
  amsgrad: false,
  maximize: false,
  step: 1,
};

/** Flag combinations: plain Adam, Adam with L2 and maximize, AdamW with AMSGrad, and so on. */
const VARIANTS: readonly (readonly [string, Partial<AdamStepAttrs>])[] = [
  ["adam", {}],
  ["adam l2 maximize step 3", { weightDecay: 0.1, maximize: true, step: 3 }],
  ["adamw amsgrad step 2", { weightDecay: 0.1, decoupled: true, amsgrad: true, step: 2 }],
  ["adam amsgrad l2 maximize step 5", { weightDecay: 0.05, amsgrad: true, maximize: true, step: 5, beta1: 0.8, beta2: 0.99, eps: 1e-3 }],
  ["adamw step 10", { weightDecay: 0.01, decoupled: true, step: 10 }],
];

/**
 * Cases of `adamStep` for `ctx.dtype`: every flag variant (L2 or decoupled decay, AMSGrad,
 * maximize, later steps) on several shapes, with a nonnegative second moment.
 *
 * @example
 * optimCases("adamStep", { dtype: "float32", dtypes: ["float32"] })[0].name; // "adam [7]"
 */
export function optimCases(op: OpName, ctx: CaseContext): OpCase[] {
  if (op !== "adamStep") return [];
  const cases: OpCase[] = [];
  VARIANTS.forEach(([name, overrides], v) => {
    const attrs: AdamStepAttrs = { ...BASE, ...overrides };
    SHAPES.forEach((shape, i) => {
      const seed = 10 * v + i;
      const inputs = [
        sample(shape, ctx.dtype, "any", seed + 1),
        sample(shape, ctx.dtype, "any", seed + 2),
        sample(shape, ctx.dtype, "any", seed + 3),
        sample(shape, ctx.dtype, "positive", seed + 4),
      ];
      if (attrs.amsgrad) inputs.push(sample(shape, ctx.dtype, "positive", seed + 5));
      cases.push({ name: `${name} ${fmt(shape)}`, inputs, attrs });
    });
  });
  return cases;
}
