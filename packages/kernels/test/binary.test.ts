import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, expand, slice, transpose } from "@tessera/storage";
import { bool, f32, f64, i32, infer, run1, runInto, view } from "./strided-helpers.js";

describe("arithmetic", () => {
  test("add, sub, mul, div, pow on float64", () => {
    const a = f64([1, 2, 3]);
    const b = f64([4, 0.5, -2]);
    expect(run1("add", [a, b]).values).toEqual([5, 2.5, 1]);
    expect(run1("sub", [a, b]).values).toEqual([-3, 1.5, 5]);
    expect(run1("mul", [a, b]).values).toEqual([4, 1, -6]);
    expect(run1("div", [a, b]).values).toEqual([0.25, 4, -1.5]);
    expect(run1("pow", [a, b]).values).toEqual([1, Math.SQRT2, 1 / 9]);
  });

  test("div by zero follows IEEE", () => {
    const out = run1("div", [f64([1, -1, 0]), f64([0, 0, 0])]).values;
    expect(out.slice(0, 2)).toEqual([Infinity, -Infinity]);
    expect(Number.isNaN(out[2])).toBe(true);
  });

  test("int32 add and mul wrap modulo 2^32", () => {
    expect(run1("mul", [i32([65536, 2147483647, 46341, -7]), i32([65536, 2, 46341, 6])])).toEqual({
      shape: [4],
      dtype: "int32",
      values: [0, -2, 46341 * 46341 - 2 ** 32, -42],
    });
    expect(run1("add", [i32([2147483647]), i32([1])]).values).toEqual([-2147483648]);
  });

  test("float32 results round to float32", () => {
    expect(run1("add", [f32([0.1]), f32([0.2])]).values).toEqual([Math.fround(Math.fround(0.1) + Math.fround(0.2))]);
  });
});

describe("maximum / minimum", () => {
  test("pick elementwise and propagate NaN from either side", () => {
    const a = f64([1, NaN, 3, 5]);
    const b = f64([2, 1, NaN, 4]);
    const mx = run1("maximum", [a, b]).values;
    const mn = run1("minimum", [a, b]).values;
    expect(mx[0]).toBe(2);
    expect(Number.isNaN(mx[1])).toBe(true);
    expect(Number.isNaN(mx[2])).toBe(true);
    expect(mx[3]).toBe(5);
    expect(mn[0]).toBe(1);
    expect(Number.isNaN(mn[1])).toBe(true);
    expect(Number.isNaN(mn[2])).toBe(true);
    expect(mn[3]).toBe(4);
  });

  test("work on int32", () => {
    expect(run1("maximum", [i32([-1, 7]), i32([3, 2])]).values).toEqual([3, 7]);
  });
});

describe("comparisons and logic", () => {
  test("comparisons return bool; NaN compares unequal", () => {
    const a = f64([1, 2, NaN]);
    const b = f64([2, 2, NaN]);
    expect(run1("eq", [a, b])).toEqual({ shape: [3], dtype: "bool", values: [0, 1, 0] });
    expect(run1("ne", [a, b]).values).toEqual([1, 0, 1]);
    expect(run1("lt", [a, b]).values).toEqual([1, 0, 0]);
    expect(run1("le", [a, b]).values).toEqual([1, 1, 0]);
    expect(run1("gt", [a, b]).values).toEqual([0, 0, 0]);
    expect(run1("ge", [a, b]).values).toEqual([0, 1, 0]);
  });

  test("logicalAnd / logicalOr treat nonzero (and NaN) as true", () => {
    const a = f64([0, 0, 3, NaN]);
    const b = f64([0, -1, 2, 0]);
    expect(run1("logicalAnd", [a, b]).values).toEqual([0, 0, 1, 0]);
    expect(run1("logicalOr", [a, b])).toEqual({ shape: [4], dtype: "bool", values: [0, 1, 1, 1] });
    expect(run1("logicalAnd", [bool([1, 1]), bool([1, 0])]).values).toEqual([1, 0]);
  });
});

describe("broadcasting and layouts", () => {
  test("[2, 1] + [3] → [2, 3]", () => {
    const out = run1("add", [f64([10, 20], [2, 1]), f64([1, 2, 3])]);
    expect(out.shape).toEqual([2, 3]);
    expect(out.values).toEqual([11, 12, 13, 21, 22, 23]);
  });

  test("0-d with 1-d", () => {
    expect(run1("mul", [f64([2], []), f64([1, 2, 3])]).values).toEqual([2, 4, 6]);
  });

  test("stride-0 (expanded) input", () => {
    const row = view(f64([1, 2, 3]), (l) => expand(l, [2, 3]));
    const out = run1("sub", [row, f64([1, 1, 1, 2, 2, 2], [2, 3])]);
    expect(out.values).toEqual([0, 1, 2, -1, 0, 1]);
  });

  test("transposed and stepped inputs", () => {
    const a = view(f64([1, 2, 3, 4, 5, 6], [2, 3]), (l) => transpose(l, 0, 1)); // [[1,4],[2,5],[3,6]]
    const b = view(f64([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], [6, 2]), (l) => slice(l, 0, 0, 6, 2)); // [[0,10],[40,50],[80,90]]
    expect(run1("add", [a, b]).values).toEqual([1, 14, 42, 55, 83, 96]);
  });

  test("writes into a transposed output view", () => {
    const out = f64([0, 0, 0, 0], [2, 2]);
    runInto("add", [f64([1, 2, 3, 4], [2, 2]), f64([10], [])], view(out, (l) => transpose(l, 0, 1)));
    expect(Array.from(out.data)).toEqual([11, 13, 12, 14]);
  });

  test("zero-size broadcast", () => {
    expect(run1("add", [f64([], [0, 3]), f64([1, 2, 3])])).toEqual({ shape: [0, 3], dtype: "float64", values: [] });
    expect(infer("add", [{ shape: [0, 1], dtype: "float32" }, { shape: [1, 4], dtype: "float32" }])).toEqual([
      { shape: [0, 4], dtype: "float32" },
    ]);
  });
});

describe("errors", () => {
  test("mismatched dtypes", () => {
    const run = () => infer("add", [{ shape: [2], dtype: "float32" }, { shape: [2], dtype: "int32" }]);
    expect(run).toThrow(DTypeError);
    expect(run).toThrow(/add: expected input and other to have the same dtype, but got float32 and int32/);
  });

  test("float-only ops reject int32; numeric ops reject bool", () => {
    expect(() => infer("div", [{ shape: [2], dtype: "int32" }, { shape: [2], dtype: "int32" }])).toThrow(/div.*floating point.*int32/);
    expect(() => infer("add", [{ shape: [2], dtype: "bool" }, { shape: [2], dtype: "bool" }])).toThrow(/add: not supported for bool/);
  });

  test("shapes that do not broadcast name both shapes", () => {
    const run = () => infer("mul", [{ shape: [2, 3], dtype: "float32" }, { shape: [4], dtype: "float32" }]);
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/mul: .*\[2, 3\] and \[4\] cannot be broadcast/);
  });

  test("comparison of bool inputs is allowed and gives bool", () => {
    expect(infer("eq", [{ shape: [2], dtype: "bool" }, { shape: [2], dtype: "bool" }])).toEqual([{ shape: [2], dtype: "bool" }]);
  });
});
