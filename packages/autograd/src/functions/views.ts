/**
 * Views share storage with their input (no copy): reshape (when strides allow), permute,
 * transpose, expand, squeeze/unsqueeze, flatten, narrow/slice/select. Plus the copies that sit
 * beside them: contiguous, clone, cast, detach.
 */
import {
  type DType,
  type Layout,
  ShapeError,
  formatShape,
  inferShape,
  isContiguous,
  normalizeDim,
  flattenShape,
  reshapeView,
  permute as permuteLayout,
  transpose as transposeLayout,
  expand as expandLayout,
  squeeze as squeezeLayout,
  unsqueeze as unsqueezeLayout,
  narrow as narrowLayout,
  slice as sliceLayout,
} from "@tessera/storage";
import { checkDTypeSupported } from "@tessera/backend";
import { isGradEnabled } from "../grad-mode.js";
import { Node } from "../graph/node.js";
import type { Tensor } from "../tensor.js";
import { aliasTensor, execute1, executeInto } from "../runtime.js";
import { attach, needsGrad, setCastImpl, setReshapeImpl, sumTo } from "./helpers.js";
import { fillRaw } from "./raw.js";

/** A view of `x` with `layout`, in the graph through `makeNode` when x requires grad. */
function makeView(x: Tensor, layout: Layout, makeNode: () => Node): Tensor {
  const out = aliasTensor(x._liveStorage("view"), layout, x.dtype, x._backend);
  const base = x._base ?? x;
  out._base = base;
  // A view made with grad mode on follows its base's history (see view-inplace.ts).
  out._viewOfGraph = isGradEnabled() ? base._graphVersion : -2;
  if (needsGrad(x)) attach(out, makeNode());
  return out;
}

class ReshapeBackward extends Node {
  readonly name: string;
  constructor(x: Tensor, name = "ViewBackward0") {
    super([x]);
    this.name = name;
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.reshape(this.inputShapes[0]!)];
  }
}

class PermuteBackward extends Node {
  readonly name = "PermuteBackward0";
  constructor(x: Tensor, private readonly dims: readonly number[]) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const inverse = new Array<number>(this.dims.length);
    this.dims.forEach((d, i) => (inverse[d] = i));
    return [g!.permute(inverse)];
  }
}

class TransposeBackward extends Node {
  readonly name = "TransposeBackward0";
  constructor(x: Tensor, private readonly d0: number, private readonly d1: number) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.transpose(this.d0, this.d1)];
  }
}

class ExpandBackward extends Node {
  readonly name = "ExpandBackward0";
  constructor(x: Tensor) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [sumTo(g!, this.inputShapes[0]!)];
  }
}

/** Backward of narrow/slice: the gradient placed into zeros of the input's shape. */
class SliceBackward extends Node {
  readonly name = "SliceBackward0";
  constructor(x: Tensor, private readonly dim: number, private readonly start: number, private readonly end: number, private readonly step: number) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [embedSlice(g!, this.inputShapes[0]!, this.dim, this.start, this.end, this.step)];
  }
}

/** The inverse of slicing: `g` written into a zero tensor of `shape` at `dim`'s `start:end:step`. */
class EmbedSliceBackward extends Node {
  readonly name = "SliceScatterBackward0";
  constructor(g: Tensor, private readonly dim: number, private readonly start: number, private readonly end: number, private readonly step: number) {
    super([g]);
  }
  backward([gg]: readonly (Tensor | null)[]) {
    return [gg!.slice(this.dim, this.start, this.end, this.step)];
  }
}

function embedSlice(g: Tensor, shape: readonly number[], dim: number, start: number, end: number, step: number): Tensor {
  const out = fillRaw(g._backend, shape, g.dtype, 0);
  const target = aliasTensor(out._storage!, sliceLayout(out._layout, dim, start, end, step), g.dtype, g._backend);
  executeInto("copy", [g], target, {});
  target.dispose();
  if (needsGrad(g)) attach(out, new EmbedSliceBackward(g, dim, start, end, step));
  return out;
}

class CopyBackward extends Node {
  constructor(readonly name: string, x: Tensor) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [g];
  }
}

class CastBackward extends Node {
  readonly name = "ToCopyBackward0";
  constructor(x: Tensor, private readonly dtype: DType) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.to(this.dtype)];
  }
}

/** `x` with a new shape: a view when the strides allow, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel(), "reshape");
  const layout = reshapeView(x._layout, target);
  if (layout !== null) return makeView(x, layout, () => new ReshapeBackward(x, "ViewBackward0"));
  const c = contiguous(x);
  const out = makeView(c, reshapeView(c._layout, target)!, () => new ReshapeBackward(c, "ViewBackward0"));
  c.dispose();
  return out;
}

/** `x` with a new shape, never copying. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel(), "view");
  const layout = reshapeView(x._layout, target);
  if (layout === null) {
    throw new ShapeError(
      `view size is not compatible with input tensor's size and stride (shape ${formatShape(x.shape)}, strides ${formatShape(x._layout.strides)}; at least one dimension spans across two contiguous subspaces). Use reshape(${formatShape(target)}) instead.`,
    );
  }
  return makeView(x, layout, () => new ReshapeBackward(x, "ViewBackward0"));
}

/** Dims reordered. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const layout = permuteLayout(x._layout, dims);
  const normalized = dims.map((d) => normalizeDim(d, x.ndim, "permute"));
  return makeView(x, layout, () => new PermuteBackward(x, normalized));
}

/** Two dims swapped. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const layout = transposeLayout(x._layout, dim0, dim1);
  return makeView(x, layout, () => new TransposeBackward(x, dim0, dim1));
}

/** Transpose of a matrix (a 0-D or 1-D tensor is returned as a view of itself). */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) {
    throw new ShapeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D (shape ${formatShape(x.shape)}). Use transpose(dim0, dim1) or permute for more dims.`);
  }
  return x.ndim < 2 ? makeView(x, x._layout, () => new ReshapeBackward(x, "TBackward0")) : transpose(x, 0, 1);
}

/** Broadcast to `shape` without copying. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const layout = expandLayout(x._layout, shape);
  return makeView(x, layout, () => new ExpandBackward(x));
}

/** Size-1 dims removed. */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  return makeView(x, squeezeLayout(x._layout, dim), () => new ReshapeBackward(x, "SqueezeBackward0"));
}

/** A size-1 dim inserted at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  return makeView(x, unsqueezeLayout(x._layout, dim), () => new ReshapeBackward(x, "UnsqueezeBackward0"));
}

/** Dims `startDim…endDim` merged. */
export function flatten(x: Tensor, startDim: number, endDim: number): Tensor {
  return reshape(x, flattenShape(x.shape, startDim, endDim));
}

/** `length` entries of `dim` from `start`. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const layout = narrowLayout(x._layout, dim, start, length);
  const d = normalizeDim(dim, x.ndim, "narrow");
  const s = start < 0 ? start + x.shape[d]! : start;
  return makeView(x, layout, () => new SliceBackward(x, d, s, s + length, 1));
}

/** `start:end:step` of `dim`. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const layout = sliceLayout(x._layout, dim, start, end, step);
  const d = normalizeDim(dim, x.ndim, "slice");
  const size = x.shape[d]!;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clamp(start);
  const e = Math.max(clamp(end ?? size), s);
  return makeView(x, layout, () => new SliceBackward(x, d, s, e, step));
}

/** Entry `index` of `dim`, with the dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim, "select");
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new ShapeError(`select(): index ${index} out of range for tensor of size ${formatShape(x.shape)} at dimension ${dim}`);
  }
  const i = index < 0 ? index + size : index;
  const n = narrow(x, d, i, 1);
  const out = squeeze(n, d);
  n.dispose();
  return out;
}

/** A new tensor sharing storage, outside the graph. */
export function detach(x: Tensor): Tensor {
  const out = aliasTensor(x._liveStorage("detach"), x._layout, x.dtype, x._backend);
  out._base = x._base ?? x;
  return out;
}

/** A contiguous copy of `x` in the graph (gradient passes straight through). */
export function clone(x: Tensor): Tensor {
  const out = execute1("copy", [x], {});
  if (needsGrad(x)) attach(out, new CopyBackward("CloneBackward0", x));
  return out;
}

/**
 * A contiguous tensor with `x`'s values: a new view of the same storage when `x` is already
 * contiguous (a separate object, so disposing it never disposes `x`), else a copy.
 */
export function contiguous(x: Tensor): Tensor {
  if (isContiguous(x._layout)) {
    return makeView(x, x._layout, () => new CopyBackward("AliasBackward0", x));
  }
  return clone(x);
}

/** `x` cast to `dtype` (a copy), differentiable between float dtypes. */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkDTypeSupported(x._backend, dtype, "to");
  const out = execute1("cast", [x], { dtype });
  if (needsGrad(x) && (dtype === "float32" || dtype === "float64")) attach(out, new CastBackward(x, x.dtype));
  return out;
}

setCastImpl(cast);
setReshapeImpl(reshape);
