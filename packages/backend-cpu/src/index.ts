/**
 * `@tessera/backend-cpu`: Tessera's CPU backend. Buffers are typed arrays recycled through a
 * pool; every op of the `@tessera/kernels` catalog has a kernel written for speed in plain
 * TypeScript — contiguous and scalar fast paths for elementwise ops, coalesced strided loops
 * for views, float64 accumulation for reductions, a tiled gemm for matmul and im2col
 * convolutions — and is tested against the catalog's reference kernels. Where the engine
 * supports WebAssembly SIMD, float32 matmul and convolutions run a SIMD GEMM (on worker
 * threads over shared memory when large; `createCpuBackend({ threads: 1 })` keeps them on the
 * calling thread) and the hot elementwise, pooling and Adam kernels run SIMD modules
 * (`createCpuBackend({ simd: false })` turns them all off).
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
