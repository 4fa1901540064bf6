/** Sample cases of the creation family: `fill` and `arange` (no inputs). */
import type { ArangeAttrs, FillAttrs, OpName } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import { fmt } from "./helpers.js";

/** (shape, value) pairs for `fill`; values exercise conversion (truncation, nonzero → true). */
const FILL: readonly (readonly [readonly number[], number])[] = [
  [[3, 5], 2.5],
  [[7], -3.75],
  [[], 0],
  [[2, 3, 4], 1],
  [[0, 4], 7],
];

/** (start, end, step) triples for `arange`, including a negative step and an empty range. */
const ARANGE: readonly (readonly [number, number, number])[] = [
  [0, 5, 1],
  [-1.5, 2, 0.25],
  [5, -2, -1.5],
  [2, 9, 3],
  [0, 1, 0.125],
  [3, 3, 1],
  [4, 1, 1],
];

/**
 * Cases of `fill` and `arange` producing `ctx.dtype`.
 *
 * @example
 * creationCases("arange", { dtype: "int32", dtypes: ["int32"] })[0].attrs;
 * // { start: 0, end: 5, step: 1, dtype: "int32" }
 */
export function creationCases(op: OpName, ctx: CaseContext): OpCase[] {
  const dtype = ctx.dtype;
  if (op === "fill") {
    return FILL.map(([shape, value]) => {
      const attrs: FillAttrs = { shape, dtype, value };
      return { name: `${fmt(shape)} = ${value}`, inputs: [], attrs };
    });
  }
  if (op === "arange") {
    return ARANGE.map(([start, end, step]) => {
      const attrs: ArangeAttrs = { start, end, step, dtype };
      return { name: `arange(${start}, ${end}, ${step})`, inputs: [], attrs };
    });
  }
  return [];
}
