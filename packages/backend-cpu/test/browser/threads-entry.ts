/**
 * The page of `test/browser-threads.test.ts`, bundled by esbuild from the package's TypeScript
 * sources and served twice: without cross-origin isolation (the backend must fall back to one
 * thread and warn once) and with `Cross-Origin-Opener-Policy: same-origin` +
 * `Cross-Origin-Embedder-Policy: require-corp` (the GEMMs above the threshold must run on the
 * workers, the main thread spinning while it waits, bit-identical to one thread). It checks
 * matmuls of odd shapes and every transpose case against a float64 JavaScript reference and
 * against a `threads: 1` backend; on the isolated page it finally makes a worker hang and
 * checks the GEMM's timeout error and the fallback to one thread. The result goes to
 * `window.__TESSERA_THREADS_RESULT__`.
 */
import type { TensorView } from "@tessera/backend";
import type { TypedArray } from "@tessera/storage";
import { type CpuBackend, cpuBackend, createCpuBackend } from "../../src/index.js";
import {
  THREADED_GEMM_MIN_FLOPS,
  injectGemmWorkerFault,
  setThreadedGemmMinFlops,
  setThreadedGemmTimeoutMin,
  threadStats,
} from "../../src/threads/pool.js";
import type { HangResult, ThreadsCase, ThreadsPageResult } from "./result.js";

type View = TensorView<TypedArray>;

/** Deterministic float32 values in [-2, 2) with fractions. */
function value(seed: number, i: number): number {
  const h = Math.imul(i + 1 + seed * 7919, 2654435761) >>> 0;
  return ((h % 4096) - 2048) / 1024 + (h % 7) / 97;
}

/** A rows × cols float32 view at offset 3, stored transposed (a `.t()` view) when asked. */
function matrix(rows: number, cols: number, seed: number, transposed: boolean): View {
  const buffer = new Float32Array(rows * cols + 3);
  for (let i = 0; i < buffer.length; i++) buffer[i] = value(seed, i);
  return { buffer, dtype: "float32", layout: { shape: [rows, cols], strides: transposed ? [1, rows] : [cols, 1], offset: 3 } };
}

function matmul(backend: CpuBackend, a: View, b: View): Float32Array {
  const M = a.layout.shape[0]!;
  const N = b.layout.shape[1]!;
  const out = new Float32Array(M * N);
  backend.kernels.matmul!([a, b], [{ buffer: out, dtype: "float32", layout: { shape: [M, N], strides: [N, 1], offset: 0 } }], {});
  return out;
}

function bitIdentical(x: Float32Array, y: Float32Array): boolean {
  const a = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const b = new Uint32Array(y.buffer, y.byteOffset, y.length);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Largest error of `got` against the float64 product, relative to `Σ|a·b|` per element. */
function maxRelError(a: View, b: View, got: Float32Array): number {
  const [M, K] = a.layout.shape as [number, number];
  const N = b.layout.shape[1]!;
  const at = (v: View, i: number, j: number) => v.buffer[v.layout.offset + i * v.layout.strides[0]! + j * v.layout.strides[1]!] as number;
  let worst = 0;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      let mag = 0;
      for (let k = 0; k < K; k++) {
        const p = at(a, i, k) * at(b, k, j);
        sum += p;
        mag += Math.abs(p);
      }
      const err = Math.abs(got[i * N + j]! - sum) / (mag + 1e-30);
      if (!(err <= worst)) worst = err; // NaN propagates
    }
  }
  return worst;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** [M, K, N, A transposed, B transposed]: all but the last are above the 4·10⁶ threshold. */
const SHAPES: ReadonlyArray<readonly [number, number, number, boolean, boolean]> = [
  [256, 256, 256, false, false],
  [203, 129, 167, true, false], // taller than wide: rows split
  [67, 300, 211, false, true], // wider than tall: columns split
  [300, 97, 250, true, true],
  [1, 4500, 1000, false, false], // a single row
  [37, 11, 5, true, true], // below the threshold
];

function checkCase(backend: CpuBackend, one: CpuBackend, [M, K, N, ta, tb]: (typeof SHAPES)[number]): ThreadsCase {
  const a = matrix(M, K, 1, ta);
  const b = matrix(K, N, 2, tb);
  const before = threadStats().runs;
  const got = matmul(backend, a, b);
  const threadedRuns = threadStats().runs - before;
  return {
    name: `${M}${ta ? "ᵀ" : ""}x${K}x${N}${tb ? "ᵀ" : ""}`,
    aboveThreshold: M * N * K >= THREADED_GEMM_MIN_FLOPS,
    threadedRuns,
    bitIdentical: bitIdentical(got, matmul(one, a, b)),
    maxRelError: maxRelError(a, b, got),
  };
}

async function checkHang(backend: CpuBackend, one: CpuBackend): Promise<HangResult> {
  // A small product (threshold lowered) so the wait is short: 200 ms + 64³ at the pessimistic rate.
  const timeoutMin = 200;
  setThreadedGemmTimeoutMin(timeoutMin);
  setThreadedGemmMinFlops(1);
  await injectGemmWorkerFault("hang");
  const a = matrix(64, 64, 3, false);
  const b = matrix(64, 64, 4, false);
  const t0 = performance.now();
  let error = "";
  try {
    matmul(backend, a, b);
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const ms = Math.round(performance.now() - t0);
  const before = threadStats().runs;
  const after = matmul(backend, a, b);
  return {
    error,
    ms,
    timeoutMin,
    threadsAfter: backend.threads,
    afterBitIdentical: bitIdentical(after, matmul(one, a, b)),
    afterThreadedRuns: threadStats().runs - before,
  };
}

async function main(): Promise<ThreadsPageResult> {
  const start = performance.now();
  const one = createCpuBackend({ name: "cpu-1", threads: 1 });
  const three = createCpuBackend({ name: "cpu-3", threads: 3 });
  // The first large GEMM starts the workers; in a browser they start only once the page
  // returns to its event loop, so GEMMs run on one thread until then: yield until one runs
  // with a worker's block done by the worker (not taken back by this thread).
  let readyAfterMs = 0;
  if (three.threads > 1) {
    const a = matrix(256, 256, 5, false);
    const b = matrix(256, 256, 6, false);
    const t0 = performance.now();
    for (;;) {
      const before = threadStats();
      matmul(three, a, b);
      const after = threadStats();
      if (after.runs > before.runs && after.robbed === before.robbed) break;
      if (performance.now() - t0 > 10_000) throw new Error("no GEMM ran on the worker threads within 10 s of starting them");
      await sleep(5);
    }
    readyAfterMs = Math.round(performance.now() - t0);
  }
  const cases = SHAPES.map((shape) => checkCase(three, one, shape));
  const stats = threadStats();
  const threads = { one: one.threads, three: three.threads, default: cpuBackend.threads };
  const hang = three.threads > 1 ? await checkHang(three, one) : undefined;
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    threads,
    fma: three.fma,
    readyAfterMs,
    stats,
    cases,
    ...(hang === undefined ? {} : { hang }),
    ms: Math.round(performance.now() - start),
  };
}

main().then(
  (result) => {
    window.__TESSERA_THREADS_RESULT__ = result;
  },
  (error: unknown) => {
    window.__TESSERA_THREADS_RESULT__ = {
      fatal: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error),
      userAgent: navigator.userAgent,
      crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      threads: { one: 0, three: 0, default: 0 },
      fma: false,
      readyAfterMs: 0,
      stats: threadStats(),
      cases: [],
      ms: 0,
    };
  },
);
