/**
 * `@tessera/backend-cpu`: Tessera's CPU backend. Buffers are typed arrays recycled through a
 * pool; every op of the `@tessera/kernels` catalog has a kernel written for speed in plain
 * TypeScript — contiguous and scalar fast paths for elementwise ops, coalesced strided loops
 * for views, float64 accumulation for reductions, a tiled gemm for matmul and im2col
 * convolutions — and is tested against the catalog's reference kernels. float32 matmul runs
 * a WebAssembly SIMD GEMM where the engine supports it (`createCpuBackend({ simd: false })`
 * turns it off).
 *
 * @example
 * import { cpuBackend, createCpuBackend } from "@tessera/backend-cpu";
 * import { registerBackend } from "@tessera/backend";
 * registerBackend(cpuBackend); // device "cpu"
 *
 * @packageDocumentation
 */
export { type CpuBackend, type CpuBackendOptions, cpuBackend, createCpuBackend } from "./backend.js";
export { cpuKernels } from "./kernels/index.js";
