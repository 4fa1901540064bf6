/**
 * Runs the browser page (`entry.ts`) in headless Chromium: bundles it with esbuild from the
 * workspace's TypeScript sources into a temporary directory, serves that directory on
 * 127.0.0.1 (a secure context, which WebGPU needs), opens it with playwright-core in Debian's
 * Chromium with WebGPU on SwiftShader, and returns the result the page reports.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type Plugin, build } from "esbuild";
import { type BrowserContext, chromium } from "playwright-core";
import { type BrowserResult, type PageOptions, RESULT_PREFIX } from "./result.js";

/** Debian's Chromium; `TESSERA_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";

/** What to do when Chromium or its WebGPU adapter is missing. */
export const INSTALL_HINT =
  "The browser test needs Debian's Chromium (it ships the SwiftShader Vulkan driver WebGPU runs on without a GPU): " +
  "`apt-get install -y chromium` (the binary /usr/bin/chromium, or set TESSERA_CHROMIUM to another Chromium). Never run `npx playwright install`.";

/**
 * Chromium's flags for WebGPU on SwiftShader in headless mode (shared/notes/webgpu-without-gpu.md).
 * Both `--use-vulkan=swiftshader` and `--use-webgpu-adapter=swiftshader` are needed: with the
 * second alone the adapter request never resolves.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless=new",
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan,WebGPUService",
  "--use-vulkan=swiftshader",
  "--use-webgpu-adapter=swiftshader",
  "--disable-vulkan-surface",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const ENTRY = fileURLToPath(new URL("./entry.ts", import.meta.url));

/**
 * `@tessera/backend/testing` also exports `describeConformance`, which imports vitest; the
 * page uses only the lower-level helpers, so vitest becomes a stub that throws if called.
 */
const stubVitest: Plugin = {
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

/** Bundles the page into `dir` (entry.js and index.html). */
export async function bundlePage(dir: string): Promise<void> {
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
    plugins: [stubVitest],
  });
  await writeFile(
    join(dir, "index.html"),
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>Tessera WebGPU browser test</title><link rel="icon" href="data:,"></head>\n' +
      '<body><p id="status">running…</p><script type="module" src="./entry.js"></script></body></html>\n',
  );
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** A static server for the files of `dir` on 127.0.0.1, on a free port. */
export async function serveDirectory(dir: string): Promise<{ server: Server; url: string }> {
  const root = normalize(dir + sep);
  const server = createServer((request, response) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
      const file = normalize(join(root, pathname === "/" ? "index.html" : pathname));
      if (!file.startsWith(root)) {
        response.writeHead(403).end();
        return;
      }
      try {
        const body = await readFile(file);
        response.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
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

export interface BrowserRun {
  readonly result: BrowserResult;
  /** The page's console messages and errors, in order. */
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
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}. ${INSTALL_HINT}`);
  const timeoutMs = options.timeoutMs ?? 150_000;
  const dir = await mkdtemp(join(tmpdir(), "tessera-webgpu-page-"));
  const profile = await mkdtemp(join(tmpdir(), "tessera-webgpu-chromium-"));
  const logs: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  try {
    let t = performance.now();
    await bundlePage(dir);
    const bundleMs = performance.now() - t;
    const served = await serveDirectory(dir);
    server = served.server;

    t = performance.now();
    try {
      // A persistent context on a fresh, empty profile directory (the user-data-dir).
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS],
        timeout: 60_000,
      });
    } catch (error) {
      throw new Error(`Chromium (${CHROMIUM_PATH}) failed to start: ${error instanceof Error ? error.message : String(error)}\n${INSTALL_HINT}`);
    }
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (m) => {
      if (!m.text().startsWith(RESULT_PREFIX)) logs.push(`[${m.type()}] ${m.text()}`);
    });
    page.on("pageerror", (e) => logs.push(`[pageerror] ${e.message}`));
    const query = new URLSearchParams();
    if (options.maxCases !== undefined) query.set("maxCases", String(options.maxCases));
    if (options.steps !== undefined) query.set("steps", String(options.steps));
    const url = `${served.url}${query.size > 0 ? `?${query}` : ""}`;
    await page.goto(url, { waitUntil: "load" });
    try {
      await page.waitForFunction(() => window.__TESSERA_BROWSER_RESULT__ !== undefined, null, { timeout: timeoutMs, polling: 250 });
    } catch (error) {
      throw new Error(
        `The browser page reported no result within ${timeoutMs / 1000} s (${error instanceof Error ? error.message.split("\n")[0] : String(error)}). ` +
          `A WebGPU adapter request that never resolves means Chromium lacks SwiftShader or the flags are wrong. ${INSTALL_HINT}\nPage console:\n${logs.join("\n") || "(empty)"}`,
      );
    }
    const result = await page.evaluate(() => window.__TESSERA_BROWSER_RESULT__!);
    return { result, logs, bundleMs: Math.round(bundleMs), browserMs: Math.round(performance.now() - t) };
  } finally {
    await context?.close().catch(() => {});
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await rm(dir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  }
}
