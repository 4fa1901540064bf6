import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, expand, slice, transpose } from "@tessera/storage";
import { bool, f64, i32, infer, run1, runInto, view } from "./strided-helpers.js";

describe("where", () => {
  test("picks input where true, other where false", () => {
    const out = run1("where", [bool([1, 0, 0, 1]), f64([1, 2, 3, 4]), f64([10, 20, 30, 40])]);
    expect(out).toEqual({ shape: [4], dtype: "float64", values: [1, 20, 30, 4] });
  });

  test("broadcasts all three inputs: [2, 1], [3], []", () => {
    const out = run1("where", [bool([1, 0], [2, 1]), i32([1, 2, 3]), i32([-1], [])]);
    expect(out).toEqual({ shape: [2, 3], dtype: "int32", values: [1, 2, 3, -1, -1, -1] });
  });

  test("the condition's broadcast shape counts too", () => {
    const out = run1("where", [bool([1, 0, 1], [3, 1]), f64([5], []), f64([7], [])]);
    expect(out).toEqual({ shape: [3, 1], dtype: "float64", values: [5, 7, 5] });
  });

  test("a NaN in the branch not taken does not leak", () => {
    expect(run1("where", [bool([1, 0]), f64([1, NaN]), f64([NaN, 2])]).values).toEqual([1, 2]);
  });

  test("strided inputs: transposed condition, stepped input, stride-0 other", () => {
    const cond = view(bool([1, 0, 0, 1, 1, 0], [2, 3]), (l) => transpose(l, 0, 1)); // [[1,1],[0,1],[0,0]]
    const input = view(f64([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [6, 2]), (l) => slice(l, 0, 0, 6, 2)); // [[0,1],[4,5],[8,9]]
    const other = view(f64([-1, -2]), (l) => expand(l, [3, 2]));
    expect(run1("where", [cond, input, other]).values).toEqual([0, 1, -1, 5, -1, -2]);
  });

  test("writes into a strided output view", () => {
    const out = f64([0, 0, 0, 0, 0, 0]);
    runInto("where", [bool([1, 0, 1]), f64([1, 2, 3]), f64([9, 9, 9])], view(out, (l) => slice(l, 0, 0, 6, 2)));
    expect(Array.from(out.data)).toEqual([1, 0, 9, 0, 3, 0]);
  });

  test("zero-size", () => {
    expect(run1("where", [bool([], [0, 2]), f64([1, 2]), f64([3], [])])).toEqual({ shape: [0, 2], dtype: "float64", values: [] });
  });

  test("a non-bool condition is a DTypeError naming where and the dtype", () => {
    const run = () => infer("where", [{ shape: [2], dtype: "float32" }, { shape: [2], dtype: "float32" }, { shape: [2], dtype: "float32" }]);
    expect(run).toThrow(DTypeError);
    expect(run).toThrow(/where: expected condition to be a bool tensor, but got float32/);
  });

  test("input and other must share a dtype", () => {
    const run = () => infer("where", [{ shape: [2], dtype: "bool" }, { shape: [2], dtype: "float32" }, { shape: [2], dtype: "int32" }]);
    expect(run).toThrow(/where: expected input and other to have the same dtype, but got float32 and int32/);
  });

  test("shapes that do not broadcast", () => {
    const run = () => infer("where", [{ shape: [2], dtype: "bool" }, { shape: [3], dtype: "float32" }, { shape: [], dtype: "float32" }]);
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/where: .*\[2\] and \[3\] and \[\] cannot be broadcast/);
  });

  test("bool input/other give a bool output", () => {
    expect(run1("where", [bool([1, 0]), bool([0, 0]), bool([1, 1])])).toEqual({ shape: [2], dtype: "bool", values: [0, 1] });
  });
});
