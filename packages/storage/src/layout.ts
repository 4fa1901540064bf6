import { ShapeError, formatShape } from "./errors.js";

/**
 * Where a tensor's elements live inside its storage: element `(i0, i1, …)` is at
 * `offset + i0 * strides[0] + i1 * strides[1] + …`. Strides and offset count elements,
 * not bytes. A stride of 0 repeats an element (broadcasting).
 */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Number of elements of a shape (1 for a scalar, 0 if any dim is 0). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major (C-contiguous) strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/** A contiguous layout of `shape` starting at `offset`. */
export function contiguousLayout(shape: readonly number[], offset = 0): Layout {
  return { shape: shape.slice(), strides: contiguousStrides(shape), offset };
}

/**
 * True if the layout's elements are stored in row-major order without gaps (size-1 dims may
 * have any stride; an empty tensor is always contiguous, as in PyTorch), so the tensor's
 * elements are `storage[offset .. offset + numel)`.
 */
export function isContiguous(layout: Layout): boolean {
  const { shape, strides } = layout;
  if (numel(shape) === 0) return true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    if (size !== 1) {
      if (strides[i] !== expected) return false;
      expected *= size;
    }
  }
  return true;
}

/** True if two shapes are equal element by element. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Normalizes a possibly negative dim (`-1` is the last) against `ndim`, throwing a
 * {@link ShapeError} that names `op` when it is out of range.
 */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new ShapeError(
      `${op}: dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Checks that every entry of `shape` is a non-negative integer; `op` names the caller. */
export function checkShape(shape: readonly number[], op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        `${op}: invalid shape ${formatShape(shape)}: every size must be a non-negative integer.`,
      );
    }
  }
}

/** The largest storage index the layout touches plus one (0 for an empty tensor). */
export function storageExtent(layout: Layout): number {
  let max = layout.offset;
  for (let i = 0; i < layout.shape.length; i++) {
    const size = layout.shape[i]!;
    if (size === 0) return 0;
    max += (size - 1) * layout.strides[i]!;
  }
  return max + 1;
}
