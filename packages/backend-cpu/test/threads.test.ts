/**
 * The multi-threaded float32 GEMM (src/threads/): results bit-identical to one thread on odd
 * shapes, every transpose case, row and column splits and many sizes in a row; `threads: 1`;
 * bad `threads` values; the single-thread fallback when SharedArrayBuffer is hidden
 * (one warning per process, right results); workers that exit or hang (the pool is
 * disabled: one warning, or one clear error after the timeout, then one thread); and a worker
 * that does not start its block (the caller runs it: same bits, no error).
 */
import { type MockInstance, afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TypedArray } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";
import { type CpuBackend, createCpuBackend } from "../src/index.js";
import { setThreadedGemmMinFlops, threadStats, THREADED_GEMM_MIN_FLOPS } from "../src/threads/pool.js";

type View = TensorView<TypedArray>;

const one = createCpuBackend({ name: "cpu-1", threads: 1 });
const two = createCpuBackend({ name: "cpu-2", threads: 2 });
const three = createCpuBackend({ name: "cpu-3", threads: 3 });

/** Deterministic float32 values in [-2, 2) with fractions. */
function value(seed: number, i: number): number {
  const h = Math.imul(i + 1 + seed * 7919, 2654435761) >>> 0;
  return ((h % 4096) - 2048) / 1024 + (h % 7) / 97;
}

/** A rows × cols float32 view at offset 3, stored transposed (a `.t()` view) when asked. */
function matrix(rows: number, cols: number, seed: number, transposed = false): View {
  const buffer = new Float32Array(rows * cols + 3);
  for (let i = 0; i < buffer.length; i++) buffer[i] = value(seed, i);
  return { buffer, dtype: "float32", layout: { shape: [rows, cols], strides: transposed ? [1, rows] : [cols, 1], offset: 3 } };
}

function matmul(backend: CpuBackend, a: View, b: View): Float32Array {
  const M = a.layout.shape[0]!;
  const N = b.layout.shape[1]!;
  const out = new Float32Array(M * N + 2).fill(Number.NaN);
  backend.kernels.matmul!([a, b], [{ buffer: out, dtype: "float32", layout: { shape: [M, N], strides: [N, 1], offset: 1 } }], {});
  expect(out[0]).toBeNaN();
  expect(out[M * N + 1]).toBeNaN();
  return out;
}

describe("which products take the threads (default thresholds)", () => {
  it("shallow products (K < 32) stay on one thread however large; deep ones above 64³ use the workers", () => {
    // Start the workers first (they start on the first threaded product).
    same(two, 128, 64, 800);
    const before = threadStats().runs;
    same(two, 128, 10, 800); // 1 M multiply-adds but only 10 deep: copying C out would dominate
    same(two, 800, 16, 128);
    expect(threadStats().runs).toBe(before);
    same(two, 40, 40, 40); // 64 000 multiply-adds: below THREADED_GEMM_MIN_FLOPS
    expect(threadStats().runs).toBe(before);
    same(two, 128, 32, 800);
    same(two, 64, 64, 64);
    expect(threadStats().runs).toBe(before + 2);
  });
});

/** Checks `backend` against one thread bit for bit and against a float64 reference. */
function same(backend: CpuBackend, M: number, K: number, N: number, ta = false, tb = false): void {
  const a = matrix(M, K, 1, ta);
  const b = matrix(K, N, 2, tb);
  const want = matmul(one, a, b);
  const got = matmul(backend, a, b);
  const bits = (x: Float32Array) => new Uint32Array(x.buffer);
  const w = bits(want);
  const g = bits(got);
  for (let i = 0; i < w.length; i++) {
    if (w[i] !== g[i]) throw new Error(`${M}x${K}x${N} ta=${ta} tb=${tb}: element ${i - 1} is ${got[i]} on ${backend.threads} threads, ${want[i]} on one`);
  }
  // A few elements against float64, so "equal" also means "right".
  const at = (v: View, i: number, j: number) => v.buffer[v.layout.offset + i * v.layout.strides[0]! + j * v.layout.strides[1]!]!;
  for (const [i, j] of [[0, 0], [M - 1, N - 1], [M >> 1, N >> 1]] as const) {
    let sum = 0;
    let mag = 0;
    for (let k = 0; k < K; k++) {
      const p = at(a, i, k) * at(b, k, j);
      sum += p;
      mag += Math.abs(p);
    }
    expect(Math.abs(got[1 + i * N + j]! - sum)).toBeLessThanOrEqual(1e-6 * mag + 1e-6);
  }
}

describe("multi-threaded float32 GEMM", () => {
  // Products from 50 000 multiply-adds use the threads (the default threshold is higher), so
  // the shapes below stay quick and still cover both splits.
  let threshold = 0;
  beforeAll(() => {
    threshold = setThreadedGemmMinFlops(50_000);
  });
  afterAll(() => {
    setThreadedGemmMinFlops(threshold);
  });

  it("uses the threads it was given", () => {
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(three.threads).toBe(3);
    expect(createCpuBackend({ simd: false, threads: 4 }).threads).toBe(1);
    // The FMA kernel runs exactly where the engine has relaxed SIMD: Node 20 only with the flag
    // (`pnpm test` runs these files a second time with it), Node ≥ 22 always.
    const major = Number(process.versions.node.split(".")[0]);
    const relaxed = major >= 22 || process.execArgv.includes("--experimental-wasm-relaxed-simd");
    expect(two.fma).toBe(relaxed);
    expect(one.fma).toBe(relaxed);
  });

  it("is bit-identical to one thread: odd shapes, every transpose case, row and column splits", () => {
    const before = threadStats().runs;
    const shapes: Array<[number, number, number]> = [
      [67, 129, 203], // wider than tall, enough rows: rows split
      [9, 129, 203], // few rows, wider than tall: columns split
      [203, 129, 67], // taller than wide: rows split
      [129, 65, 129],
      [1, 1000, 257], // a single row
      [257, 1000, 1], // a single column
      [33, 600, 35],
      [70, 300, 530], // across the K and N blocking
      [130, 513, 17],
    ];
    for (const [M, K, N] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          same(two, M, K, N, ta, tb);
          same(three, M, K, N, ta, tb);
        }
      }
    }
    expect(threadStats().runs - before).toBeGreaterThanOrEqual(shapes.length * 4);
    expect(threadStats().workers).toBeGreaterThanOrEqual(2);
  });

  it("many sizes in a row (memory grows, workers reused) stay bit-identical", () => {
    const sizes = [48, 256, 64, 300, 96, 31, 512, 128, 200, 47, 384];
    for (let round = 0; round < 2; round++) {
      for (const n of sizes) same(round === 0 ? two : three, n, n + 1, n + 2);
    }
  });

  it("sends small products through the workers too when the threshold is lowered (every tile edge)", () => {
    const before = setThreadedGemmMinFlops(1);
    try {
      for (const M of [2, 3, 5, 9, 13]) {
        for (const N of [2, 7, 12, 25]) {
          for (const K of [1, 4, 33]) same(three, M, K, N, M % 2 === 1, N % 2 === 0);
        }
      }
    } finally {
      setThreadedGemmMinFlops(before);
    }
    expect(THREADED_GEMM_MIN_FLOPS).toBeGreaterThan(1);
  });

  it("batched matmul and conv2d on threads equal one thread", () => {
    const a = { buffer: new Float32Array(4 * 100 * 150).map((_, i) => value(3, i)), dtype: "float32" as const, layout: { shape: [4, 100, 150], strides: [15000, 150, 1], offset: 0 } };
    const b = matrix(150, 90, 4);
    const run = (backend: CpuBackend) => {
      const out = new Float32Array(4 * 100 * 90);
      backend.kernels.matmul!([a, b], [{ buffer: out, dtype: "float32", layout: { shape: [4, 100, 90], strides: [9000, 90, 1], offset: 0 } }], {});
      return out;
    };
    expect(run(two)).toEqual(run(one));
    const x = { buffer: new Float32Array(2 * 8 * 20 * 20).map((_, i) => value(5, i)), dtype: "float32" as const, layout: { shape: [2, 8, 20, 20], strides: [3200, 400, 20, 1], offset: 0 } };
    const w = { buffer: new Float32Array(16 * 8 * 3 * 3).map((_, i) => value(6, i)), dtype: "float32" as const, layout: { shape: [16, 8, 3, 3], strides: [72, 9, 3, 1], offset: 0 } };
    const conv = (backend: CpuBackend) => {
      const out = new Float32Array(2 * 16 * 18 * 18);
      backend.kernels.conv2d!([x, w], [{ buffer: out, dtype: "float32", layout: { shape: [2, 16, 18, 18], strides: [5184, 324, 18, 1], offset: 0 } }], {
        stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1,
      } as never);
      return out;
    };
    const before = setThreadedGemmMinFlops(1000);
    try {
      expect(conv(two)).toEqual(conv(one));
    } finally {
      setThreadedGemmMinFlops(before);
    }
  });

  it("rejects a bad thread count with a clear error", () => {
    expect(() => createCpuBackend({ threads: 0 })).toThrow(/threads.*positive integer/);
    expect(() => createCpuBackend({ threads: 1.5 })).toThrow(/threads.*positive integer/);
  });

  it("threads: 1 starts no workers and warns nothing", async () => {
    vi.resetModules();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const fresh = await import("../src/index.js");
      const stats = await import("../src/threads/pool.js");
      const b = fresh.createCpuBackend({ name: "t1", threads: 1 });
      expect(b.threads).toBe(1);
      same(b, 200, 200, 200);
      expect(stats.threadStats()).toEqual({ runs: 0, robbed: 0, workers: 0 });
      expect(warn.mock.calls.filter((c) => /worker threads/.test(String(c[0])))).toEqual([]);
    } finally {
      warn.mockRestore();
      vi.resetModules();
    }
  });

  it("without SharedArrayBuffer: one thread, one warning naming the reason and the fix, right results", async () => {
    vi.resetModules();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.stubGlobal("SharedArrayBuffer", undefined);
    try {
      const fresh = await import("../src/index.js");
      const stats = await import("../src/threads/pool.js");
      const x = fresh.createCpuBackend({ name: "x", threads: 2 });
      const y = fresh.createCpuBackend({ name: "y", threads: 4 });
      expect(x.threads).toBe(1);
      expect(y.threads).toBe(1);
      expect(fresh.cpuBackend.threads).toBe(1);
      same(x, 200, 150, 220);
      same(y, 220, 150, 200, true, true);
      expect(stats.threadStats()).toEqual({ runs: 0, robbed: 0, workers: 0 });
      expect(warn).toHaveBeenCalledTimes(1);
      const message = String(warn.mock.calls[0]![0]);
      expect(message).toMatch(/SharedArrayBuffer is unavailable/);
      expect(message).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
      expect(message).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
      expect(message).toMatch(/threads: 1/);
    } finally {
      vi.unstubAllGlobals();
      warn.mockRestore();
      vi.resetModules();
    }
  });

  it("a worker that exits: the next GEMMs run on one thread, right results, one warning", async () => {
    await withFreshPool(async ({ fresh, stats, warn }) => {
      const b = fresh.createCpuBackend({ name: "exits", threads: 3 });
      same(b, 90, 80, 70);
      expect(stats.threadStats().runs).toBe(1);
      expect(b.threads).toBe(3);
      await stats.injectGemmWorkerFault("exit"); // resolves after Node's `exit` event disabled the pool
      expect(b.threads).toBe(1);
      same(b, 90, 80, 70);
      same(b, 70, 80, 90, true, false);
      expect(stats.threadStats().runs).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      const message = String(warn.mock.calls[0]![0]);
      expect(message).toMatch(/GEMM worker thread exited/);
      expect(message).toMatch(/disabled for this process/);
      expect(message).toMatch(/threads: 1/);
    });
  });

  it("a worker that does not start its block: the caller takes it back, same bits, no error; the worker joins later GEMMs", async () => {
    await withFreshPool(async ({ fresh, stats, warn }) => {
      const b = fresh.createCpuBackend({ name: "stalls", threads: 2 });
      same(b, 96, 64, 80); // starts the worker
      const before = stats.threadStats();
      await stats.injectGemmWorkerFault("stall");
      same(b, 96, 64, 80);
      same(b, 100, 70, 90, true, false);
      const after = stats.threadStats();
      expect(after.runs - before.runs).toBe(2);
      expect(after.robbed - before.robbed).toBeGreaterThanOrEqual(1);
      expect(b.threads).toBe(2);
      // The robbed worker is not broken: GEMMs back to back (a worker asleep loses its block to
      // the caller, then polls for 2 ms) soon run with a block on it, even on a loaded machine.
      const [x, y] = [matrix(96, 64, 5), matrix(64, 80, 6)];
      let joined = false;
      for (const until = performance.now() + 10_000; !joined && performance.now() < until; ) {
        const robbed = stats.threadStats().robbed;
        matmul(b, x, y);
        joined = stats.threadStats().robbed === robbed;
      }
      expect(joined, "a later GEMM ran a block on the worker").toBe(true);
      same(b, 96, 64, 80);
      expect(warn).not.toHaveBeenCalled();
    });
  });

  it("a worker that never answers: the GEMM throws a clear error after the timeout, later GEMMs run on one thread", async () => {
    await withFreshPool(async ({ fresh, stats, warn }) => {
      const b = fresh.createCpuBackend({ name: "hangs", threads: 2 });
      same(b, 64, 64, 64); // starts the worker
      expect(stats.threadStats().runs).toBe(1);
      expect(stats.gemmTimeoutMs(64, 64, 64)).toBeGreaterThanOrEqual(stats.GEMM_TIMEOUT_MIN_MS);
      expect(stats.gemmTimeoutMs(1024, 1024, 1024)).toBeGreaterThan(60_000);
      stats.setThreadedGemmTimeoutMin(50);
      await stats.injectGemmWorkerFault("hang");
      const t0 = performance.now();
      let error: unknown;
      try {
        matmul(b, matrix(64, 64, 1), matrix(64, 64, 2));
      } catch (e) {
        error = e;
      }
      const ms = performance.now() - t0;
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("TesseraError");
      const message = (error as Error).message;
      expect(message).toMatch(/matmul/);
      expect(message).toMatch(/64×64 · 64×64/);
      expect(message).toMatch(/did not finish within \d+ ms/);
      expect(message).toMatch(/disabled for this process/);
      expect(message).toMatch(/threads: 1/);
      expect(ms).toBeGreaterThanOrEqual(50);
      expect(ms).toBeLessThan(5_000);
      expect(b.threads).toBe(1);
      same(b, 64, 64, 64);
      same(b, 100, 90, 80, false, true);
      expect(stats.threadStats().runs).toBe(1);
      expect(warn).not.toHaveBeenCalled(); // the error already said it
    });
  });

  it("injectGemmWorkerFault needs a started pool", async () => {
    vi.resetModules();
    try {
      const stats = await import("../src/threads/pool.js");
      await expect(stats.injectGemmWorkerFault("exit")).rejects.toThrow(/no GEMM worker has started/);
    } finally {
      vi.resetModules();
    }
  });
});

/**
 * Runs `fn` with a fresh copy of the package (so a pool of its own that a fault can break),
 * `console.warn` captured, and the threaded-GEMM threshold lowered to 50 000 multiply-adds.
 */
async function withFreshPool(
  fn: (ctx: { fresh: typeof import("../src/index.js"); stats: typeof import("../src/threads/pool.js"); warn: MockInstance<typeof console.warn> }) => Promise<void>,
): Promise<void> {
  vi.resetModules();
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    const fresh = await import("../src/index.js");
    const stats = await import("../src/threads/pool.js");
    stats.setThreadedGemmMinFlops(50_000);
    await fn({ fresh, stats, warn });
  } finally {
    warn.mockRestore();
    vi.resetModules();
  }
}

afterAll(() => {
  expect(threadStats().runs).toBeGreaterThan(0);
});
