/** Bytes of a safetensors file → a state dict of Tessera tensors. */
import { type Tensor, tensor } from "@tessera/autograd";
import { READABLE } from "./dtypes.js";
import { decodeTensor } from "./decode.js";
import { type SafetensorsHeader, parseHeader } from "./header.js";

/** Options of {@link deserialize} and `loadFile`. */
export interface DeserializeOptions {
  /** The device the tensors are created on. Default: the default device (`"cpu"`). */
  device?: string;
}

/**
 * The tensors of a safetensors file, by name, in the order the header lists them.
 *
 * Dtypes: `F32`, `F64`, `I32` and `BOOL` load as float32, float64, int32 and bool. `I64`
 * (PyTorch's int64, e.g. BatchNorm's `num_batches_tracked`) loads as int32 and every value
 * must fit; `F16` and `BF16` load as float32 (exactly: float32 holds all their values). Any
 * other dtype is an error naming the tensor.
 *
 * The file is checked completely before any tensor is created: a malformed file throws a
 * {@link SafetensorsError} that says what is wrong, and never yields a partial result.
 *
 * The result is a plain object (with `"__proto__"`-safe own properties). JavaScript lists an
 * object's integer-like keys (`"0"`, `"1"`) before the others, so for names like those the
 * iteration order is not the file's; state-dict names (`"0.weight"`) are not integer-like.
 *
 * @example
 * const bytes = new Uint8Array(await (await fetch("model.safetensors")).arrayBuffer());
 * const state = safetensors.deserialize(bytes);
 * state["0.weight"].shape; // [4, 3]
 */
export function deserialize(bytes: Uint8Array, options: DeserializeOptions = {}): Record<string, Tensor> {
  return decodeFile(bytes, options, "safetensors.deserialize");
}

/** @internal {@link deserialize} with the caller's name (and file) in its messages. */
export function decodeFile(bytes: Uint8Array, options: DeserializeOptions, where: string): Record<string, Tensor> {
  const header = parseHeader(bytes, where);
  // Decode every tensor before creating any, so a bad value leaves nothing behind.
  const decoded = header.tensors.map((info) => {
    const [begin, end] = info.dataOffsets;
    return decodeTensor(info, bytes.subarray(header.dataStart + begin, header.dataStart + end), where);
  });
  const out: Record<string, Tensor> = {};
  const created: Tensor[] = [];
  try {
    header.tensors.forEach((info, i) => {
      const dtype = READABLE.get(info.dtype)!.dtype;
      const flat = tensor(decoded[i]!, { dtype, device: options.device });
      let value = flat;
      if (info.shape.length !== 1) {
        try {
          value = flat.reshape(info.shape);
        } finally {
          flat.dispose();
        }
      }
      created.push(value);
      Object.defineProperty(out, info.name, { value, enumerable: true, writable: true, configurable: true });
    });
  } catch (e) {
    // E.g. a device that isn't started: release what was made, report the device's error.
    for (const t of created) t.dispose();
    throw e;
  }
  return out;
}

/**
 * The `__metadata__` map of a safetensors file (null when it has none), after checking the
 * whole header against the file's bytes. Creates no tensors.
 *
 * @example
 * safetensors.readMetadata(bytes); // { format: "pt" }
 */
export function readMetadata(bytes: Uint8Array): Record<string, string> | null {
  return parseHeader(bytes, "safetensors.readMetadata").metadata;
}

/**
 * The checked header of a safetensors file: metadata, and each tensor's name, file dtype,
 * shape and byte offsets, in header order. Creates no tensors.
 *
 * @example
 * for (const t of safetensors.readHeader(bytes).tensors) console.log(t.name, t.dtype, t.shape);
 */
export function readHeader(bytes: Uint8Array): SafetensorsHeader {
  return parseHeader(bytes, "safetensors.readHeader");
}
