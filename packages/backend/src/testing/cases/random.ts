/** Sample cases of the random family (Philox 4x32-10): `randomUniform`, `randomNormal`. */
import type { OpName, RandomNormalAttrs, RandomUniformAttrs } from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import { fmt } from "./helpers.js";

/**
 * (shape, key, counter): odd sizes (a partly used last block), a counter that crosses
 * 2³² (the high counter word), a large safe counter, and an empty tensor.
 */
const STREAMS: readonly (readonly [readonly number[], readonly [number, number], number])[] = [
  [[7], [42, 0], 0],
  [[3, 5], [0xdeadbeef, 0x12345678], 5],
  [[2, 3, 4], [1, 2], 0xffff_fffe],
  [[5], [7, 0xffffffff], 2 ** 40 + 3],
  [[0, 3], [42, 0], 0],
];

/** (low, high) ranges for `randomUniform`. */
const RANGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [-2, 3],
];

/** (mean, std) pairs for `randomNormal`. */
const MOMENTS: readonly (readonly [number, number])[] = [
  [0, 1],
  [1.5, 0.5],
];

/**
 * Cases of the random ops producing `ctx.dtype`, compared bit-for-bit-ish with the
 * reference stream for the same key and counter.
 *
 * @example
 * randomCases("randomNormal", { dtype: "float32", dtypes: ["float32"] }).length; // 5
 */
export function randomCases(op: OpName, ctx: CaseContext): OpCase[] {
  const dtype = ctx.dtype;
  const cases: OpCase[] = [];
  STREAMS.forEach(([shape, key, counter], i) => {
    const stream = `${fmt(shape)} key [${key.join(", ")}] counter ${counter}`;
    if (op === "randomUniform") {
      const [low, high] = RANGES[i % RANGES.length]!;
      const attrs: RandomUniformAttrs = { shape, dtype, key, counter, low, high };
      cases.push({ name: `${stream} [${low}, ${high})`, inputs: [], attrs });
    } else if (op === "randomNormal") {
      const [mean, std] = MOMENTS[i % MOMENTS.length]!;
      const attrs: RandomNormalAttrs = { shape, dtype, key, counter, mean, std };
      cases.push({ name: `${stream} mean ${mean} std ${std}`, inputs: [], attrs });
    }
  });
  return cases;
}
