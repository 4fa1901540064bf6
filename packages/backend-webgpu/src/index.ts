/// <reference types="@webgpu/types" />
/**
 * `@tessera/backend-webgpu`: Tessera's WebGPU backend — WGSL kernels for every op of the
 * `@tessera/kernels` catalog, a device-buffer pool, batched command submission and
 * asynchronous readback. Runs in browsers (`navigator.gpu`) and in Node through the `webgpu`
 * package (Dawn).
 *
 * @example
 * import { initWebGPU } from "@tessera/backend-webgpu";
 * import { tensor } from "@tessera/autograd";
 *
 * await initWebGPU(); // registers the device "webgpu"
 * const x = tensor([1, 2, 3], { device: "webgpu" });
 * console.log(await x.mul(2).data()); // Float32Array [2, 4, 6]
 *
 * @packageDocumentation
 */
export { initWebGPU, type InitWebGPUOptions } from "./init.js";
export {
  createWebGPUBackend,
  type WebGPUBackend,
  type WebGPUBackendOptions,
  type WebGPUMemoryInfo,
} from "./backend.js";
export { WebGPUBuffer, sizeClass, type BufferPoolStats } from "./buffer-pool.js";
export type { RuntimeStats } from "./runtime.js";
