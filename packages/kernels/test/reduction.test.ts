import { describe, expect, test } from "vitest";
import { ShapeError, expand, slice, transpose } from "@tessera/storage";
import { bool, f32, f64, i32, infer, run1, view } from "./strided-helpers.js";

// x = [[1, 2, 3],
//      [4, 5, 6]]
const x = () => f64([1, 2, 3, 4, 5, 6], [2, 3]);

describe("sum", () => {
  test("over each dim, both, and with keepdim", () => {
    expect(run1("sum", [x()], { dims: [0], keepdim: false })).toEqual({ shape: [3], dtype: "float64", values: [5, 7, 9] });
    expect(run1("sum", [x()], { dims: [1], keepdim: false }).values).toEqual([6, 15]);
    expect(run1("sum", [x()], { dims: [0, 1], keepdim: false })).toEqual({ shape: [], dtype: "float64", values: [21] });
    expect(run1("sum", [x()], { dims: [1], keepdim: true }).shape).toEqual([2, 1]);
    expect(run1("sum", [x()], { dims: [0, 1], keepdim: true })).toEqual({ shape: [1, 1], dtype: "float64", values: [21] });
  });

  test("3-D over the first and last dims", () => {
    const t = f64([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2]);
    // out[j] = Σ_{i,k} t[i][j][k]: j=0 → 0+1+4+5, j=1 → 2+3+6+7
    expect(run1("sum", [t], { dims: [0, 2], keepdim: false }).values).toEqual([10, 18]);
    expect(run1("sum", [t], { dims: [0, 2], keepdim: true }).shape).toEqual([1, 2, 1]);
  });

  test("empty dims copy the input", () => {
    expect(run1("sum", [x()], { dims: [], keepdim: false })).toEqual({ shape: [2, 3], dtype: "float64", values: [1, 2, 3, 4, 5, 6] });
  });

  test("bool and int32 sum to int32; int32 wraps", () => {
    expect(run1("sum", [bool([1, 0, 1, 1])], { dims: [0], keepdim: false })).toEqual({ shape: [], dtype: "int32", values: [3] });
    expect(run1("sum", [i32([2147483647, 1])], { dims: [0], keepdim: false }).values).toEqual([-2147483648]);
  });

  test("float32 accumulates in float64 before rounding once", () => {
    // In float32 arithmetic 2^24 + 1 + 1 stays 2^24; in float64 it is 2^24 + 2, which float32 holds.
    expect(run1("sum", [f32([16777216, 1, 1])], { dims: [0], keepdim: false })).toEqual({ shape: [], dtype: "float32", values: [16777218] });
  });

  test("NaN propagates", () => {
    expect(Number.isNaN(run1("sum", [f64([1, NaN])], { dims: [0], keepdim: false }).values[0])).toBe(true);
  });

  test("zero-size: empty reductions give 0", () => {
    expect(run1("sum", [f64([], [0, 3])], { dims: [0], keepdim: false })).toEqual({ shape: [3], dtype: "float64", values: [0, 0, 0] });
    expect(run1("sum", [f64([], [0, 3])], { dims: [1], keepdim: false })).toEqual({ shape: [0], dtype: "float64", values: [] });
    expect(run1("sum", [i32([], [0])], { dims: [0], keepdim: true })).toEqual({ shape: [1], dtype: "int32", values: [0] });
  });

  test("strided inputs: transposed, stepped, stride-0", () => {
    const t = view(x(), (l) => transpose(l, 0, 1)); // [[1,4],[2,5],[3,6]]
    expect(run1("sum", [t], { dims: [1], keepdim: false }).values).toEqual([5, 7, 9]);
    expect(run1("sum", [t], { dims: [0], keepdim: false }).values).toEqual([6, 15]);
    const stepped = view(f64([1, 2, 3, 4, 5, 6, 7]), (l) => slice(l, 0, 0, 7, 3)); // [1, 4, 7]
    expect(run1("sum", [stepped], { dims: [0], keepdim: false }).values).toEqual([12]);
    const broadcast = view(f64([1, 2]), (l) => expand(l, [3, 2])); // three rows of [1, 2]
    expect(run1("sum", [broadcast], { dims: [0], keepdim: false }).values).toEqual([3, 6]);
  });

  test("0-d input with dim 0 reduces nothing", () => {
    expect(run1("sum", [f64([5], [])], { dims: [0], keepdim: true })).toEqual({ shape: [], dtype: "float64", values: [5] });
  });
});

describe("prod", () => {
  test("values, dtype and empty product", () => {
    expect(run1("prod", [x()], { dims: [1], keepdim: false }).values).toEqual([6, 120]);
    expect(run1("prod", [i32([65536, 65536, 3])], { dims: [0], keepdim: false })).toEqual({ shape: [], dtype: "int32", values: [0] });
    expect(run1("prod", [i32([-3, 7])], { dims: [0], keepdim: false }).values).toEqual([-21]);
    // (2^31 - 1)^2 ≡ 1 (mod 2^32): exact int32 wrapping, not a rounded float64 product.
    expect(run1("prod", [i32([2147483647, 2147483647])], { dims: [0], keepdim: false }).values).toEqual([1]);
    expect(run1("prod", [bool([1, 1, 0])], { dims: [0], keepdim: false })).toEqual({ shape: [], dtype: "int32", values: [0] });
    expect(run1("prod", [f64([], [2, 0])], { dims: [1], keepdim: false }).values).toEqual([1, 1]);
  });
});

describe("max / min", () => {
  test("values and dtype", () => {
    expect(run1("max", [x()], { dims: [0], keepdim: false }).values).toEqual([4, 5, 6]);
    expect(run1("min", [x()], { dims: [1], keepdim: true })).toEqual({ shape: [2, 1], dtype: "float64", values: [1, 4] });
    expect(run1("max", [i32([-5, -2, -9])], { dims: [0], keepdim: false })).toEqual({ shape: [], dtype: "int32", values: [-2] });
    expect(run1("min", [bool([1, 0, 1])], { dims: [0], keepdim: false })).toEqual({ shape: [], dtype: "bool", values: [0] });
  });

  test("NaN propagates (wherever it sits)", () => {
    const t = f64([NaN, 1, 2, 3, NaN, 0], [2, 3]);
    const mx = run1("max", [t], { dims: [1], keepdim: false }).values;
    const mn = run1("min", [t], { dims: [0], keepdim: false }).values;
    expect(mx.map(Number.isNaN)).toEqual([true, true]);
    expect(mn[0]).toBeNaN();
    expect(mn[1]).toBeNaN();
    expect(mn[2]).toBe(0);
  });

  test("-Infinity and Infinity are ordinary values", () => {
    expect(run1("max", [f64([-Infinity, -Infinity])], { dims: [0], keepdim: false }).values).toEqual([-Infinity]);
    expect(run1("min", [f64([Infinity, 3])], { dims: [0], keepdim: false }).values).toEqual([3]);
  });

  test("strided input", () => {
    const t = view(x(), (l) => transpose(l, 0, 1));
    expect(run1("max", [t], { dims: [0], keepdim: false }).values).toEqual([3, 6]);
  });

  test("reducing over a zero-size dim is an error naming the op, shape and dim", () => {
    const run = () => infer("max", [{ shape: [0, 3], dtype: "float32" }], { dims: [0], keepdim: false });
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/max\(\): cannot reduce over a zero-size dimension: input shape \[0, 3\], dim 0 has size 0/);
    expect(() => run1("min", [f64([], [2, 0])], { dims: [1], keepdim: false })).toThrow(/min\(\): cannot reduce.*\[2, 0\], dim 1/);
  });

  test("reducing a non-empty dim of an empty tensor is fine", () => {
    expect(run1("max", [f64([], [0, 3])], { dims: [1], keepdim: false })).toEqual({ shape: [0], dtype: "float64", values: [] });
  });
});

describe("dims validation", () => {
  test("out of range", () => {
    const run = () => infer("sum", [{ shape: [2, 3], dtype: "float32" }], { dims: [2], keepdim: false });
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/sum: dimension 2 is out of range for a tensor of shape \[2, 3\]/);
    expect(() => infer("sum", [{ shape: [2, 3], dtype: "float32" }], { dims: [-1], keepdim: false })).toThrow(/sum: dimension -1 is out of range/);
  });

  test("repeated", () => {
    expect(() => infer("prod", [{ shape: [2, 3], dtype: "float32" }], { dims: [1, 1], keepdim: false })).toThrow(
      /prod: dim 1 appears more than once in dims \[1, 1\]/,
    );
  });
});

describe("argmax / argmin", () => {
  test("along a dim, int32 result", () => {
    const t = f64([1, 5, 3, 9, 2, 9], [2, 3]);
    expect(run1("argmax", [t], { dim: 1, keepdim: false })).toEqual({ shape: [2], dtype: "int32", values: [1, 0] });
    expect(run1("argmin", [t], { dim: 0, keepdim: false }).values).toEqual([0, 1, 0]);
    expect(run1("argmax", [t], { dim: 0, keepdim: true })).toEqual({ shape: [1, 3], dtype: "int32", values: [1, 0, 1] });
  });

  test("ties: the first occurrence wins", () => {
    expect(run1("argmax", [f64([2, 7, 7, 1, 7])], { dim: 0, keepdim: false }).values).toEqual([1]);
    expect(run1("argmin", [i32([3, 1, 1, 1])], { dim: 0, keepdim: false }).values).toEqual([1]);
  });

  test("NaN counts as the extreme for both (first NaN wins)", () => {
    expect(run1("argmax", [f64([1, NaN, 5, NaN])], { dim: 0, keepdim: false }).values).toEqual([1]);
    expect(run1("argmin", [f64([1, -3, NaN, NaN])], { dim: 0, keepdim: false }).values).toEqual([2]);
  });

  test("dim null reduces the flattened input", () => {
    const t = f64([1, 5, 3, 9, 2, 9], [2, 3]);
    expect(run1("argmax", [t], { dim: null, keepdim: false })).toEqual({ shape: [], dtype: "int32", values: [3] });
    expect(run1("argmin", [t], { dim: null, keepdim: true })).toEqual({ shape: [1, 1], dtype: "int32", values: [0] });
  });

  test("dim null on a transposed view uses the view's row-major order", () => {
    const t = view(f64([1, 5, 3, 9, 2, 9], [2, 3]), (l) => transpose(l, 0, 1)); // [[1,9],[5,2],[3,9]]
    expect(run1("argmax", [t], { dim: null, keepdim: false }).values).toEqual([1]);
    expect(run1("argmin", [t], { dim: 1, keepdim: false }).values).toEqual([0, 1, 0]);
  });

  test("middle dim of a 3-D stepped view", () => {
    // base [4, 2, 2] = 0..15; slice dim 0 with step 2 → t[i] = base[2i]; make one entry large.
    const base = f64(Array.from({ length: 16 }, (_, i) => (i === 9 ? 100 : i)), [4, 2, 2]);
    const t = view(base, (l) => slice(l, 0, 0, 4, 2)); // [[[0,1],[2,3]], [[8,100],[10,11]]]
    expect(run1("argmax", [t], { dim: 1, keepdim: false }).values).toEqual([1, 1, 1, 0]);
  });

  test("0-d input", () => {
    expect(run1("argmax", [f64([4], [])], { dim: null, keepdim: false })).toEqual({ shape: [], dtype: "int32", values: [0] });
    expect(run1("argmin", [f64([4], [])], { dim: 0, keepdim: true })).toEqual({ shape: [], dtype: "int32", values: [0] });
  });

  test("zero-size errors", () => {
    expect(() => infer("argmax", [{ shape: [0], dtype: "float32" }], { dim: null, keepdim: false })).toThrow(
      /argmax\(\): cannot reduce over a zero-size dimension: input shape \[0\] has no elements/,
    );
    expect(() => infer("argmin", [{ shape: [3, 0], dtype: "float32" }], { dim: 1, keepdim: false })).toThrow(
      /argmin\(\): cannot reduce.*\[3, 0\], dim 1/,
    );
    expect(run1("argmax", [f64([], [0, 3])], { dim: 1, keepdim: false })).toEqual({ shape: [0], dtype: "int32", values: [] });
  });

  test("dim out of range", () => {
    expect(() => infer("argmax", [{ shape: [2], dtype: "float32" }], { dim: 1, keepdim: false })).toThrow(/argmax: dimension 1 is out of range/);
  });
});
