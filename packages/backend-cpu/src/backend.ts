/**
 * The CPU backend object: typed arrays as buffers, a pool that recycles them, and the kernel
 * table.
 */
import { type DType, type TypedArray, TypedArrayPool } from "@tessera/storage";
import type { Backend } from "@tessera/backend";
import { cpuKernels } from "./kernels/index.js";
import { makeConvKernels } from "./kernels/conv.js";
import { makeMatmulKernels } from "./kernels/matmul.js";
import { type WasmGemm, gemmUsesFma, simdUnavailableReason, wasmGemm } from "./kernels/wasm-gemm.js";
import { DEFAULT_MAX_THREADS, MAX_THREADS, availableCores, threadedGemm, threadsUnavailableReason, warnSingleThreaded } from "./threads/pool.js";
import { makeWasmUnaryKernels, wasmMaxPool2x2, wasmMaxUnpool, wasmUnary } from "./kernels/wasm-unary.js";
import { makeMaxPoolBackwardKernel, makeMaxPoolKernel } from "./kernels/pool.js";
import { makeWasmBinaryKernels, wasmBinary } from "./kernels/wasm-binary.js";
import { simdOptimKernels } from "./kernels/optim.js";

/** The dtypes the CPU backend holds and computes with. */
const CPU_DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/**
 * Options of {@link createCpuBackend}.
 *
 * @example
 * const options: CpuBackendOptions = { name: "cpu-small", maxPooledBytes: 16 * 1024 * 1024 };
 */
export interface CpuBackendOptions {
  /** Device name users pass as `device`. Default `"cpu"`. */
  readonly name?: string;
  /**
   * The pool buffers are allocated from and freed to. Default: a new pool with
   * `maxPooledBytes`. Pass one to share it between backends or to inspect it.
   */
  readonly pool?: TypedArrayPool;
  /** Most bytes of freed buffers the default pool keeps for reuse. Default 256 MiB. */
  readonly maxPooledBytes?: number;
  /**
   * Whether to use the WebAssembly SIMD kernels where the engine supports WebAssembly SIMD:
   * float32 matmul and conv2d with its gradients (on worker threads, see `threads`), `exp`,
   * `log`, `tanh`, `sigmoid`, `relu`, `add`, `sub`, `mul`, `div`, `maximum`, `minimum`, the
   * comparisons, `where`, 2×2 max pooling and its gradient, and the fused `adamStep`, on dense
   * float32 tensors (see the README for each kernel's conditions). Default `true`; `false`
   * forces the plain TypeScript kernels.
   */
  readonly simd?: boolean;
  /**
   * Threads for large float32 GEMMs (matmul and the convolutions' products): the calling
   * thread plus `threads − 1` worker threads over a shared WebAssembly memory, started on the
   * first large product. Default: the available cores (`os.availableParallelism()`,
   * `navigator.hardwareConcurrency`), at most 8; at most 32. `1` runs on the calling thread
   * only, silently. Where threads are unavailable (no `SharedArrayBuffer`, e.g. a page
   * without cross-origin isolation) the backend uses one and says why once with
   * `console.warn`. Ignored with `simd: false` (the TypeScript kernels run on one thread).
   *
   * @example
   * const cpu = createCpuBackend({ name: "cpu-4", threads: 4 });
   * cpu.threads; // 4 where worker threads are available, else 1
   */
  readonly threads?: number;
}

let warnedNoSimd = false;

/**
 * The CPU backend: a {@link Backend} whose buffers are the typed array of each dtype
 * (`Float32Array`, `Float64Array`, `Int32Array`, `Uint8Array` for bool), plus the pool it
 * allocates them from.
 *
 * @example
 * const cpu: CpuBackend = createCpuBackend();
 * const buf = cpu.allocate("int32", 3);
 * cpu.upload(buf, "int32", new Int32Array([1, 2, 3]));
 * cpu.readSync(buf, "int32", 1, 2); // Int32Array [2, 3]
 * cpu.pool.pooledBytes; // 0 until buffers are freed
 */
export interface CpuBackend extends Backend<TypedArray> {
  /** The pool that `allocate` takes buffers from and `free` returns them to. */
  readonly pool: TypedArrayPool;
  /** Copies elements `[start, start + length)` of `buffer` into a new typed array, at once. */
  readSync(buffer: TypedArray, dtype: DType, start: number, length: number): TypedArray;
  /**
   * True when this backend runs its WebAssembly SIMD kernels; false when they were turned off
   * (`simd: false`) or are unavailable (then a single `console.warn` per process says why).
   */
  readonly simd: boolean;
  /**
   * How many threads large float32 GEMMs run on: the `threads` option (or its default) where
   * worker threads are available, else 1 (also with `simd: false`).
   */
  readonly threads: number;
  /**
   * True when the GEMM uses the fused relaxed-SIMD micro-kernel (`f32x4.relaxed_madd`,
   * where the engine supports relaxed SIMD): products then round like a BLAS with FMA.
   */
  readonly fma: boolean;
}

/**
 * Makes a CPU backend. Buffers come from a {@link TypedArrayPool} keyed by dtype and exact
 * length, so a training loop that allocates the same sizes every step reaches a steady state
 * in which small ops allocate nothing. Reads answer at once (`readSync`), and `sync` resolves
 * immediately: every kernel has finished when it returns.
 *
 * @example
 * import { createCpuBackend } from "@tessera/backend-cpu";
 * import { registerBackend } from "@tessera/backend";
 *
 * const cpu = createCpuBackend({ name: "cpu2", maxPooledBytes: 64 * 1024 * 1024 });
 * registerBackend(cpu); // tensors can now use { device: "cpu2" }
 *
 * const a = cpu.allocate("float32", 4);
 * cpu.upload(a, "float32", new Float32Array([1, 2, 3, 4]));
 * const out = cpu.allocate("float32", 4);
 * const view = (buffer: Float32Array) => ({ buffer, dtype: "float32" as const, layout: { shape: [4], strides: [1], offset: 0 } });
 * cpu.kernels.add!([view(a), view(a)], [view(out)], {});
 * cpu.readSync(out, "float32", 0, 4); // Float32Array [2, 4, 6, 8]
 */
export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  const pool =
    options.pool ?? new TypedArrayPool(options.maxPooledBytes === undefined ? {} : { maxPooledBytes: options.maxPooledBytes });
  const single = options.simd === false ? null : wasmGemm();
  const threaded = single === null ? null : gemmThreads(single, options.threads);
  const gemm = threaded === null ? single : threaded.gemm;
  if (options.simd !== false && gemm === null && !warnedNoSimd) {
    warnedNoSimd = true;
    console.warn(`@tessera/backend-cpu: ${simdUnavailableReason()}; using the plain TypeScript kernels.`);
  }
  const unary = gemm === null ? null : wasmUnary();
  const binary = gemm === null ? null : wasmBinary();
  const simdKernels =
    gemm === null
      ? {}
      : {
          ...makeMatmulKernels(gemm),
          ...makeConvKernels(gemm),
          ...(unary === null
            ? {}
            : {
                ...makeWasmUnaryKernels(unary),
                maxPool2d: makeMaxPoolKernel(wasmMaxPool2x2()),
                maxPool2dBackward: makeMaxPoolBackwardKernel(wasmMaxUnpool()),
              }),
          ...(binary === null ? {} : makeWasmBinaryKernels(binary)),
          ...simdOptimKernels,
        };
  const read = (buffer: TypedArray, _dtype: DType, start: number, length: number): TypedArray =>
    buffer.slice(start, start + length);
  return {
    name: options.name ?? "cpu",
    dtypes: CPU_DTYPES,
    kernels: gemm === null ? cpuKernels : { ...cpuKernels, ...simdKernels },
    simd: gemm !== null,
    get threads() {
      return threaded === null ? 1 : threaded.threads();
    },
    fma: gemm !== null && gemmUsesFma(),
    pool,
    allocate: (dtype, length) => pool.acquire(dtype, length),
    free: (buffer, dtype) => pool.release(dtype, buffer),
    upload: (buffer, _dtype, data) => buffer.set(data),
    read: (buffer, dtype, start, length) => Promise.resolve(read(buffer, dtype, start, length)),
    readSync: read,
    sync: () => Promise.resolve(),
  };
}

/**
 * The threaded GEMM for the `threads` option, or `null` for one thread (asked for, or worker
 * threads unavailable: then a `console.warn`, once per process).
 */
function gemmThreads(single: WasmGemm, requested: number | undefined): ReturnType<typeof threadedGemm> | null {
  if (requested !== undefined && !(Number.isInteger(requested) && requested >= 1)) {
    throw new RangeError(`createCpuBackend: \`threads\` must be a positive integer (1 for no worker threads), got ${String(requested)}.`);
  }
  const threads = Math.min(requested ?? Math.min(availableCores(), DEFAULT_MAX_THREADS), MAX_THREADS);
  if (threads <= 1) return null;
  const reason = threadsUnavailableReason();
  if (reason !== "") {
    warnSingleThreaded(reason);
    return null;
  }
  return threadedGemm(single, threads);
}

/**
 * The default CPU backend, named `"cpu"`. The `tessera` umbrella package registers it; to use
 * `@tessera/backend-cpu` on its own, register it yourself.
 *
 * @example
 * import { cpuBackend } from "@tessera/backend-cpu";
 * import { registerBackend } from "@tessera/backend";
 * registerBackend(cpuBackend);
 */
export const cpuBackend: CpuBackend = createCpuBackend();
