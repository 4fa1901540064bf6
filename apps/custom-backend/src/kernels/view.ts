/** The one type every tiny kernel is written against, and the walk they share. */
import { type Layout, type TypedArray, isContiguous, shapesEqual } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";

/**
 * A tensor as a tiny kernel receives it: a typed array (the whole buffer, which may be larger
 * than the tensor) plus the layout that picks the tensor's elements out of it.
 *
 * @example
 * // The transpose of a contiguous 2×3 buffer: element [i, j] lives at buffer[i + 3 * j].
 * const t: View = { buffer: new Float32Array(6), dtype: "float32", layout: { shape: [3, 2], strides: [1, 3], offset: 0 } };
 */
export type View = TensorView<TypedArray>;

/**
 * A kernel without attributes. A function of fewer parameters is assignable to the contract's
 * `Kernel<TypedArray, K>` for any op `K` whose attributes it ignores.
 *
 * @example
 * const neg: PlainKernel = ([x], [out]) => { … };
 */
export type PlainKernel = (inputs: readonly View[], outputs: readonly View[]) => void;

/**
 * True when every layout has `shape` and walks its buffer in row-major order without gaps, so
 * element `i` of each is `buffer[offset + i]`. This is the first fast path worth writing: most
 * tensors in a training step are fresh, contiguous outputs of the previous op.
 *
 * @example
 * sameDenseShape([2, 3], [{ shape: [2, 3], strides: [3, 1], offset: 0 }]); // true
 * sameDenseShape([2, 3], [{ shape: [2, 3], strides: [0, 1], offset: 0 }]); // false: broadcast row
 */
export function sameDenseShape(shape: readonly number[], layouts: readonly Layout[]): boolean {
  return layouts.every((l) => shapesEqual(l.shape, shape) && isContiguous(l));
}
