/**
 * `createTinyBackend`: a complete third-party Tessera backend in one small file, written only
 * against the public APIs of `@tessera/backend`, `@tessera/kernels` and `@tessera/storage`.
 * Buffers are plain typed arrays; a ledger counts them; the kernel table is the backend's own
 * kernels over the catalog's reference kernels.
 */
import { type DType, type TypedArray, TesseraError } from "@tessera/storage";
import { type OpName, getOpSchema } from "@tessera/kernels";
import { type Backend, type KernelTable, withReferenceFallback } from "@tessera/backend";
import { BufferLedger, type MemoryStats } from "./ledger.js";
import { tinyKernels } from "./kernels/index.js";

/**
 * Options of {@link createTinyBackend}.
 *
 * @example
 * const options: TinyBackendOptions = { name: "tiny-no-matmul", omit: ["matmul"] };
 */
export interface TinyBackendOptions {
  /** The device name tensors use (`{ device: "tiny" }`, `t.to("tiny")`). Default `"tiny"`. */
  readonly name?: string;
  /**
   * Catalog ops to leave out of the kernel table entirely (no native kernel, no fallback), to
   * see what a user meets when a backend lacks an op. Default: none.
   */
  readonly omit?: readonly OpName[];
  /**
   * Fill every op the backend does not implement itself with the catalog's reference kernel.
   * Default `true`; with `false` the table holds only the native kernels (step 1 of the
   * README's guide: see what the conformance suite says is missing).
   */
  readonly referenceFallback?: boolean;
}

/**
 * The tiny backend: the `Backend` contract plus what this example adds to look inside it.
 *
 * @example
 * const tiny: TinyBackend = createTinyBackend();
 * tiny.nativeOps.includes("matmul"); // true
 * tiny.stats().buffers;              // 0
 */
export interface TinyBackend extends Backend<TypedArray> {
  /** The ops this backend runs with its own kernels (the rest of its table is reference). */
  readonly nativeOps: readonly OpName[];
  /** Buffers and bytes the backend holds now, its peak, and how many it ever allocated. */
  stats(): MemoryStats;
  /** Always present here: typed arrays can be read at once, so `t.dataSync()` works. */
  readSync(buffer: TypedArray, dtype: DType, start: number, length: number): TypedArray;
}

/**
 * Makes a tiny backend. Register it to use it as a device:
 *
 * @example
 * import * as ts from "tessera";
 * import { createTinyBackend } from "./backend.js";
 *
 * const tiny = createTinyBackend();
 * ts.registerBackend(tiny);
 * const x = ts.tensor([[1, 2], [3, 4]], { device: "tiny" });
 * x.matmul(x).tolistSync(); // [[7, 10], [15, 22]], computed by the tiny matmul kernel
 * tiny.stats().buffers;     // 2: x and the product
 */
export function createTinyBackend(options: TinyBackendOptions = {}): TinyBackend {
  const name = options.name ?? "tiny";
  const omit = options.omit ?? [];
  // A typo in `omit` would silently omit nothing; getOpSchema throws listing the real names.
  for (const op of omit) getOpSchema(op);
  const native: KernelTable<TypedArray> = Object.fromEntries(
    Object.entries(tinyKernels).filter(([op]) => !omit.includes(op as OpName)),
  );
  const kernels = options.referenceFallback === false ? native : withReferenceFallback(native, omit);
  const ledger = new BufferLedger(name);

  /** Reads past the end of a buffer would silently return a short array; say what went wrong instead. */
  const readRange = (buffer: TypedArray, dtype: DType, start: number, length: number): TypedArray => {
    if (start < 0 || length < 0 || start + length > buffer.length) {
      throw new TesseraError(
        `${name}: read of ${length} ${dtype} elements from element ${start} is outside the buffer of ${buffer.length} elements.`,
      );
    }
    return buffer.slice(start, start + length);
  };

  return {
    name,
    // All four catalog dtypes: typed arrays hold them all. A GPU backend would leave out float64.
    dtypes: ["float32", "float64", "int32", "bool"],
    kernels,
    nativeOps: Object.keys(native) as OpName[],
    allocate: (dtype, length) => ledger.allocate(dtype, length),
    free: (buffer) => ledger.free(buffer),
    upload: (buffer, _dtype, data) => buffer.set(data),
    // Kernels run synchronously, so the data is ready as soon as they return; an asynchronous
    // device (WebGPU) would wait for its queue here and copy the buffer back.
    read: async (buffer, dtype, start, length) => readRange(buffer, dtype, start, length),
    readSync: readRange,
    sync: async () => {},
    stats: () => ledger.stats(),
  };
}
