/** A state dict → the bytes of a safetensors file. */
import type { Tensor } from "@tessera/autograd";
import { DeviceError, type TypedArray } from "@tessera/storage";
import { encodeValues } from "./encode.js";
import { SafetensorsError, quote, readFailure } from "./errors.js";
import { type FilePlan, type SerializeOptions, planFile } from "./plan.js";

function allocate(plan: FilePlan, where: string): Uint8Array {
  const total = plan.head.length + plan.dataLength;
  try {
    return new Uint8Array(total);
  } catch (e) {
    throw new SafetensorsError(`${where}: the file would be ${total} bytes, more than one buffer can hold here; use saveFile, which writes tensor by tensor`, { cause: e });
  }
}

/** Writes tensor `index`'s values at `at`; returns the offset after them. */
function place(out: Uint8Array, at: number, plan: FilePlan, index: number, values: TypedArray, where: string): number {
  const { name, tensor, byteLength } = plan.tensors[index]!;
  const bytes = encodeValues(tensor.dtype, values);
  if (bytes.length !== byteLength) {
    throw new SafetensorsError(`${where}: tensor ${quote(name)} read back ${bytes.length} bytes, but its shape and dtype need ${byteLength}`);
  }
  out.set(bytes, at);
  return at + byteLength;
}

/**
 * The bytes of a safetensors file holding `stateDict`, laid out as Hugging Face's reference
 * writer lays them out (so PyTorch's `safetensors.torch.load_file` reads them, and the same
 * state dict always gives the same bytes). Tensors must be on a device that reads
 * synchronously (the CPU); use {@link serializeAsync} for others. Non-contiguous tensors are
 * written in row-major order.
 *
 * @example
 * const bytes = safetensors.serialize(model.stateDict(), { metadata: { format: "pt" } });
 */
export function serialize(stateDict: Record<string, Tensor>, options: SerializeOptions = {}): Uint8Array {
  const where = "safetensors.serialize";
  const plan = planFile(stateDict, options, where);
  const out = allocate(plan, where);
  out.set(plan.head);
  let at = plan.head.length;
  plan.tensors.forEach(({ name, tensor }, i) => {
    let values: TypedArray;
    try {
      values = tensor.dataSync();
    } catch (e) {
      throw readFailure(where, name, e, e instanceof DeviceError ? " (use await safetensors.serializeAsync(...) for tensors on this device)" : "");
    }
    at = place(out, at, plan, i, values, where);
  });
  return out;
}

/**
 * {@link serialize} for tensors on any device: values are read with `await t.data()`.
 *
 * @example
 * const bytes = await safetensors.serializeAsync(gpuModel.stateDict());
 */
export async function serializeAsync(stateDict: Record<string, Tensor>, options: SerializeOptions = {}): Promise<Uint8Array> {
  const where = "safetensors.serializeAsync";
  const plan = planFile(stateDict, options, where);
  const out = allocate(plan, where);
  out.set(plan.head);
  let at = plan.head.length;
  for (let i = 0; i < plan.tensors.length; i++) {
    const { name, tensor } = plan.tensors[i]!;
    let values: TypedArray;
    try {
      values = await tensor.data();
    } catch (e) {
      throw readFailure(where, name, e);
    }
    at = place(out, at, plan, i, values, where);
  }
  return out;
}
