/**
 * Random tensors from the Philox 4x32-10 stream defined in `philox.ts`: `randomUniform` and
 * `randomNormal`. They take no inputs; the generator state (key and counter) comes in the
 * attributes, so the ops are pure functions and every backend reproduces them exactly.
 */
import { DTypeError, TesseraError, assertDType, checkShape, numel } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { forEachOffset } from "../strided.js";
import { philoxBlockAt, philoxBlocks } from "../philox.js";
import type { PhiloxAttrs, RandomNormalAttrs, RandomUniformAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** 2⁻²⁴: turns the top 24 bits of a word into a float in [0, 1). */
const TWO_POW_MINUS_24 = 1 / 16777216;

/** Throws unless the Philox attributes (shape, dtype, key, counter) are usable. */
function checkPhiloxAttrs(op: string, attrs: PhiloxAttrs): void {
  checkShape(attrs.shape, op);
  assertDType(attrs.dtype, op);
  if (attrs.dtype !== "float32" && attrs.dtype !== "float64") {
    throw new DTypeError(`${op}: expected dtype float32 or float64, but got ${attrs.dtype}. Draw floats and cast, e.g. .to("int32").`);
  }
  const [k0, k1] = attrs.key;
  const isWord = (w: number) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff;
  if (attrs.key.length !== 2 || !isWord(k0) || !isWord(k1)) {
    throw new TesseraError(`${op}: key must be two unsigned 32-bit integers, but got [${attrs.key.join(", ")}].`);
  }
  const blocks = philoxBlocks(numel(attrs.shape));
  if (!Number.isSafeInteger(attrs.counter) || attrs.counter < 0 || attrs.counter + blocks > Number.MAX_SAFE_INTEGER) {
    throw new TesseraError(
      `${op}: counter must be a non-negative safe integer with room for ${blocks} blocks, but got ${attrs.counter}. Reseed the generator (manualSeed) to reset its counter.`,
    );
  }
}

/**
 * Calls `write` for each element `i` of the output (row-major) with the Philox block it
 * draws from (`counter + floor(i / 4)`) and its lane `i % 4` in that block.
 */
function forEachDraw(
  out: StridedArray,
  attrs: PhiloxAttrs,
  write: (block: readonly number[], lane: number, offset: number) => void,
): void {
  let block: readonly number[] = [];
  forEachOffset(out.layout.shape, [out.layout], (o, i) => {
    const lane = i % 4;
    if (lane === 0) block = philoxBlockAt(attrs.key, attrs.counter + Math.floor(i / 4));
    write(block, lane, o[0]!);
  });
}

/**
 * `randomUniform`: a tensor of `attrs.shape` and `attrs.dtype` (float32 or float64) with
 * values `low + (high − low) · u`, `u = (word >>> 8) · 2⁻²⁴` in [0, 1), from the Philox stream
 * at `attrs.key` / `attrs.counter` (see `philox.ts` for the exact definition). Consumes
 * `philoxBlocks(numel)` counters. The output may be a strided view (`uniform_`); element
 * `i` is the view's `i`-th element in row-major order.
 *
 * @example
 * randomOps.randomUniform.infer([], { shape: [2, 3], dtype: "float32", key: [42, 0], counter: 0, low: 0, high: 1 });
 * // → [{ shape: [2, 3], dtype: "float32" }]
 */
const randomUniform: OpSchema<RandomUniformAttrs> = {
  name: "randomUniform",
  family: "random",
  inputs: [],
  outputs: 1,
  stridedOutput: true,
  infer(_inputs: readonly TensorMeta[], attrs: RandomUniformAttrs): TensorMeta[] {
    checkUniformAttrs(attrs);
    return [{ shape: attrs.shape.slice(), dtype: attrs.dtype }];
  },
  reference(_inputs: readonly StridedArray[], [out]: readonly StridedArray[], attrs: RandomUniformAttrs): void {
    checkUniformAttrs(attrs);
    checkElementwiseOutput("randomUniform", out!, attrs.shape);
    const { low, high } = attrs;
    const dst = out!.data;
    forEachDraw(out!, attrs, (block, lane, o) => {
      const u = (block[lane]! >>> 8) * TWO_POW_MINUS_24;
      dst[o] = low + (high - low) * u;
    });
  },
};

function checkUniformAttrs(attrs: RandomUniformAttrs): void {
  checkPhiloxAttrs("randomUniform", attrs);
  if (!Number.isFinite(attrs.low) || !Number.isFinite(attrs.high) || attrs.low > attrs.high) {
    throw new TesseraError(
      `randomUniform: expects a [low, high) range with finite low <= high, but got low=${attrs.low}, high=${attrs.high}. Swap them if reversed.`,
    );
  }
}

function checkNormalAttrs(attrs: RandomNormalAttrs): void {
  checkPhiloxAttrs("randomNormal", attrs);
  if (!Number.isFinite(attrs.mean) || !Number.isFinite(attrs.std) || attrs.std < 0) {
    throw new TesseraError(
      `randomNormal: expects a finite mean and a finite std >= 0, but got mean=${attrs.mean}, std=${attrs.std}.`,
    );
  }
}

/**
 * `randomNormal`: a tensor of `attrs.shape` and `attrs.dtype` (float32 or float64) with values
 * `mean + std · z`, z standard normal by Box–Muller on word pairs (w0, w1) and (w2, w3) of
 * each Philox block (even lane: `r·cos(2π u2)`, odd lane: `r·sin(2π u2)`; see `philox.ts`).
 * Consumes `philoxBlocks(numel)` counters. The output may be a strided view (`normal_`).
 *
 * @example
 * randomOps.randomNormal.infer([], { shape: [4], dtype: "float64", key: [42, 0], counter: 0, mean: 0, std: 1 });
 * // → [{ shape: [4], dtype: "float64" }]
 */
const randomNormal: OpSchema<RandomNormalAttrs> = {
  name: "randomNormal",
  family: "random",
  inputs: [],
  outputs: 1,
  stridedOutput: true,
  infer(_inputs: readonly TensorMeta[], attrs: RandomNormalAttrs): TensorMeta[] {
    checkNormalAttrs(attrs);
    return [{ shape: attrs.shape.slice(), dtype: attrs.dtype }];
  },
  reference(_inputs: readonly StridedArray[], [out]: readonly StridedArray[], attrs: RandomNormalAttrs): void {
    checkNormalAttrs(attrs);
    checkElementwiseOutput("randomNormal", out!, attrs.shape);
    const { mean, std } = attrs;
    const dst = out!.data;
    forEachDraw(out!, attrs, (block, lane, o) => {
      const even = lane - (lane % 2);
      const u1 = ((block[even]! >>> 8) + 1) * TWO_POW_MINUS_24;
      const u2 = (block[even + 1]! >>> 8) * TWO_POW_MINUS_24;
      const r = Math.sqrt(-2 * Math.log(u1));
      const z = lane % 2 === 0 ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
      dst[o] = mean + std * z;
    });
  },
};

/** The random family, keyed by op name. */
export const randomOps = { randomUniform, randomNormal } satisfies Record<string, OpSchema<any>>;
