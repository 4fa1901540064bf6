/**
 * `@tessera/backend`: the contract a compute device implements (buffers, transfers, a kernel
 * table keyed by the `@tessera/kernels` catalog), the registry of devices by name, and kernel
 * dispatch with errors that say which backends can do what. The conformance suite lives in
 * the `@tessera/backend/testing` subpath.
 *
 * @example
 * import { registerBackend, getBackend, getKernel } from "@tessera/backend";
 * registerBackend(myBackend);
 * const backend = getBackend("my-device");
 * getKernel(backend, "add")([a, b], [out], {});
 *
 * @packageDocumentation
 */
export type { Backend, TensorView, Kernel, KernelTable } from "./contract.js";
export {
  registerBackend,
  unregisterBackend,
  getBackend,
  listBackends,
  hasBackend,
  type RegisterBackendOptions,
} from "./registry.js";
export { BackendError, getKernel, checkDTypeSupported } from "./dispatch.js";
export { referenceKernel, withReferenceFallback, createReferenceBackend } from "./reference.js";
