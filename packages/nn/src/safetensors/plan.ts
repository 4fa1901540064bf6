/**
 * What a safetensors file of a state dict will hold, before any value is read: the tensors in
 * the reference writer's order, their offsets, and the encoded header.
 */
import { Tensor } from "@tessera/autograd";
import { itemSize } from "@tessera/storage";
import { FILE_DTYPE, WRITE_RANK } from "./dtypes.js";
import { SafetensorsError, quote } from "./errors.js";
import { METADATA_KEY } from "./header.js";

/** Options of `serialize`, `serializeAsync` and `saveFile`. */
export interface SerializeOptions {
  /**
   * Free-form strings stored in the header's `__metadata__` (e.g. `{ format: "pt" }`, which
   * Hugging Face's loaders look for). Written with its keys sorted, so equal maps give equal
   * bytes. Omit it to write no `__metadata__`.
   */
  metadata?: Record<string, string>;
}

/** One tensor's place in the file. */
export interface PlannedTensor {
  readonly name: string;
  readonly tensor: Tensor;
  readonly byteLength: number;
}

/** A file to write: its first bytes (length + header) and the tensors in data order. */
export interface FilePlan {
  /** The 8-byte header length followed by the space-padded JSON header. */
  readonly head: Uint8Array;
  readonly tensors: readonly PlannedTensor[];
  /** Bytes of tensor data after `head`. */
  readonly dataLength: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Orders strings by Unicode code point, which is the order of their UTF-8 bytes (Rust's `str` order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function checkText(where: string, s: string, what: string): void {
  if (LONE_SURROGATE.test(s)) {
    throw new SafetensorsError(`${where}: ${what} ${quote(s)} contains a lone UTF-16 surrogate and can't be written as UTF-8`);
  }
}

/**
 * Lays out `stateDict` as the reference writer (Hugging Face's `safetensors`) does: tensors
 * sorted by dtype alignment, largest first (F64, F32, I32, BOOL), then by name; packed back
 * to back from offset 0; a compact JSON header with `__metadata__` first, padded with spaces
 * to a multiple of 8 bytes so every tensor's data stays 8-byte aligned in the file.
 */
export function planFile(stateDict: Record<string, Tensor>, options: SerializeOptions, where: string): FilePlan {
  if (typeof stateDict !== "object" || stateDict === null || Array.isArray(stateDict)) {
    throw new SafetensorsError(`${where}: expected a state dict (an object mapping names to tensors), got ${stateDict === null ? "null" : Array.isArray(stateDict) ? "an array" : typeof stateDict}`);
  }
  const entries = Object.keys(stateDict).map((name) => {
    const t = stateDict[name];
    if (!(t instanceof Tensor)) {
      throw new SafetensorsError(`${where}: state dict entry ${quote(name)} is ${t === null ? "null" : typeof t}, not a Tensor`);
    }
    if (name === METADATA_KEY) {
      throw new SafetensorsError(`${where}: a tensor can't be named "${METADATA_KEY}": the format reserves that key for metadata. Rename it.`);
    }
    checkText(where, name, "tensor name");
    return { name, tensor: t, byteLength: t.numel() * itemSize(t.dtype) };
  });
  entries.sort((a, b) => WRITE_RANK[b.tensor.dtype] - WRITE_RANK[a.tensor.dtype] || compareCodePoints(a.name, b.name));

  const parts: string[] = [];
  const metadata = options.metadata;
  if (metadata !== undefined) {
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      throw new SafetensorsError(`${where}: metadata must be an object of strings, got ${metadata === null ? "null" : Array.isArray(metadata) ? "an array" : typeof metadata}`);
    }
    const keys = Object.keys(metadata).sort(compareCodePoints);
    const fields = keys.map((key) => {
      const value: unknown = metadata[key];
      if (typeof value !== "string") {
        throw new SafetensorsError(`${where}: metadata values must be strings, but ${quote(key)} is ${value === null ? "null" : typeof value}. Convert it, e.g. String(value) or JSON.stringify(value).`);
      }
      checkText(where, key, "metadata key");
      checkText(where, value, "metadata value");
      return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
    });
    parts.push(`"${METADATA_KEY}":{${fields.join(",")}}`);
  }
  let offset = 0;
  for (const e of entries) {
    const begin = offset;
    offset += e.byteLength;
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${FILE_DTYPE[e.tensor.dtype]}","shape":[${e.tensor.shape.join(",")}],"data_offsets":[${begin},${offset}]}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  const dv = new DataView(head.buffer);
  dv.setUint32(0, padded % 2 ** 32, true);
  dv.setUint32(4, Math.floor(padded / 2 ** 32), true);
  head.set(json, 8);
  return { head, tensors: entries, dataLength: offset };
}
