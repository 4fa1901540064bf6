/**
 * Per-op overhead and throughput of the CPU kernels (`pnpm bench` in this package, which
 * runs `vitest bench`). Not a test: numbers only.
 */
import { bench, describe } from "vitest";
import { type DType, type TypedArray, allocTypedArray, contiguousLayout } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";
import { cpuKernels } from "../src/index.js";

type View = TensorView<TypedArray>;

function view(shape: number[], dtype: DType = "float32", fill = true): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const buffer = allocTypedArray(dtype, n);
  if (fill) for (let i = 0; i < n; i++) buffer[i] = ((i * 37) % 101) / 50 - 1;
  return { buffer, dtype, layout: contiguousLayout(shape) };
}

function transposed(v: View): View {
  const [a, b] = v.layout.shape as [number, number];
  return { ...v, layout: { shape: [b, a], strides: [1, b], offset: 0 } };
}

describe("per-op overhead, [10, 10] float32", () => {
  const a = view([10, 10]);
  const b = view([10, 10]);
  const out = view([10, 10], "float32", false);
  const row = view([10]);
  bench("add contiguous", () => cpuKernels.add([a, b], [out], {}));
  bench("add broadcast row", () => cpuKernels.add([a, row], [out], {}));
  bench("add transposed", () => cpuKernels.add([transposed(a), b], [out], {}));
  bench("exp", () => cpuKernels.exp([a], [out], {}));
  bench("sum all", () => cpuKernels.sum([a], [view([], "float32", false)], { dims: [0, 1], keepdim: false }));
});

describe("throughput, 1M float32", () => {
  const a = view([1000, 1000]);
  const b = view([1000, 1000]);
  const out = view([1000, 1000], "float32", false);
  bench("add", () => cpuKernels.add([a, b], [out], {}));
  bench("add transposed", () => cpuKernels.add([transposed(a), b], [out], {}));
  bench("copy transposed", () => cpuKernels.copy([transposed(a)], [out], {}));
  bench("sum dim 0", () => cpuKernels.sum([a], [view([1000], "float32", false)], { dims: [0], keepdim: false }));
  bench("sum dim 1", () => cpuKernels.sum([a], [view([1000], "float32", false)], { dims: [1], keepdim: false }));
});

describe("matmul float32", () => {
  const a = view([256, 256]);
  const b = view([256, 256]);
  const out = view([256, 256], "float32", false);
  bench("256³", () => cpuKernels.matmul([a, b], [out], {}));
  bench("256³, b transposed", () => cpuKernels.matmul([a, transposed(b)], [out], {}));
  const x = view([64, 784]);
  const w = view([128, 784]);
  const h = view([64, 128], "float32", false);
  bench("linear 64×784 · (128×784)ᵀ", () => cpuKernels.matmul([x, transposed(w)], [h], {}));
});

describe("conv2d float32", () => {
  const x = view([8, 16, 32, 32]);
  const w = view([32, 16, 3, 3]);
  const out = view([8, 32, 32, 32], "float32", false);
  const attrs = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 } as const;
  bench("8×16×32×32 * 32×16×3×3", () => cpuKernels.conv2d([x, w], [out], attrs));
});
