/**
 * The WebAssembly SIMD float32 GEMM (assembly/gemm.ts) through the backend's `matmul`: every
 * transpose case (NN, NT, TN, TT) and a sliced stride, odd sizes, batch broadcast and zero
 * sizes, against a float64 reference; and the forced fallback (`simd: false`).
 */
import { describe, expect, it, vi } from "vitest";
import type { TypedArray } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";
import { createCpuBackend } from "../src/index.js";
import { wasmGemm } from "../src/kernels/wasm-gemm.js";

type View = TensorView<TypedArray>;
const simd = createCpuBackend({ name: "cpu-simd" });
const plain = createCpuBackend({ name: "cpu-plain", simd: false });

/** Deterministic float32 values in [-2, 2) with fractions. */
function value(seed: number, i: number): number {
  const h = Math.imul(i + 1 + seed * 7919, 2654435761) >>> 0;
  return ((h % 4096) - 2048) / 1024 + (h % 7) / 97;
}

/**
 * A `[...batch, rows, cols]` float32 view of logical values `v(flat index)`. `transposed`
 * stores the last two dims swapped (a `.t()` view); `step` > 1 stores the last dim with that
 * stride (a sliced view); `batchStride0` makes dim 0 a broadcast (stride 0) dim.
 */
function view(
  shape: number[],
  seed: number,
  opts: { transposed?: boolean; step?: number; broadcast0?: boolean } = {},
): { view: View; at: (idx: number[]) => number } {
  const nd = shape.length;
  const rows = shape[nd - 2]!;
  const cols = shape[nd - 1]!;
  const step = opts.step ?? 1;
  const batchShape = shape.slice(0, nd - 2);
  const stored = batchShape.map((s, d) => (d === 0 && opts.broadcast0 ? 1 : s));
  const storedBatch = stored.reduce((p, s) => p * s, 1);
  const mat = rows * cols * step;
  const buffer = new Float32Array(storedBatch * mat + 3);
  const offset = 3;
  const strides = new Array<number>(nd).fill(0);
  if (opts.transposed) {
    strides[nd - 2] = step;
    strides[nd - 1] = rows * step;
  } else {
    strides[nd - 2] = cols * step;
    strides[nd - 1] = step;
  }
  let s = mat;
  for (let d = nd - 3; d >= 0; d--) {
    strides[d] = d === 0 && opts.broadcast0 ? 0 : s;
    s *= stored[d]!;
  }
  const addr = (idx: number[]): number => offset + idx.reduce((p, x, d) => p + x * strides[d]!, 0);
  // Fill every stored element reachable from the view.
  const total = shape.reduce((p, x) => p * x, 1);
  const idx = new Array<number>(nd).fill(0);
  for (let t = 0; t < total; t++) {
    let r = t;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d] = r % shape[d]!;
      r = Math.floor(r / shape[d]!);
    }
    const a = addr(idx);
    buffer[a] = value(seed, a);
  }
  return {
    view: { buffer, dtype: "float32", layout: { shape, strides, offset } },
    at: (i) => buffer[addr(i)]!,
  };
}

/** Runs matmul on `backend` and checks it against a float64 reference. */
function check(
  backend: typeof simd,
  aShape: number[],
  bShape: number[],
  aOpts: Parameters<typeof view>[2] = {},
  bOpts: Parameters<typeof view>[2] = {},
): void {
  const a = view(aShape, 1, aOpts);
  const b = view(bShape, 2, bOpts);
  const M = aShape[aShape.length - 2]!;
  const K = aShape[aShape.length - 1]!;
  const N = bShape[bShape.length - 1]!;
  const batch = aShape.length > bShape.length ? aShape.slice(0, -2) : bShape.slice(0, -2);
  const outShape = [...batch, M, N];
  const size = outShape.reduce((p, x) => p * x, 1);
  const out = new Float32Array(size + 5).fill(Number.NaN);
  const outStrides = outShape.map((_, d) => outShape.slice(d + 1).reduce((p, x) => p * x, 1));
  backend.kernels.matmul!([a.view, b.view], [{ buffer: out, dtype: "float32", layout: { shape: outShape, strides: outStrides, offset: 2 } }], {});
  const batches = size / (M * N);
  for (let t = 0; t < batches; t++) {
    const bi: number[] = [];
    let r = t;
    for (let d = batch.length - 1; d >= 0; d--) {
      bi.unshift(r % batch[d]!);
      r = Math.floor(r / batch[d]!);
    }
    const ai = bi.slice(bi.length - (aShape.length - 2));
    const bj = bi.slice(bi.length - (bShape.length - 2));
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        let mag = 0;
        for (let k = 0; k < K; k++) {
          const p = a.at([...ai, i, k]) * b.at([...bj, k, j]);
          sum += p;
          mag += Math.abs(p);
        }
        const got = out[2 + t * M * N + i * N + j]!;
        if (!(Math.abs(got - sum) <= 1e-6 * mag + 1e-6)) {
          throw new Error(`${aShape}x${bShape} [${t}, ${i}, ${j}]: got ${got}, want ${sum}`);
        }
      }
    }
  }
  expect(out[0]).toBeNaN();
  expect(out[size + 2]).toBeNaN();
}

describe("WebAssembly SIMD float32 GEMM", () => {
  it("is available on this engine", () => {
    expect(wasmGemm()).not.toBeNull();
    expect(simd.simd).toBe(true);
    expect(plain.simd).toBe(false);
  });

  it("every transpose case at odd sizes", () => {
    const sizes = [1, 3, 7, 17, 65, 129];
    for (const M of sizes) {
      for (const K of [1, 7, 65, 129]) {
        for (const N of sizes) {
          if (M * N * K > 300_000 && M !== N) continue;
          for (const ta of [false, true]) {
            for (const tb of [false, true]) check(simd, [M, K], [K, N], { transposed: ta }, { transposed: tb });
          }
        }
      }
    }
  });

  it("sizes across the blocking (K > 256, N > 512, M > 64)", () => {
    check(simd, [70, 300], [300, 530]);
    check(simd, [70, 300], [300, 530], { transposed: true }, { transposed: true });
    check(simd, [129, 513], [513, 17], {}, { transposed: true });
  });

  it("sliced (stepped) operands", () => {
    check(simd, [17, 33], [33, 19], { step: 2 }, { step: 3 });
    check(simd, [17, 33], [33, 19], { step: 2, transposed: true }, { step: 3, transposed: true });
  });

  it("batches, broadcast batch dims and a shared 2-D weight", () => {
    check(simd, [3, 17, 33], [33, 19]);
    check(simd, [2, 3, 17, 33], [3, 33, 19], {}, { transposed: true });
    check(simd, [3, 17, 33], [3, 33, 19], { broadcast0: true });
    check(simd, [4, 17, 33], [4, 33, 19], { transposed: true }, { broadcast0: true });
    check(simd, [33, 17], [5, 17, 19]);
  });

  it("operands larger than the module's first memory (4 MiB), then small ones again", () => {
    // 2 × 5×300000 floats ≈ 12 MiB: the GEMM replaces its instance with a larger one (it never
    // grows a memory in place); the products before and after stay right.
    check(simd, [9, 11], [11, 13]);
    check(simd, [5, 300_000], [300_000, 5], { transposed: true });
    check(simd, [9, 11], [11, 13], {}, { transposed: true });
  });

  it("zero sizes", () => {
    check(simd, [0, 40], [40, 130]);
    check(simd, [130, 40], [40, 0]);
    check(simd, [130, 0], [0, 40]);
    check(simd, [0, 130, 40], [40, 30]);
  });

  it("the forced fallback (simd: false) computes the same products in TypeScript", () => {
    check(plain, [65, 129], [129, 17], { transposed: true });
    check(plain, [3, 17, 33], [33, 19], {}, { transposed: true });
    const a = view([40, 50], 1).view;
    const b = view([50, 60], 2).view;
    const run = (backend: typeof simd): Float32Array => {
      const out = new Float32Array(2400);
      backend.kernels.matmul!([a, b], [{ buffer: out, dtype: "float32", layout: { shape: [40, 60], strides: [60, 1], offset: 0 } }], {});
      return out;
    };
    const x = run(simd);
    const y = run(plain);
    let maxDiff = 0;
    for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i]! - y[i]!));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it("warns once when SIMD is unavailable", async () => {
    vi.resetModules();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const validate = vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    try {
      const fresh = await import("../src/backend.js");
      const one = fresh.createCpuBackend({ name: "x" });
      const two = fresh.createCpuBackend({ name: "y" });
      expect(one.simd).toBe(false);
      expect(two.simd).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/WebAssembly SIMD is not supported/);
    } finally {
      validate.mockRestore();
      warn.mockRestore();
      vi.resetModules();
    }
  });
});
