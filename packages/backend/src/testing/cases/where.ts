/** Sample cases of `where(condition, input, other)`. */
import type { OpName } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import { fmt, sample } from "./helpers.js";

/** (condition, input, other) shapes, with broadcasting of all three and zero sizes. */
const SHAPES: readonly (readonly [readonly number[], readonly number[], readonly number[]])[] = [
  [[3, 4], [3, 4], [3, 4]],
  [[3, 1], [4], []],
  [[5], [2, 1], [2, 5]],
  [[], [2, 3], [3]],
  [[0, 4], [4], [1, 4]],
];

/**
 * Cases of `where` for `ctx.dtype` (the dtype of `input` and `other`; the condition is bool).
 *
 * @example
 * whereCases("where", { dtype: "int32", dtypes: ["int32", "bool"] }).length; // 5
 */
export function whereCases(op: OpName, ctx: CaseContext): OpCase[] {
  if (op !== "where") return [];
  return SHAPES.map(([c, a, b], i) => ({
    name: `${fmt(c)} ? ${fmt(a)} : ${fmt(b)}`,
    inputs: [sample(c, "bool", "any", 3 * i + 1), sample(a, ctx.dtype, "any", 3 * i + 2), sample(b, ctx.dtype, "any", 3 * i + 3)],
    attrs: {},
  }));
}
