/**
 * The browser path: `initWebGPU()` on `navigator.gpu` in headless Chromium (Debian's, WebGPU
 * on SwiftShader), driven by playwright-core. The page (test/browser/entry.ts, bundled from
 * the workspace sources) runs the conformance cases of every catalog op in every layout, then
 * five Adam steps of a small MLP on "webgpu" and on "cpu" from the same seed. Never skips:
 * without Chromium or a WebGPU adapter it fails with the message that says what to install.
 */
import { describe, expect, it } from "vitest";
import { INSTALL_HINT, runBrowserPage } from "./browser/harness.js";

/** The catalog's op families; the page must run cases of each. */
const FAMILIES = ["unary", "binary", "where", "reduction", "matmul", "copy", "creation", "indexing", "random", "conv", "pool", "optim"];

describe("WebGPU in headless Chromium", () => {
  it("passes the conformance cases of every op and trains like the CPU", { timeout: 240_000 }, async () => {
    const { result, logs, bundleMs, browserMs } = await runBrowserPage({ timeoutMs: 200_000 });
    const context = `\nPage console:\n${logs.join("\n") || "(empty)"}`;
    if (result.fatal !== undefined) {
      const hint = /adapter|navigator\.gpu/i.test(result.fatal) ? `\n${INSTALL_HINT}` : "";
      expect.fail(`the browser page stopped: ${result.fatal}${hint}${context}`);
    }
    expect(result.adapter, "WebGPU adapter").toBeDefined();

    const conformance = result.conformance!;
    const failures = conformance.failures.map((f) => `${f.op} (${f.dtype}, ${f.variant}) case "${f.case}": ${f.message}`);
    expect(failures, `conformance failures in the browser (${failures.length}):\n${failures.join("\n")}`).toEqual([]);
    expect(conformance.opsWithoutCases, "ops without runnable cases").toEqual([]);
    for (const family of FAMILIES) {
      expect(conformance.families[family]?.checks ?? 0, `checks of family ${family}`).toBeGreaterThan(0);
    }

    const training = result.training!;
    expect(training.webgpuLosses.length).toBe(training.steps);
    for (let i = 0; i < training.steps; i++) {
      const e = training.cpuLosses[i]!;
      const a = training.webgpuLosses[i]!;
      expect(Math.abs(a - e) / Math.abs(e), `loss at step ${i}: webgpu ${a}, cpu ${e}`).toBeLessThanOrEqual(1e-4);
    }
    expect(training.webgpuLosses[training.steps - 1]!).toBeLessThan(training.webgpuLosses[0]!);
    expect(training.maxParamDiff, "parameters after training, webgpu vs cpu").toBeLessThanOrEqual(1e-4);
    expect(result.ok).toBe(true);

    console.log(
      `browser: ${result.adapter} in ${result.userAgent}; ${conformance.ops} ops, ${conformance.checks} case runs in ${conformance.ms} ms; ` +
        `${training.steps} training steps (cpu + webgpu) in ${training.ms} ms; bundle ${bundleMs} ms, browser ${browserMs} ms`,
    );
  });
});
