import { describe, expect, it } from "vitest";
import {
  type DType,
  DTypeError,
  ShapeError,
  contiguousLayout,
  numel,
  slice,
} from "@tessera/storage";
import { poolOps } from "../src/ops/pool.js";
import { channelsLast, dot, random, range, run, tensor, withLayout } from "./nchw-helpers.js";
import type { AvgPool2dAttrs, MaxPool2dAttrs } from "../src/attrs.js";
import type { StridedArray } from "../src/types.js";

const { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } = poolOps;

// ---- helpers -------------------------------------------------------------------------------

/** The same values in every other column of a wider storage, starting at column 1. */
function everyOtherColumn(shape: number[], values: ArrayLike<number>, dtype: DType = "float64"): StridedArray {
  const [n, c, h, w] = shape as [number, number, number, number];
  return withLayout(slice(contiguousLayout([n, c, h, 2 * w + 1]), 3, 1, undefined, 2), values, dtype);
}

function maxAttrs(partial: Partial<MaxPool2dAttrs> = {}): MaxPool2dAttrs {
  return { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false, ...partial };
}

function avgAttrs(partial: Partial<AvgPool2dAttrs> = {}): AvgPool2dAttrs {
  return { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false, countIncludePad: true, divisorOverride: null, ...partial };
}

const f64 = (shape: number[]) => ({ shape, dtype: "float64" as const });

// ---- maxPool2d -----------------------------------------------------------------------------

const X4 = [
  1, 5, 2, 0,
  3, 4, 8, 7,
  9, 6, 1, 1,
  2, 2, 3, 4,
];

describe("maxPool2d: hand-computed values", () => {
  it("2x2 windows, stride 2: values and flat argmax indices", () => {
    const [values, indices] = run(maxPool2d, [tensor([1, 1, 4, 4], X4)], maxAttrs());
    expect(values!.shape).toEqual([1, 1, 2, 2]);
    expect(values!.dtype).toBe("float64");
    expect(values!.values).toEqual([5, 8, 9, 4]);
    expect(indices!.dtype).toBe("int32");
    expect(indices!.values).toEqual([1, 6, 8, 15]);
  });

  it("indices are flat over each plane, not over the whole tensor", () => {
    // two batch entries × two channels of the same plane scaled: indices repeat per plane
    const x = [...X4, ...X4.map((v) => 10 - v), ...X4.map((v) => 2 * v), ...X4];
    const [values, indices] = run(maxPool2d, [tensor([2, 2, 4, 4], x)], maxAttrs());
    expect(values!.shape).toEqual([2, 2, 2, 2]);
    // plane 2 (10 − X4) = [[9,5,8,10],[7,6,2,3],[1,4,9,9],[8,8,7,6]]: ties in the last two windows keep the first
    expect(values!.values).toEqual([5, 8, 9, 4, 9, 10, 8, 9, 10, 16, 18, 8, 5, 8, 9, 4]);
    expect(indices!.values).toEqual([1, 6, 8, 15, 0, 3, 12, 10, 1, 6, 8, 15, 1, 6, 8, 15]);
  });

  it("ties keep the first maximum in the window", () => {
    const [, indices] = run(maxPool2d, [tensor([1, 2, 2, 2], [7, 7, 7, 7, 1, 3, 3, 1])], maxAttrs());
    expect(indices!.values).toEqual([0, 1]);
  });

  it("NaN is the maximum (PyTorch: a later NaN in the window replaces an earlier one)", () => {
    const [values, indices] = run(maxPool2d, [tensor([1, 2, 2, 2], [1, NaN, 5, 2, NaN, 3, NaN, 1])], maxAttrs());
    expect(values!.values).toEqual([NaN, NaN]);
    expect(indices!.values).toEqual([1, 2]);
  });

  it("padding is −∞: never chosen even when every input value is negative", () => {
    const x = range(9, 1).map((v) => -v); // [[-1,-2,-3],[-4,-5,-6],[-7,-8,-9]]
    const [values, indices] = run(maxPool2d, [tensor([1, 1, 3, 3], x)], maxAttrs({ kernelSize: [3, 3], padding: [1, 1] }));
    expect(values!.shape).toEqual([1, 1, 2, 2]);
    expect(values!.values).toEqual([-1, -2, -4, -5]);
    expect(indices!.values).toEqual([0, 1, 3, 4]);
  });

  it("an all −∞ window reports its first in-bounds position", () => {
    const [values, indices] = run(maxPool2d, [tensor([1, 1, 2, 2], [-Infinity, -Infinity, -Infinity, -Infinity])], maxAttrs({ padding: [1, 1] }));
    expect(values!.values).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    expect(indices!.values).toEqual([0, 1, 2, 3]);
  });

  it("dilation 2: a 2x2 kernel reads taps two apart", () => {
    const x = range(25).map((v) => 24 - v); // decreasing, so the top-left tap wins
    const [values, indices] = run(maxPool2d, [tensor([1, 1, 5, 5], x)], maxAttrs({ stride: [1, 1], dilation: [2, 2] }));
    expect(values!.shape).toEqual([1, 1, 3, 3]);
    expect(indices!.values).toEqual([0, 1, 2, 5, 6, 7, 10, 11, 12]);
    expect(values!.values).toEqual([24, 23, 22, 19, 18, 17, 14, 13, 12]);
    // increasing input: the bottom-right tap (two rows and columns on) wins
    const [v2, i2] = run(maxPool2d, [tensor([1, 1, 5, 5], range(25))], maxAttrs({ stride: [1, 1], dilation: [2, 2] }));
    expect(i2!.values).toEqual([12, 13, 14, 17, 18, 19, 22, 23, 24]);
    expect(v2!.values).toEqual([12, 13, 14, 17, 18, 19, 22, 23, 24]);
  });

  it("ceilMode adds a partial last window", () => {
    const a = maxAttrs({ ceilMode: true });
    const [values, indices] = run(maxPool2d, [tensor([1, 1, 5, 5], range(25))], a);
    expect(values!.shape).toEqual([1, 1, 3, 3]);
    expect(values!.values).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
    expect(indices!.values).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
    expect(maxPool2d.infer([f64([1, 1, 5, 5])], maxAttrs())[0]!.shape).toEqual([1, 1, 2, 2]);
  });

  it("ceilMode drops a last window that would start past the input and its left padding", () => {
    // H=4, k=1, s=2: ceil((4-1)/2)+1 = 3 windows, but the third starts at 4 ≥ 4 + 0: dropped.
    expect(maxPool2d.infer([f64([1, 1, 4, 4])], maxAttrs({ kernelSize: [1, 1], ceilMode: true }))[0]!.shape).toEqual([1, 1, 2, 2]);
    // H=4, k=2, s=3, p=1: 3 windows by the ceil formula; the third starts at 6 - 1 = 5 ≥ 4: dropped.
    expect(
      maxPool2d.infer([f64([1, 1, 4, 4])], maxAttrs({ kernelSize: [2, 2], stride: [3, 3], padding: [1, 1], ceilMode: true }))[0]!.shape,
    ).toEqual([1, 1, 2, 2]);
    // H=6, k=2, s=2, p=1: the fourth window starts at 5 (inside) and reaches the right padding: kept.
    const x = range(36);
    const [values] = run(maxPool2d, [tensor([1, 1, 6, 6], x)], maxAttrs({ padding: [1, 1], ceilMode: true }));
    expect(values!.shape).toEqual([1, 1, 4, 4]);
    expect(values!.values.slice(0, 4)).toEqual([0, 2, 4, 5]);
    expect(values!.values.slice(12)).toEqual([30, 32, 34, 35]);
  });

  it("non-square kernel and stride", () => {
    const [values, indices] = run(maxPool2d, [tensor([1, 1, 4, 4], X4)], maxAttrs({ kernelSize: [1, 3], stride: [2, 1] }));
    expect(values!.shape).toEqual([1, 1, 2, 2]);
    // rows 0 and 2; windows of 3 columns starting at 0 and 1
    expect(values!.values).toEqual([5, 5, 9, 6]);
    expect(indices!.values).toEqual([1, 1, 8, 9]);
  });

  it("int32 input gives int32 values", () => {
    const [values, indices] = run(maxPool2d, [tensor([1, 1, 4, 4], X4, "int32")], maxAttrs());
    expect(values!.dtype).toBe("int32");
    expect(values!.values).toEqual([5, 8, 9, 4]);
    expect(indices!.values).toEqual([1, 6, 8, 15]);
  });

  it("float32 input gives float32 values", () => {
    const [values] = run(maxPool2d, [tensor([1, 1, 4, 4], X4.map((v) => v + 0.1), "float32")], maxAttrs());
    expect(values!.dtype).toBe("float32");
    expect(values!.values).toEqual([5.1, 8.1, 9.1, 4.1].map(Math.fround));
  });
});

describe("maxPool2d: layouts and empty tensors", () => {
  const shape = [2, 3, 5, 6];
  const xs = random(numel(shape), 11);
  const a = maxAttrs({ kernelSize: [3, 2], stride: [2, 1], padding: [1, 1], ceilMode: true });
  const expected = run(maxPool2d, [tensor(shape, xs)], a);

  it("channels-last and sliced inputs give the same values and indices as contiguous ones", () => {
    expect(run(maxPool2d, [channelsLast(shape, xs)], a)).toEqual(expected);
    expect(run(maxPool2d, [everyOtherColumn(shape, xs)], a)).toEqual(expected);
  });

  it("zero batch", () => {
    const [values, indices] = run(maxPool2d, [tensor([0, 2, 4, 4], [])], maxAttrs());
    expect(values!.shape).toEqual([0, 2, 2, 2]);
    expect(indices!.shape).toEqual([0, 2, 2, 2]);
    expect(values!.values).toEqual([]);
    const [gx] = run(maxPool2dBackward, [tensor([0, 2, 2, 2], []), tensor([0, 2, 2, 2], [], "int32")], { inputShape: [0, 2, 4, 4] });
    expect(gx!.shape).toEqual([0, 2, 4, 4]);
  });
});

describe("maxPool2d: errors", () => {
  it("padding larger than half the effective kernel (PyTorch's wording)", () => {
    const call = () => maxPool2d.infer([f64([1, 1, 5, 5])], maxAttrs({ kernelSize: [3, 3], padding: [2, 2] }));
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1");
  });

  it("with dilation, padding must still be at most half of the kernel size itself", () => {
    // effective kernel 5 allows pad 2, but kernel 3 / 2 = 1 does not
    expect(() => maxPool2d.infer([f64([1, 1, 9, 9])], maxAttrs({ kernelSize: [3, 3], dilation: [2, 2], padding: [2, 2] }))).toThrow(
      "pad should be smaller than or equal to half of kernel size, but got padW = 2, padH = 2, kW = 3, kH = 3",
    );
    expect(maxPool2d.infer([f64([1, 1, 9, 9])], maxAttrs({ kernelSize: [3, 3], dilation: [2, 2], padding: [1, 1] }))[0]!.shape).toEqual([
      1, 1, 4, 4,
    ]);
  });

  it("output size too small", () => {
    const call = () => maxPool2d.infer([f64([1, 3, 2, 2])], maxAttrs({ kernelSize: [3, 3] }));
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("Given input size: (3x2x2). Calculated output size: (3x0x0). Output size is too small");
  });

  it("bad kernel, stride, dilation, negative padding", () => {
    const x = [f64([1, 1, 4, 4])];
    expect(() => maxPool2d.infer(x, maxAttrs({ kernelSize: [0, 2] }))).toThrow("kernel size should be greater than zero, but got kH: 0 kW: 2");
    expect(() => maxPool2d.infer(x, maxAttrs({ stride: [2, 0] }))).toThrow("stride should be greater than zero, but got dH: 2 dW: 0");
    expect(() => maxPool2d.infer(x, maxAttrs({ dilation: [0, 1] }))).toThrow("dilation should be greater than zero");
    expect(() => maxPool2d.infer(x, maxAttrs({ padding: [-1, 0] }))).toThrow("pad must be non-negative, but got pad: -1");
  });

  it("input must be 4D with non-empty channels and plane (batch may be 0)", () => {
    expect(() => maxPool2d.infer([f64([1, 4, 4])], maxAttrs())).toThrow(/Expected a 4D \(batch mode\) input.*\[1, 4, 4\]/);
    expect(() => maxPool2d.infer([f64([1, 0, 4, 4])], maxAttrs())).toThrow(ShapeError);
    expect(() => maxPool2d.infer([f64([1, 1, 0, 4])], maxAttrs())).toThrow(ShapeError);
  });

  it("bool input is rejected", () => {
    expect(() => maxPool2d.infer([{ shape: [1, 1, 2, 2], dtype: "bool" }], maxAttrs())).toThrow(DTypeError);
  });
});

// ---- maxPool2dBackward ---------------------------------------------------------------------

describe("maxPool2dBackward", () => {
  it("scatters each gradient to its argmax", () => {
    const [, indices] = run(maxPool2d, [tensor([1, 1, 4, 4], X4)], maxAttrs());
    const [gx] = run(maxPool2dBackward, [tensor([1, 1, 2, 2], [10, 20, 30, 40]), tensor([1, 1, 2, 2], indices!.values, "int32")], {
      inputShape: [1, 1, 4, 4],
    });
    expect(gx!.shape).toEqual([1, 1, 4, 4]);
    expect(gx!.values).toEqual([
      0, 10, 0, 0,
      0, 0, 20, 0,
      30, 0, 0, 0,
      0, 0, 0, 40,
    ]);
  });

  it("overlapping windows that share a maximum accumulate", () => {
    const x = [1, 2, 3, 4, 9, 5, 6, 7, 8];
    const a = maxAttrs({ stride: [1, 1] });
    const [, indices] = run(maxPool2d, [tensor([1, 1, 3, 3], x)], a);
    expect(indices!.values).toEqual([4, 4, 4, 4]);
    const [gx] = run(maxPool2dBackward, [tensor([1, 1, 2, 2], [1, 2, 3, 4]), tensor([1, 1, 2, 2], indices!.values, "int32")], {
      inputShape: [1, 1, 3, 3],
    });
    expect(gx!.values).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });

  it("is the adjoint of max pooling at fixed indices: <maxPool(x), g> = <x, backward(g)>", () => {
    const shape = [2, 3, 7, 6];
    const a = maxAttrs({ kernelSize: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 2], ceilMode: true });
    const x = random(numel(shape), 21);
    const [values, indices] = run(maxPool2d, [tensor(shape, x)], a);
    const g = random(values!.values.length, 22);
    const [gx] = run(maxPool2dBackward, [tensor(values!.shape, g), tensor(values!.shape, indices!.values, "int32")], { inputShape: shape });
    expect(dot(x, gx!.values)).toBeCloseTo(dot(values!.values, g), 12);
  });

  it("strided gradOutput and indices give the same result as contiguous ones", () => {
    const shape = [1, 2, 3, 2];
    const g = random(12, 23);
    const idx = [0, 5, 3, 3, 1, 2, 4, 4, 0, 0, 5, 1];
    const attrs = { inputShape: [1, 2, 3, 3] };
    expect(run(maxPool2dBackward, [channelsLast(shape, g), everyOtherColumn(shape, idx, "int32")], attrs)).toEqual(
      run(maxPool2dBackward, [tensor(shape, g), tensor(shape, idx, "int32")], attrs),
    );
  });

  it("errors: int32 indices only, float gradients, matching shapes, indices inside the plane", () => {
    const g = f64([1, 1, 2, 2]);
    const idx = { shape: [1, 1, 2, 2], dtype: "int32" as const };
    expect(() => maxPool2dBackward.infer([g, f64([1, 1, 2, 2])], { inputShape: [1, 1, 4, 4] })).toThrow(DTypeError);
    expect(() => maxPool2dBackward.infer([{ shape: [1, 1, 2, 2], dtype: "int32" }, idx], { inputShape: [1, 1, 4, 4] })).toThrow(DTypeError);
    expect(() => maxPool2dBackward.infer([g, { shape: [1, 1, 2, 3], dtype: "int32" }], { inputShape: [1, 1, 4, 4] })).toThrow(
      /must have the same shape/,
    );
    expect(() => maxPool2dBackward.infer([g, idx], { inputShape: [1, 2, 4, 4] })).toThrow(/batch size and channels/);
    expect(() =>
      run(maxPool2dBackward, [tensor([1, 1, 1, 1], [1]), tensor([1, 1, 1, 1], [16], "int32")], { inputShape: [1, 1, 4, 4] }),
    ).toThrow("Found an invalid max index: 16 (output volumes are of size 4x4)");
  });
});

// ---- avgPool2d -----------------------------------------------------------------------------

describe("avgPool2d: hand-computed values", () => {
  it("2x2 windows, stride 2", () => {
    const [out] = run(avgPool2d, [tensor([1, 1, 4, 4], range(16))], avgAttrs());
    expect(out!.shape).toEqual([1, 1, 2, 2]);
    expect(out!.values).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it("padding 1: countIncludePad divides by 9, otherwise by the real positions", () => {
    const x = tensor([1, 1, 3, 3], range(9, 1));
    const a = { kernelSize: [3, 3] as const, padding: [1, 1] as const };
    const [incl] = run(avgPool2d, [x], avgAttrs(a));
    const [excl] = run(avgPool2d, [x], avgAttrs({ ...a, countIncludePad: false }));
    expect(incl!.shape).toEqual([1, 1, 2, 2]);
    const sums = [1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9];
    expect(incl!.values).toEqual(sums.map((s) => s / 9));
    expect(excl!.values).toEqual([3, 4, 6, 7]);
  });

  it("ceilMode windows past the padded input do not count, even with countIncludePad", () => {
    // 3x3 input 1..9, k2 s2, no padding: the ceil-mode windows hang over the edge
    const [out] = run(avgPool2d, [tensor([1, 1, 3, 3], range(9, 1))], avgAttrs({ ceilMode: true }));
    expect(out!.shape).toEqual([1, 1, 2, 2]);
    expect(out!.values).toEqual([3, (3 + 6) / 2, (7 + 8) / 2, 9]);
  });

  it("ceilMode with padding: the divisor counts left/top padding and in-range right padding only", () => {
    // 4x4 input 0..15, k3 s2 p1, ceil: windows start at -1, 1, 3; the last spans rows 3 and 4 (padding), not 5
    const x = tensor([1, 1, 4, 4], range(16));
    const a = { kernelSize: [3, 3] as const, padding: [1, 1] as const, ceilMode: true };
    const sums = [10, 24, 10, 51, 90, 33, 25, 42, 15];
    const [incl] = run(avgPool2d, [x], avgAttrs(a));
    expect(incl!.shape).toEqual([1, 1, 3, 3]);
    const inclDivisors = [9, 9, 6, 9, 9, 6, 6, 6, 4];
    expect(incl!.values).toEqual(sums.map((s, i) => s / inclDivisors[i]!));
    const [excl] = run(avgPool2d, [x], avgAttrs({ ...a, countIncludePad: false }));
    const exclDivisors = [4, 6, 2, 6, 9, 3, 2, 3, 1];
    expect(excl!.values).toEqual(sums.map((s, i) => s / exclDivisors[i]!));
  });

  it("divisorOverride replaces the divisor everywhere", () => {
    const [out] = run(avgPool2d, [tensor([1, 1, 4, 4], range(16))], avgAttrs({ divisorOverride: 2 }));
    expect(out!.values).toEqual([5, 9, 21, 25]);
    const x = tensor([1, 1, 3, 3], range(9, 1));
    const [padded] = run(avgPool2d, [x], avgAttrs({ kernelSize: [3, 3], padding: [1, 1], divisorOverride: 3, countIncludePad: false }));
    expect(padded!.values).toEqual([4, 16 / 3, 8, 28 / 3]);
  });

  it("float32 in, float32 out", () => {
    const [out] = run(avgPool2d, [tensor([1, 1, 2, 2], [0.1, 0.2, 0.3, 0.4], "float32")], avgAttrs());
    expect(out!.dtype).toBe("float32");
    expect(out!.values[0]).toBeCloseTo(0.25, 6);
  });

  it("strided inputs give the same result as contiguous ones", () => {
    const shape = [2, 3, 5, 7];
    const xs = random(numel(shape), 31);
    const a = avgAttrs({ kernelSize: [3, 2], stride: [2, 3], padding: [1, 1], ceilMode: true, countIncludePad: false });
    const expected = run(avgPool2d, [tensor(shape, xs)], a);
    expect(run(avgPool2d, [channelsLast(shape, xs)], a)).toEqual(expected);
    expect(run(avgPool2d, [everyOtherColumn(shape, xs)], a)).toEqual(expected);
  });

  it("zero batch", () => {
    const [out] = run(avgPool2d, [tensor([0, 3, 4, 4], [])], avgAttrs());
    expect(out!.shape).toEqual([0, 3, 2, 2]);
    expect(out!.values).toEqual([]);
  });

  it("errors", () => {
    expect(() => avgPool2d.infer([{ shape: [1, 1, 4, 4], dtype: "int32" }], avgAttrs())).toThrow(DTypeError);
    expect(() => avgPool2d.infer([f64([1, 1, 4, 4])], avgAttrs({ kernelSize: [2, 2], padding: [2, 2] }))).toThrow(
      "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1",
    );
    expect(() => avgPool2d.infer([f64([1, 2, 1, 1])], avgAttrs())).toThrow(
      "Given input size: (2x1x1). Calculated output size: (2x0x0). Output size is too small",
    );
    expect(() => avgPool2d.infer([f64([1, 1, 4, 4])], avgAttrs({ divisorOverride: 0 }))).toThrow("divisor must be not zero");
    expect(() => avgPool2d.infer([f64([4, 4])], avgAttrs())).toThrow(ShapeError);
  });
});

// ---- avgPool2dBackward ---------------------------------------------------------------------

describe("avgPool2dBackward", () => {
  it("spreads each gradient evenly over its window", () => {
    const [gx] = run(avgPool2dBackward, [tensor([1, 1, 2, 2], [1, 2, 3, 4])], { ...avgAttrs(), inputShape: [1, 1, 4, 4] });
    expect(gx!.shape).toEqual([1, 1, 4, 4]);
    expect(gx!.values).toEqual([
      0.25, 0.25, 0.5, 0.5,
      0.25, 0.25, 0.5, 0.5,
      0.75, 0.75, 1, 1,
      0.75, 0.75, 1, 1,
    ]);
  });

  it("overlapping windows accumulate", () => {
    const [gx] = run(avgPool2dBackward, [tensor([1, 1, 2, 2], [1, 1, 1, 1])], {
      ...avgAttrs({ stride: [1, 1] }),
      inputShape: [1, 1, 3, 3],
    });
    expect(gx!.values).toEqual([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]);
  });

  it("uses the forward's divisors (ceil mode, padding, countIncludePad false)", () => {
    // one output gradient at the bottom-right window of the 4x4, k3 s2 p1 ceil case: it covers x[3][3] only
    const g = [0, 0, 0, 0, 0, 0, 0, 0, 8];
    const a = avgAttrs({ kernelSize: [3, 3], padding: [1, 1], ceilMode: true });
    const [incl] = run(avgPool2dBackward, [tensor([1, 1, 3, 3], g)], { ...a, inputShape: [1, 1, 4, 4] });
    expect(incl!.values).toEqual([...new Array(15).fill(0), 2]); // 8 / 4
    const [excl] = run(avgPool2dBackward, [tensor([1, 1, 3, 3], g)], { ...a, countIncludePad: false, inputShape: [1, 1, 4, 4] });
    expect(excl!.values).toEqual([...new Array(15).fill(0), 8]); // 8 / 1
  });

  const adjointCases: { name: string; shape: number[]; a: AvgPool2dAttrs }[] = [
    { name: "plain", shape: [2, 2, 6, 6], a: avgAttrs() },
    { name: "padding, countIncludePad", shape: [1, 3, 5, 7], a: avgAttrs({ kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] }) },
    { name: "ceil, exclude pad", shape: [2, 1, 7, 5], a: avgAttrs({ kernelSize: [3, 2], stride: [2, 2], padding: [1, 1], ceilMode: true, countIncludePad: false }) },
    { name: "ceil, include pad, overlap", shape: [1, 2, 6, 5], a: avgAttrs({ kernelSize: [3, 3], stride: [2, 1], padding: [1, 0], ceilMode: true }) },
    { name: "divisorOverride", shape: [1, 1, 5, 5], a: avgAttrs({ kernelSize: [2, 3], stride: [1, 2], padding: [1, 1], divisorOverride: 5 }) },
  ];
  for (const [k, c] of adjointCases.entries()) {
    it(`is the adjoint of avgPool2d: ${c.name}`, () => {
      const x = random(numel(c.shape), 40 + k);
      const [y] = run(avgPool2d, [tensor(c.shape, x)], c.a);
      const g = random(y!.values.length, 50 + k);
      const [gx] = run(avgPool2dBackward, [tensor(y!.shape, g)], { ...c.a, inputShape: c.shape });
      expect(gx!.shape).toEqual(c.shape);
      expect(dot(x, gx!.values)).toBeCloseTo(dot(y!.values, g), 12);
    });
  }

  it("a strided gradOutput gives the same result as a contiguous one", () => {
    const shape = [2, 3, 2, 3];
    const g = random(numel(shape), 60);
    const attrs = { ...avgAttrs({ ceilMode: true }), inputShape: [2, 3, 3, 5] };
    expect(run(avgPool2dBackward, [channelsLast(shape, g)], attrs)).toEqual(run(avgPool2dBackward, [tensor(shape, g)], attrs));
  });

  it("zero batch", () => {
    const [gx] = run(avgPool2dBackward, [tensor([0, 1, 2, 2], [])], { ...avgAttrs(), inputShape: [0, 1, 4, 4] });
    expect(gx!.shape).toEqual([0, 1, 4, 4]);
  });

  it("errors: gradOutput must match avgPool2d's output for inputShape", () => {
    expect(() => avgPool2dBackward.infer([f64([1, 1, 3, 3])], { ...avgAttrs(), inputShape: [1, 1, 4, 4] })).toThrow(
      "avgPool2dBackward: expected gradOutput of size [1, 1, 2, 2] (the avgPool2d output for input [1, 1, 4, 4]), but got [1, 1, 3, 3]",
    );
    expect(() => avgPool2dBackward.infer([{ shape: [1, 1, 2, 2], dtype: "int32" }], { ...avgAttrs(), inputShape: [1, 1, 4, 4] })).toThrow(
      DTypeError,
    );
  });
});
