import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, slice, transpose } from "@tessera/storage";
import { f32, i32, infer, run1, runInto, view } from "./strided-helpers.js";

describe("fill", () => {
  test("every element gets the value", () => {
    expect(run1("fill", [], { shape: [2, 3], dtype: "float32", value: 1.5 })).toEqual({
      shape: [2, 3],
      dtype: "float32",
      values: [1.5, 1.5, 1.5, 1.5, 1.5, 1.5],
    });
    expect(run1("fill", [], { shape: [], dtype: "float64", value: -0.1 })).toEqual({ shape: [], dtype: "float64", values: [-0.1] });
  });

  test("the value is stored in the dtype: bool is value != 0, int32 truncates, float32 rounds", () => {
    expect(run1("fill", [], { shape: [2], dtype: "bool", value: 2 }).values).toEqual([1, 1]);
    expect(run1("fill", [], { shape: [2], dtype: "bool", value: 0 }).values).toEqual([0, 0]);
    expect(run1("fill", [], { shape: [2], dtype: "int32", value: -2.7 }).values).toEqual([-2, -2]);
    expect(run1("fill", [], { shape: [1], dtype: "float32", value: 0.1 }).values).toEqual([Math.fround(0.1)]);
    expect(run1("fill", [], { shape: [1], dtype: "float32", value: -Infinity }).values).toEqual([-Infinity]);
  });

  test("fill_ into a strided view leaves the other elements alone", () => {
    const base = i32([1, 2, 3, 4, 5, 6], [2, 3]);
    const col = view(base, (l) => slice(transpose(l, 0, 1), 0, 0, 3, 2)); // columns 0 and 2, as [2, 2]
    runInto("fill", [], col, { shape: [2, 2], dtype: "int32", value: 0 });
    expect(Array.from(base.data)).toEqual([0, 2, 0, 0, 5, 0]);
  });

  test("zero-size", () => {
    expect(run1("fill", [], { shape: [0, 4], dtype: "float32", value: 3 })).toEqual({ shape: [0, 4], dtype: "float32", values: [] });
  });

  test("bad shape, unknown dtype, mismatched output", () => {
    expect(() => infer("fill", [], { shape: [2, -1], dtype: "float32", value: 0 })).toThrow(ShapeError);
    expect(() => infer("fill", [], { shape: [2, -1], dtype: "float32", value: 0 })).toThrow(/fill: invalid shape \[2, -1\]/);
    expect(() => infer("fill", [], { shape: [2], dtype: "half", value: 0 })).toThrow(/fill: unknown dtype "half"/);
    expect(() => runInto("fill", [], f32([0, 0, 0]), { shape: [2], dtype: "float32", value: 0 })).toThrow(/fill: output has shape \[3\]/);
    expect(() => runInto("fill", [], f32([0, 0]), { shape: [2], dtype: "int32", value: 0 })).toThrow(DTypeError);
  });
});

describe("arange", () => {
  const arange = (start: number, end: number, step: number, dtype = "float64") => run1("arange", [], { start, end, step, dtype });

  test("integer steps", () => {
    expect(arange(0, 5, 1)).toEqual({ shape: [5], dtype: "float64", values: [0, 1, 2, 3, 4] });
    expect(arange(5, 0, -2).values).toEqual([5, 3, 1]);
    expect(arange(-3, 3, 2, "int32")).toEqual({ shape: [3], dtype: "int32", values: [-3, -1, 1] });
  });

  test("fractional steps: length is ceil((end - start) / step), values start + i*step", () => {
    expect(arange(0, 1, 0.25).values).toEqual([0, 0.25, 0.5, 0.75]);
    // (0.3 - 0) / 0.1 = 2.9999999999999996 → 3 elements, as in PyTorch.
    expect(arange(0, 0.3, 0.1).values).toEqual([0, 0.1, 0.2]);
    expect(arange(1, 2, 0.3, "float32").values).toEqual([1, Math.fround(1.3), Math.fround(1.6), Math.fround(1 + 3 * 0.3)]);
  });

  test("int32 stores each value truncated toward zero", () => {
    expect(arange(0, 3.5, 1.5, "int32").values).toEqual([0, 1, 3]);
  });

  test("empty ranges have length 0", () => {
    expect(arange(1, 0, 1)).toEqual({ shape: [0], dtype: "float64", values: [] });
    expect(arange(2, 2, -1).shape).toEqual([0]);
  });

  test("step 0, non-finite bounds and bool are errors", () => {
    expect(() => infer("arange", [], { start: 0, end: 3, step: 0, dtype: "float32" })).toThrow(ShapeError);
    expect(() => infer("arange", [], { start: 0, end: 3, step: 0, dtype: "float32" })).toThrow(/arange: step must be nonzero/);
    expect(() => infer("arange", [], { start: 0, end: Infinity, step: 1, dtype: "float32" })).toThrow(/arange: .*must be finite/);
    expect(() => infer("arange", [], { start: 0, end: 3, step: 1, dtype: "bool" })).toThrow(/arange: not supported for dtype bool/);
  });
});
