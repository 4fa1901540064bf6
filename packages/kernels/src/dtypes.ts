/** Dtype checks shared by the op schemas. */
import { type DType, DTypeError, isFloatingPoint } from "@tessera/storage";
import type { TensorMeta } from "./types.js";

/** Throws unless `meta` is float32 or float64. */
export function requireFloat(op: string, meta: TensorMeta, input = "input"): void {
  if (!isFloatingPoint(meta.dtype)) {
    throw new DTypeError(
      `${op}: expected a floating point ${input} (float32 or float64), but got ${meta.dtype}. Cast it first, e.g. x.to("float32").`,
    );
  }
}

/** Throws if `meta` is bool (arithmetic is not defined on bool). */
export function requireNumeric(op: string, meta: TensorMeta, input = "input"): void {
  if (meta.dtype === "bool") {
    throw new DTypeError(
      `${op}: not supported for bool ${input}. Cast it to a numeric dtype first, e.g. x.to("int32") or x.to("float32").`,
    );
  }
}

/** Throws unless every meta has the same dtype; returns it. */
export function requireSameDType(op: string, metas: readonly TensorMeta[], names: readonly string[]): DType {
  const dtype = metas[0]!.dtype;
  for (let i = 1; i < metas.length; i++) {
    if (metas[i]!.dtype !== dtype) {
      throw new DTypeError(
        `${op}: expected ${names.join(" and ")} to have the same dtype, but got ${metas.map((m) => m.dtype).join(" and ")}. Cast one of them, e.g. b.to("${dtype}").`,
      );
    }
  }
  return dtype;
}
