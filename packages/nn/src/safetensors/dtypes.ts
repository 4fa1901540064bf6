/**
 * The dtype names of the safetensors format and how they map to Tessera's dtypes.
 */
import type { DType } from "@tessera/storage";
import { quote } from "./errors.js";

/** The dtype a safetensors header names for each Tessera dtype (what the writer emits). */
export const FILE_DTYPE: Readonly<Record<DType, string>> = {
  float32: "F32",
  float64: "F64",
  int32: "I32",
  bool: "BOOL",
};

/** A file dtype Tessera reads, the dtype it becomes, and the bytes per element in the file. */
export interface ReadableDType {
  readonly dtype: DType;
  readonly itemSize: number;
}

/**
 * The file dtypes Tessera reads. `I64` (PyTorch's int64: indices, BatchNorm's
 * `num_batches_tracked`) becomes int32 after a range check; `F16` and `BF16` become float32,
 * which holds every one of their values exactly.
 */
export const READABLE: ReadonlyMap<string, ReadableDType> = new Map([
  ["F32", { dtype: "float32", itemSize: 4 }],
  ["F64", { dtype: "float64", itemSize: 8 }],
  ["I32", { dtype: "int32", itemSize: 4 }],
  ["BOOL", { dtype: "bool", itemSize: 1 }],
  ["I64", { dtype: "int32", itemSize: 8 }],
  ["F16", { dtype: "float32", itemSize: 2 }],
  ["BF16", { dtype: "float32", itemSize: 2 }],
]);

/**
 * Dtypes of the safetensors format that Tessera cannot hold (named so the error can tell
 * "not supported" from "not a safetensors dtype").
 */
const KNOWN_UNSUPPORTED = new Set(["U8", "I8", "I16", "U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"]);

/** The error text for a dtype Tessera doesn't read. */
export function unsupportedDTypeMessage(name: string, fileDType: string): string {
  const what = KNOWN_UNSUPPORTED.has(fileDType) ? "has dtype" : "has an unknown dtype";
  return `tensor ${quote(name)} ${what} ${quote(fileDType)}, which Tessera can't load. Supported dtypes: F32, F64, I32, BOOL (read as themselves), I64 (read as int32, values must fit), F16 and BF16 (read as float32). Convert the tensor before saving it (e.g. t.float() in PyTorch).`;
}

/**
 * The order the reference writer lays tensors out in: by dtype alignment, largest first
 * (its dtype enum order, reversed), then by name. Higher sorts first.
 */
export const WRITE_RANK: Readonly<Record<DType, number>> = { float64: 3, float32: 2, int32: 1, bool: 0 };
