import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, expand, slice, transpose } from "@tessera/storage";
import { f32, f64, i32, infer, run1, view } from "./strided-helpers.js";

const a23 = () => f64([1, 2, 3, 4, 5, 6], [2, 3]);
const b32 = () => f64([7, 8, 9, 10, 11, 12], [3, 2]);

describe("matmul", () => {
  test("2-D", () => {
    // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    expect(run1("matmul", [a23(), b32()])).toEqual({ shape: [2, 2], dtype: "float64", values: [58, 64, 139, 154] });
  });

  test("batched with a broadcast (missing) batch dim", () => {
    const a = f64([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = f64([1, 0, 1, 1], [2, 2]);
    // [[1,2],[3,4]]@b = [[3,2],[7,4]]; [[5,6],[7,8]]@b = [[11,6],[15,8]]
    expect(run1("matmul", [a, b])).toEqual({ shape: [2, 2, 2], dtype: "float64", values: [3, 2, 7, 4, 11, 6, 15, 8] });
  });

  test("batch dims of size 1 broadcast on both sides", () => {
    const a = f64([1, 2, 3, 4], [2, 1, 1, 2]); // two row vectors [1,2], [3,4]
    const b = f64([1, 1, 2, 2, 3, 3], [3, 2, 1]); // three column vectors [1,1], [2,2], [3,3]
    const out = run1("matmul", [a, b]);
    expect(out.shape).toEqual([2, 3, 1, 1]);
    expect(out.values).toEqual([3, 6, 9, 7, 14, 21]);
  });

  test("transposed and stepped operands", () => {
    const at = view(f64([1, 4, 2, 5, 3, 6], [3, 2]), (l) => transpose(l, 0, 1)); // [[1,2,3],[4,5,6]]
    const bs = view(f64([7, 8, 0, 0, 9, 10, 0, 0, 11, 12], [5, 2]), (l) => slice(l, 0, 0, 5, 2)); // [[7,8],[9,10],[11,12]]
    expect(run1("matmul", [at, bs]).values).toEqual([58, 64, 139, 154]);
  });

  test("stride-0 operand (expanded batch)", () => {
    const b = view(f64([1, 0, 0, 1], [2, 2]), (l) => expand(l, [3, 2, 2])); // identity, three times
    const a = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 2, 2]);
    expect(run1("matmul", [a, b]).values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test("int32 wraps modulo 2^32", () => {
    expect(run1("matmul", [i32([65536, 1], [1, 2]), i32([65536, 5], [2, 1])])).toEqual({ shape: [1, 1], dtype: "int32", values: [5] });
    expect(run1("matmul", [i32([2147483647, 1], [1, 2]), i32([1, 1], [2, 1])]).values).toEqual([-2147483648]);
    // (2^31 - 1)^2 = 2^62 - 2^32 + 1 ≡ 1 (mod 2^32); a float64 product would lose the final 1.
    expect(run1("matmul", [i32([2147483647], [1, 1]), i32([2147483647], [1, 1])]).values).toEqual([1]);
  });

  test("float32 accumulates in float64", () => {
    const out = run1("matmul", [f32([16777216, 1, 1], [1, 3]), f32([1, 1, 1], [3, 1])]);
    expect(out).toEqual({ shape: [1, 1], dtype: "float32", values: [16777218] });
  });

  test("zero sizes: K = 0 gives zeros, M = 0 and batch 0 give empty", () => {
    expect(run1("matmul", [f64([], [2, 0]), f64([], [0, 3])])).toEqual({ shape: [2, 3], dtype: "float64", values: [0, 0, 0, 0, 0, 0] });
    expect(run1("matmul", [f64([], [0, 2]), f64([1, 2, 3, 4], [2, 2])])).toEqual({ shape: [0, 2], dtype: "float64", values: [] });
    expect(run1("matmul", [f64([], [0, 2, 2]), f64([1, 2, 3, 4], [2, 2])]).shape).toEqual([0, 2, 2]);
  });

  test("NaN propagates", () => {
    expect(run1("matmul", [f64([NaN, 1], [1, 2]), f64([0, 1], [2, 1])]).values[0]).toBeNaN();
  });
});

describe("matmul errors", () => {
  const m = (shape: number[], dtype: "float32" | "int32" | "bool" = "float32") => ({ shape, dtype });

  test("inner dims must match; the message names both matrices like PyTorch", () => {
    const run = () => infer("matmul", [m([2, 3]), m([4, 2])]);
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(/matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)/);
    expect(() => infer("matmul", [m([5, 2, 3]), m([2, 2])])).toThrow(/\(2x3 and 2x2\).*\[5, 2, 3\].*\[2, 2\]/);
  });

  test("operands must be at least 2-D", () => {
    expect(() => infer("matmul", [m([3]), m([3, 2])])).toThrow(/matmul: both arguments must be at least 2-D, but got shapes \[3\] and \[3, 2\]/);
  });

  test("batch dims must broadcast", () => {
    expect(() => infer("matmul", [m([2, 2, 3]), m([3, 3, 2])])).toThrow(/matmul: the batch dims \[2\] .*\[3\] .*cannot be broadcast/);
  });

  test("dtypes must match and not be bool", () => {
    const mixed = () => infer("matmul", [m([2, 2]), m([2, 2], "int32")]);
    expect(mixed).toThrow(DTypeError);
    expect(mixed).toThrow(/matmul: .*float32 and int32/);
    expect(() => infer("matmul", [m([2, 2], "bool"), m([2, 2], "bool")])).toThrow(/matmul: not supported for bool/);
  });
});
