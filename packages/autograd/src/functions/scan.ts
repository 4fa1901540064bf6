/**
 * Cumulative sums, built from catalog ops every backend has (no scan kernel in the catalog):
 * a Hillis–Steele scan, ⌈log₂ n⌉ rounds of `out + (out shifted by 2ᵏ along dim)`, each shift a
 * slice padded with zeros. Recorded like any composite, so gradients (a reversed cumulative
 * sum) and double backward come from the ops it is made of.
 */
import { type DType, DTypeError, formatShape, normalizeDim } from "@tessera/storage";
import type { Tensor } from "../tensor.js";
import { tidyInternal } from "./scope.js";
import { pad } from "./pad.js";

/** Options of {@link cumsum}. */
export interface CumsumOptions {
  /** Cast the input to this dtype first (PyTorch's `dtype=`). */
  dtype?: DType;
}

/** `x` shifted by `by` along `dim` (toward higher indices), zeros coming in. */
function shifted(x: Tensor, dim: number, by: number): Tensor {
  const size = x.shape[dim]!;
  const kept = x.narrow(dim, 0, size - by);
  const padding = new Array<number>(2 * (x.ndim - dim)).fill(0);
  padding[2 * (x.ndim - 1 - dim)] = by; // `pad` lists (before, after) pairs from the last dim
  const out = pad(kept, padding);
  kept.dispose();
  return out;
}

/**
 * Cumulative sum along `dim`: `out[…, i, …] = x[…, 0, …] + … + x[…, i, …]`. Integer and bool
 * inputs sum in int32 (PyTorch uses int64, which Tessera doesn't have). Float results can
 * differ from a sequential sum in the last bits: the scan adds in a tree order.
 *
 * @example
 * cumsum(tensor([1, 2, 3, 4]), 0); // [1, 3, 6, 10]
 */
export function cumsum(x: Tensor, dim: number, options: CumsumOptions = {}): Tensor {
  const d = normalizeDim(dim, x.ndim, "cumsum");
  const dtype = options.dtype ?? (x.dtype === "bool" ? "int32" : x.dtype);
  if (dtype === "bool") {
    throw new DTypeError(`cumsum: can't sum into bool; pass { dtype: "int32" } or a float dtype (input ${x.dtype}, shape ${formatShape(x.shape)}).`);
  }
  return tidyInternal(() => {
    const cast = x.to(dtype);
    let out = cast === x ? x.clone() : cast;
    for (let by = 1; by < (x.shape[d] ?? 1); by *= 2) out = out.add(shifted(out, d, by));
    return out;
  });
}
