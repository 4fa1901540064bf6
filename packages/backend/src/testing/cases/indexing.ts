/** Sample cases of the indexing family: `gather`, `scatterAdd`, `indexSelect` (int32 indices). */
import type { DimAttrs, OpName } from "@tessera/kernels";
import type { CaseContext, CaseInput, OpCase } from "../types.js";
import { sampleIndices } from "../values.js";
import { fmt, sample } from "./helpers.js";

/** An int32 index input of `shape` with values in `[0, high)`. */
function indices(shape: readonly number[], high: number, seed: number): CaseInput {
  return { shape, dtype: "int32", values: sampleIndices(high, seed) };
}

/** (input, index, dim) for `gather`; index sizes may exceed the input's along `dim`. */
const GATHER: readonly (readonly [readonly number[], readonly number[], number])[] = [
  [[4, 5], [3, 5], 0],
  [[4, 5], [4, 2], 1],
  [[3, 4], [2, 3], 0],
  [[2, 3, 4], [2, 3, 6], 2],
  [[5], [7], 0],
  [[3, 4], [0, 4], 0],
  [[0, 3], [0, 3], 0],
];

/** (input, index, src, dim) for `scatterAdd`; repeated indices accumulate. */
const SCATTER: readonly (readonly [readonly number[], readonly number[], readonly number[], number])[] = [
  [[4, 5], [3, 5], [3, 5], 0],
  [[4, 5], [4, 3], [4, 6], 1],
  [[2, 3, 4], [2, 3, 4], [2, 3, 4], 1],
  [[6], [9], [9], 0],
  [[3, 2], [0, 2], [0, 2], 0],
  [[0, 3], [0, 3], [0, 3], 0],
];

/** (input, index, dim) for `indexSelect`; the index is 1-D or 0-d. */
const SELECT: readonly (readonly [readonly number[], readonly number[], number])[] = [
  [[4, 5], [3], 0],
  [[4, 5], [6], 1],
  [[2, 3, 4], [5], 2],
  [[5], [], 0],
  [[4, 5], [0], 0],
  [[0, 3], [2], 1],
];

/**
 * Cases of the indexing ops for `ctx.dtype` (the dtype of `input`/`src`), with valid
 * in-range int32 indices, repeats included.
 *
 * @example
 * indexingCases("gather", { dtype: "float32", dtypes: ["float32", "int32"] })[0].name;
 * // "input [4, 5] index [3, 5] dim 0"
 */
export function indexingCases(op: OpName, ctx: CaseContext): OpCase[] {
  const dtype = ctx.dtype;
  const size = (shape: readonly number[], dim: number) => (shape.length === 0 ? 1 : shape[dim]!);
  if (op === "gather") {
    return GATHER.map(([x, index, dim], i) => {
      const attrs: DimAttrs = { dim };
      return {
        name: `input ${fmt(x)} index ${fmt(index)} dim ${dim}`,
        inputs: [sample(x, dtype, "any", 2 * i + 1), indices(index, size(x, dim), 2 * i + 2)],
        attrs,
      };
    });
  }
  if (op === "scatterAdd") {
    return SCATTER.map(([x, index, src, dim], i) => {
      const attrs: DimAttrs = { dim };
      return {
        name: `input ${fmt(x)} index ${fmt(index)} src ${fmt(src)} dim ${dim}`,
        inputs: [sample(x, dtype, "any", 3 * i + 1), indices(index, size(x, dim), 3 * i + 2), sample(src, dtype, "any", 3 * i + 3)],
        attrs,
      };
    });
  }
  if (op === "indexSelect") {
    return SELECT.map(([x, index, dim], i) => {
      const attrs: DimAttrs = { dim };
      return {
        name: `input ${fmt(x)} index ${fmt(index)} dim ${dim}`,
        inputs: [sample(x, dtype, "any", 2 * i + 1), indices(index, size(x, dim), 2 * i + 2)],
        attrs,
      };
    });
  }
  return [];
}
