/**
 * Runs the threads page (`threads-entry.ts`) in Debian's headless Chromium through
 * `@tessera/browser-harness`: bundled from the package's TypeScript sources and served on
 * 127.0.0.1 twice — under `/plain/` without cross-origin isolation, under `/isolated/` with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`.
 */
import { fileURLToPath } from "node:url";
import { type ConsoleMessage, type PageRun as HarnessPageRun, openBrowserHarness } from "@tessera/browser-harness";
import type { ThreadsPageResult } from "./result.js";

export type { ConsoleMessage };

/** What to do when Chromium is missing. */
export const INSTALL_HINT =
  "The browser threads test needs Debian's Chromium: `apt-get install -y chromium` (the binary /usr/bin/chromium, " +
  "or set TESSERA_CHROMIUM to another Chromium). Never run `npx playwright install`.";

/** The two ways the page is served. */
export type PageMode = "plain" | "isolated";

/** The headers of the cross-origin isolated page. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/** One visit: the page's result, its console, and milliseconds from opening the page to its result. */
export type PageRun = HarnessPageRun<ThreadsPageResult>;

/** A Chromium with the page bundled and served; {@link ThreadsBrowser.close} cleans everything up. */
export interface ThreadsBrowser {
  /** Opens the page in a fresh tab served as `mode`; resolves with its result and console. */
  visit(mode: PageMode, timeoutMs?: number): Promise<PageRun>;
  close(): Promise<void>;
  readonly bundleMs: number;
  readonly launchMs: number;
}

/**
 * Bundles and serves the page and launches Chromium; rejects with {@link INSTALL_HINT} when
 * Chromium is missing or does not start.
 */
export async function openThreadsBrowser(): Promise<ThreadsBrowser> {
  const harness = await openBrowserHarness<ThreadsPageResult>({
    entry: fileURLToPath(new URL("./threads-entry.ts", import.meta.url)),
    title: "Tessera CPU threads browser test",
    resultGlobal: "__TESSERA_THREADS_RESULT__",
    installHint: INSTALL_HINT,
    paths: ["/plain/", "/isolated/"],
    headers: (path) => (path === "/isolated/" ? ISOLATION_HEADERS : {}),
    tempPrefix: "tessera-cpu-threads",
  });
  return {
    visit: (mode, timeoutMs = 20_000) => harness.visit({ path: `/${mode}/`, timeoutMs, name: `${mode} threads page` }),
    close: harness.close,
    bundleMs: harness.bundleMs,
    launchMs: harness.launchMs,
  };
}
