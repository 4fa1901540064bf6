/**
 * `tessera`: deep learning for TypeScript with the programming model of PyTorch. This
 * umbrella package re-exports the public API of every Tessera package and registers the CPU
 * backend, so one import is all a user needs:
 *
 * @example
 * import * as ts from "tessera";
 * const x = ts.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * console.log(x.grad!.tolistSync()); // [[2, 4], [6, 8]]
 *
 * @packageDocumentation
 */
import { hasBackend, registerBackend } from "@tessera/backend";
import { cpuBackend } from "@tessera/backend-cpu";

if (!hasBackend("cpu")) registerBackend(cpuBackend);

export * from "@tessera/autograd";
export {
  type DType,
  type TypedArray,
  type Layout,
  TesseraError,
  ShapeError,
  DTypeError,
  DeviceError,
  DisposedError,
  promoteTypes,
  broadcastShapes,
} from "@tessera/storage";
export {
  type Backend,
  type Kernel,
  type KernelTable,
  type TensorView,
  registerBackend,
  unregisterBackend,
  getBackend,
  listBackends,
  hasBackend,
  BackendError,
} from "@tessera/backend";
export { cpuBackend, createCpuBackend } from "@tessera/backend-cpu";
/** Neural-network modules, `nn.functional`, losses, `nn.init`, `nn.utils`, `nn.safetensors`. */
export * as nn from "@tessera/nn";
/** Optimizers and learning-rate schedulers. */
export * as optim from "@tessera/optim";
