/** Moving tensors between devices and dtypes. */
import { DeviceError, formatShape, isDType } from "@tessera/storage";
import { getBackend, checkDTypeSupported } from "@tessera/backend";
import { Node } from "../graph/node.js";
import type { Tensor } from "../tensor.js";
import { attach, needsGrad } from "./helpers.js";
import { tensorFromTypedArray } from "../runtime.js";
import { cast, clone } from "./views.js";
import { readContiguous, readContiguousSync } from "./read.js";

class ToDeviceBackward extends Node {
  readonly name = "ToCopyBackward0";
  constructor(x: Tensor, private readonly device: string) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    if (g!._backend.readSync === undefined && getBackend(this.device) !== g!._backend) {
      throw new DeviceError(
        `${this.name}: the gradient must flow from ${g!.device} back to ${this.device}, but ${g!.device} reads asynchronously and backward() is synchronous. Create the tensors that require grad on ${g!.device} (e.g. model.to("${g!.device}") or randn(shape, { device: "${g!.device}", requiresGrad: true })) instead of moving them there inside the graph.`,
      );
    }
    return [g!.to(this.device)];
  }
}

/** `x` on device or dtype `target` (`x` itself when nothing changes and no copy is asked). */
export function toDevice(x: Tensor, target: string, copy: boolean): Tensor {
  if (isDType(target)) {
    if (target === x.dtype) return copy ? clone(x) : x;
    return cast(x, target);
  }
  const backend = getBackend(target);
  if (backend === x._backend) return copy ? clone(x) : x;
  checkDTypeSupported(backend, x.dtype, "to");
  if (x._backend.readSync === undefined) {
    throw new DeviceError(
      `to("${target}"): the ${x.device} device reads values asynchronously, so this tensor (shape ${formatShape(x.shape)}) cannot move synchronously. Use await t.toAsync("${target}") instead.`,
    );
  }
  const data = readContiguousSync(x);
  const out = tensorFromTypedArray(backend, data, x.shape, x.dtype);
  if (needsGrad(x)) attach(out, new ToDeviceBackward(x, x.device));
  return out;
}

/**
 * `x` on device `target`, awaiting the read where the source device reads asynchronously
 * (WebGPU → CPU). Same result as {@link toDevice} otherwise.
 */
export async function toDeviceAsync(x: Tensor, target: string): Promise<Tensor> {
  if (isDType(target) || x._backend.readSync !== undefined) return toDevice(x, target, false);
  const backend = getBackend(target);
  if (backend === x._backend) return x;
  checkDTypeSupported(backend, x.dtype, "toAsync");
  const data = await readContiguous(x);
  const out = tensorFromTypedArray(backend, data, x.shape, x.dtype);
  if (needsGrad(x)) attach(out, new ToDeviceBackward(x, x.device));
  return out;
}
