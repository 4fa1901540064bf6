/**
 * Special-value cases: NaN, ±∞, signed zeros, a float32 underflow and overflow, and int32
 * values at the edges of the range, where the sampled values never go. They catch kernels
 * that drop NaN (a `max` written with `>`), turn it into 0 (a branchy `relu`), or let int32
 * arithmetic leave the range (a `mul` without `Math.imul`), which ordinary values pass.
 */
import { type DType, isFloatingPoint } from "@tessera/storage";
import type { CaseInput, OpCase } from "../types.js";
import { fixedValues } from "../values.js";

/** Float values every unary op meets: NaN, ±∞, ±0, tiny, ordinary, and near exp's overflow. */
const FLOAT_UNARY = [Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -0, 0, 1e-30, -2.5, 0.5, -100, 100];

/** int32 values at the range's edges (negating −2³¹ wraps to itself). */
const INT_UNARY = [2147483647, -2147483648, -2147483647, 0, -1, 1, 65536, -65536];

/** Pairs for binary ops: NaN on either side, ∞ − ∞, 0/0, x/±0, ∞·0, and ties of signed zeros. */
const FLOAT_PAIRS: readonly (readonly [number, number])[] = [
  [Number.NaN, 1],
  [1, Number.NaN],
  [Number.NaN, Number.NaN],
  [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
  [Number.NEGATIVE_INFINITY, 2],
  [0, 0],
  [-0, 0],
  [3, -0],
  [Number.POSITIVE_INFINITY, 0],
  [-2, Number.POSITIVE_INFINITY],
  [0.5, -3],
];

/** int32 pairs whose sums, differences and products leave the range (they wrap, as in PyTorch). */
const INT_PAIRS: readonly (readonly [number, number])[] = [
  [2147483647, 1],
  [-2147483648, -1],
  [-2147483648, 1],
  [65536, 65536],
  [46341, 46341],
  [-7, 3],
  [2147483647, -2147483648],
  [0, -2147483648],
];

function input(dtype: DType, values: readonly number[]): CaseInput {
  // Kept contiguous in the broadcast variant: every element is a different special value.
  return { shape: [values.length], dtype, values: fixedValues(values), broadcastDims: [] };
}

/**
 * The special-value case of a unary op for `dtype` (floats and int32; none for bool).
 *
 * @example
 * specialUnaryCases("float32").map((c) => c.name); // ["special values"]
 */
export function specialUnaryCases(dtype: DType): OpCase[] {
  if (dtype === "bool") return [];
  const values = isFloatingPoint(dtype) ? FLOAT_UNARY : INT_UNARY;
  return [{ name: "special values", inputs: [input(dtype, values)], attrs: {} }];
}

/**
 * The special-value case of a binary op for `dtype`: the pairs element by element.
 *
 * @example
 * specialBinaryCases("int32")[0].inputs[0].shape; // [8]
 */
export function specialBinaryCases(dtype: DType): OpCase[] {
  if (dtype === "bool") return [];
  const pairs = isFloatingPoint(dtype) ? FLOAT_PAIRS : INT_PAIRS;
  return [{
    name: "special values",
    inputs: [input(dtype, pairs.map((p) => p[0])), input(dtype, pairs.map((p) => p[1]))],
    attrs: {},
  }];
}

/**
 * Special-value rows for a reduction over dim 1 of a `[4, 4]` input: a NaN among numbers, ±∞
 * together, ∞ with numbers, and signed zeros (floats); sums and products that wrap (int32).
 *
 * @example
 * specialReductionRows("float64").length; // 16
 */
export function specialReductionRows(dtype: DType): number[] | null {
  if (dtype === "bool") return null;
  if (isFloatingPoint(dtype)) {
    return [1, Number.NaN, -2, 3, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 2, -0, 0, -5, Number.POSITIVE_INFINITY, -0, -0, -0, -0];
  }
  return [2147483647, 1, 0, 0, -2147483648, -1, 5, 0, 65536, 65536, 1, 1, -3, 7, -2147483648, 2147483647];
}

/** An input of shape `[4, 4]` with `rows` (see {@link specialReductionRows}). */
export function specialReductionInput(dtype: DType, rows: readonly number[]): CaseInput {
  return { shape: [4, 4], dtype, values: fixedValues(rows), broadcastDims: [] };
}
