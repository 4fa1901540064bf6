/** Sample cases of the binary family (two inputs with NumPy broadcasting). */
import type { OpName } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import type { Domain } from "../values.js";
import { fmt, sample } from "./helpers.js";
import { specialBinaryCases } from "./special.js";

/** Value domains of (input, other) per op; comparisons use coarse values to get ties. */
const DOMAINS: Partial<Record<string, readonly [Domain, Domain]>> = {
  div: ["any", "nonzero"],
  pow: ["positive", "exponent"],
  eq: ["coarse", "coarse"],
  ne: ["coarse", "coarse"],
  lt: ["coarse", "coarse"],
  le: ["coarse", "coarse"],
  gt: ["coarse", "coarse"],
  ge: ["coarse", "coarse"],
  maximum: ["coarse", "coarse"],
  minimum: ["coarse", "coarse"],
  logicalAnd: ["coarse", "coarse"],
  logicalOr: ["coarse", "coarse"],
};

/** (input, other) shapes: equal, broadcast both ways, scalar, odd sizes, and zero-size. */
const SHAPES: readonly (readonly [readonly number[], readonly number[]])[] = [
  [[3, 5], [3, 5]],
  [[7], [7]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [4]],
  [[3], [2, 1, 3]],
  [[], [2, 3]],
  [[2, 3], []],
  [[0, 3], [3]],
  [[2, 0], [2, 1]],
];

/**
 * Cases of a binary op for `ctx.dtype`: equal shapes, two-way broadcasts, scalars, odd and
 * zero sizes, with values from the op's domains (nonzero divisors, positive pow bases), plus
 * one of special-value pairs (NaN, ±∞, ±0, int32 overflow).
 *
 * @example
 * binaryCases("div", { dtype: "float32", dtypes: ["float32"] })[2].name; // "[3, 1] · [1, 4]"
 */
export function binaryCases(op: OpName, ctx: CaseContext): OpCase[] {
  const [da, db] = DOMAINS[op] ?? ["any", "any"];
  const cases: OpCase[] = SHAPES.map(([a, b], i) => ({
    name: `${fmt(a)} · ${fmt(b)}`,
    inputs: [sample(a, ctx.dtype, da, 2 * i + 1), sample(b, ctx.dtype, db, 2 * i + 2)],
    attrs: {},
  }));
  return [...cases, ...specialBinaryCases(ctx.dtype)];
}
