/**
 * The JSON object the threads page (`threads-entry.ts`) reports on
 * `window.__TESSERA_THREADS_RESULT__`, read by `test/browser-threads.test.ts`.
 */

/** One matmul checked on the page. */
export interface ThreadsCase {
  /** `MxKxN`, with `ᵀ` on a transposed operand, e.g. `203ᵀx129x167`. */
  readonly name: string;
  /** Whether the product is at or above `THREADED_GEMM_MIN_FLOPS` (threads may run it). */
  readonly aboveThreshold: boolean;
  /** GEMMs that ran on several threads during this case (`threadStats().runs` difference). */
  readonly threadedRuns: number;
  /** Whether the backend under test equals the `threads: 1` backend bit for bit. */
  readonly bitIdentical: boolean;
  /** Largest `|got − ref| / (Σ|a·b| + 1e-30)` against the float64 JavaScript reference. */
  readonly maxRelError: number;
}

/** What happened when a worker was made to hang (`injectGemmWorkerFault("hang")`). */
export interface HangResult {
  /** The error the GEMM threw (`name: message`), or `""` when it did not throw. */
  readonly error: string;
  /** Milliseconds from the call to the error. */
  readonly ms: number;
  /** The timeout set through `setThreadedGemmTimeoutMin`. */
  readonly timeoutMin: number;
  /** `backend.threads` afterwards. */
  readonly threadsAfter: number;
  /** A matmul afterwards: bit-identical to one thread, and threaded runs during it. */
  readonly afterBitIdentical: boolean;
  readonly afterThreadedRuns: number;
}

export interface ThreadsPageResult {
  /** An error that stopped the page, when one did. */
  readonly fatal?: string;
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  /** `threads` of: `createCpuBackend({ threads: 1 })`, `createCpuBackend({ threads: 3 })`, `cpuBackend` (default). */
  readonly threads: { readonly one: number; readonly three: number; readonly default: number };
  readonly fma: boolean;
  /** Milliseconds the page yielded to its event loop before the first threaded GEMM (0 when none ran). */
  readonly readyAfterMs: number;
  /** `threadStats()` at the end of the matmul cases (before the hang check). */
  readonly stats: { readonly runs: number; readonly robbed: number; readonly workers: number };
  readonly cases: readonly ThreadsCase[];
  /** Only on the cross-origin isolated page. */
  readonly hang?: HangResult;
  readonly ms: number;
}

declare global {
  interface Window {
    __TESSERA_THREADS_RESULT__?: ThreadsPageResult;
  }
}
