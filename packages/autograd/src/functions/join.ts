/** Joining and splitting along a dim: cat, stack, split, chunk. */
import { ShapeError, DTypeError, formatShape, normalizeDim, narrow as narrowLayout } from "@tessera/storage";
import { Node } from "../graph/node.js";
import type { Tensor } from "../tensor.js";
import { aliasTensor, commonBackend, emptyTensor, executeInto } from "../runtime.js";
import { anyNeedsGrad, attach } from "./helpers.js";
import { narrow, unsqueeze } from "./views.js";

class CatBackward extends Node {
  readonly name = "CatBackward0";
  constructor(inputs: readonly Tensor[], private readonly dim: number) {
    super(inputs);
  }
  backward([g]: readonly (Tensor | null)[]) {
    let start = 0;
    return this.inputShapes.map((shape, i) => {
      const size = shape[this.dim]!;
      const piece = this.needsInputGrad(i) ? g!.narrow(this.dim, start, size) : null;
      start += size;
      return piece;
    });
  }
}

/**
 * Concatenates tensors of one dtype along an existing `dim` (default 0); all other dims must
 * match.
 *
 * @example cat([zeros([2, 3]), ones([1, 3])]) // shape [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("cat(): expected a non-empty list of Tensors");
  const first = tensors[0]!;
  const d = normalizeDim(dim, first.ndim, "cat");
  const shape = first.shape.slice();
  let total = 0;
  for (const [i, t] of tensors.entries()) {
    if (t.dtype !== first.dtype) {
      throw new DTypeError(`cat(): expected all tensors to have dtype ${first.dtype}, but tensor ${i} is ${t.dtype}. Cast it first.`);
    }
    if (t.ndim !== first.ndim || t.shape.some((s, k) => k !== d && s !== first.shape[k])) {
      throw new ShapeError(
        `cat(): sizes of tensors must match except in dimension ${d}. Expected ${formatShape(first.shape)} (any size at dim ${d}) but got ${formatShape(t.shape)} for tensor number ${i} in the list.`,
      );
    }
    total += t.shape[d]!;
  }
  shape[d] = total;
  const backend = commonBackend("cat", tensors);
  const out = emptyTensor(backend, shape, first.dtype);
  let start = 0;
  for (const t of tensors) {
    const size = t.shape[d]!;
    const target = aliasTensor(out._storage!, narrowLayout(out._layout, d, start, size), out.dtype, backend);
    executeInto("copy", [t], target, {});
    target.dispose();
    start += size;
  }
  if (anyNeedsGrad(tensors)) attach(out, new CatBackward(tensors, d));
  return out;
}

/**
 * Stacks same-shaped tensors along a new `dim` (default 0).
 *
 * @example stack([tensor([1, 2]), tensor([3, 4])]) // [[1, 2], [3, 4]]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("stack(): expected a non-empty list of Tensors");
  const first = tensors[0]!;
  const d = normalizeDim(dim, first.ndim + 1, "stack");
  for (const [i, t] of tensors.entries()) {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new ShapeError(`stack expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
    }
  }
  const expanded = tensors.map((t) => unsqueeze(t, d));
  const out = cat(expanded, d);
  for (const e of expanded) e.dispose();
  return out;
}

/**
 * Splits into views along `dim`: pieces of `size` (the last may be smaller), or of the listed
 * sizes (which must add up to the dim's size).
 *
 * @example split(arange(5), 2) // [0,1], [2,3], [4]
 */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, x.ndim, "split");
  const length = x.shape[d]!;
  let sizes: number[];
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size <= 0) throw new ShapeError(`split: split size must be a positive integer, got ${size}`);
    sizes = [];
    for (let s = 0; s < length; s += size) sizes.push(Math.min(size, length - s));
    if (length === 0) sizes.push(0);
  } else {
    sizes = size.slice();
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== length || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ShapeError(`split_with_sizes expects split_sizes to sum exactly to ${length} (input tensor's size at dimension ${d}), but got split_sizes=${formatShape(sizes)}`);
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}

/** Splits into `chunks` views of equal size (the last may be smaller) along `dim`. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ShapeError(`chunk: number of chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim(dim, x.ndim, "chunk");
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}
