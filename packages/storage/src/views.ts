/**
 * View arithmetic: functions from a layout to a new layout over the same storage. None of
 * them touches element data. Each validates its arguments and names itself in errors.
 */
import { ShapeError, formatShape } from "./errors.js";
import { type Layout, numel, normalizeDim, contiguousStrides } from "./layout.js";

/**
 * Resolves a requested shape that may contain one `-1` against `count` elements.
 *
 * @example inferShape([-1, 4], 12, "reshape") // [3, 4]
 */
export function inferShape(requested: readonly number[], count: number, op: string): number[] {
  let inferIndex = -1;
  let known = 1;
  for (let i = 0; i < requested.length; i++) {
    const d = requested[i]!;
    if (d === -1) {
      if (inferIndex >= 0) throw new ShapeError(`${op}: only one dimension can be inferred (-1), got ${formatShape(requested)}`);
      inferIndex = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape dimension ${d} in ${formatShape(requested)}`);
    } else {
      known *= d;
    }
  }
  const shape = requested.slice();
  if (inferIndex >= 0) {
    if (known === 0 || count % known !== 0) {
      throw new ShapeError(`${op}: shape '${formatShape(requested)}' is invalid for input of size ${count}`);
    }
    shape[inferIndex] = count / known;
  } else if (known !== count) {
    throw new ShapeError(`${op}: shape '${formatShape(requested)}' is invalid for input of size ${count}`);
  }
  return shape;
}

/**
 * Strides that let `layout` be viewed as `newShape` without copying, or `null` when the
 * existing strides make that impossible (then the caller copies). Follows the rule PyTorch
 * uses: each run of merged old dims must be contiguous with itself.
 */
export function reshapeView(layout: Layout, newShape: readonly number[]): Layout | null {
  const { shape: oldShape, strides: oldStrides } = layout;
  const count = numel(oldShape);
  if (count === 0 || oldShape.length === 0) {
    return { shape: newShape.slice(), strides: contiguousStrides(newShape), offset: layout.offset };
  }
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
    tensorNumel *= oldShape[tensorD]!;
    const atChunkStart =
      tensorD === 0 ||
      (oldShape[tensorD - 1] !== 1 && oldStrides[tensorD - 1] !== tensorNumel * chunkBaseStride);
    if (atChunkStart) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (tensorD > 0) {
        chunkBaseStride = oldStrides[tensorD - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return { shape: newShape.slice(), strides: newStrides, offset: layout.offset };
}

/** Reorders dims: `dims` is a permutation of `0 … ndim-1` (negative dims allowed). */
export function permute(layout: Layout, dims: readonly number[]): Layout {
  const n = layout.shape.length;
  if (dims.length !== n) {
    throw new ShapeError(
      `permute: number of dims don't match: the tensor has ${n} dims (shape ${formatShape(layout.shape)}) but ${dims.length} were given (${formatShape(dims)})`,
    );
  }
  const seen = new Array<boolean>(n).fill(false);
  const shape = new Array<number>(n);
  const strides = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = normalizeDim(dims[i]!, n, "permute");
    if (seen[d]) throw new ShapeError(`permute: repeated dim ${dims[i]} in ${formatShape(dims)}`);
    seen[d] = true;
    shape[i] = layout.shape[d]!;
    strides[i] = layout.strides[d]!;
  }
  return { shape, strides, offset: layout.offset };
}

/** Swaps two dims. */
export function transpose(layout: Layout, dim0: number, dim1: number): Layout {
  const n = layout.shape.length;
  if (n === 0) return layout;
  const a = normalizeDim(dim0, n, "transpose");
  const b = normalizeDim(dim1, n, "transpose");
  const shape = layout.shape.slice();
  const strides = layout.strides.slice();
  [shape[a], shape[b]] = [shape[b]!, shape[a]!];
  [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  return { shape, strides, offset: layout.offset };
}

/**
 * Broadcasts to `shape` by giving new or size-1 dims a stride of 0. `-1` keeps a dim's size.
 * New dims are added on the left, as in NumPy.
 */
export function expand(layout: Layout, shape: readonly number[]): Layout {
  const n = shape.length;
  const k = layout.shape.length;
  if (n < k) {
    throw new ShapeError(
      `expand: the number of sizes provided (${n}) must be greater or equal to the number of dimensions in the tensor (${k}); tensor shape ${formatShape(layout.shape)}, requested ${formatShape(shape)}`,
    );
  }
  const outShape = new Array<number>(n);
  const outStrides = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    const j = i - (n - k);
    const want = shape[i]!;
    if (j < 0) {
      if (want === -1) throw new ShapeError(`expand: -1 is not allowed in a leading, non-existing dimension (requested ${formatShape(shape)})`);
      if (!Number.isInteger(want) || want < 0) throw new ShapeError(`expand: invalid size ${want} in ${formatShape(shape)}`);
      outShape[i] = want;
      outStrides[i] = 0;
      continue;
    }
    const have = layout.shape[j]!;
    if (want === -1 || want === have) {
      outShape[i] = have;
      outStrides[i] = layout.strides[j]!;
    } else if (have === 1) {
      if (!Number.isInteger(want) || want < 0) throw new ShapeError(`expand: invalid size ${want} in ${formatShape(shape)}`);
      outShape[i] = want;
      outStrides[i] = 0;
    } else {
      throw new ShapeError(
        `expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i}. Target sizes: ${formatShape(shape)}. Tensor sizes: ${formatShape(layout.shape)}`,
      );
    }
  }
  return { shape: outShape, strides: outStrides, offset: layout.offset };
}

/** Elements `start … start+length-1` of `dim`. */
export function narrow(layout: Layout, dim: number, start: number, length: number): Layout {
  const n = layout.shape.length;
  if (n === 0) throw new ShapeError("narrow: cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, n, "narrow");
  const size = layout.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new ShapeError(
      `narrow: start (${start}) + length (${length}) exceeds dimension size (${size}) of dim ${dim} for shape ${formatShape(layout.shape)}`,
    );
  }
  const shape = layout.shape.slice();
  shape[d] = length;
  return { shape, strides: layout.strides.slice(), offset: layout.offset + s * layout.strides[d]! };
}

/**
 * Python-style slice `start:end:step` of `dim` (positive step; negative `start`/`end` count
 * from the end; out-of-range bounds are clamped, as in PyTorch).
 */
export function slice(layout: Layout, dim: number, start = 0, end?: number, step = 1): Layout {
  const n = layout.shape.length;
  if (n === 0) throw new ShapeError("slice: cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, n, "slice");
  if (!Number.isInteger(step) || step <= 0) {
    throw new ShapeError(`slice: step must be a positive integer, got ${step}`);
  }
  const size = layout.shape[d]!;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clamp(start);
  const e = Math.max(clamp(end ?? size), s);
  const shape = layout.shape.slice();
  const strides = layout.strides.slice();
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = layout.strides[d]! * step;
  return { shape, strides, offset: layout.offset + (shape[d] === 0 ? 0 : s * layout.strides[d]!) };
}

/** Removes `dim` if it has size 1; without `dim`, removes every size-1 dim. */
export function squeeze(layout: Layout, dim?: number | readonly number[]): Layout {
  const n = layout.shape.length;
  const drop = new Array<boolean>(n).fill(false);
  if (dim === undefined) {
    for (let i = 0; i < n; i++) drop[i] = layout.shape[i] === 1;
  } else {
    for (const d of typeof dim === "number" ? [dim] : dim) {
      if (n === 0) continue;
      const i = normalizeDim(d, n, "squeeze");
      drop[i] = layout.shape[i] === 1;
    }
  }
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < n; i++) {
    if (drop[i]) continue;
    shape.push(layout.shape[i]!);
    strides.push(layout.strides[i]!);
  }
  return { shape, strides, offset: layout.offset };
}

/** Inserts a size-1 dim at `dim` (which may be `ndim`, or negative). */
export function unsqueeze(layout: Layout, dim: number): Layout {
  const n = layout.shape.length;
  const d = normalizeDim(dim, n + 1, "unsqueeze");
  const shape = layout.shape.slice();
  const strides = layout.strides.slice();
  const stride = d < n ? layout.shape[d]! * layout.strides[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return { shape, strides, offset: layout.offset };
}

/** The shape `flatten(startDim, endDim)` produces: dims `startDim…endDim` merged into one. */
export function flattenShape(shape: readonly number[], startDim = 0, endDim = -1): number[] {
  const n = shape.length;
  if (n === 0) return [1];
  const s = normalizeDim(startDim, n, "flatten");
  const e = normalizeDim(endDim, n, "flatten");
  if (s > e) throw new ShapeError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  let merged = 1;
  for (let i = s; i <= e; i++) merged *= shape[i]!;
  return [...shape.slice(0, s), merged, ...shape.slice(e + 1)];
}
