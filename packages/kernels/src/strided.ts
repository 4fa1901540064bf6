/**
 * Walking strided tensors element by element, for the reference kernels. Clarity over speed:
 * these loops are the oracle, not the fast path.
 */
import { type Layout, expand } from "@tessera/storage";

/**
 * Visits every index of `shape` in row-major order and calls `visit` with the storage offset
 * of that index in each of `layouts` (all of which must have `shape`). The `offsets` array is
 * reused between calls.
 */
export function forEachOffset(
  shape: readonly number[],
  layouts: readonly Layout[],
  visit: (offsets: readonly number[], linear: number) => void,
): void {
  const ndim = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const offsets = layouts.map((l) => l.offset);
  const index = new Array<number>(ndim).fill(0);
  for (let linear = 0; linear < total; linear++) {
    visit(offsets, linear);
    for (let d = ndim - 1; d >= 0; d--) {
      index[d]!++;
      for (let k = 0; k < layouts.length; k++) offsets[k]! += layouts[k]!.strides[d]!;
      if (index[d]! < shape[d]!) break;
      for (let k = 0; k < layouts.length; k++) offsets[k]! -= layouts[k]!.strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

/** Visits every multi-index of `shape` in row-major order (the array is reused). */
export function forEachIndex(shape: readonly number[], visit: (index: readonly number[], linear: number) => void): void {
  const ndim = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  const index = new Array<number>(ndim).fill(0);
  for (let linear = 0; linear < total; linear++) {
    visit(index, linear);
    for (let d = ndim - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
}

/** Storage offset of a multi-index under a layout. */
export function offsetOf(layout: Layout, index: readonly number[]): number {
  let o = layout.offset;
  for (let d = 0; d < index.length; d++) o += index[d]! * layout.strides[d]!;
  return o;
}

/** The layout that reads `layout` broadcast to `shape` (stride 0 along broadcast dims). */
export function broadcastLayout(layout: Layout, shape: readonly number[]): Layout {
  return expand(layout, shape);
}

/** Writes `value` as element of an int32/bool/float output, applying the dtype's rounding. */
export function toBool(value: number): number {
  return value !== 0 ? 1 : 0;
}
