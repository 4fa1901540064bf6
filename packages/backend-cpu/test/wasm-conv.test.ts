/**
 * float32 conv2d and its two gradients through the WebAssembly SIMD GEMM against the plain
 * TypeScript kernels (float64 accumulation): pointwise, padded, strided, dilated and grouped
 * convolutions, a strided (non-dense) input, a size below the threshold, and float64 inputs
 * (which keep the TypeScript path and so match bit for bit). The float32 path runs one GEMM
 * per batch chunk and group; these shapes fit one chunk, and `setConvChunkImages` splits
 * batches into several chunks (a last one shorter) or one image per GEMM.
 */
import { describe, expect, it } from "vitest";
import type { TypedArray } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";
import type { Conv2dAttrs } from "@tessera/kernels";
import { createCpuBackend } from "../src/index.js";
import { setConvChunkImages } from "../src/kernels/conv.js";

type View = TensorView<TypedArray>;
const simd = createCpuBackend({ name: "cpu-simd-conv" });
const plain = createCpuBackend({ name: "cpu-plain-conv", simd: false });

function value(seed: number, i: number): number {
  const h = Math.imul(i + 1 + seed * 7919, 2654435761) >>> 0;
  return ((h % 4096) - 2048) / 1024 + (h % 7) / 97;
}

function contiguous(shape: number[]): number[] {
  return shape.map((_, d) => shape.slice(d + 1).reduce((p, x) => p * x, 1));
}

/** A contiguous view (offset 1) of deterministic values; `step` stores the last dim with that stride. */
function tensor(shape: number[], seed: number, dtype: "float32" | "float64" = "float32", step = 1): View {
  const stored = [...shape.slice(0, -1), shape[shape.length - 1]! * step];
  const n = stored.reduce((p, x) => p * x, 1);
  const buffer = dtype === "float32" ? new Float32Array(n + 1) : new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) buffer[i] = value(seed, i);
  const strides = contiguous(stored);
  strides[strides.length - 1] = step;
  return { buffer, dtype, layout: { shape, strides, offset: 1 } };
}

function output(shape: number[], dtype: "float32" | "float64"): View {
  const n = shape.reduce((p, x) => p * x, 1);
  const buffer = dtype === "float32" ? new Float32Array(n + 2).fill(Number.NaN) : new Float64Array(n + 2).fill(Number.NaN);
  return { buffer, dtype, layout: { shape, strides: contiguous(shape), offset: 1 } };
}

function outSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** Runs the three kernels on both backends and compares (exactly for float64). */
function compare(inShape: number[], wShape: number[], attrs: Conv2dAttrs, dtype: "float32" | "float64" = "float32", step = 1): void {
  const [N, , H, W] = inShape as [number, number, number, number];
  const [O, , kH, kW] = wShape as [number, number, number, number];
  const Ho = outSize(H, kH, attrs.stride[0], attrs.padding[0], attrs.dilation[0]);
  const Wo = outSize(W, kW, attrs.stride[1], attrs.padding[1], attrs.dilation[1]);
  const oShape = [N, O, Ho, Wo];
  const x = tensor(inShape, 1, dtype, step);
  const w = tensor(wShape, 2, dtype);
  const gy = tensor(oShape, 3, dtype);
  const runs: [string, (b: typeof simd, out: View) => void, number[]][] = [
    ["conv2d", (b, out) => b.kernels.conv2d!([x, w], [out], attrs), oShape],
    ["conv2dBackwardInput", (b, out) => b.kernels.conv2dBackwardInput!([gy, w], [out], { ...attrs, inputShape: inShape }), inShape],
    ["conv2dBackwardWeight", (b, out) => b.kernels.conv2dBackwardWeight!([x, gy], [out], { ...attrs, weightShape: wShape }), wShape],
  ];
  for (const [name, run, shape] of runs) {
    const a = output(shape, dtype);
    const b = output(shape, dtype);
    run(simd, a);
    run(plain, b);
    const n = shape.reduce((p, v) => p * v, 1);
    expect(a.buffer[0]).toBeNaN();
    expect(a.buffer[n + 1]).toBeNaN();
    let maxAbs = 0;
    for (let i = 1; i <= n; i++) maxAbs = Math.max(maxAbs, Math.abs(b.buffer[i]!));
    for (let i = 1; i <= n; i++) {
      const got = a.buffer[i]!;
      const want = b.buffer[i]!;
      const ok = dtype === "float64" ? Object.is(got, want) : Math.abs(got - want) <= 2e-6 * maxAbs + 1e-6;
      if (!ok) throw new Error(`${name} ${inShape} ${wShape} ${JSON.stringify(attrs)} [${i - 1}]: got ${got}, want ${want}`);
    }
  }
}

const attrs = (stride = 1, padding = 0, dilation = 1, groups = 1): Conv2dAttrs => ({
  stride: [stride, stride],
  padding: [padding, padding],
  dilation: [dilation, dilation],
  groups,
});

describe("conv2d through the WebAssembly SIMD GEMM", () => {
  it("the backend uses it", () => {
    expect(simd.simd).toBe(true);
  });

  it("3×3 padded, strided and dilated convolutions", () => {
    compare([2, 3, 12, 11], [8, 3, 3, 3], attrs(1, 1));
    compare([3, 4, 13, 9], [5, 4, 3, 3], attrs(2, 1));
    compare([2, 3, 15, 14], [6, 3, 3, 2], attrs(1, 2, 2));
    compare([1, 2, 9, 9], [4, 2, 5, 5], attrs(3, 0));
  });

  it("pointwise and grouped convolutions", () => {
    compare([2, 16, 7, 6], [24, 16, 1, 1], attrs());
    compare([2, 8, 10, 10], [12, 4, 3, 3], attrs(1, 1, 1, 2));
    compare([2, 12, 6, 5], [12, 3, 1, 1], attrs(1, 0, 1, 4));
  });

  it("a strided input and a size below the threshold", () => {
    compare([2, 3, 10, 9], [4, 3, 3, 3], attrs(1, 1), "float32", 2);
    compare([1, 1, 3, 3], [2, 1, 2, 2], attrs());
  });

  it("batches split into chunks (the last one shorter) and one image per GEMM", () => {
    for (const images of [3, 2, 1]) {
      const before = setConvChunkImages(images);
      try {
        compare([8, 3, 12, 11], [8, 3, 3, 3], attrs(1, 1));
        compare([7, 4, 13, 9], [6, 2, 3, 3], attrs(2, 1, 1, 2));
        compare([5, 3, 15, 14], [6, 1, 3, 2], attrs(1, 2, 2, 3));
        compare([7, 6, 10, 9], [6, 2, 3, 3], attrs(3, 1, 2, 3));
        compare([5, 16, 7, 6], [24, 16, 1, 1], attrs());
        compare([7, 12, 6, 5], [12, 3, 1, 1], attrs(1, 0, 1, 4));
        compare([5, 3, 10, 9], [4, 3, 3, 3], attrs(1, 1), "float32", 2);
      } finally {
        setConvChunkImages(before);
      }
    }
  });

  it("the MNIST CNN's shapes in the default chunks and in uneven ones", () => {
    compare([64, 16, 13, 13], [32, 16, 3, 3], attrs());
    const before = setConvChunkImages(27);
    try {
      compare([64, 1, 28, 28], [16, 1, 3, 3], attrs());
      compare([64, 16, 13, 13], [32, 16, 3, 3], attrs());
    } finally {
      setConvChunkImages(before);
    }
  });

  it("float64 keeps the TypeScript kernels", () => {
    compare([2, 3, 12, 11], [8, 3, 3, 3], attrs(1, 1), "float64");
    compare([2, 16, 7, 6], [24, 16, 1, 1], attrs(), "float64");
  });
});
