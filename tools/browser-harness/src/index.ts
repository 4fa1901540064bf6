/**
 * Runs a test page in Debian's headless Chromium: bundles the page's entry module with esbuild
 * (workspace packages resolved to their TypeScript sources, as under vitest) into a temporary
 * directory, serves that directory on 127.0.0.1 (a secure context) under one or more path
 * prefixes, launches Chromium through playwright-core on a fresh profile, and reads the result
 * the page sets on `window`, with the page's console. Test-only; see README.md.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { type Plugin, build } from "esbuild";
import { type BrowserContext, chromium } from "playwright-core";

/**
 * An esbuild plugin, for {@link BrowserHarnessOptions.plugins} (re-exported so that callers
 * need no dependency on esbuild).
 *
 * @example
 * const stub: EsbuildPlugin = { name: "stub", setup(b) { b.onResolve({ filter: /^vitest$/ }, () => ({ path: "vitest", namespace: "stub" })); } };
 */
export type EsbuildPlugin = Plugin;

/**
 * The Chromium that is launched: Debian's `/usr/bin/chromium`, or `TESSERA_CHROMIUM` when set
 * (read once, when this module loads).
 *
 * @example
 * // TESSERA_CHROMIUM=/opt/chromium/chrome npx vitest run test/browser.test.ts
 * console.log(CHROMIUM_PATH); // "/opt/chromium/chrome"
 */
export const CHROMIUM_PATH = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The flags every launch gets: headless, no sandbox (containers), and no network traffic or
 * first-run work of its own. {@link BrowserHarnessOptions.chromiumArgs} are appended.
 *
 * @example
 * openBrowserHarness({ ...options, chromiumArgs: ["--enable-unsafe-webgpu"] }); // BASE_CHROMIUM_ARGS + that flag
 */
export const BASE_CHROMIUM_ARGS: readonly string[] = [
  "--headless=new",
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * One console message of the page; `type` is playwright's (`log`, `warning`, `error`, …) or
 * `pageerror` for an uncaught error.
 *
 * @example
 * const errors = run.console.filter((m: ConsoleMessage) => m.type === "error" || m.type === "pageerror");
 */
export interface ConsoleMessage {
  readonly type: string;
  readonly text: string;
}

/**
 * Formats messages one per line as `[type] text`, or `(empty)` when there are none; the form the
 * timeout error uses.
 *
 * @example
 * expect(errors, `page errors\nPage console:\n${formatConsole(run.console)}`).toEqual([]);
 */
export function formatConsole(messages: readonly ConsoleMessage[]): string {
  return messages.map((m) => `[${m.type}] ${m.text}`).join("\n") || "(empty)";
}

/**
 * What differs between pages. Only `entry`, `title`, `resultGlobal`, `installHint` and
 * `tempPrefix` are required.
 *
 * @example
 * const options: BrowserHarnessOptions = {
 *   entry: fileURLToPath(new URL("./entry.ts", import.meta.url)),
 *   title: "My browser test",
 *   resultGlobal: "__MY_RESULT__",
 *   installHint: "Needs Debian's Chromium: `apt-get install -y chromium`.",
 *   tempPrefix: "my-test",
 * };
 */
export interface BrowserHarnessOptions {
  /** Absolute path of the page's entry module (TypeScript); bundled as `entry.js`. */
  readonly entry: string;
  /** The `<title>` of the generated `index.html`. */
  readonly title: string;
  /** HTML put in `<body>` before the script tag (default none). */
  readonly bodyHtml?: string;
  /**
   * The `window` property the page sets to its result (a structured-cloneable value); the
   * harness waits until it is defined, then reads it.
   */
  readonly resultGlobal: string;
  /** What to install; in the error when Chromium is missing or fails to start. */
  readonly installHint: string;
  /** Appended to the error when the page reports no result in time (default none). */
  readonly timeoutHint?: string;
  /** Chromium flags appended to {@link BASE_CHROMIUM_ARGS}. */
  readonly chromiumArgs?: readonly string[];
  /** esbuild plugins for bundling the page. */
  readonly plugins?: readonly EsbuildPlugin[];
  /**
   * URL path prefixes the bundle is served under, each starting and ending with `/` (default
   * `["/"]`). A request outside every prefix gets 404.
   */
  readonly paths?: readonly string[];
  /** Extra response headers for the files served under `path` (one of {@link paths}). */
  readonly headers?: (path: string) => Readonly<Record<string, string>>;
  /** Start of the temporary directories' names: `<tempPrefix>-page-…` and `<tempPrefix>-chromium-…`. */
  readonly tempPrefix: string;
  /** Milliseconds Chromium may take to start (default 30 000). */
  readonly launchTimeoutMs?: number;
  /** Console messages for which this returns true are not collected (e.g. a line carrying the result). */
  readonly ignoreConsole?: (message: ConsoleMessage) => boolean;
}

/**
 * One visit of the page.
 *
 * @example
 * await harness.visit({ path: "/isolated/", query: { steps: 5 }, timeoutMs: 20_000, name: "isolated page" });
 */
export interface VisitOptions {
  /** One of {@link BrowserHarnessOptions.paths} (default the first). */
  readonly path?: string;
  /** Query-string parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Milliseconds to wait for the result after the page loaded (default 20 000). */
  readonly timeoutMs?: number;
  /** Milliseconds between checks for the result (default 50). */
  readonly pollingMs?: number;
  /** What the timeout error calls the page: "The <name> reported no result …" (default `page`). */
  readonly name?: string;
}

/**
 * The outcome of one visit.
 *
 * @example
 * const { result, console, ms } = await harness.visit();
 */
export interface PageRun<T> {
  /** The value of `window[resultGlobal]`. */
  readonly result: T;
  /** The page's console messages and uncaught errors, in order (less those ignored). */
  readonly console: readonly ConsoleMessage[];
  /** Milliseconds from opening the page to its result. */
  readonly ms: number;
}

/**
 * A Chromium with the page bundled and served. Each {@link BrowserHarness.visit} opens the page
 * in a fresh tab; {@link BrowserHarness.close} closes Chromium and the server and removes the
 * temporary directories.
 *
 * @example
 * const harness = await openBrowserHarness<MyResult>(options);
 * try {
 *   const { result } = await harness.visit();
 * } finally {
 *   await harness.close();
 * }
 */
export interface BrowserHarness<T> {
  /** Opens the page in a fresh tab; resolves with its result, or rejects with the page's console when none comes in time. */
  visit(options?: VisitOptions): Promise<PageRun<T>>;
  /** Closes Chromium and the server and removes the temporary directories; never rejects. */
  close(): Promise<void>;
  /** Milliseconds the bundling took. */
  readonly bundleMs: number;
  /** Milliseconds Chromium took to start. */
  readonly launchMs: number;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly origin: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** Bundles the page into `dir` (entry.js, its source map and index.html). */
async function bundlePage(dir: string, options: BrowserHarnessOptions): Promise<void> {
  await build({
    entryPoints: { entry: options.entry },
    outdir: dir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // Workspace packages resolve to their TypeScript sources, as under vitest.
    conditions: ["source"],
    sourcemap: "linked",
    logLevel: "silent",
    plugins: [...(options.plugins ?? [])],
  });
  await writeFile(
    join(dir, "index.html"),
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${options.title}</title><link rel="icon" href="data:,"></head>\n` +
      `<body>${options.bodyHtml ?? ""}<script type="module" src="./entry.js"></script></body></html>\n`,
  );
}

/** Serves the files of `dir` on 127.0.0.1, on a free port, under each of `paths`. */
async function serve(dir: string, paths: readonly string[], headers: BrowserHarnessOptions["headers"]): Promise<{ server: Server; origin: string }> {
  const root = normalize(dir + sep);
  const server = createServer((request, response) => {
    void (async () => {
      const pathname = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
      const prefix = paths.find((p) => pathname.startsWith(p));
      let file: string;
      try {
        file = normalize(join(root, decodeURIComponent(pathname.slice(prefix?.length ?? 0)) || "index.html"));
      } catch {
        response.writeHead(400).end();
        return;
      }
      if (prefix === undefined || !file.startsWith(root)) {
        response.writeHead(prefix === undefined ? 404 : 403).end();
        return;
      }
      try {
        const body = await readFile(file);
        response.writeHead(200, {
          "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
          "cache-control": "no-store",
          ...headers?.(prefix),
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
  return { server, origin: `http://127.0.0.1:${port}` };
}

/**
 * Bundles and serves the page and launches Chromium ({@link CHROMIUM_PATH}). Rejects, with
 * `installHint`, when Chromium is missing or does not start, so a test that needs the browser
 * fails instead of skipping; on any failure everything started so far is cleaned up.
 *
 * @example
 * const harness = await openBrowserHarness<{ ok: boolean }>({
 *   entry: fileURLToPath(new URL("./entry.ts", import.meta.url)),
 *   title: "My browser test",
 *   resultGlobal: "__MY_RESULT__",
 *   installHint: "Needs Debian's Chromium: `apt-get install -y chromium`.",
 *   tempPrefix: "my-test",
 * });
 * try {
 *   expect((await harness.visit({ timeoutMs: 30_000 })).result.ok).toBe(true);
 * } finally {
 *   await harness.close();
 * }
 */
export async function openBrowserHarness<T>(options: BrowserHarnessOptions): Promise<BrowserHarness<T>> {
  const { installHint } = options;
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}. ${installHint}`);
  const paths = options.paths ?? ["/"];
  const dir = await mkdtemp(join(tmpdir(), `${options.tempPrefix}-page-`));
  const profile = await mkdtemp(join(tmpdir(), `${options.tempPrefix}-chromium-`));
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
    await bundlePage(dir, options);
    const bundleMs = Math.round(performance.now() - t);
    const served = await serve(dir, paths, options.headers);
    server = served.server;
    t = performance.now();
    try {
      // A persistent context on a fresh, empty profile directory (the user-data-dir).
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...BASE_CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])],
        timeout: options.launchTimeoutMs ?? 30_000,
      });
    } catch (error) {
      throw new Error(`Chromium (${CHROMIUM_PATH}) failed to start: ${error instanceof Error ? error.message : String(error)}\n${installHint}`);
    }
    const launchMs = Math.round(performance.now() - t);
    const browser = context;
    const key = options.resultGlobal;
    const visit = async (visitOptions: VisitOptions = {}): Promise<PageRun<T>> => {
      const { path = paths[0]!, timeoutMs = 20_000, pollingMs = 50, name = "page" } = visitOptions;
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(visitOptions.query ?? {})) if (v !== undefined) query.set(k, String(v));
      const page = await browser.newPage();
      const messages: ConsoleMessage[] = [];
      const collect = (m: ConsoleMessage) => {
        if (options.ignoreConsole?.(m) !== true) messages.push(m);
      };
      page.on("console", (m) => collect({ type: m.type(), text: m.text() }));
      page.on("pageerror", (e) => collect({ type: "pageerror", text: e.message }));
      const t0 = performance.now();
      try {
        await page.goto(`${served.origin}${path}${query.size > 0 ? `?${query}` : ""}`, { waitUntil: "load" });
        try {
          await page.waitForFunction((k) => (window as unknown as Record<string, unknown>)[k] !== undefined, key, { timeout: timeoutMs, polling: pollingMs });
        } catch (error) {
          const hint = options.timeoutHint === undefined ? "" : ` ${options.timeoutHint}`;
          throw new Error(
            `The ${name} reported no result within ${timeoutMs / 1000} s (${error instanceof Error ? error.message.split("\n")[0] : String(error)}).${hint}\n` +
              `Page console:\n${formatConsole(messages)}`,
          );
        }
        const result = (await page.evaluate((k) => (window as unknown as Record<string, unknown>)[k], key)) as T;
        return { result, console: messages, ms: Math.round(performance.now() - t0) };
      } finally {
        await page.close().catch(() => {});
      }
    };
    return { visit, close, bundleMs, launchMs, origin: served.origin };
  } catch (error) {
    await close();
    throw error;
  }
}
