/** Sample cases of `matmul` (batched, with broadcast batch dims). */
import type { OpName } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import { fmt, sample } from "./helpers.js";

/** (input, other) shapes: square-ish, odd sizes, 1×1, batched, batch-broadcast, and K = 0. */
const SHAPES: readonly (readonly [readonly number[], readonly number[]])[] = [
  [[2, 3], [3, 4]],
  [[5, 7], [7, 3]],
  [[1, 1], [1, 1]],
  [[3, 1], [1, 5]],
  [[2, 3, 4], [4, 5]],
  [[3, 2, 5], [3, 5, 1]],
  [[2, 1, 3, 4], [3, 4, 2]],
  [[4, 3], [2, 3, 2]],
  [[0, 3], [3, 4]],
  [[2, 0], [0, 3]],
  [[0, 2, 3], [3, 2]],
];

/**
 * Cases of `matmul` for `ctx.dtype`: odd sizes, batches, broadcast batch dims on either
 * side, and zero sizes (`K = 0` gives zeros).
 *
 * @example
 * matmulCases("matmul", { dtype: "float32", dtypes: ["float32"] })[6].name; // "[2, 1, 3, 4] @ [3, 4, 2]"
 */
export function matmulCases(op: OpName, ctx: CaseContext): OpCase[] {
  if (op !== "matmul") return [];
  return SHAPES.map(([a, b], i) => ({
    name: `${fmt(a)} @ ${fmt(b)}`,
    inputs: [sample(a, ctx.dtype, "any", 2 * i + 1), sample(b, ctx.dtype, "any", 2 * i + 2)],
    attrs: {},
  }));
}
