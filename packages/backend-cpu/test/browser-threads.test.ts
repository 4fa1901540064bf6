/**
 * The threaded GEMM in a browser: headless Chromium (Debian's, driven by playwright-core) opens
 * the page test/browser/threads-entry.ts (bundled by esbuild from the package's sources),
 * served from a localhost node:http server twice:
 *
 * - without cross-origin isolation: `crossOriginIsolated` is false, every backend reports one
 *   thread, exactly one console warning names the reason and the fix, and matmuls above the
 *   threshold (odd shapes, every transpose case) match a float64 JavaScript reference;
 * - with COOP `same-origin` + COEP `require-corp`: the GEMMs above the threshold run on three
 *   threads (the main thread spins, since it cannot `Atomics.wait`), bit-identical to a
 *   `threads: 1` backend and right; no warning; then a worker made to hang makes the GEMM throw
 *   its timeout error and later GEMMs run on one thread.
 *
 * Never skips: without Chromium it fails with the message that says what to install.
 */
import { afterAll, describe, expect, it } from "vitest";
import { type ConsoleMessage, type PageRun, type ThreadsBrowser, openThreadsBrowser } from "./browser/harness.js";
import type { ThreadsPageResult } from "./browser/result.js";

/** float32 tolerance against the float64 reference, relative to `Σ|a·b|` (as test/threads.test.ts). */
const TOLERANCE = 1e-6;

/**
 * The browser, launched by the first test that needs it (not in `beforeAll`, whose failure
 * vitest reports as skipped tests: here each test fails with the install hint).
 */
let opening: Promise<ThreadsBrowser> | undefined;
const browser = (): Promise<ThreadsBrowser> => (opening ??= openThreadsBrowser());

afterAll(async () => {
  await opening?.then((b) => b.close(), () => {});
});

function show(run: PageRun): string {
  return `\nPage console:\n${run.console.map((m) => `[${m.type}] ${m.text}`).join("\n") || "(empty)"}`;
}

function checkPage(run: PageRun): ThreadsPageResult {
  const { result } = run;
  if (result.fatal !== undefined) expect.fail(`the threads page stopped: ${result.fatal}${show(run)}`);
  expect(run.console.filter((m) => m.type === "pageerror" || m.type === "error"), `page errors${show(run)}`).toEqual([]);
  expect(result.cases.length).toBeGreaterThan(0);
  for (const c of result.cases) {
    expect(c.maxRelError, `${c.name}: error against the float64 reference`).toBeLessThanOrEqual(TOLERANCE);
  }
  return result;
}

const warnings = (messages: readonly ConsoleMessage[]) => messages.filter((m) => m.type === "warning");

describe("threaded GEMM in headless Chromium", () => {
  it("without cross-origin isolation: one thread, one warning with the reason and the fix, right results", { timeout: 30_000 }, async () => {
    const run = await (await browser()).visit("plain");
    const result = checkPage(run);
    expect(result.crossOriginIsolated).toBe(false);
    expect(result.threads).toEqual({ one: 1, three: 1, default: 1 });
    expect(result.stats).toEqual({ runs: 0, robbed: 0, workers: 0 });
    expect(result.readyAfterMs).toBe(0);
    expect(result.hang).toBeUndefined();
    for (const c of result.cases) {
      expect(c.threadedRuns, c.name).toBe(0);
      expect(c.bitIdentical, c.name).toBe(true);
    }
    expect(result.cases.filter((c) => c.aboveThreshold).length).toBeGreaterThanOrEqual(4);
    const warned = warnings(run.console);
    expect(warned, `exactly one warning${show(run)}`).toHaveLength(1);
    const text = warned[0]!.text;
    expect(text).toMatch(/@tessera\/backend-cpu/);
    expect(text).toMatch(/not cross-origin isolated/);
    expect(text).toMatch(/Cross-Origin-Opener-Policy: same-origin/);
    expect(text).toMatch(/Cross-Origin-Embedder-Policy: require-corp/);
    expect(text).toMatch(/threads: 1/);
  });

  it("cross-origin isolated: several threads, bit-identical to one thread and right, no warning; a hung worker times out", { timeout: 30_000 }, async () => {
    const b = await browser();
    const run = await b.visit("isolated");
    const result = checkPage(run);
    expect(result.crossOriginIsolated).toBe(true);
    expect(result.threads.one).toBe(1);
    expect(result.threads.three).toBe(3);
    expect(result.threads.default).toBe(Math.min(result.hardwareConcurrency, 8));
    expect(result.stats.workers).toBeGreaterThanOrEqual(2);
    for (const c of result.cases) {
      expect(c.bitIdentical, `${c.name}: threads vs one thread, bit for bit`).toBe(true);
      expect(c.threadedRuns, `${c.name}: GEMMs on the threads`).toBe(c.aboveThreshold ? 1 : 0);
    }
    expect(warnings(run.console), `no warning${show(run)}`).toEqual([]);

    const hang = result.hang!;
    expect(hang, "the hang check ran").toBeDefined();
    expect(hang.error).toMatch(/^TesseraError: /);
    expect(hang.error).toMatch(/64×64 · 64×64/);
    expect(hang.error).toMatch(/did not finish within \d+ ms/);
    expect(hang.error).toMatch(/disabled for this process/);
    expect(hang.error).toMatch(/threads: 1/);
    expect(hang.ms).toBeGreaterThanOrEqual(hang.timeoutMin);
    expect(hang.ms).toBeLessThan(hang.timeoutMin + 5_000);
    expect(hang.threadsAfter).toBe(1);
    expect(hang.afterThreadedRuns).toBe(0);
    expect(hang.afterBitIdentical).toBe(true);

    console.log(
      `browser threads: ${result.userAgent}; hardwareConcurrency ${result.hardwareConcurrency}, fma ${result.fma}; ` +
        `workers ready after ${result.readyAfterMs} ms; ${result.stats.runs} threaded GEMMs; page ${run.ms} ms; ` +
        `bundle ${b.bundleMs} ms, launch ${b.launchMs} ms`,
    );
  });
});
