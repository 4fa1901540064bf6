/**
 * Runs the threads page (`threads-entry.ts`) in Debian's headless Chromium: bundles it with
 * esbuild from the package's TypeScript sources into a temporary directory, serves it on
 * 127.0.0.1 twice — under `/plain/` without cross-origin isolation, under `/isolated/` with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` —
 * and opens it with playwright-core, collecting the console. (Same pattern as
 * packages/backend-webgpu/test/browser/harness.ts, without the WebGPU flags.)
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type BrowserContext, chromium } from "playwright-core";
import type { ThreadsPageResult } from "./result.js";

/** Debian's Chromium; `TESSERA_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";

/** What to do when Chromium is missing. */
export const INSTALL_HINT =
  "The browser threads test needs Debian's Chromium: `apt-get install -y chromium` (the binary /usr/bin/chromium, " +
  "or set TESSERA_CHROMIUM to another Chromium). Never run `npx playwright install`.";

const CHROMIUM_ARGS: readonly string[] = [
  "--headless=new",
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const ENTRY = fileURLToPath(new URL("./threads-entry.ts", import.meta.url));

/** The two ways the page is served. */
export type PageMode = "plain" | "isolated";

/** The headers of the cross-origin isolated page. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/** Bundles the page into `dir` (entry.js and index.html). */
async function bundlePage(dir: string): Promise<void> {
  await build({
    entryPoints: { entry: ENTRY },
    outdir: dir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // Workspace packages resolve to their TypeScript sources, as under vitest.
    conditions: ["source"],
    sourcemap: "linked",
    logLevel: "silent",
  });
  await writeFile(
    join(dir, "index.html"),
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>Tessera CPU threads browser test</title><link rel="icon" href="data:,"></head>\n' +
      '<body><script type="module" src="./entry.js"></script></body></html>\n',
  );
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};
const FILES = new Set(["index.html", "entry.js", "entry.js.map"]);

/** Serves the files of `dir` on 127.0.0.1 under `/plain/` and `/isolated/` (the latter with {@link ISOLATION_HEADERS}). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    void (async () => {
      const match = /^\/(plain|isolated)\/([^/]*)$/.exec(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
      const name = match === null ? "" : match[2] || "index.html";
      if (match === null || !FILES.has(name)) {
        response.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(join(dir, name));
        response.writeHead(200, {
          "content-type": CONTENT_TYPES[extname(name)] ?? "application/octet-stream",
          "cache-control": "no-store",
          ...(match[1] === "isolated" ? ISOLATION_HEADERS : {}),
        });
        response.end(body);
      } catch {
        response.writeHead(404).end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** One console message of the page (or `pageerror` for an uncaught error). */
export interface ConsoleMessage {
  readonly type: string;
  readonly text: string;
}

export interface PageRun {
  readonly result: ThreadsPageResult;
  readonly console: readonly ConsoleMessage[];
  /** Milliseconds from opening the page to its result. */
  readonly ms: number;
}

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
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}. ${INSTALL_HINT}`);
  const dir = await mkdtemp(join(tmpdir(), "tessera-cpu-threads-page-"));
  const profile = await mkdtemp(join(tmpdir(), "tessera-cpu-threads-chromium-"));
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  const close = async (): Promise<void> => {
    await context?.close().catch(() => {});
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await rm(dir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  };
  try {
    let t = performance.now();
    await bundlePage(dir);
    const bundleMs = Math.round(performance.now() - t);
    const served = await serve(dir);
    server = served.server;
    t = performance.now();
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS],
        timeout: 30_000,
      });
    } catch (error) {
      throw new Error(`Chromium (${CHROMIUM_PATH}) failed to start: ${error instanceof Error ? error.message : String(error)}\n${INSTALL_HINT}`);
    }
    const launchMs = Math.round(performance.now() - t);
    const browser = context;
    const visit = async (mode: PageMode, timeoutMs = 20_000): Promise<PageRun> => {
      const page = await browser.newPage();
      const messages: ConsoleMessage[] = [];
      page.on("console", (m) => messages.push({ type: m.type(), text: m.text() }));
      page.on("pageerror", (e) => messages.push({ type: "pageerror", text: e.message }));
      const t0 = performance.now();
      try {
        await page.goto(`${served.url}${mode}/`, { waitUntil: "load" });
        try {
          await page.waitForFunction(() => window.__TESSERA_THREADS_RESULT__ !== undefined, null, { timeout: timeoutMs, polling: 50 });
        } catch (error) {
          const console = messages.map((m) => `[${m.type}] ${m.text}`).join("\n") || "(empty)";
          throw new Error(
            `The ${mode} threads page reported no result within ${timeoutMs / 1000} s (${error instanceof Error ? error.message.split("\n")[0] : String(error)}).\nPage console:\n${console}`,
          );
        }
        const result = await page.evaluate(() => window.__TESSERA_THREADS_RESULT__!);
        return { result, console: messages, ms: Math.round(performance.now() - t0) };
      } finally {
        await page.close().catch(() => {});
      }
    };
    return { visit, close, bundleMs, launchMs };
  } catch (error) {
    await close();
    throw error;
  }
}
