import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, slice, transpose } from "@tessera/storage";
import { erf, roundHalfEven } from "../src/index.js";
import { bool, f32, f64, i32, infer, run1, runInto, view } from "./strided-helpers.js";

describe("erf", () => {
  // Reference values (Abramowitz & Stegun / mpmath), correct to the last digit shown.
  const known: [number, number][] = [
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3.5, 0.9999992569016276],
    [0.1, 0.1124629160182849],
    [2.9, 0.9999589021219005],
    [3, 0.9999779095030014],
  ];

  test.each(known)("erf(%d) matches the known value to ~1e-15", (x, want) => {
    expect(Math.abs(erf(x) - want) / want).toBeLessThan(2e-15);
    expect(Math.abs(erf(-x) + want) / want).toBeLessThan(2e-15);
  });

  test("special values", () => {
    expect(erf(0)).toBe(0);
    expect(erf(30)).toBe(1);
    expect(erf(-30)).toBe(-1);
    expect(erf(Infinity)).toBe(1);
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });

  test("the erf op applies it elementwise on float64", () => {
    const out = run1("erf", [f64([0.5, -1, 2])]);
    expect(out.dtype).toBe("float64");
    expect(out.values[0]).toBeCloseTo(0.5204998778130465, 15);
    expect(out.values[1]).toBeCloseTo(-0.8427007929497149, 15);
    expect(out.values[2]).toBeCloseTo(0.9953222650189527, 15);
  });
});

describe("round", () => {
  test("rounds half to even, like torch.round", () => {
    expect(run1("round", [f64([0.5, 1.5, 2.5, 3.5, -1.5, -2.5, 2.4, 2.6, -2.6])]).values).toEqual([
      0, 2, 2, 4, -2, -2, 2, 3, -3,
    ]);
    expect(roundHalfEven(Infinity)).toBe(Infinity);
    expect(Number.isNaN(roundHalfEven(NaN))).toBe(true);
  });

  test("is the identity on int32", () => {
    expect(run1("round", [i32([-3, 0, 7])]).values).toEqual([-3, 0, 7]);
  });
});

describe("elementwise values", () => {
  test("neg, abs, sign keep the dtype; sign of NaN is 0 and of -0 is +0, as PyTorch's", () => {
    expect(run1("neg", [i32([1, -2, 0])])).toEqual({ shape: [3], dtype: "int32", values: [-1, 2, 0] });
    expect(run1("abs", [f32([-1.5, 2, -0])]).values).toEqual([1.5, 2, 0]);
    const s = run1("sign", [f64([-3, 0, 5, NaN, -0, -Infinity])]).values;
    expect(s).toEqual([-1, 0, 1, 0, 0, -1]);
    expect(Object.is(s[4], 0)).toBe(true);
  });

  test("relu zeroes negatives and keeps NaN", () => {
    const r = run1("relu", [f64([-1, 0, 2.5, NaN])]).values;
    expect(r.slice(0, 3)).toEqual([0, 0, 2.5]);
    expect(Number.isNaN(r[3])).toBe(true);
    expect(run1("relu", [i32([-4, 4])]).values).toEqual([0, 4]);
  });

  test("exp, log, sqrt, rsqrt, reciprocal, sigmoid, tanh", () => {
    expect(run1("exp", [f64([0, 1])]).values).toEqual([1, Math.E]);
    expect(run1("log", [f64([1, 0, -1])]).values.slice(0, 2)).toEqual([0, -Infinity]);
    expect(Number.isNaN(run1("log", [f64([-1])]).values[0])).toBe(true);
    expect(run1("sqrt", [f64([4, 2.25])]).values).toEqual([2, 1.5]);
    expect(run1("rsqrt", [f64([4, 0])]).values).toEqual([0.5, Infinity]);
    expect(run1("reciprocal", [f64([4, -0.5])]).values).toEqual([0.25, -2]);
    expect(run1("sigmoid", [f64([0, 1000, -1000])]).values).toEqual([0.5, 1, 0]);
    expect(run1("sigmoid", [f64([2])]).values[0]).toBeCloseTo(0.8807970779778823, 15);
    expect(run1("tanh", [f64([0, 1])]).values).toEqual([0, Math.tanh(1)]);
  });

  test("float32 outputs are rounded to float32", () => {
    expect(run1("exp", [f32([1])]).values).toEqual([Math.fround(Math.E)]);
  });

  test("floor and ceil", () => {
    expect(run1("floor", [f64([-1.5, 1.5])]).values).toEqual([-2, 1]);
    expect(run1("ceil", [f64([-1.5, 1.5])]).values).toEqual([-1, 2]);
  });

  test("logicalNot gives bool for any dtype; NaN is truthy", () => {
    expect(run1("logicalNot", [f64([0, 2, NaN])])).toEqual({ shape: [3], dtype: "bool", values: [1, 0, 0] });
    expect(run1("logicalNot", [bool([1, 0])]).values).toEqual([0, 1]);
  });
});

describe("layouts", () => {
  test("reads a transposed input in its logical order", () => {
    const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const out = run1("neg", [view(x, (l) => transpose(l, 0, 1))]);
    expect(out.shape).toEqual([3, 2]);
    expect(out.values).toEqual([-1, -4, -2, -5, -3, -6]);
  });

  test("reads a stepped slice", () => {
    const x = f64([0, 1, 2, 3, 4, 5, 6]);
    expect(run1("abs", [view(x, (l) => slice(l, 0, 1, 7, 3))]).values).toEqual([1, 4]);
  });

  test("writes into a strided output view and leaves the rest of the storage alone", () => {
    const out = f64([9, 9, 9, 9, 9, 9], [2, 3]);
    const column = view(out, (l) => slice(l, 1, 1, 2)); // shape [2, 1]
    runInto("neg", [f64([1, 2], [2, 1])], column);
    expect(Array.from(out.data)).toEqual([9, -1, 9, 9, -2, 9]);
  });

  test("zero-size input gives zero-size output", () => {
    const out = run1("exp", [f32([], [0, 3])]);
    expect(out).toEqual({ shape: [0, 3], dtype: "float32", values: [] });
  });

  test("0-d input", () => {
    expect(run1("neg", [f64([2], [])])).toEqual({ shape: [], dtype: "float64", values: [-2] });
  });
});

describe("errors", () => {
  test("float-only ops reject int32 and bool with a DTypeError naming the op", () => {
    expect(() => infer("exp", [{ shape: [2], dtype: "int32" }])).toThrow(DTypeError);
    expect(() => infer("exp", [{ shape: [2], dtype: "int32" }])).toThrow(/exp.*floating point.*int32/);
    expect(() => infer("erf", [{ shape: [2], dtype: "bool" }])).toThrow(/erf.*bool/);
  });

  test("numeric ops reject bool", () => {
    expect(() => infer("neg", [{ shape: [2], dtype: "bool" }])).toThrow(/neg: not supported for bool/);
  });

  test("reference rejects an output of the wrong shape", () => {
    expect(() => runInto("neg", [f64([1, 2])], f64([0, 0, 0]))).toThrow(ShapeError);
    expect(() => runInto("neg", [f64([1, 2])], f64([0, 0, 0]))).toThrow(/neg: output has shape \[3\].*\[2\]/);
  });

  test("infer keeps shapes and dtypes", () => {
    expect(infer("sqrt", [{ shape: [2, 0], dtype: "float32" }])).toEqual([{ shape: [2, 0], dtype: "float32" }]);
    expect(infer("logicalNot", [{ shape: [4], dtype: "int32" }])).toEqual([{ shape: [4], dtype: "bool" }]);
  });
});

