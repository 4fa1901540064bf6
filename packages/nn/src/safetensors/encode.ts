/** Tessera typed arrays → the little-endian bytes a safetensors file stores. */
import type { DType, TypedArray } from "@tessera/storage";
import { LITTLE_ENDIAN } from "./decode.js";

/**
 * The little-endian bytes of `values` (elements of `dtype`). Bool elements are written as
 * bytes 0 and 1, as PyTorch does. The result may share memory with `values`.
 */
export function encodeValues(dtype: DType, values: TypedArray): Uint8Array {
  if (dtype === "bool") {
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
    return out;
  }
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const size = values.BYTES_PER_ELEMENT;
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === "float32") dv.setFloat32(i * size, values[i]!, true);
    else if (dtype === "float64") dv.setFloat64(i * size, values[i]!, true);
    else dv.setInt32(i * size, values[i]!, true);
  }
  return out;
}
