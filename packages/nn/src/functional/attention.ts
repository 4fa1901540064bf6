/** Attention: PyTorch's `F.scaled_dot_product_attention` (its math path). */
import { type Tensor, arange, tidy, where } from "@tessera/autograd";
import { DTypeError, ShapeError, TesseraError, formatShape, isFloatingPoint } from "@tessera/storage";
import { dropout } from "./dropout.js";
import { requireFloat } from "./util.js";

/** Options of {@link scaledDotProductAttention}. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to [..., L, S]. A bool mask says which query–key pairs take part (`true` =
   * attend); a float mask is added to the scores (use `-Infinity` to exclude a pair).
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights. Default 0 (applied whenever > 0). */
  dropoutP?: number;
  /**
   * Causal masking: query `i` attends to keys `0…i` (the mask is the lower triangle of an
   * [L, S] matrix, aligned top-left). Don't combine with `attnMask`. Default false.
   */
  isCausal?: boolean;
  /** Multiplies the scores. Default `1 / √E`. */
  scale?: number | null;
}

/**
 * `softmax(q·kᵀ · scale + mask) · v`: `query` [..., L, E], `key` [..., S, E],
 * `value` [..., S, Ev] → [..., L, Ev]. Batch dims broadcast.
 *
 * @example
 * const q = randn([2, 4, 5, 8]), k = randn([2, 4, 6, 8]), v = randn([2, 4, 6, 8]);
 * scaledDotProductAttention(q, k, v).shape;                     // [2, 4, 5, 8]
 * scaledDotProductAttention(q, q, q, { isCausal: true });        // decoder self-attention
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = "scaledDotProductAttention";
  for (const [name, t] of [["query", query], ["key", key], ["value", value]] as const) {
    requireFloat(op, name, t);
    if (t.ndim < 2) throw new ShapeError(`${op}: ${name} must have at least 2 dims [..., seq, features], got shape ${formatShape(t.shape)}.`);
  }
  const L = query.shape[query.ndim - 2]!;
  const E = query.shape[query.ndim - 1]!;
  const S = key.shape[key.ndim - 2]!;
  if (key.shape[key.ndim - 1] !== E) {
    throw new ShapeError(`${op}: query ${formatShape(query.shape)} and key ${formatShape(key.shape)} must have the same last dim (the embedding size E).`);
  }
  if (value.shape[value.ndim - 2] !== S) {
    throw new ShapeError(`${op}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same sequence length S (second-to-last dim).`);
  }
  const mask = options.attnMask ?? null;
  const isCausal = options.isCausal ?? false;
  if (isCausal && mask !== null) {
    throw new TesseraError(`${op}: attnMask must not be set when isCausal is true; fold the causal mask into attnMask instead (e.g. mask.logicalAnd(causal)).`);
  }
  if (mask !== null && mask.dtype !== "bool" && !isFloatingPoint(mask.dtype)) {
    throw new DTypeError(`${op}: attnMask must be bool (true = take part) or floating point (added to the scores), got ${mask.dtype}.`);
  }
  const dropoutP = options.dropoutP ?? 0;
  const scale = options.scale ?? 1 / Math.sqrt(E);
  return tidy(() => {
    let scores = query.matmul(key.transpose(-2, -1)).mul(scale);
    if (isCausal) {
      const rows = arange(0, L, 1, { dtype: "int32", device: query.device }).reshape([L, 1]);
      const cols = arange(0, S, 1, { dtype: "int32", device: query.device });
      scores = where(cols.le(rows), scores, -Infinity);
    } else if (mask !== null) {
      scores = mask.dtype === "bool" ? where(mask, scores, -Infinity) : scores.add(mask);
    }
    let weights = scores.softmax(-1);
    if (dropoutP > 0) weights = dropout(weights, { p: dropoutP, training: true });
    return weights.matmul(value);
  });
}
