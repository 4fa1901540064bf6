/**
 * In-place ops on views of tensors in the graph, as PyTorch does them (`CopySlices`).
 *
 * A view shares its base's storage, so an in-place op on the view changes the base too. The
 * op is recorded on the base: its history becomes a {@link CopySlices} node whose inputs are
 * the base's previous history (gradient: everything outside the view's region) and the op's
 * result (gradient: the region). Views of that base — the one written through included — then
 * regenerate their gradient edge lazily, the next time the graph asks for it, as an
 * {@link AsStridedBackward} of the base's new history (see `Tensor._syncView`). The same
 * regeneration runs after an in-place op on the base itself, so an older view never sends its
 * gradient into history that the op replaced.
 *
 * Region arithmetic works on the base's storage layout, which must be contiguous from offset 0
 * (every base Tessera creates is). A view with internal overlap (an `expand`ed one) can only be
 * filled in place, as in PyTorch; its gradient adds up on the shared locations.
 */
import { type Layout, formatShape, isContiguous, numel } from "@tessera/storage";
import { AutogradError } from "../errors.js";
import { Node } from "../graph/node.js";
import type { Tensor } from "../tensor.js";
import { setViewRegenerator } from "../graph/view-regeneration.js";
import { aliasTensor, executeInto, tensorFromTypedArray } from "../runtime.js";
import { attach, needsGrad } from "./helpers.js";
import { fillRaw } from "./raw.js";
import { clone } from "./views.js";

/** True for a view that tracks its base's graph (made with grad mode on, not by `detach`). */
export function isGraphView(t: Tensor): boolean {
  return t._base !== null && t._viewOfGraph >= 0;
}

/** True when a layout writes some storage element twice (a dim of size > 1 with stride 0). */
export function overlaps(layout: Layout): boolean {
  return layout.shape.some((size, d) => size > 1 && layout.strides[d] === 0);
}

/**
 * Throws unless an in-place `op` may be recorded through the view `self` of `base`: the base's
 * storage layout must be plain (contiguous from 0). An expanded view reaches here only from
 * `fill_`/`zero_` (the other in-place ops refuse it first), which PyTorch records too.
 */
export function checkViewWritable(op: string, self: Tensor, base: Tensor): void {
  if (!isContiguous(base._layout) || base._layout.offset !== 0) {
    throw new AutogradError(
      `${op}: in-place operations on a view (shape ${formatShape(self.shape)}) of a tensor in the graph need that tensor stored contiguously from its start; this one (shape ${formatShape(base.shape)}) is not. Use the out-of-place op, or clone() the view first.`,
    );
  }
}

/**
 * The elements of `x` (contiguous from offset 0, shaped like the base) at `region`, as a view
 * in the graph: the gradient of a base's region.
 */
function asStrided(x: Tensor, region: Layout): Tensor {
  // A copy unless already plain: `contiguous()` would keep a contiguous view's offset.
  const source = isContiguous(x._layout) && x._layout.offset === 0 ? x : clone(x);
  const out = aliasTensor(source._liveStorage("asStrided"), region, x.dtype, x._backend);
  if (needsGrad(source)) attach(out, new AsStridedBackward(source, region));
  if (source !== x) source.dispose();
  return out;
}

/**
 * The storage offsets of `region`'s elements in row-major order, as an int32 tensor on
 * `like`'s device: where an overlapping view's gradient must be added.
 */
function regionOffsets(region: Layout, like: Tensor): Tensor {
  const n = numel(region.shape);
  const offsets = new Int32Array(n);
  const index = new Array<number>(region.shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = region.offset;
    for (let d = 0; d < index.length; d++) at += index[d]! * region.strides[d]!;
    offsets[i] = at;
    for (let d = index.length - 1; d >= 0 && ++index[d]! === region.shape[d]; d--) index[d] = 0;
  }
  return tensorFromTypedArray(like._backend, offsets, [n], "int32");
}

/**
 * `g` placed into zeros of `shape` at `region`: the gradient of a base from one of its views.
 * An expanded region (several elements on one location) adds its gradients there.
 */
function asStridedScatter(g: Tensor, shape: readonly number[], region: Layout): Tensor {
  if (overlaps(region)) {
    const offsets = regionOffsets(region, g);
    const zero = fillRaw(g._backend, [numel(shape)], g.dtype, 0);
    const flat = g.reshape([numel(region.shape)]);
    const summed = zero.scatterAdd(0, offsets, flat);
    const out = summed.reshape(shape);
    for (const t of [offsets, zero, flat, summed]) t.dispose();
    return out;
  }
  const out = fillRaw(g._backend, shape, g.dtype, 0);
  const target = aliasTensor(out._liveStorage("asStridedScatter"), region, g.dtype, g._backend);
  executeInto("copy", [g], target, {});
  target.dispose();
  if (needsGrad(g)) attach(out, new AsStridedScatterBackward(g, region));
  return out;
}

/** The gradient edge of a view regenerated onto its base's current history. */
class AsStridedBackward extends Node {
  readonly name = "AsStridedBackward0";
  constructor(base: Tensor, private readonly region: Layout) {
    super([base]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [asStridedScatter(g!, this.inputShapes[0]!, this.region)];
  }
}

class AsStridedScatterBackward extends Node {
  readonly name = "AsStridedScatterBackward0";
  constructor(g: Tensor, private readonly region: Layout) {
    super([g]);
  }
  backward([gg]: readonly (Tensor | null)[]) {
    return [asStrided(gg!, this.region)];
  }
}

/**
 * The history of a base after an in-place op on its view: input 0 is the base's previous
 * history, which gets the gradient outside the region; input 1 is the op's result, which gets
 * the gradient of the region.
 */
class CopySlices extends Node {
  readonly name = "CopySlices";
  constructor(base: Tensor, result: Tensor, private readonly region: Layout) {
    super([base, result]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const grad = g!;
    let outside: Tensor | null = null;
    if (this.needsInputGrad(0)) {
      const mask = fillRaw(grad._backend, grad.shape, grad.dtype, 1);
      const hole = aliasTensor(mask._liveStorage("CopySlices"), this.region, mask.dtype, mask._backend);
      executeInto("fill", [], hole, { shape: hole.shape, dtype: hole.dtype, value: 0 });
      hole.dispose();
      outside = grad.mul(mask);
      mask.dispose();
    }
    return [outside, this.needsInputGrad(1) ? asStrided(grad, this.region) : null];
  }
}

/**
 * Records `self op= …` through the graph view `self`: `result` (the op's value, in `self`'s
 * dtype and shape, recorded from a copy of `self`'s old value) is written into the view's
 * region of the base, whose history becomes a {@link CopySlices} node. Takes ownership of
 * `result`.
 */
export function writeThroughView(op: string, self: Tensor, result: Tensor): void {
  const base = self._base!;
  checkViewWritable(op, self, base);
  const node = new CopySlices(base, result, self._layout);
  executeInto("copy", [result], self, {});
  self._liveStorage(op).version++;
  result.dispose();
  base._setGradFn(node);
  base._graphVersion++;
}

/**
 * Points the view `view` at its base's current history (an {@link AsStridedBackward} node), or
 * out of the graph when the base needs no gradient. Called lazily by `Tensor._syncView`.
 */
function regenerate(view: Tensor, base: Tensor): void {
  if (base._requiresGrad) {
    view._setGradFn(new AsStridedBackward(base, view._layout));
  } else {
    view._setEdge(null);
    view._requiresGrad = false;
  }
}

setViewRegenerator(regenerate);
