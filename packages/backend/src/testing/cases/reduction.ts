/** Sample cases of the reduction family: sum, prod, max, min, argmax, argmin. */
import type { ArgReduceAttrs, OpName, ReduceAttrs } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import { fmt, sample } from "./helpers.js";
import { specialReductionInput, specialReductionRows } from "./special.js";

/** (shape, dims) pairs for sum/prod/max/min; each runs with keepdim false and true. */
const REDUCE: readonly (readonly [readonly number[], readonly number[]])[] = [
  [[3, 4, 5], [0]],
  [[3, 4, 5], [1]],
  [[3, 4, 5], [2]],
  [[3, 4, 5], [0, 2]],
  [[3, 4, 5], [0, 1, 2]],
  [[3, 4, 5], []],
  [[7], [0]],
  [[], []],
  [[], [0]],
];

/**
 * Zero-size reductions: reducing an empty dim (sum and prod only: they have an identity, so
 * the output is full of 0 / 1), reducing nothing, and an empty output from a non-empty dim.
 */
const REDUCE_EMPTY: readonly (readonly [readonly number[], readonly number[]])[] = [
  [[2, 0], [1]],
  [[0, 3], []],
  [[0, 3], [1]],
];

/** (shape, dim) pairs for argmax/argmin; each runs with keepdim false and true. */
const ARG: readonly (readonly [readonly number[], number | null])[] = [
  [[3, 4, 5], 0],
  [[3, 4, 5], 1],
  [[3, 4, 5], 2],
  [[3, 4, 5], null],
  [[7], 0],
  [[7], null],
  [[], null],
];

/**
 * Cases of a reduction for `ctx.dtype`: every subset-of-dims pattern of a 3-d tensor with
 * and without keepdim, vectors, scalars and zero sizes. Products use values of magnitude
 * near 1; argmax/argmin use distinct values plus one case full of ties (first index wins).
 *
 * @example
 * reductionCases("sum", { dtype: "float32", dtypes: ["float32"] })[0].attrs;
 * // { dims: [0], keepdim: false }
 */
export function reductionCases(op: OpName, ctx: CaseContext): OpCase[] {
  const cases: OpCase[] = [];
  if (op === "sum" || op === "prod" || op === "max" || op === "min") {
    const domain = op === "prod" ? "unit" : op === "sum" ? "any" : "coarse";
    REDUCE.forEach(([shape, dims], i) => {
      for (const keepdim of [false, true]) {
        const attrs: ReduceAttrs = { dims, keepdim };
        cases.push({ name: `${fmt(shape)} dims ${fmt(dims)}${keepdim ? " keepdim" : ""}`, inputs: [sample(shape, ctx.dtype, domain, i + 1)], attrs });
      }
    });
    const identity = op === "sum" || op === "prod";
    REDUCE_EMPTY.forEach(([shape, dims], i) => {
      if (!identity && dims.some((d) => shape[d] === 0)) return;
      const attrs: ReduceAttrs = { dims, keepdim: false };
      cases.push({ name: `${fmt(shape)} dims ${fmt(dims)}`, inputs: [sample(shape, ctx.dtype, domain, 50 + i)], attrs });
    });
    const special = specialReductionRows(ctx.dtype);
    if (special !== null) {
      const attrs: ReduceAttrs = { dims: [1], keepdim: false };
      cases.push({ name: "special values, dims [1]", inputs: [specialReductionInput(ctx.dtype, special)], attrs });
    }
    return cases;
  }
  if (op === "argmax" || op === "argmin") {
    ARG.forEach(([shape, dim], i) => {
      for (const keepdim of [false, true]) {
        const attrs: ArgReduceAttrs = { dim, keepdim };
        cases.push({ name: `${fmt(shape)} dim ${dim}${keepdim ? " keepdim" : ""}`, inputs: [sample(shape, ctx.dtype, "distinct", i + 1)], attrs });
      }
    });
    const ties: ArgReduceAttrs = { dim: 1, keepdim: false };
    cases.push({ name: "[4, 6] dim 1 with ties", inputs: [sample([4, 6], ctx.dtype, "coarse", 9)], attrs: ties });
    const empty: ArgReduceAttrs = { dim: 1, keepdim: false };
    cases.push({ name: "[0, 3] dim 1", inputs: [sample([0, 3], ctx.dtype, "distinct", 10)], attrs: empty });
    const special = specialReductionRows(ctx.dtype);
    if (special !== null) {
      cases.push({ name: "special values, dim 1", inputs: [specialReductionInput(ctx.dtype, special)], attrs: ties });
    }
    return cases;
  }
  return cases;
}
