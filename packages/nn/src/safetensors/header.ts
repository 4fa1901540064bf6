/**
 * Reading and checking a safetensors header: the 8-byte length, the JSON, every entry, and
 * the layout of the byte buffer. Nothing here touches tensor data.
 */
import { READABLE, unsupportedDTypeMessage } from "./dtypes.js";
import { SafetensorsError, quote } from "./errors.js";
import { type JsonValue, JsonNumber, JsonSyntaxError, parseJson } from "./json.js";

/** The largest header accepted, in bytes: the reference implementation's limit (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** The key of the free-form string-to-string map in a header. */
export const METADATA_KEY = "__metadata__";

/** One tensor's entry in a safetensors header, as the file states it. */
export interface TensorInfo {
  /** The tensor's name (its state-dict key). */
  readonly name: string;
  /** The dtype the file names (`"F32"`, `"I64"`, …). */
  readonly dtype: string;
  /** The shape (empty for a 0-dim tensor). */
  readonly shape: readonly number[];
  /** `[begin, end)` of the tensor's bytes, relative to the start of the byte buffer. */
  readonly dataOffsets: readonly [number, number];
}

/** A checked safetensors header. */
export interface SafetensorsHeader {
  /** The `__metadata__` map, or null when the file has none. */
  readonly metadata: Record<string, string> | null;
  /** The tensors, in the order the header lists them. */
  readonly tensors: readonly TensorInfo[];
  /** Where the byte buffer starts in the file: 8 + the header length. */
  readonly dataStart: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function fail(where: string, message: string): never {
  throw new SafetensorsError(`${where}: ${message}`);
}

function typeOf(v: JsonValue): string {
  if (v === null) return "null";
  if (v instanceof JsonNumber) return `the number ${v.text}`;
  if (Array.isArray(v)) return "an array";
  if (v instanceof Map) return "an object";
  if (typeof v === "string") return `the string ${quote(v)}`;
  return `${v}`;
}

/**
 * A non-negative integer of a header (a dim or an offset), or an error that says why not.
 * Integers past 2^53 - 1 can't be a real offset or dim of a file JavaScript can hold.
 */
function nonNegativeInteger(where: string, v: JsonValue, what: string): number {
  if (!(v instanceof JsonNumber)) fail(where, `${what} must be a non-negative integer, got ${typeOf(v)}`);
  const text = v.text;
  if (!/^(?:0|[1-9][0-9]*)$/.test(text)) {
    const n = Number(text);
    if (n < 0 || text.startsWith("-")) fail(where, `${what} must be a non-negative integer, got ${text} (negative)`);
    fail(where, `${what} must be a non-negative integer written without a fraction or exponent, got ${text}`);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) fail(where, `${what} ${text} is too large (more than 2^53 - 1)`);
  return n;
}

function parseMetadata(where: string, v: JsonValue): Record<string, string> | null {
  // The reference reader takes `null` for "no metadata" (an Option), so this one does too.
  if (v === null) return null;
  if (!(v instanceof Map)) fail(where, `"${METADATA_KEY}" must be an object of string values, got ${typeOf(v)}`);
  const out: Record<string, string> = {};
  for (const [key, value] of v) {
    if (typeof value !== "string") {
      fail(where, `"${METADATA_KEY}" must map strings to strings, but ${quote(key)} is ${typeOf(value)}`);
    }
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseEntry(where: string, name: string, v: JsonValue): TensorInfo {
  const label = `tensor ${quote(name)}`;
  if (!(v instanceof Map)) fail(where, `${label}: the entry must be an object with dtype, shape and data_offsets, got ${typeOf(v)}`);
  for (const field of ["dtype", "shape", "data_offsets"]) {
    if (!v.has(field)) fail(where, `${label}: the entry has no "${field}" (it needs dtype, shape and data_offsets)`);
  }
  const dtype = v.get("dtype")!;
  if (typeof dtype !== "string") fail(where, `${label}: "dtype" must be a string like "F32", got ${typeOf(dtype)}`);
  const readable = READABLE.get(dtype);
  if (readable === undefined) fail(where, unsupportedDTypeMessage(name, dtype));

  const shapeValue = v.get("shape")!;
  if (!Array.isArray(shapeValue)) fail(where, `${label}: "shape" must be an array of non-negative integers, got ${typeOf(shapeValue)}`);
  const shape = shapeValue.map((d, i) => nonNegativeInteger(where, d, `${label}: shape[${i}]`));

  const offsetsValue = v.get("data_offsets")!;
  if (!Array.isArray(offsetsValue) || offsetsValue.length !== 2) {
    fail(where, `${label}: "data_offsets" must be an array [begin, end] of two non-negative integers, got ${Array.isArray(offsetsValue) ? `an array of ${offsetsValue.length}` : typeOf(offsetsValue)}`);
  }
  const begin = nonNegativeInteger(where, offsetsValue[0]!, `${label}: data_offsets[0]`);
  const end = nonNegativeInteger(where, offsetsValue[1]!, `${label}: data_offsets[1]`);
  if (begin > end) fail(where, `${label}: data_offsets [${begin}, ${end}] begin after they end`);

  let count = 1;
  for (const d of shape) count *= d;
  const expected = count * readable.itemSize;
  if (end - begin !== expected) {
    const numelText = Number.isSafeInteger(count) ? `${count}` : "more than 2^53";
    fail(where, `${label}: data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape [${shape.join(", ")}] of ${dtype} needs ${numelText} × ${readable.itemSize} = ${Number.isSafeInteger(expected) ? expected : "too many"} bytes`);
  }
  return { name, dtype, shape, dataOffsets: [begin, end] };
}

/**
 * The spec requires the tensors to tile the byte buffer exactly: sorted by offsets, each one
 * begins where the previous one ended, the first at 0 and the last ending at the end of the
 * file. Anything else (overlap, a gap, trailing bytes, data past the end) is an error.
 */
function checkLayout(where: string, tensors: readonly TensorInfo[], dataLength: number): void {
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    if (end > dataLength) {
      fail(where, `tensor ${quote(t.name)}: data_offsets [${begin}, ${end}] run past the end of the byte buffer, which holds ${dataLength} bytes (is the file truncated?)`);
    }
  }
  const sorted = [...tensors].sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let covered = 0;
  let previous: TensorInfo | null = null;
  for (const t of sorted) {
    const [begin, end] = t.dataOffsets;
    if (begin < covered) {
      fail(where, `tensor ${quote(t.name)}: data_offsets [${begin}, ${end}] overlap tensor ${quote(previous!.name)} [${previous!.dataOffsets[0]}, ${previous!.dataOffsets[1]}]; tensors must not share bytes`);
    }
    if (begin > covered) {
      fail(where, `bytes [${covered}, ${begin}) of the byte buffer belong to no tensor (before tensor ${quote(t.name)}); the format requires the tensors to cover the buffer without gaps`);
    }
    covered = end;
    if (begin !== end) previous = t;
  }
  if (covered !== dataLength) {
    fail(where, `the last ${dataLength - covered} bytes of the file belong to no tensor (the tensors end at byte ${covered} of a ${dataLength}-byte buffer); the format requires the tensors to cover the buffer exactly (trailing garbage or a wrong header?)`);
  }
}

/**
 * Reads and checks the header of the safetensors file in `bytes` (the whole file: the layout
 * check needs its length). `where` prefixes error messages.
 *
 * @throws {@link SafetensorsError} naming the first problem found.
 */
export function parseHeader(bytes: Uint8Array, where: string): SafetensorsHeader {
  if (!(bytes instanceof Uint8Array)) {
    fail(where, `expected the file's bytes as a Uint8Array, got ${bytes === null ? "null" : typeof bytes === "object" ? (bytes as object).constructor?.name ?? "an object" : typeof bytes}`);
  }
  if (bytes.length < 8) {
    fail(where, `the file is ${bytes.length} bytes long, too short for the 8-byte header length that starts every safetensors file (truncated, or not a safetensors file)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low;
  if (headerLength > MAX_HEADER_BYTES) {
    fail(where, `the header length is ${high === 0 ? headerLength : "more than 2^32"} bytes, more than the 100 MB the format allows (a corrupt file, or not a safetensors file)`);
  }
  if (headerLength > bytes.length - 8) {
    fail(where, `the header is ${headerLength} bytes long but the file has only ${bytes.length - 8} bytes after the header length (truncated file?)`);
  }
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail(where, "the header is not valid UTF-8");
  }
  let json: JsonValue;
  try {
    json = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return fail(where, `the header is not valid JSON: ${e.message}`);
    throw e;
  }
  if (!(json instanceof Map)) fail(where, `the header must be a JSON object, got ${typeOf(json)}`);

  let metadata: Record<string, string> | null = null;
  const tensors: TensorInfo[] = [];
  for (const [key, value] of json) {
    if (key === METADATA_KEY) metadata = parseMetadata(where, value);
    else tensors.push(parseEntry(where, key, value));
  }
  const dataStart = 8 + headerLength;
  checkLayout(where, tensors, bytes.length - dataStart);
  return { metadata, tensors, dataStart };
}
