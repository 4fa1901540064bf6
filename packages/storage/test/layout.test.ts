import { describe, expect, it } from "vitest";
import {
  ShapeError,
  checkShape,
  contiguousLayout,
  contiguousStrides,
  isContiguous,
  normalizeDim,
  numel,
  shapesEqual,
  storageExtent,
} from "../src/index.js";

describe("numel", () => {
  it("multiplies the dims; a scalar has one element, a zero dim none", () => {
    expect(numel([2, 3, 4])).toBe(24);
    expect(numel([])).toBe(1);
    expect(numel([5, 0, 3])).toBe(0);
    expect(numel([1, 1])).toBe(1);
  });
});

describe("contiguousStrides / contiguousLayout", () => {
  it("row-major strides", () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([5])).toEqual([1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(contiguousStrides([3, 1, 2])).toEqual([2, 2, 1]);
  });

  it("zero-size dims count as 1 (as PyTorch)", () => {
    expect(contiguousStrides([2, 0, 3])).toEqual([3, 3, 1]);
    expect(contiguousStrides([0, 4])).toEqual([4, 1]);
  });

  it("contiguousLayout copies the shape and takes an offset", () => {
    const shape = [2, 3];
    const l = contiguousLayout(shape, 7);
    expect(l).toEqual({ shape: [2, 3], strides: [3, 1], offset: 7 });
    shape[0] = 99;
    expect(l.shape).toEqual([2, 3]);
    expect(contiguousLayout([4]).offset).toBe(0);
  });
});

describe("isContiguous", () => {
  it("true for row-major layouts, at any offset", () => {
    expect(isContiguous(contiguousLayout([2, 3, 4]))).toBe(true);
    expect(isContiguous(contiguousLayout([2, 3], 5))).toBe(true);
    expect(isContiguous(contiguousLayout([]))).toBe(true);
  });

  it("false for transposed, sliced with gaps, and broadcast layouts", () => {
    expect(isContiguous({ shape: [3, 2], strides: [1, 3], offset: 0 })).toBe(false);
    expect(isContiguous({ shape: [2, 3], strides: [6, 1], offset: 0 })).toBe(false);
    expect(isContiguous({ shape: [4], strides: [2], offset: 0 })).toBe(false);
    expect(isContiguous({ shape: [4, 3], strides: [0, 1], offset: 0 })).toBe(false);
  });

  it("size-1 dims may have any stride", () => {
    expect(isContiguous({ shape: [1, 3], strides: [42, 1], offset: 0 })).toBe(true);
    expect(isContiguous({ shape: [2, 1, 3], strides: [3, 0, 1], offset: 0 })).toBe(true);
    expect(isContiguous({ shape: [3, 1], strides: [1, 7], offset: 0 })).toBe(true);
  });

  it("an empty tensor is contiguous whatever its strides (regression: [0, 2, 3] with transposed strides)", () => {
    expect(isContiguous({ shape: [0, 2, 3], strides: [6, 1, 2], offset: 0 })).toBe(true);
    expect(isContiguous({ shape: [2, 0], strides: [1, 2], offset: 0 })).toBe(true);
  });
});

describe("shapesEqual", () => {
  it("compares element by element and by length", () => {
    expect(shapesEqual([2, 3], [2, 3])).toBe(true);
    expect(shapesEqual([], [])).toBe(true);
    expect(shapesEqual([2, 3], [3, 2])).toBe(false);
    expect(shapesEqual([2, 3], [2, 3, 1])).toBe(false);
  });
});

describe("normalizeDim", () => {
  it("wraps negative dims", () => {
    expect(normalizeDim(-1, 3, "sum")).toBe(2);
    expect(normalizeDim(-3, 3, "sum")).toBe(0);
    expect(normalizeDim(2, 3, "sum")).toBe(2);
  });

  it("a 0-d tensor accepts 0 and -1 (as PyTorch)", () => {
    expect(normalizeDim(0, 0, "sum")).toBe(0);
    expect(normalizeDim(-1, 0, "sum")).toBe(0);
    expect(() => normalizeDim(1, 0, "sum")).toThrow(ShapeError);
  });

  it("throws PyTorch's message naming the op", () => {
    const call = () => normalizeDim(3, 3, "sum");
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("sum: dimension out of range (expected to be in range of [-3, 2], but got 3)");
    expect(() => normalizeDim(-4, 3, "sum")).toThrow("but got -4");
    expect(() => normalizeDim(0.5, 3, "sum")).toThrow(ShapeError);
  });
});

describe("checkShape", () => {
  it("accepts non-negative integers only", () => {
    expect(() => checkShape([2, 0, 1], "zeros")).not.toThrow();
    expect(() => checkShape([], "zeros")).not.toThrow();
    expect(() => checkShape([2, -1], "zeros")).toThrow("zeros: invalid shape [2, -1]: every size must be a non-negative integer.");
    expect(() => checkShape([1.5], "zeros")).toThrow(ShapeError);
    expect(() => checkShape([NaN], "zeros")).toThrow(ShapeError);
  });
});

describe("storageExtent", () => {
  it("is the last touched index plus one", () => {
    expect(storageExtent(contiguousLayout([2, 3]))).toBe(6);
    expect(storageExtent(contiguousLayout([2, 3], 4))).toBe(10);
    expect(storageExtent({ shape: [3, 2], strides: [1, 3], offset: 0 })).toBe(6);
    expect(storageExtent({ shape: [2, 2], strides: [6, 2], offset: 1 })).toBe(1 + 6 + 2 + 1);
    expect(storageExtent({ shape: [4, 3], strides: [0, 1], offset: 0 })).toBe(3);
    expect(storageExtent(contiguousLayout([]))).toBe(1);
    expect(storageExtent(contiguousLayout([], 9))).toBe(10);
  });

  it("is 0 for an empty tensor", () => {
    expect(storageExtent(contiguousLayout([3, 0], 5))).toBe(0);
  });
});
