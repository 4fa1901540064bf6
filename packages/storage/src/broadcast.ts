/** NumPy broadcasting rules. */
import { ShapeError, formatShape } from "./errors.js";

/**
 * The shape two or more shapes broadcast to: dims are aligned on the right, and each pair
 * must be equal or contain a 1.
 *
 * @example broadcastShapes([3, 1], [4]) // [3, 4]
 */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  let ndim = 0;
  for (const s of shapes) ndim = Math.max(ndim, s.length);
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    const lead = ndim - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      const o = out[lead + i]!;
      if (d === o || d === 1) continue;
      if (o === 1) {
        out[lead + i] = d;
        continue;
      }
      throw new ShapeError(
        `${op}: the size of tensor a (${o}) must match the size of tensor b (${d}) at non-singleton dimension ${lead + i}; shapes ${shapes.map(formatShape).join(" and ")} cannot be broadcast together`,
      );
    }
  }
  return out;
}

/**
 * The dims of `outShape` along which an input of `inShape` was broadcast — the dims a
 * gradient must be summed over to get back to `inShape`. Leading dims the input lacked are
 * listed too; `keepdimDims` are the summed dims the input did have (as size 1).
 */
export function broadcastReductionDims(
  inShape: readonly number[],
  outShape: readonly number[],
): { leading: number; keepdimDims: number[] } {
  const leading = outShape.length - inShape.length;
  const keepdimDims: number[] = [];
  for (let i = 0; i < inShape.length; i++) {
    if (inShape[i] === 1 && outShape[leading + i] !== 1) keepdimDims.push(i);
  }
  return { leading, keepdimDims };
}
