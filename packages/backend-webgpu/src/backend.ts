/**
 * The WebGPU backend object: the `Backend` contract over a `GPUDevice` — pooled buffers,
 * ordered uploads, asynchronous reads, and the kernel table.
 */
import { type DType, type TypedArray, DTypeError, TesseraError, allocTypedArray } from "@tessera/storage";
import type { Backend, KernelTable } from "@tessera/backend";
import { type BufferPoolStats, WebGPUBuffer, sizeClass } from "./buffer-pool.js";
import { Runtime, type RuntimeStats } from "./runtime.js";
import { createKernels } from "./kernels/index.js";

/** The dtypes the WebGPU backend holds: WGSL has no float64. */
const WEBGPU_DTYPES: readonly DType[] = ["float32", "int32", "bool"];

/**
 * Options of {@link createWebGPUBackend} and `initWebGPU`.
 *
 * @example
 * const options: WebGPUBackendOptions = { name: "gpu2", maxPooledBytes: 64 * 1024 * 1024, flushEvery: 32 };
 */
export interface WebGPUBackendOptions {
  /** Device name users pass as `device`. Default `"webgpu"`. */
  readonly name?: string;
  /** Most bytes of freed buffers kept for reuse; beyond it freed buffers are destroyed. Default 256 MiB. */
  readonly maxPooledBytes?: number;
  /** Dispatches recorded before the batch is submitted (reads and `sync` submit earlier). Default 64. */
  readonly flushEvery?: number;
  /**
   * Workgroups per dispatch dimension before a dispatch is split over a 2-D grid. Default: the
   * device's `maxComputeWorkgroupsPerDimension` (65,535). Lower it only to test that path.
   */
  readonly maxWorkgroupsPerDimension?: number;
}

/**
 * Device memory as the backend sees it (bytes of GPU buffers, 4 per element for every dtype).
 *
 * @example
 * const { inUseBytes, pooledBytes } = webgpu.memory();
 */
export interface WebGPUMemoryInfo extends BufferPoolStats {}

/**
 * The WebGPU backend: a {@link Backend} over {@link WebGPUBuffer}s, plus what only a GPU
 * device has: the device, its loss, memory and dispatch statistics, and explicit flushing.
 *
 * @example
 * const webgpu = await initWebGPU();
 * const t = tensor([1, 2, 3], { device: "webgpu" });
 * await t.mul(2).data(); // Float32Array [2, 4, 6]
 * webgpu.memory().inUseBytes; // bytes of live tensor buffers on the GPU
 */
export interface WebGPUBackend extends Backend<WebGPUBuffer> {
  /** The device this backend runs on. */
  readonly device: GPUDevice;
  /** Resolves when the device is lost (after which every call throws a clear error). */
  readonly lost: Promise<GPUDeviceLostInfo>;
  /** Bytes of device buffers: in use by tensors, pooled for reuse, and in all. */
  memory(): WebGPUMemoryInfo;
  /** Dispatch, submit and pipeline counts since the backend was made. */
  stats(): RuntimeStats;
  /** Submits the commands recorded so far without waiting for them. */
  flush(): void;
  /** Destroys the pooled buffers (the device stays usable; tensors stay valid). */
  trim(): void;
}

const MiB = 1024 * 1024;

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(2)} MiB`;
  return `${bytes} bytes`;
}

/**
 * A WebGPU backend on a `GPUDevice` you already have (from `navigator.gpu` in a browser, or
 * from the `webgpu` package in Node). Most programs call `initWebGPU()` instead, which gets
 * the device and registers the backend.
 *
 * Every dtype is stored as 4 bytes per element: float32 as f32, int32 as i32, and bool as a
 * u32 holding 0 or 1.
 *
 * @example
 * import { registerBackend } from "@tessera/backend";
 * import { createWebGPUBackend } from "@tessera/backend-webgpu";
 * const adapter = await navigator.gpu.requestAdapter();
 * const device = await adapter!.requestDevice();
 * registerBackend(createWebGPUBackend(device)); // device "webgpu"
 */
export function createWebGPUBackend(device: GPUDevice, options: WebGPUBackendOptions = {}): WebGPUBackend {
  const name = options.name ?? "webgpu";
  const rt = new Runtime(device, {
    name,
    flushEvery: options.flushEvery ?? 64,
    maxPooledBytes: options.maxPooledBytes ?? 256 * MiB,
    ...(options.maxWorkgroupsPerDimension !== undefined ? { maxWorkgroupsPerDimension: options.maxWorkgroupsPerDimension } : {}),
  });
  const kernels: KernelTable<WebGPUBuffer> = createKernels(rt);
  const limit = Math.min(rt.maxBufferSize, rt.maxBindingSize);

  const checkDType = (dtype: DType, what: string) => {
    if (!WEBGPU_DTYPES.includes(dtype)) {
      throw new DTypeError(
        `${what}: ${name} does not support ${dtype}; use float32 instead (x.to("float32")). Dtypes ${name} supports: ${WEBGPU_DTYPES.join(", ")}.`,
      );
    }
  };

  return {
    name,
    dtypes: WEBGPU_DTYPES,
    kernels,
    device,
    lost: device.lost,

    allocate(dtype, length) {
      rt.checkAlive("allocate");
      checkDType(dtype, "allocate");
      const bytes = length * 4;
      if (bytes > limit) {
        const which = rt.maxBindingSize <= rt.maxBufferSize ? "maxStorageBufferBindingSize" : "maxBufferSize";
        throw new TesseraError(
          `${name}: cannot allocate ${length} ${dtype} elements (${formatBytes(bytes)}): the device's ${which} is ${formatBytes(limit)} ` +
            `(maxBufferSize ${formatBytes(rt.maxBufferSize)}, maxStorageBufferBindingSize ${formatBytes(rt.maxBindingSize)}). ` +
            `Use smaller tensors (split the batch), or keep this one on the CPU.`,
        );
      }
      // A size class above the limit (limits need not be powers of two) falls back to the exact size.
      const request = sizeClass(bytes) > limit ? Math.ceil(bytes / 4) * 4 : bytes;
      const gpu = rt.pool.acquire(request);
      return new WebGPUBuffer(gpu, gpu.size);
    },

    free(buffer) {
      if (buffer.freed) return;
      buffer.freed = true;
      if (rt.isLost) return;
      rt.pool.release(buffer.gpuBuffer);
    },

    upload(buffer, dtype, data) {
      rt.checkAlive("upload");
      checkDType(dtype, "upload");
      if (data.length === 0) return;
      const words = dtype === "bool" ? Uint32Array.from(data as Uint8Array) : data;
      rt.upload(buffer.gpuBuffer, words as ArrayBufferView);
    },

    async read(buffer, dtype, start, length): Promise<TypedArray> {
      rt.checkAlive("read");
      checkDType(dtype, "read");
      if (length === 0) return allocTypedArray(dtype, 0);
      const bytes = await rt.read(buffer.gpuBuffer, start * 4, length * 4, "read");
      switch (dtype) {
        case "float32":
          return new Float32Array(bytes);
        case "int32":
          return new Int32Array(bytes);
        default: {
          const words = new Uint32Array(bytes);
          const out = new Uint8Array(length);
          for (let i = 0; i < length; i++) out[i] = words[i] !== 0 ? 1 : 0;
          return out;
        }
      }
    },

    sync: () => rt.sync("sync"),
    memory: () => rt.pool.stats(),
    stats: () => ({ ...rt.stats }),
    flush: () => rt.flush(),
    trim: () => {
      rt.flush();
      rt.pool.trim();
    },
  };
}
