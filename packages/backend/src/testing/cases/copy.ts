/** Sample cases of the copy family: `copy` and `cast`. */
import type { CastAttrs, OpName } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import type { Domain } from "../values.js";
import { fmt, sample } from "./helpers.js";

/** Shapes for `copy`. */
const COPY_SHAPES: readonly (readonly number[])[] = [[], [7], [3, 5], [2, 3, 4], [0], [3, 0]];

/** (shape, domain) pairs for `cast`, each cast to every dtype the backend has. */
const CAST_SHAPES: readonly (readonly [readonly number[], Domain])[] = [
  [[3, 5], "any"],
  [[7], "coarse"],
  [[2, 0], "any"],
];

/**
 * Cases of `copy` and `cast` for `ctx.dtype` (the source dtype). `cast` goes to every dtype in
 * `ctx.dtypes`, with fractions and negatives (truncation toward zero) and zeros (→ false).
 *
 * @example
 * copyCases("cast", { dtype: "float32", dtypes: ["float32", "int32"] }).map((c) => c.name);
 * // ["[3, 5] → float32", "[3, 5] → int32", "[7] → float32", …]
 */
export function copyCases(op: OpName, ctx: CaseContext): OpCase[] {
  if (op === "copy") {
    return COPY_SHAPES.map((shape, i) => ({ name: fmt(shape), inputs: [sample(shape, ctx.dtype, "any", i + 1)], attrs: {} }));
  }
  if (op === "cast") {
    const cases: OpCase[] = [];
    CAST_SHAPES.forEach(([shape, domain], i) => {
      for (const dtype of ctx.dtypes) {
        const attrs: CastAttrs = { dtype };
        cases.push({ name: `${fmt(shape)} → ${dtype}`, inputs: [sample(shape, ctx.dtype, domain, i + 1)], attrs });
      }
    });
    return cases;
  }
  return [];
}
