/** Sample cases of the unary family (one input, same shape out). */
import type { OpName } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import type { Domain } from "../values.js";
import { fmt, sample } from "./helpers.js";
import { specialUnaryCases } from "./special.js";

/** Ops whose input must be positive (log, sqrt, rsqrt) or nonzero (reciprocal). */
const DOMAINS: Partial<Record<string, Domain>> = {
  log: "positive",
  sqrt: "positive",
  rsqrt: "positive",
  reciprocal: "nonzero",
  logicalNot: "coarse",
};

/** Shapes every unary op is tried on: scalar, odd sizes, 3-d, and zero-size ones. */
const SHAPES: readonly (readonly number[])[] = [[], [7], [3, 5], [2, 3, 4], [0], [2, 0, 3]];

/**
 * Cases of a unary op for `ctx.dtype`: one per shape in a scalar / odd-size / 3-d /
 * zero-size set, with values from the op's domain, plus one of special values (NaN, ±∞, ±0,
 * int32 extremes).
 *
 * @example
 * unaryCases("log", { dtype: "float32", dtypes: ["float32"] }).map((c) => c.name);
 * // ["[]", "[7]", "[3, 5]", "[2, 3, 4]", "[0]", "[2, 0, 3]", "special values"]
 */
export function unaryCases(op: OpName, ctx: CaseContext): OpCase[] {
  const domain = DOMAINS[op] ?? "any";
  const cases: OpCase[] = SHAPES.map((shape, i) => ({
    name: fmt(shape),
    inputs: [sample(shape, ctx.dtype, domain, i + 1)],
    attrs: {},
  }));
  return [...cases, ...specialUnaryCases(ctx.dtype)];
}
