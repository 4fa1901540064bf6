/** Small helpers shared by the case files. */
import type { DType } from "@tessera/storage";
import type { CaseInput } from "../types.js";
import { type Domain, sampleValues } from "../values.js";

/**
 * An input of `shape` and `dtype` with values from `domain`; `seed` makes inputs of one case
 * differ.
 *
 * @example
 * sample([2, 3], "float32", "positive", 2)
 */
export function sample(shape: readonly number[], dtype: DType, domain: Domain = "any", seed = 1): CaseInput {
  return { shape, dtype, values: sampleValues(dtype, domain, seed + 101 * shape.length + 7 * shape.reduce((a, b) => a + b, 0)) };
}

/**
 * `[2, 3]`-style text for case names.
 *
 * @example
 * fmt([2, 3]); // "[2, 3]"
 */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
