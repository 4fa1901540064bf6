/**
 * The JSON object the browser page reports (on `window.__TESSERA_BROWSER_RESULT__` and as
 * one console line starting with {@link RESULT_PREFIX}), read by `test/browser.test.ts`.
 */

/** The console line that carries the result starts with this. */
export const RESULT_PREFIX = "TESSERA_BROWSER_RESULT ";

/** Options the page reads from its URL's query string. */
export interface PageOptions {
  /** At most this many regular cases per op, dtype and layout (all when absent). */
  readonly maxCases?: number;
  /** Training steps to compare (default 5). */
  readonly steps?: number;
}

/** One conformance check that did not pass (mismatching values, or a kernel that threw). */
export interface BrowserFailure {
  readonly op: string;
  readonly dtype: string;
  /** `contiguous` / `transposed` / `sliced` / `broadcast` inputs, `sliced` / `transposed` output view, or `zero-size`. */
  readonly variant: string;
  readonly case: string;
  /** The mismatches (first few, formatted) or the error message. */
  readonly message: string;
}

export interface BrowserResult {
  /** True when every check passed and every loss matched. */
  readonly ok: boolean;
  /** An error that stopped the page (no adapter, a throw outside the checks). */
  readonly fatal?: string;
  readonly userAgent: string;
  /** `vendor/architecture` of the WebGPU adapter, e.g. `google/swiftshader`. */
  readonly adapter?: string;
  readonly conformance?: {
    /** Catalog ops that ran at least one case. */
    readonly ops: number;
    /** Catalog ops with no runnable case on this backend (should be empty). */
    readonly opsWithoutCases: readonly string[];
    /** Per family: how many ops and how many case runs. */
    readonly families: Readonly<Record<string, { readonly ops: number; readonly checks: number }>>;
    /** Case runs (one case in one layout). */
    readonly checks: number;
    readonly failures: readonly BrowserFailure[];
    readonly ms: number;
  };
  readonly training?: {
    readonly steps: number;
    readonly cpuLosses: readonly number[];
    readonly webgpuLosses: readonly number[];
    /** Largest |webgpu − cpu| / max(|cpu|, 1e-6) over the steps. */
    readonly maxLossRelDiff: number;
    /** Largest elementwise |webgpu − cpu| / (1 + |cpu|) over every parameter after the last step. */
    readonly maxParamDiff: number;
    readonly ms: number;
  };
  readonly ms: number;
}

declare global {
  interface Window {
    __TESSERA_BROWSER_RESULT__?: BrowserResult;
  }
}
