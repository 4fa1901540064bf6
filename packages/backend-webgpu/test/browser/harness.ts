/**
 * Runs the browser page (`entry.ts`) through `@tessera/browser-harness`: bundled from the
 * workspace's TypeScript sources, served on 127.0.0.1 (a secure context, which WebGPU needs)
 * and opened in Debian's headless Chromium with WebGPU on SwiftShader; returns the result the
 * page reports.
 */
import { fileURLToPath } from "node:url";
import { type EsbuildPlugin, openBrowserHarness } from "@tessera/browser-harness";
import { type BrowserResult, type PageOptions, RESULT_PREFIX } from "./result.js";

/** What to do when Chromium or its WebGPU adapter is missing. */
export const INSTALL_HINT =
  "The browser test needs Debian's Chromium (it ships the SwiftShader Vulkan driver WebGPU runs on without a GPU): " +
  "`apt-get install -y chromium` (the binary /usr/bin/chromium, or set TESSERA_CHROMIUM to another Chromium). Never run `npx playwright install`.";

/**
 * Chromium's flags for WebGPU on SwiftShader in headless mode (shared/notes/webgpu-without-gpu.md),
 * on top of the harness's base flags. Both `--use-vulkan=swiftshader` and
 * `--use-webgpu-adapter=swiftshader` are needed: with the second alone the adapter request never resolves.
 */
export const WEBGPU_CHROMIUM_ARGS: readonly string[] = [
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan,WebGPUService",
  "--use-vulkan=swiftshader",
  "--use-webgpu-adapter=swiftshader",
  "--disable-vulkan-surface",
];

/**
 * `@tessera/backend/testing` also exports `describeConformance`, which imports vitest; the
 * page uses only the lower-level helpers, so vitest becomes a stub that throws if called.
 */
const stubVitest: EsbuildPlugin = {
  name: "stub-vitest",
  setup(b) {
    b.onResolve({ filter: /^vitest$/ }, () => ({ path: "vitest", namespace: "stub-vitest" }));
    b.onLoad({ filter: /.*/, namespace: "stub-vitest" }, () => ({
      contents:
        "const none = (name) => () => { throw new Error(`vitest's ${name} is not available in the browser page`); };\n" +
        'export const describe = none("describe"), it = none("it"), test = none("test"), expect = none("expect");\n',
      loader: "js",
    }));
  },
};

export interface BrowserRun {
  readonly result: BrowserResult;
  /** The page's console messages and errors, in order, as `[type] text`. */
  readonly logs: readonly string[];
  /** Milliseconds: bundling, and from launching Chromium to the result. */
  readonly bundleMs: number;
  readonly browserMs: number;
}

/**
 * Bundles, serves and runs the page in headless Chromium; resolves with its result, or
 * rejects (with the page's console) when Chromium is missing, fails to start, or the page
 * reports nothing within `timeoutMs`. Cleans up the browser, server and temporary files.
 */
export async function runBrowserPage(options: PageOptions & { readonly timeoutMs?: number } = {}): Promise<BrowserRun> {
  const harness = await openBrowserHarness<BrowserResult>({
    entry: fileURLToPath(new URL("./entry.ts", import.meta.url)),
    title: "Tessera WebGPU browser test",
    bodyHtml: '<p id="status">running…</p>',
    resultGlobal: "__TESSERA_BROWSER_RESULT__",
    installHint: INSTALL_HINT,
    timeoutHint: `A WebGPU adapter request that never resolves means Chromium lacks SwiftShader or the flags are wrong. ${INSTALL_HINT}`,
    chromiumArgs: WEBGPU_CHROMIUM_ARGS,
    plugins: [stubVitest],
    tempPrefix: "tessera-webgpu",
    launchTimeoutMs: 60_000,
    // The result also goes to the console as one JSON line; it is not a log.
    ignoreConsole: (m) => m.text.startsWith(RESULT_PREFIX),
  });
  try {
    const run = await harness.visit({
      query: { maxCases: options.maxCases, steps: options.steps },
      timeoutMs: options.timeoutMs ?? 150_000,
      pollingMs: 250,
      name: "browser page",
    });
    return {
      result: run.result,
      logs: run.console.map((m) => `[${m.type}] ${m.text}`),
      bundleMs: harness.bundleMs,
      browserMs: harness.launchMs + run.ms,
    };
  } finally {
    await harness.close();
  }
}
