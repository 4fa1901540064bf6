import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, expand, slice, transpose } from "@tessera/storage";
import { convertValue } from "../src/ops/copy.js";
import { bool, f32, f64, i32, infer, run1, runInto, view } from "./strided-helpers.js";

describe("copy", () => {
  test("makes a transposed view contiguous", () => {
    const t = view(f64([1, 2, 3, 4, 5, 6], [2, 3]), (l) => transpose(l, 0, 1));
    expect(run1("copy", [t])).toEqual({ shape: [3, 2], dtype: "float64", values: [1, 4, 2, 5, 3, 6] });
  });

  test("materializes a stride-0 view", () => {
    const t = view(i32([7, 8]), (l) => expand(l, [2, 2]));
    expect(run1("copy", [t])).toEqual({ shape: [2, 2], dtype: "int32", values: [7, 8, 7, 8] });
  });

  test("copies into a stepped output view (copy_) and leaves the rest alone", () => {
    const out = f32([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    runInto("copy", [f32([1, 2, 3])], view(out, (l) => slice(l, 0, 1, 9, 3)));
    expect(Array.from(out.data)).toEqual([0, 1, 0, 0, 2, 0, 0, 3, 0]);
  });

  test("copy_ from an overlapping view of the same storage reads before writing", () => {
    // x = [[1, 2], [3, 4]]; x.copy_(x.t()) must give [[1, 3], [2, 4]].
    const x = f64([1, 2, 3, 4], [2, 2]);
    runInto("copy", [view(x, (l) => transpose(l, 0, 1))], x);
    expect(Array.from(x.data)).toEqual([1, 3, 2, 4]);
  });

  test("bool and zero-size", () => {
    expect(run1("copy", [bool([1, 0, 1])]).values).toEqual([1, 0, 1]);
    expect(run1("copy", [f64([], [3, 0])])).toEqual({ shape: [3, 0], dtype: "float64", values: [] });
  });

  test("reference refuses to convert dtypes or change shapes", () => {
    expect(() => runInto("copy", [f64([1])], f32([0]))).toThrow(DTypeError);
    expect(() => runInto("copy", [f64([1])], f32([0]))).toThrow(/copy: output dtype float32 differs from input dtype float64/);
    expect(() => runInto("copy", [f64([1, 2])], f64([0, 0, 0]))).toThrow(ShapeError);
  });
});

describe("cast", () => {
  test("float → int32 truncates toward zero; NaN/±Infinity → 0; out-of-range wraps", () => {
    const out = run1("cast", [f64([2.7, -2.7, 0.5, -0.5, NaN, Infinity, -Infinity, 3e9, -2147483648.9])], { dtype: "int32" });
    expect(out.dtype).toBe("int32");
    expect(out.values).toEqual([2, -2, 0, 0, 0, 0, 0, 3e9 - 2 ** 32, -2147483648]);
  });

  test("anything → bool is x != 0, NaN is true", () => {
    expect(run1("cast", [f64([0, -0, 0.1, NaN, -3, Infinity])], { dtype: "bool" })).toEqual({
      shape: [6],
      dtype: "bool",
      values: [0, 0, 1, 1, 1, 1],
    });
    expect(run1("cast", [i32([0, 5, -1])], { dtype: "bool" }).values).toEqual([0, 1, 1]);
  });

  test("bool → numbers gives 0 and 1", () => {
    expect(run1("cast", [bool([1, 0])], { dtype: "float32" })).toEqual({ shape: [2], dtype: "float32", values: [1, 0] });
    expect(run1("cast", [bool([0, 1])], { dtype: "int32" }).values).toEqual([0, 1]);
  });

  test("to float32 rounds to nearest", () => {
    expect(run1("cast", [i32([16777217, -16777219])], { dtype: "float32" }).values).toEqual([16777216, -16777220]);
    expect(run1("cast", [f64([0.1])], { dtype: "float32" }).values).toEqual([Math.fround(0.1)]);
    expect(run1("cast", [f32([0.1])], { dtype: "float64" }).values).toEqual([Math.fround(0.1)]);
  });

  test("strided input and strided output", () => {
    const src = view(f64([1.5, 2.5, 3.5, 4.5], [2, 2]), (l) => transpose(l, 0, 1)); // [[1.5, 3.5], [2.5, 4.5]]
    const out = i32([0, 0, 0, 0, 0, 0, 0, 0], [2, 4]);
    runInto("cast", [src], view(out, (l) => slice(l, 1, 0, 4, 2)), { dtype: "int32" });
    expect(Array.from(out.data)).toEqual([1, 0, 3, 0, 2, 0, 4, 0]);
  });

  test("zero-size and infer", () => {
    expect(run1("cast", [f32([], [0])], { dtype: "bool" })).toEqual({ shape: [0], dtype: "bool", values: [] });
    expect(infer("cast", [{ shape: [2, 3], dtype: "int32" }], { dtype: "float64" })).toEqual([{ shape: [2, 3], dtype: "float64" }]);
  });

  test("unknown dtype and mismatched output dtype", () => {
    expect(() => infer("cast", [{ shape: [2], dtype: "int32" }], { dtype: "int64" })).toThrow(/cast: unknown dtype "int64"/);
    expect(() => runInto("cast", [f64([1])], f32([0]), { dtype: "int32" })).toThrow(/cast: output dtype float32 differs from the requested dtype int32/);
  });

  test("convertValue is the store rule used by cast and fill", () => {
    expect(convertValue(-2.7, "int32")).toBe(-2);
    expect(convertValue(NaN, "int32")).toBe(0);
    expect(convertValue(-Infinity, "int32")).toBe(0);
    expect(convertValue(3e9, "int32")).toBe(3e9 - 2 ** 32);
    expect(convertValue(NaN, "bool")).toBe(1);
    expect(convertValue(0.1, "float32")).toBe(Math.fround(0.1));
    expect(convertValue(0.1, "float64")).toBe(0.1);
  });
});
