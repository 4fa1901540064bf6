/**
 * Tensor bytes of a safetensors file → Tessera typed arrays. Every file dtype Tessera reads
 * is decoded here; the conversions (I64 → int32, F16 / BF16 → float32) check what they must.
 */
import type { TypedArray } from "@tessera/storage";
import { SafetensorsError, quote } from "./errors.js";
import type { TensorInfo } from "./header.js";

/** True on little-endian hosts (all current ones); big-endian hosts take the DataView path. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A little-endian typed array over `bytes`, without copying when alignment allows. */
function view<T extends Float32Array | Float64Array | Int32Array>(
  Ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number },
  bytes: Uint8Array,
  getter: (dv: DataView, at: number) => number,
): T {
  const size = Ctor.BYTES_PER_ELEMENT;
  const n = bytes.length / size;
  if (LITTLE_ENDIAN) {
    if (bytes.byteOffset % size === 0) return new Ctor(bytes.buffer, bytes.byteOffset, n);
    const copy = bytes.slice();
    return new Ctor(copy.buffer, 0, n);
  }
  const out = new Ctor(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < n; i++) out[i] = getter(dv, i * size);
  return out;
}

/** IEEE 754 half precision → number (exact). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 → number (exact): the top half of a float32. */
function bf16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! << 16;
  return new Float32Array(out.buffer);
}

function uint16s(bytes: Uint8Array): Uint16Array {
  const n = bytes.length / 2;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/**
 * The elements of tensor `info` (whose checked bytes are `bytes`), as the typed array of the
 * Tessera dtype it loads as. The result may share memory with `bytes`; the caller copies it
 * into a tensor.
 *
 * @throws {@link SafetensorsError} for I64 values outside int32 and BOOL bytes other than 0 / 1.
 */
export function decodeTensor(info: TensorInfo, bytes: Uint8Array, where: string): TypedArray {
  const label = `tensor ${quote(info.name)}`;
  switch (info.dtype) {
    case "F32":
      return view(Float32Array, bytes, (dv, at) => dv.getFloat32(at, true));
    case "F64":
      return view(Float64Array, bytes, (dv, at) => dv.getFloat64(at, true));
    case "I32":
      return view(Int32Array, bytes, (dv, at) => dv.getInt32(at, true));
    case "BOOL": {
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i]! > 1) {
          throw new SafetensorsError(`${where}: ${label} is BOOL but element ${i} holds the byte ${bytes[i]}; BOOL elements must be 0 or 1`);
        }
      }
      return bytes;
    }
    case "I64": {
      const n = bytes.length / 8;
      const out = new Int32Array(n);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      for (let i = 0; i < n; i++) {
        const low = dv.getInt32(8 * i, true);
        const high = dv.getInt32(8 * i + 4, true);
        if (high !== low >> 31) {
          const value = dv.getBigInt64(8 * i, true);
          throw new SafetensorsError(
            `${where}: ${label} is I64 (int64) and Tessera stores it as int32, but element ${i} is ${value}, outside int32's range [-2147483648, 2147483647]. Tessera has no int64; rescale or drop this tensor before saving.`,
          );
        }
        out[i] = low;
      }
      return out;
    }
    case "F16": {
      const bits = uint16s(bytes);
      const out = new Float32Array(bits.length);
      for (let i = 0; i < bits.length; i++) out[i] = halfToNumber(bits[i]!);
      return out;
    }
    case "BF16":
      return bf16ToFloat32(uint16s(bytes));
    default:
      // parseHeader admits only the dtypes above.
      throw new SafetensorsError(`${where}: ${label} has dtype ${info.dtype}, which has no decoder`);
  }
}
