import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, TesseraError, expand, slice, transpose } from "@tessera/storage";
import { f32, f64, i32, infer, run1, view } from "./strided-helpers.js";

// x = [[1, 2],
//      [3, 4]]
const x = () => f64([1, 2, 3, 4], [2, 2]);

describe("gather", () => {
  test("along dim 1 and dim 0", () => {
    expect(run1("gather", [x(), i32([0, 0, 1, 0], [2, 2])], { dim: 1 })).toEqual({ shape: [2, 2], dtype: "float64", values: [1, 1, 4, 3] });
    expect(run1("gather", [x(), i32([1, 0, 0, 1], [2, 2])], { dim: 0 }).values).toEqual([3, 2, 1, 4]);
  });

  test("index may be smaller than input in other dims, and longer along dim", () => {
    const t = f64([0, 1, 2, 3, 4, 5, 6, 7, 8], [3, 3]);
    expect(run1("gather", [t, i32([2, 0], [2, 1])], { dim: 1 })).toEqual({ shape: [2, 1], dtype: "float64", values: [2, 3] });
    expect(run1("gather", [t, i32([2, 2, 2, 2, 0], [5, 1])], { dim: 0 }).values).toEqual([6, 6, 6, 6, 0]);
  });

  test("strided input and index", () => {
    const t = view(x(), (l) => transpose(l, 0, 1)); // [[1,3],[2,4]]
    const idx = view(i32([1, 9, 0, 9, 0, 9, 1, 9], [2, 4]), (l) => slice(l, 1, 0, 4, 2)); // [[1,0],[0,1]]
    expect(run1("gather", [t, idx], { dim: 0 }).values).toEqual([2, 3, 1, 4]);
    const idx2 = view(i32([1, 0], [1, 2]), (l) => expand(l, [2, 2])); // [[1,0],[1,0]], stride 0
    expect(run1("gather", [t, idx2], { dim: 1 }).values).toEqual([3, 1, 4, 2]);
  });

  test("zero-size index gives an empty output", () => {
    expect(run1("gather", [x(), i32([], [2, 0])], { dim: 1 })).toEqual({ shape: [2, 0], dtype: "float64", values: [] });
  });

  test("out-of-range values name the op, the value and the valid range", () => {
    const bad = () => run1("gather", [x(), i32([0, 2, 1, 0], [2, 2])], { dim: 1 });
    expect(bad).toThrow(TesseraError);
    expect(bad).toThrow(/gather: index 2 is out of bounds for dimension 1 with size 2.*valid indices: \[0, 1\]/);
    expect(() => run1("gather", [x(), i32([-1], [1, 1])], { dim: 0 })).toThrow(/gather: index -1 is out of bounds/);
  });

  test("shape and dtype errors", () => {
    const meta = (shape: number[], dtype: "float32" | "int32" = "float32") => ({ shape, dtype });
    expect(() => infer("gather", [meta([2, 2]), meta([2, 2], "float32")], { dim: 0 })).toThrow(DTypeError);
    expect(() => infer("gather", [meta([2, 2]), meta([2, 2], "float32")], { dim: 0 })).toThrow(/gather: expected index to be an int32 tensor, but got float32/);
    expect(() => infer("gather", [meta([2, 2]), meta([2], "int32")], { dim: 0 })).toThrow(/gather: index must have the same number of dims as input.*\[2\].*\[2, 2\]/);
    expect(() => infer("gather", [meta([2, 2]), meta([1, 3], "int32")], { dim: 0 })).toThrow(ShapeError);
    expect(() => infer("gather", [meta([2, 2]), meta([2, 2], "int32")], { dim: 2 })).toThrow(/gather: dimension 2 is out of range for input of shape \[2, 2\]/);
  });
});

describe("scatterAdd", () => {
  test("1-D: repeated indices accumulate", () => {
    expect(run1("scatterAdd", [f64([0, 0, 0]), i32([0, 2, 0]), f64([1, 2, 3])], { dim: 0 })).toEqual({
      shape: [3],
      dtype: "float64",
      values: [4, 0, 2],
    });
  });

  test("2-D along dim 1 onto a non-zero input", () => {
    const input = f64([1, 1, 1, 1, 1, 1], [2, 3]);
    const index = i32([0, 1, 0, 2, 2, 1], [2, 3]);
    const src = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(run1("scatterAdd", [input, index, src], { dim: 1 }).values).toEqual([5, 3, 1, 1, 7, 10]);
  });

  test("along dim 0; src larger than index uses only the index's extent", () => {
    const input = f64([0, 0, 0, 0], [2, 2]);
    const index = i32([1], [1, 1]);
    const src = f64([5, 6, 7, 8], [2, 2]);
    expect(run1("scatterAdd", [input, index, src], { dim: 0 }).values).toEqual([0, 0, 5, 0]);
  });

  test("strided input (stride 0) and transposed src", () => {
    const input = view(f64([5]), (l) => expand(l, [3]));
    expect(run1("scatterAdd", [input, i32([0, 0]), f64([1, 2])], { dim: 0 }).values).toEqual([8, 5, 5]);
    const src = view(f64([1, 2, 3, 4], [2, 2]), (l) => transpose(l, 0, 1)); // [[1,3],[2,4]]
    expect(run1("scatterAdd", [f64([0, 0, 0, 0], [2, 2]), i32([1, 1, 0, 0], [2, 2]), src], { dim: 1 }).values).toEqual([0, 4, 6, 0]);
  });

  test("int32 wraps", () => {
    expect(run1("scatterAdd", [i32([2147483647, 0]), i32([0]), i32([1])], { dim: 0 })).toEqual({ shape: [2], dtype: "int32", values: [-2147483648, 0] });
  });

  test("zero-size index leaves a copy of input", () => {
    expect(run1("scatterAdd", [f32([1, 2]), i32([]), f32([])], { dim: 0 }).values).toEqual([1, 2]);
  });

  test("errors", () => {
    expect(() => run1("scatterAdd", [f64([0, 0]), i32([2]), f64([1])], { dim: 0 })).toThrow(
      /scatterAdd: index 2 is out of bounds for dimension 0 with size 2.*\[0, 1\]/,
    );
    expect(() => infer("scatterAdd", [{ shape: [2], dtype: "float32" }, { shape: [1], dtype: "int32" }, { shape: [1], dtype: "float64" }], { dim: 0 })).toThrow(
      /scatterAdd: expected input and src to have the same dtype, but got float32 and float64/,
    );
    expect(() => infer("scatterAdd", [{ shape: [2], dtype: "float32" }, { shape: [3], dtype: "int32" }, { shape: [2], dtype: "float32" }], { dim: 0 })).toThrow(
      /scatterAdd: index \[3\] is larger than src \[2\]/,
    );
    expect(() => infer("scatterAdd", [{ shape: [2, 2], dtype: "float32" }, { shape: [1, 3], dtype: "int32" }, { shape: [2, 3], dtype: "float32" }], { dim: 0 })).toThrow(
      /scatterAdd: index \[1, 3\] is larger than input \[2, 2\] at dim 1/,
    );
    expect(() => infer("scatterAdd", [{ shape: [2], dtype: "bool" }, { shape: [1], dtype: "int32" }, { shape: [1], dtype: "bool" }], { dim: 0 })).toThrow(
      /scatterAdd: not supported for bool/,
    );
    expect(() => infer("scatterAdd", [{ shape: [2], dtype: "float32" }, { shape: [1], dtype: "float32" }, { shape: [1], dtype: "float32" }], { dim: 0 })).toThrow(
      /scatterAdd: expected index to be an int32 tensor/,
    );
  });
});

describe("indexSelect", () => {
  const t = () => f64([1, 2, 3, 4, 5, 6], [2, 3]);

  test("along dim 1 and dim 0, with repeats", () => {
    expect(run1("indexSelect", [t(), i32([2, 0])], { dim: 1 })).toEqual({ shape: [2, 2], dtype: "float64", values: [3, 1, 6, 4] });
    expect(run1("indexSelect", [t(), i32([1, 1, 0])], { dim: 0 }).values).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
  });

  test("strided input and stepped index", () => {
    const tt = view(t(), (l) => transpose(l, 0, 1)); // [[1,4],[2,5],[3,6]]
    const idx = view(i32([2, -7, 0]), (l) => slice(l, 0, 0, 3, 2)); // [2, 0]
    expect(run1("indexSelect", [tt, idx], { dim: 0 }).values).toEqual([3, 6, 1, 4]);
  });

  test("0-d index selects one entry, keeping the dim", () => {
    expect(run1("indexSelect", [t(), i32([1], [])], { dim: 1 })).toEqual({ shape: [2, 1], dtype: "float64", values: [2, 5] });
  });

  test("empty index", () => {
    expect(run1("indexSelect", [t(), i32([])], { dim: 1 })).toEqual({ shape: [2, 0], dtype: "float64", values: [] });
  });

  test("errors", () => {
    expect(() => run1("indexSelect", [t(), i32([3])], { dim: 1 })).toThrow(/indexSelect: index 3 is out of bounds for dimension 1 with size 3.*\[0, 2\]/);
    expect(() => infer("indexSelect", [{ shape: [2, 3], dtype: "float32" }, { shape: [2, 1], dtype: "int32" }], { dim: 0 })).toThrow(
      /indexSelect: index must be 1-D.*\[2, 1\]/,
    );
    expect(() => infer("indexSelect", [{ shape: [2, 3], dtype: "float32" }, { shape: [2], dtype: "bool" }], { dim: 0 })).toThrow(DTypeError);
  });
});
