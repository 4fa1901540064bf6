/**
 * Deterministic sample values for the conformance cases: a counter-based hash (no
 * `Math.random`), so every run and every backend sees the same inputs. Float values are small
 * multiples of 1/8 — exact in float32, so sums and dot products of them are exact and a
 * backend's summation order cannot make it miss the tolerance.
 */
import type { DType } from "@tessera/storage";

/**
 * Makes `count` values for one input; called lazily, inside the test.
 *
 * @example
 * const ramp: ValuesFn = (count) => Array.from({ length: count }, (_, i) => i / 8);
 */
export type ValuesFn = (count: number) => number[];

/**
 * The kind of values an input needs.
 *
 * - `any`: floats in [-4, 4] (step 1/8), ints in [-8, 8], bools 0/1.
 * - `positive`: floats in [1/8, 4], ints in [1, 8] (for log, sqrt, rsqrt, pow bases).
 * - `nonzero`: like `any` without 0 (for reciprocal and divisors).
 * - `unit`: magnitudes in [1/2, 2] with either sign, ints in ±[1, 2] (products stay in range).
 * - `coarse`: few distinct values with many repeats (floats in [-2, 2] step 1/2, ints in
 *   [-2, 2]), so comparisons see ties and logical ops see zeros.
 * - `distinct`: pairwise different values (for argmax/argmin and max pooling without ties).
 * - `exponent`: floats in [-2, 2] step 1/4.
 *
 * @example
 * const divisor = sampleValues("float32", "nonzero" satisfies Domain);
 */
export type Domain = "any" | "positive" | "nonzero" | "unit" | "coarse" | "distinct" | "exponent";

/**
 * A 32-bit hash of `(seed, i)` (a murmur3-style finalizer over a Weyl sequence). Unsigned.
 *
 * @example
 * hash32(1, 0) === hash32(1, 0); // true: same inputs, same value, every run
 */
export function hash32(seed: number, i: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An integer in [lo, hi] picked by `hash32(seed, i)`. */
function pick(seed: number, i: number, lo: number, hi: number): number {
  return lo + (hash32(seed, i) % (hi - lo + 1));
}

/**
 * A generator of `count` values of `dtype` from `domain`, deterministic in `seed`.
 *
 * @example
 * const positive = sampleValues("float32", "positive", 7);
 * positive(3); // e.g. [2.375, 0.5, 3.125] — the same on every run
 */
export function sampleValues(dtype: DType, domain: Domain = "any", seed = 1): ValuesFn {
  return (count) => {
    const out = new Array<number>(count);
    if (domain === "distinct") {
      // A permutation of 0 … count-1 (ranks of the hashes), centred on 0.
      const order = Array.from({ length: count }, (_, i) => i).sort(
        (a, b) => hash32(seed, a) - hash32(seed, b) || a - b,
      );
      const rank = new Array<number>(count);
      order.forEach((idx, r) => (rank[idx] = r));
      for (let i = 0; i < count; i++) {
        const centred = rank[i]! - Math.floor(count / 2);
        out[i] = dtype === "bool" ? (centred > 0 ? 1 : 0) : dtype === "int32" ? centred : centred / 8;
      }
      return out;
    }
    for (let i = 0; i < count; i++) {
      if (dtype === "bool") {
        out[i] = domain === "positive" || domain === "nonzero" || domain === "unit" ? 1 : hash32(seed, i) & 1;
        continue;
      }
      const int = dtype === "int32";
      switch (domain) {
        case "any":
          out[i] = int ? pick(seed, i, -8, 8) : pick(seed, i, -32, 32) / 8;
          break;
        case "positive":
          out[i] = int ? pick(seed, i, 1, 8) : pick(seed, i, 1, 32) / 8;
          break;
        case "nonzero": {
          const mag = int ? pick(seed, i, 1, 8) : pick(seed, i, 1, 32) / 8;
          out[i] = (hash32(seed + 7919, i) & 1) === 0 ? mag : -mag;
          break;
        }
        case "unit": {
          const mag = int ? pick(seed, i, 1, 2) : pick(seed, i, 4, 16) / 8;
          out[i] = (hash32(seed + 7919, i) & 1) === 0 ? mag : -mag;
          break;
        }
        case "coarse":
          out[i] = int ? pick(seed, i, -2, 2) : pick(seed, i, -4, 4) / 2;
          break;
        case "exponent":
          out[i] = int ? pick(seed, i, 0, 3) : pick(seed, i, -8, 8) / 4;
          break;
      }
    }
    return out;
  };
}

/**
 * `count` int32 indices in `[0, high)`, deterministic in `seed` (for gather, scatterAdd,
 * indexSelect).
 *
 * @example
 * sampleIndices(4, 3)(5); // five indices, each 0 … 3
 */
export function sampleIndices(high: number, seed = 1): ValuesFn {
  return (count) => Array.from({ length: count }, (_, i) => (high <= 0 ? 0 : hash32(seed, i) % high));
}

/**
 * Fixed values, repeated or cut to the requested count.
 *
 * @example
 * fixedValues([1, 0])(5); // [1, 0, 1, 0, 1]
 */
export function fixedValues(values: readonly number[]): ValuesFn {
  return (count) => Array.from({ length: count }, (_, i) => (values.length === 0 ? 0 : values[i % values.length]!));
}
