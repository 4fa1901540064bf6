import { describe, expect, test } from "vitest";
import { DTypeError, TesseraError, slice, transpose } from "@tessera/storage";
import { philox4x32, philoxBlockAt, philoxBlocks } from "../src/index.js";
import { f32, f64, infer, run1, runInto, view } from "./strided-helpers.js";

/** An independent, slow Philox 4x32-10 in BigInt, written from the paper's round function. */
function philoxBigInt(ctr: readonly number[], key: readonly number[]): number[] {
  const M = 0xffffffffn;
  let [c0, c1, c2, c3] = ctr.map(BigInt) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map(BigInt) as [bigint, bigint];
  for (let r = 0; r < 10; r++) {
    const p0 = 0xd2511f53n * c0;
    const p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1 ^ k0, p1 & M, (p0 >> 32n) ^ c3 ^ k1, p0 & M];
    k0 = (k0 + 0x9e3779b9n) & M;
    k1 = (k1 + 0xbb67ae85n) & M;
  }
  return [c0, c1, c2, c3].map(Number);
}

describe("philox4x32", () => {
  // Known-answer tests of Random123 (kat_vectors, philox4x32_10).
  test("counter 0, key 0", () => {
    expect(philox4x32([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });

  test("all ones", () => {
    expect(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([
      0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
    ]);
  });

  test("digits of pi", () => {
    expect(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([
      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
    ]);
  });

  test("agrees with a BigInt implementation on pseudo-random inputs", () => {
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    for (let t = 0; t < 200; t++) {
      const ctr = [next(), next(), next(), next()] as const;
      const key = [next(), next()] as const;
      expect(philox4x32(ctr, key)).toEqual(philoxBigInt(ctr, key));
    }
    expect(philoxBigInt([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });

  test("outputs are unsigned 32-bit integers", () => {
    for (const w of philox4x32([1, 2, 3, 4], [5, 6])) {
      expect(Number.isInteger(w) && w >= 0 && w <= 0xffffffff).toBe(true);
    }
  });
});

describe("stream helpers", () => {
  test("philoxBlocks is ceil(numel / 4)", () => {
    expect([0, 1, 3, 4, 5, 8, 10].map(philoxBlocks)).toEqual([0, 1, 1, 1, 2, 2, 3]);
  });

  test("philoxBlockAt splits the 64-bit counter into low and high words", () => {
    expect(philoxBlockAt([3, 4], 2 ** 32 + 5)).toEqual(philox4x32([5, 1, 0, 0], [3, 4]));
    expect(philoxBlockAt([3, 4], 7)).toEqual(philox4x32([7, 0, 0, 0], [3, 4]));
  });
});

const uniform = (shape: number[], extra: object = {}) => ({ shape, dtype: "float64", key: [0, 0], counter: 0, low: 0, high: 1, ...extra });
const normal = (shape: number[], extra: object = {}) => ({ shape, dtype: "float64", key: [0, 0], counter: 0, mean: 0, std: 1, ...extra });

describe("randomUniform", () => {
  test("element i is word i % 4 of block counter + floor(i / 4), top 24 bits over 2^24", () => {
    // Block 0 under key 0 is the first known-answer vector.
    const out = run1("randomUniform", [], uniform([4]));
    expect(out.values).toEqual([0x6627e8 / 2 ** 24, 0xe169c5 / 2 ** 24, 0xbc57ac / 2 ** 24, 0x9b00db / 2 ** 24]);
  });

  test("shape, counter offset, key and [low, high) scaling", () => {
    const key = [7, 9] as const;
    const out = run1("randomUniform", [], uniform([2, 3], { key, counter: 3, low: -2, high: 4 }));
    const b0 = philox4x32([3, 0, 0, 0], key);
    const b1 = philox4x32([4, 0, 0, 0], key);
    const words = [...b0, b1[0], b1[1]];
    expect(out.shape).toEqual([2, 3]);
    expect(out.values).toEqual(words.map((w) => -2 + 6 * ((w >>> 8) / 2 ** 24)));
  });

  test("float32 stores the float64 value rounded", () => {
    const f = run1("randomUniform", [], uniform([5], { dtype: "float32", low: 1, high: 3 }));
    const d = run1("randomUniform", [], uniform([5], { low: 1, high: 3 }));
    expect(f.dtype).toBe("float32");
    expect(f.values).toEqual(d.values.map(Math.fround));
  });

  test("consecutive counters continue the stream", () => {
    const whole = run1("randomUniform", [], uniform([10], { key: [1, 2], counter: 5 })).values;
    const first = run1("randomUniform", [], uniform([8], { key: [1, 2], counter: 5 })).values;
    const rest = run1("randomUniform", [], uniform([2], { key: [1, 2], counter: 7 })).values;
    expect(whole).toEqual([...first, ...rest]);
  });

  test("a counter above 2^32 uses the high word", () => {
    const c = 2 ** 32 + 1;
    const out = run1("randomUniform", [], uniform([1], { counter: c })).values;
    expect(out).toEqual([(philox4x32([1, 1, 0, 0], [0, 0])[0] >>> 8) / 2 ** 24]);
  });

  test("writes into a strided view in the view's row-major order", () => {
    const flat = run1("randomUniform", [], uniform([3, 2], { key: [11, 0] })).values;
    const base = f64([0, 0, 0, 0, 0, 0], [2, 3]);
    runInto("randomUniform", [], view(base, (l) => transpose(l, 0, 1)), uniform([3, 2], { key: [11, 0] }));
    // view element (i, j) lives at base[j][i]
    expect(Array.from(base.data)).toEqual([flat[0], flat[2], flat[4], flat[1], flat[3], flat[5]]);
    const holes = f32([-1, -1, -1, -1, -1]);
    runInto("randomUniform", [], view(holes, (l) => slice(l, 0, 0, 5, 2)), uniform([3], { dtype: "float32" }));
    expect(holes.data[1]).toBe(-1);
    expect(holes.data[3]).toBe(-1);
    expect(holes.data[0]).toBe(Math.fround(0x6627e8 / 2 ** 24));
  });

  test("statistics of 40000 draws: mean 1/2, variance 1/12, all in [0, 1)", () => {
    const v = run1("randomUniform", [], uniform([40000], { key: [2024, 1] })).values;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.005);
    expect(v.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  test("zero-size", () => {
    expect(run1("randomUniform", [], uniform([0, 3]))).toEqual({ shape: [0, 3], dtype: "float64", values: [] });
  });

  test("errors", () => {
    expect(() => infer("randomUniform", [], uniform([2], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => infer("randomUniform", [], uniform([2], { dtype: "int32" }))).toThrow(/randomUniform: expected dtype float32 or float64, but got int32/);
    expect(() => infer("randomUniform", [], uniform([2], { low: 1, high: 0 }))).toThrow(/randomUniform: .*low=1, high=0/);
    expect(() => infer("randomUniform", [], uniform([2], { key: [-1, 0] }))).toThrow(/randomUniform: key must be two unsigned 32-bit integers/);
    expect(() => infer("randomUniform", [], uniform([2], { counter: -1 }))).toThrow(TesseraError);
    expect(() => infer("randomUniform", [], uniform([8], { counter: Number.MAX_SAFE_INTEGER - 1 }))).toThrow(/counter must be a non-negative safe integer with room for 2 blocks/);
  });
});

describe("randomNormal", () => {
  test("Box–Muller on word pairs of the first known-answer block", () => {
    const w = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];
    const z = (even: number, odd: number, cos: boolean) => {
      const u1 = ((even >>> 8) + 1) / 16777216;
      const u2 = (odd >>> 8) / 16777216;
      const r = Math.sqrt(-2 * Math.log(u1));
      return cos ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
    };
    const expected = [z(w[0]!, w[1]!, true), z(w[0]!, w[1]!, false), z(w[2]!, w[3]!, true), z(w[2]!, w[3]!, false)];
    expect(run1("randomNormal", [], normal([4])).values).toEqual(expected);
    expect(run1("randomNormal", [], normal([4], { mean: 3, std: 0.5 })).values).toEqual(expected.map((v) => 3 + 0.5 * v));
  });

  test("an odd count uses the first lane of the last block only", () => {
    const five = run1("randomNormal", [], normal([5], { key: [4, 4] })).values;
    const eight = run1("randomNormal", [], normal([8], { key: [4, 4] })).values;
    expect(five).toEqual(eight.slice(0, 5));
  });

  test("std 0 gives the mean; float32 rounds", () => {
    expect(run1("randomNormal", [], normal([3], { mean: 0.1, std: 0, dtype: "float32" })).values).toEqual([
      Math.fround(0.1),
      Math.fround(0.1),
      Math.fround(0.1),
    ]);
  });

  test("statistics of 40000 draws: mean 0, std 1, finite", () => {
    const v = run1("randomNormal", [], normal([40000], { key: [99, 7] })).values;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    expect(v.every(Number.isFinite)).toBe(true);
  });

  test("errors", () => {
    expect(() => infer("randomNormal", [], normal([2], { std: -1 }))).toThrow(/randomNormal: expects a finite mean and a finite std >= 0, but got mean=0, std=-1/);
    expect(() => infer("randomNormal", [], normal([2], { dtype: "bool" }))).toThrow(/randomNormal: expected dtype float32 or float64, but got bool/);
    expect(() => infer("randomNormal", [], normal([-2]))).toThrow(/randomNormal: invalid shape \[-2\]/);
  });
});
