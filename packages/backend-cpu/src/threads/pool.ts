/**
 * Multi-threaded float32 GEMM: worker threads over one shared `WebAssembly.Memory`.
 *
 * The main thread copies the operands into the shared memory once, splits `C` into as many
 * blocks of rows (or of columns, when `C` has too few rows for that) as there are threads, starts
 * each worker on its block by writing the `gemm` arguments into the worker's control slot and
 * bumping the slot's generation counter (`Atomics.store` + `Atomics.notify`), and runs the
 * first block itself. Then it takes back every block whose worker has not claimed it yet (a
 * compare-exchange on the slot's claim word, which the worker also needs to win before it
 * starts) and runs those too, so a worker that is asleep, descheduled or stuck costs time, never
 * a wait on it: headless Chromium under load was seen to keep a new worker from running while
 * the page's main thread spun for it. Last, it waits until every claimed block's worker has
 * stored that generation into its `done` word (`Atomics.wait` in Node and in workers; a spin on
 * `Atomics.load` on a browser's main thread, where `Atomics.wait` throws). Every thread runs the same micro-kernel with its own
 * packing area, and the split falls on whole micro-tiles, so each element of `C` is computed
 * with the same operations in the same order as on one thread: results are bit-identical.
 *
 * Memory layout (bytes): `[0, 4096)` control slots (128 bytes per worker), then one packing
 * area per thread, then A, B and C of the call.
 *
 * Workers start lazily, on the first GEMM at or above {@link THREADED_GEMM_MIN_FLOPS}; in Node
 * they are `unref()`'d (they never keep the process alive) and that first GEMM waits for them
 * to start (tens of milliseconds, once); in a browser the GEMMs run on the workers that have
 * started so far (a browser's main thread must return to its event loop for them to start).
 *
 * Failures: a worker that fails to start, throws or exits disables the pool for the process
 * (later GEMMs run on one thread, with one `console.warn`); the wait for the workers' blocks is
 * bounded by {@link gemmTimeoutMs}, past which the GEMM throws a `TesseraError` and the pool is
 * disabled likewise (workers terminated; the shared memory is never used again).
 */
import { type GemmExports, type WasmGemm, gemmTile, placeOperand, sharedGemmBytes, spanOf } from "../kernels/wasm-gemm.js";
import { TesseraError } from "@tessera/storage";
import { ARGS, CLAIM, DONE, GEN, HANG, PHASE, SLOT_WORDS, STALL, STATE, STATUS, WORKER_PHASES, WORKER_SOURCE } from "./worker-source.js";

/**
 * Below this many multiply-adds (`M·N·K`) a GEMM stays on one thread: handing work to a
 * worker and waiting for it costs more than it saves. Measured with `node bench/threshold.mjs`
 * (in this package; one thread vs two on square and MLP shapes) on a 2-vCPU AMD EPYC (Zen 5)
 * VM, Node 20, idle: with the workers spinning between jobs, two threads tie one at 40³
 * (0.97×) and win from 48³ (1.14×), 1.33× at 64³, 1.58× at 128³, 1.79× at 256³. The
 * threshold is 64³, a margin above the break-even for a worker that has to wake up first.
 */
export const THREADED_GEMM_MIN_FLOPS = 262_144;

/**
 * Below this depth (`K`) a GEMM stays on one thread whatever its size: each element of `C`
 * then costs fewer multiply-adds than copying it out of the shared memory, which the calling
 * thread does alone. Measured at kernel level (same machine, `C` 128×800): two threads vs one
 * 0.61× at K = 10, 0.77× at 16, 1.16× at 32, 1.30× at 64 (and 0.50× at 64×10·10×800, the
 * gradient of a 10-class linear layer's input).
 */
export const THREADED_GEMM_MIN_DEPTH = 32;

let minFlops = THREADED_GEMM_MIN_FLOPS;
let minDepth = THREADED_GEMM_MIN_DEPTH;
let runs = 0;
let robbed = 0;

/**
 * Test seam: sets the multiply-adds from which GEMMs use threads (default
 * {@link THREADED_GEMM_MIN_FLOPS}) and returns the previous value, so tests can send small
 * products through the workers. Below the default it also lifts the minimum depth
 * ({@link THREADED_GEMM_MIN_DEPTH}), so products of any shape take the threads; setting the
 * default back restores both.
 *
 * @example
 * const before = setThreadedGemmMinFlops(1);
 * // … every float32 GEMM with M·N·K ≥ 1 now runs on the threads …
 * setThreadedGemmMinFlops(before);
 */
export function setThreadedGemmMinFlops(flops: number): number {
  const before = minFlops;
  minFlops = flops;
  minDepth = flops < THREADED_GEMM_MIN_FLOPS ? 1 : THREADED_GEMM_MIN_DEPTH;
  return before;
}

/** What {@link threadStats} reports. */
export interface ThreadStats {
  /** GEMMs split over the calling thread and workers so far in this process. */
  readonly runs: number;
  /**
   * Blocks of those GEMMs that the calling thread took back and ran itself, because their
   * worker had not started them by the time the caller's own block was done (a busy or
   * descheduled worker costs time this way, never an error).
   */
  readonly robbed: number;
  /** Workers started (ready or not). */
  readonly workers: number;
}

/**
 * Diagnostics: how the threaded GEMM has run so far in this process.
 *
 * @example
 * threadStats(); // { runs: 12, robbed: 1, workers: 1 }
 */
export function threadStats(): ThreadStats {
  return { runs, robbed, workers: pool?.started ?? 0 };
}

/**
 * The least time, in milliseconds, the calling thread waits for a worker's block of a GEMM
 * before it declares the worker hung or dead; {@link gemmTimeoutMs} adds time for the work.
 * Generous on purpose: only a worker that stopped answering should ever reach it.
 */
export const GEMM_TIMEOUT_MIN_MS = 10_000;

/**
 * Multiply-adds per millisecond assumed by {@link gemmTimeoutMs}: 10⁷ per second, about a
 * thousand times slower than the SIMD kernel on one core, so a loaded machine never trips it.
 */
export const GEMM_TIMEOUT_MACS_PER_MS = 10_000;

let timeoutMinMs = GEMM_TIMEOUT_MIN_MS;

/**
 * How long the calling thread waits for the workers' blocks of an `M × K · K × N` GEMM, in
 * milliseconds: {@link GEMM_TIMEOUT_MIN_MS} plus `M·N·K` at {@link GEMM_TIMEOUT_MACS_PER_MS}
 * (1024³: about 2 minutes). Past it the GEMM throws and threads are disabled for the process.
 *
 * @example
 * gemmTimeoutMs(1024, 1024, 1024); // 117375
 */
export function gemmTimeoutMs(M: number, N: number, K: number): number {
  return Math.ceil(timeoutMinMs + (M * N * K) / GEMM_TIMEOUT_MACS_PER_MS);
}

/**
 * Test seam: sets the least wait of {@link gemmTimeoutMs} (default {@link GEMM_TIMEOUT_MIN_MS})
 * and returns the previous value, so tests of a hung worker need not wait ten seconds.
 *
 * @example
 * const before = setThreadedGemmTimeoutMin(100);
 * // … a hung worker now fails its GEMM after about 100 ms …
 * setThreadedGemmTimeoutMin(before);
 */
export function setThreadedGemmTimeoutMin(ms: number): number {
  const before = timeoutMinMs;
  timeoutMinMs = ms;
  return before;
}

/**
 * Test seam: breaks the first worker of the process's pool, which must have started (run a
 * threaded GEMM first).
 *
 * - `"hang"`: the next threaded GEMM hands that worker a block it claims and never answers (the
 *   worker blocks forever), so the GEMM throws after {@link gemmTimeoutMs} and threads are disabled.
 * - `"stall"`: that worker does not claim its block of the next threaded GEMM until the calling
 *   thread has taken it back, as a worker the OS has not scheduled would: the GEMM still returns
 *   the same bits, one block later ({@link threadStats}' `robbed` counts it).
 * - `"exit"`: terminates the worker now (`worker.terminate()`); in Node the promise resolves
 *   once its `exit` event has disabled the threads (browsers have no such event: the pool is
 *   disabled at once), so the next GEMM runs on one thread and warns once.
 *
 * @example
 * await injectGemmWorkerFault("exit");
 * cpu.kernels.matmul!(…); // one thread, one console.warn
 */
export function injectGemmWorkerFault(fault: WorkerFault): Promise<void> {
  const p = pool;
  if (p === undefined || p === null || p.started === 0) {
    return Promise.reject(new Error("injectGemmWorkerFault: no GEMM worker has started yet; run a threaded GEMM first."));
  }
  return p.inject(fault);
}

/** The faults {@link injectGemmWorkerFault} can inject. */
export type WorkerFault = "hang" | "stall" | "exit";

/** The most threads one GEMM uses (the control area holds 31 worker slots). */
export const MAX_THREADS = 32;

/** The default thread count's cap: more rarely helps a 128-bit SIMD GEMM (memory bandwidth). */
export const DEFAULT_MAX_THREADS = 8;

const CONTROL_BYTES = 4096;
const SLOT_BYTES = SLOT_WORDS * 4;
/** Milliseconds a Node main thread waits, once, for newly started workers. */
const START_TIMEOUT_MS = 10_000;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: "error", listener: (error: unknown) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  once(event: "exit", listener: (code: number) => void): void;
}
interface NodeWorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}

declare const require: ((name: string) => unknown) | undefined;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/** A Node builtin module, without a static import (browsers' bundles must not see one). */
function nodeBuiltin<T>(name: string): T | undefined {
  if (!isNode()) return undefined;
  const p = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  try {
    if (typeof p?.getBuiltinModule === "function") return p.getBuiltinModule(name) as T; // Node ≥ 20.16
    if (typeof require === "function") return require(name) as T; // CommonJS
  } catch {
    // an ESM bundle's require shim throws: no workers
  }
  return undefined;
}

/** Logical cores: `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers, else 1. */
export function availableCores(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>("node:os");
  if (os !== undefined) return os.availableParallelism?.() ?? os.cpus().length;
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && n >= 1 ? Math.floor(n) : 1;
}

/** The fix printed with every "no threads" reason. */
const FIX =
  "serve the page with the headers `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` " +
  "(cross-origin isolation) to enable them, or pass `createCpuBackend({ threads: 1 })` to silence this warning";

let support: string | undefined;

/**
 * Why worker threads cannot run GEMMs here, or `""` when they can: `SharedArrayBuffer`,
 * `Atomics`, a worker API (Node `worker_threads` or `Worker` + `Blob` URLs), shared
 * WebAssembly memory and the shared-memory GEMM build must all be available. Checked once per
 * process; starts nothing.
 */
export function threadsUnavailableReason(): string {
  if (support !== undefined) return support;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  if (g.crossOriginIsolated === false) {
    support = "the page is not cross-origin isolated (`crossOriginIsolated` is false), so SharedArrayBuffer and shared WebAssembly memory are unavailable";
  } else if (typeof SharedArrayBuffer !== "function") {
    support = "SharedArrayBuffer is unavailable in this environment";
  } else if (typeof Atomics !== "object") {
    support = "Atomics is unavailable in this environment";
  } else if (
    isNode()
      ? nodeBuiltin<NodeWorkerThreads>("node:worker_threads")?.Worker === undefined
      : typeof g.Worker !== "function" || typeof g.Blob !== "function" || typeof g.URL?.createObjectURL !== "function"
  ) {
    support = isNode() ? "node:worker_threads is unavailable" : "Web Workers (Worker and Blob URLs) are unavailable";
  } else {
    try {
      const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      if (!(m.buffer instanceof SharedArrayBuffer)) throw new Error("its buffer is not a SharedArrayBuffer");
      support = WebAssembly.validate(sharedGemmBytes() as BufferSource)
        ? ""
        : "the engine rejects the shared-memory GEMM module (WebAssembly threads)";
    } catch (e) {
      support = `shared WebAssembly memory is unavailable (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  return support;
}

let warned = false;
let brokenWarned = false;

/**
 * Says once per process, with `console.warn`, that the worker threads stopped (`what`) and
 * GEMMs now run on one thread; silent when a GEMM already threw an error saying so.
 */
function warnBroken(what: string): void {
  if (brokenWarned) return;
  brokenWarned = true;
  console.warn(
    `@tessera/backend-cpu: ${what}; worker threads are now disabled for this process and float32 matmul and conv run on one thread. ` +
      "To run on one thread from the start (and silence this warning), pass `createCpuBackend({ threads: 1 })`.",
  );
}

/**
 * Says once per process, with `console.warn`, that GEMMs run on one thread and why, with the
 * fix. Later calls do nothing.
 */
export function warnSingleThreaded(reason: string): void {
  if (warned) return;
  warned = true;
  console.warn(`@tessera/backend-cpu: worker threads are unavailable: ${reason}; float32 matmul and conv run on one thread. To use threads, ${FIX}.`);
}

/** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** A started worker: Node's `Worker` or a browser's. */
type AnyWorker = { readonly node: NodeWorker } | { readonly web: Worker };

/** The process-wide worker pool and the shared memory its GEMMs run in. */
class GemmPool {
  readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  private readonly main: GemmExports;
  private readonly control: Int32Array;
  private readonly workBytes: number;
  private readonly block: boolean;
  private readonly gens: number[] = [];
  private readonly workers: AnyWorker[] = [];
  private f32: Float32Array;
  private blobUrl: string | undefined;
  /** A fault injected by {@link injectGemmWorkerFault} for the next job of worker 0. */
  private fault: "hang" | "stall" | undefined;
  /**
   * Why the workers were given up (a worker failed to start, threw, exited, hung or trapped),
   * or `""` while they work. Once set, GEMMs run on one thread for the rest of the process.
   */
  broken = "";

  constructor() {
    this.module = new WebAssembly.Module(sharedGemmBytes() as BufferSource);
    let memory: WebAssembly.Memory | undefined;
    let error: unknown;
    // 4 GiB where the engine reserves it (64-bit engines), else smaller.
    for (const maximum of [65536, 16384, 4096]) {
      try {
        memory = new WebAssembly.Memory({ initial: 64, maximum, shared: true });
        break;
      } catch (e) {
        error = e;
      }
    }
    if (memory === undefined) throw error;
    this.memory = memory;
    this.main = new WebAssembly.Instance(this.module, { env: { memory } }).exports as unknown as GemmExports;
    this.control = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
    this.workBytes = (this.main.workBytes() + 15) & ~15;
    this.f32 = new Float32Array(memory.buffer);
    this.block = canBlock();
  }

  /** Workers started so far. */
  get started(): number {
    return this.gens.length;
  }

  /**
   * Gives the workers up for the rest of the process: records `why` (the first reason wins),
   * terminates every worker (a hung one may still be running; the shared memory is never used
   * again) and frees the Blob URL.
   */
  disable(why: string): void {
    if (this.broken !== "") return;
    this.broken = why;
    for (const w of this.workers) {
      try {
        if ("node" in w) void w.node.terminate().catch(() => {});
        else w.web.terminate();
      } catch {
        // already gone
      }
    }
    if (this.blobUrl !== undefined) {
      URL.revokeObjectURL(this.blobUrl);
      this.blobUrl = undefined;
    }
  }

  /** See {@link injectGemmWorkerFault}. */
  inject(fault: WorkerFault): Promise<void> {
    if (fault !== "exit") {
      this.fault = fault;
      return Promise.resolve();
    }
    const w = this.workers[0]!;
    if ("node" in w) {
      const exited = new Promise<void>((resolve) => w.node.once("exit", () => resolve()));
      void w.node.terminate().catch(() => {});
      return exited;
    }
    w.web.terminate();
    this.disable("a GEMM worker was terminated");
    return Promise.resolve();
  }

  /**
   * Starts workers until there are `n`; returns how many of the first `n` are ready (0 once
   * the pool is broken).
   */
  prepare(n: number): number {
    if (this.broken !== "") return 0;
    const first = this.gens.length;
    for (let w = first; w < n; w++) this.spawn(w);
    if (this.block && n > first) {
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (let w = first; w < n; w++) {
        const at = w * SLOT_WORDS + STATE;
        for (let left = deadline - Date.now(); Atomics.load(this.control, at) === 0 && left > 0; left = deadline - Date.now()) {
          Atomics.wait(this.control, at, 0, left);
        }
      }
    }
    let ready = 0;
    for (let w = 0; w < n; w++) {
      const state = Atomics.load(this.control, w * SLOT_WORDS + STATE);
      if (state === 1) ready++;
      else if (state === -1) this.disable("a GEMM worker failed to start (its WebAssembly instance could not be created)");
    }
    return this.broken === "" ? ready : 0;
  }

  private spawn(w: number): void {
    const slot = w * SLOT_BYTES;
    this.gens.push(0);
    const fail = (what: string): void => {
      Atomics.store(this.control, w * SLOT_WORDS + STATE, -1);
      this.disable(what);
    };
    const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
    const data = { module: this.module, memory: this.memory, slot };
    try {
      if (isNode()) {
        const { Worker } = nodeBuiltin<NodeWorkerThreads>("node:worker_threads")!;
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
        this.workers.push({ node: worker });
        worker.unref();
        worker.on("error", (error) => fail(`a GEMM worker thread failed (${message(error)})`));
        worker.on("exit", (code) => fail(`a GEMM worker thread exited (exit code ${code})`));
      } else {
        this.blobUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
        const worker = new Worker(this.blobUrl, { name: `tessera-gemm-${w}` });
        this.workers.push({ web: worker });
        worker.onerror = (event) => fail(`a GEMM worker thread failed (${event.message})`);
        worker.postMessage(data);
      }
    } catch (e) {
      fail(`a GEMM worker thread could not be started (${message(e)})`);
    }
  }

  /** Grows the memory to at least `bytes`; false when its maximum is too small. */
  private ensure(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      try {
        this.memory.grow(Math.ceil((bytes - have) / 65536));
      } catch {
        return false;
      }
    }
    if (this.f32.buffer.byteLength !== this.memory.buffer.byteLength) this.f32 = new Float32Array(this.memory.buffer);
    return true;
  }

  /** Copies a rows × cols operand to element index `at`; returns its strides there. */
  private place(src: Float32Array, so: number, rows: number, cols: number, rs: number, cs: number, at: number): [number, number] {
    return placeOperand(this.f32, src, so, rows, cols, rs, cs, at);
  }

  /**
   * Waits until the job `[slot word, generation]` is done or `deadline` (`performance.now()`)
   * has passed; false on the deadline. Blocks in `Atomics.wait` where allowed, else spins.
   */
  private wait(s: number, g: number, deadline: number): boolean {
    const c = this.control;
    // The workers' blocks are as large as this thread's, so they usually finish within
    // microseconds of it: poll first (waking from Atomics.wait takes tens of microseconds).
    for (let i = 0; i < 1 << 16 && Atomics.load(c, s + DONE) !== g; i++);
    for (let done = Atomics.load(c, s + DONE); done !== g; done = Atomics.load(c, s + DONE)) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      if (this.block) Atomics.wait(c, s + DONE, done, left);
      else for (let i = 0; i < 4096 && Atomics.load(c, s + DONE) === done; i++); // spin, then look at the clock
    }
    return true;
  }

  /**
   * `out[oo …] = A·B` on the main thread and the first `workers` ready workers (all of which
   * must be ready). Returns false, having done nothing, when the operands do not fit the
   * shared memory's maximum. Throws a `TesseraError`, and disables the pool, when a worker
   * does not answer within {@link gemmTimeoutMs} or its GEMM trapped.
   */
  run(workers: number, M: number, N: number, K: number, A: Float32Array, ao: number, ars: number, acs: number,
      B: Float32Array, bo: number, brs: number, bcs: number, out: Float32Array, oo: number): boolean {
    const threads = workers + 1;
    const sizeA = Math.max(spanOf(M, K, ars, acs), M * K);
    const sizeB = Math.max(spanOf(K, N, brs, bcs), K * N);
    const aAt = (CONTROL_BYTES + threads * this.workBytes) / 4;
    const bAt = aAt + sizeA + 4;
    const cAt = bAt + sizeB + 4;
    if ((cAt + M * N) * 4 > 2 ** 32 || !this.ensure((cAt + M * N) * 4)) return false;
    const [ar, ac] = this.place(A, ao, M, K, ars, acs, aAt);
    const [br, bc] = this.place(B, bo, K, N, brs, bcs, bAt);
    // Split C into whole micro-tiles: by rows, unless there are too few rows to give every
    // thread several row tiles. Rows win even for wide C (measured with 2 threads: 1.75× vs
    // 1.29× one thread at 128×784·784×256 with B transposed, 1.68× vs 1.60× at 128×256·256×256):
    // a column split makes every thread pack all of A, and a strided B is gathered in narrow panels.
    const { mr, nr } = gemmTile();
    const byCols = M < threads * mr * 4 && N > M;
    const unit = byCols ? nr : mr;
    const dim = byCols ? N : M;
    const chunk = Math.ceil(dim / threads / unit) * unit;
    const c = this.control;
    // The `gemm` arguments of thread t's block; every thread packs into its own work area.
    const block = (t: number, work: number): GemmArgs => {
      const start = t * chunk;
      const size = Math.min(chunk, dim - start);
      return byCols
        ? [M, size, K, aAt * 4, ar, ac, (bAt + start * bc) * 4, br, bc, (cAt + start) * 4, N, 0, work]
        : [size, N, K, (aAt + start * ar) * 4, ar, ac, bAt * 4, br, bc, (cAt + start * N) * 4, N, 0, work];
    };
    const jobs: Job[] = [];
    const timeout = gemmTimeoutMs(M, N, K);
    const deadline = performance.now() + timeout;
    for (let t = 1; t < threads && t * chunk < dim; t++) {
      const w = t - 1;
      const s = w * SLOT_WORDS;
      const args = block(t, CONTROL_BYTES + t * this.workBytes);
      for (let i = 0; i < args.length; i++) c[s + ARGS + i] = args[i]! | 0;
      const fault = w === 0 ? this.fault : undefined;
      if (fault !== undefined) {
        this.fault = undefined;
        c[s + ARGS] = fault === "hang" ? HANG : STALL;
      }
      const g = (this.gens[w]! + 1) | 0;
      this.gens[w] = g;
      Atomics.store(c, s + GEN, g);
      Atomics.notify(c, s + GEN);
      jobs.push({ s, g, args, robbable: fault !== "hang" });
    }
    this.runHere(block(0, CONTROL_BYTES));
    // Take back, and run here, every block whose worker has not claimed it yet: a worker that
    // is asleep, descheduled or stuck then costs this GEMM a block's time instead of a wait.
    for (const job of jobs) {
      const before = (job.g - 1) | 0;
      if (job.robbable && Atomics.compareExchange(c, job.s + CLAIM, before, job.g) === before) {
        Atomics.notify(c, job.s + CLAIM);
        job.robbed = true;
        robbed++;
        this.runHere(job.args);
      }
    }
    const hung: string[] = [];
    let trapped = 0;
    for (const { s, g, robbed } of jobs) {
      if (robbed === true) continue;
      if (!this.wait(s, g, deadline)) hung.push(lastSeen(c, s, g));
      else if (Atomics.load(c, s + STATUS) !== 0) trapped++;
    }
    if (hung.length > 0 || trapped > 0) {
      const product = `float32 matmul/conv GEMM (${M}×${K} · ${K}×${N}, ${threads} threads)`;
      const what =
        hung.length > 0
          ? `${hung.length} of its ${jobs.length} worker thread${jobs.length === 1 ? "" : "s"} did not finish within ${timeout} ms ` +
            `(hung or died; ${hung.join("; ")})`
          : "a worker thread's WebAssembly GEMM trapped (a bug: please report it with the shapes)";
      this.disable(`a ${product}: ${what}`);
      brokenWarned = true; // this error says it all
      throw new TesseraError(
        `@tessera/backend-cpu: ${product} failed: ${what}. Worker threads are now disabled for this process; ` +
          "later float32 matmul and conv run on one thread. To run on one thread from the start, pass `createCpuBackend({ threads: 1 })`.",
      );
    }
    if (this.f32.buffer.byteLength !== this.memory.buffer.byteLength) this.f32 = new Float32Array(this.memory.buffer);
    out.set(this.f32.subarray(cAt, cAt + M * N), oo);
    runs++;
    return true;
  }

  /** Runs one block of a GEMM on this thread, packing into this thread's work area. */
  private runHere(args: GemmArgs): void {
    const here: GemmArgs = [...args];
    here[12] = CONTROL_BYTES;
    this.main.gemm(...here);
  }
}

/** The 13 arguments of the WebAssembly `gemm`. */
type GemmArgs = Parameters<GemmExports["gemm"]>;

/** A block of a GEMM handed to a worker. */
interface Job {
  /** The worker's control slot (first word). */
  readonly s: number;
  /** The job's generation. */
  readonly g: number;
  /** Its `gemm` arguments, as the worker would run them. */
  readonly args: GemmArgs;
  /** False for the hang test seam's job, which the worker must claim. */
  readonly robbable: boolean;
  /** Set when the calling thread took the block back and ran it itself. */
  robbed?: boolean;
}

/** Where the worker of control slot word `s` was last seen, for the timeout error of job `g`. */
function lastSeen(c: Int32Array, s: number, g: number): string {
  const phase = WORKER_PHASES[Atomics.load(c, s + PHASE)] ?? "in an unknown state";
  return `worker ${s / SLOT_WORDS + 1} was last seen ${phase}, job ${g} posted, job ${Atomics.load(c, s + DONE)} done`;
}

let pool: GemmPool | null | undefined;

function getPool(): GemmPool | null {
  if (pool === undefined) {
    try {
      pool = new GemmPool();
    } catch (e) {
      pool = null;
      warnSingleThreaded(`the shared-memory GEMM failed to load (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return pool;
}

/** A GEMM that runs on worker threads, and how many threads it uses now. */
export interface ThreadedGemm {
  /** The GEMM: same signature and results as the single-threaded one it wraps. */
  readonly gemm: WasmGemm;
  /** Threads it uses for large products: the requested count, or 1 once the workers were given up. */
  threads(): number;
}

/**
 * Wraps `single` (the single-threaded WebAssembly GEMM) so that products of at least
 * {@link THREADED_GEMM_MIN_FLOPS} multiply-adds run on `threads` threads (the caller and
 * `threads − 1` workers, started on first use). Call only after
 * {@link threadsUnavailableReason} returned `""`.
 *
 * When a worker fails (fails to start, throws, exits — Node's `error` / `exit` events, a
 * browser's `error` event) the pool is disabled for the process: later GEMMs run `single`
 * and the first of them warns once. When a worker does not answer within
 * {@link gemmTimeoutMs} (hung, or died mid-job) the GEMM throws a `TesseraError` saying so,
 * and later GEMMs run `single`.
 */
export function threadedGemm(single: WasmGemm, threads: number): ThreadedGemm {
  const workers = Math.min(threads, MAX_THREADS) - 1;
  const gemm: WasmGemm = (M, N, K, A, ao, ars, acs, B, bo, brs, bcs, out, oo) => {
    if (M * N * K >= minFlops && K >= minDepth && (M > 1 || N > 1)) {
      const p = getPool();
      if (p !== null) {
        const ready = p.prepare(workers);
        if (ready > 0 && p.run(ready, M, N, K, A, ao, ars, acs, B, bo, brs, bcs, out, oo)) return;
        if (p.broken !== "") warnBroken(p.broken);
      }
    }
    single(M, N, K, A, ao, ars, acs, B, bo, brs, bcs, out, oo);
  };
  return {
    gemm,
    threads: () => (pool === null || (pool !== undefined && pool.broken !== "") ? 1 : workers + 1),
  };
}
