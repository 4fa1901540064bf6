/**
 * Clipping a sliding window to the input once, so the inner loops of convolutions and pooling
 * never test bounds: the positions `o` of a window that starts at `off + o·step` and the range
 * of them that falls inside `[0, size)`.
 */

/** First `o` in `[0, limit]` with `off + o·step >= 0`. */
export function firstInside(off: number, step: number, limit: number): number {
  if (off >= 0) return 0;
  return Math.min(limit, Math.ceil(-off / step));
}

/** First `o` in `[0, limit]` with `off + o·step >= size`. */
export function firstPast(off: number, step: number, size: number, limit: number): number {
  if (off >= size) return 0;
  return Math.min(limit, Math.ceil((size - off) / step));
}
