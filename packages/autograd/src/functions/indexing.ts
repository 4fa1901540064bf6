/** gather / scatterAdd / indexSelect along a dim, and their derivatives. */
import { DTypeError, ShapeError, formatShape, normalizeDim } from "@tessera/storage";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import type { Tensor } from "../tensor.js";
import { attach, execute1, needsGrad } from "./helpers.js";
import { fillRaw } from "./raw.js";

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== "int32") {
    throw new DTypeError(`${op}(): Expected dtype int32 for index, but got ${index.dtype} (shape ${formatShape(index.shape)}). Cast it: index.to("int32").`);
  }
}

class GatherBackward extends Node {
  readonly name = "GatherBackward0";
  private readonly index: SavedTensor;
  constructor(x: Tensor, index: Tensor, private readonly dim: number) {
    super([x, index]);
    this.index = new SavedTensor(index);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const zeros = fillRaw(g!._backend, this.inputShapes[0]!, g!.dtype, 0);
    return [zeros.scatterAdd(this.dim, this.index.unpack(this.name), g!), null];
  }
  override releaseSaved(): void {
    this.index.release();
  }
}

class ScatterAddBackward extends Node {
  readonly name = "ScatterAddBackward0";
  private readonly index: SavedTensor;
  constructor(x: Tensor, index: Tensor, src: Tensor, private readonly dim: number) {
    super([x, index, src]);
    this.index = new SavedTensor(index);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [g, null, this.needsInputGrad(2) ? g!.gather(this.dim, this.index.unpack(this.name)) : null];
  }
  override releaseSaved(): void {
    this.index.release();
  }
}

class IndexSelectBackward extends Node {
  readonly name = "IndexSelectBackward0";
  private readonly index: SavedTensor;
  constructor(x: Tensor, index: Tensor, private readonly dim: number) {
    super([x, index]);
    this.index = new SavedTensor(index);
  }
  backward([g]: readonly (Tensor | null)[]) {
    // Scatter-add the selected slices back: the 1-D index broadcast along every other dim.
    const shape = g!.shape.map((_, d) => (d === this.dim ? g!.shape[d]! : 1));
    const index = this.index.unpack(this.name).reshape(shape).expand(g!.shape);
    const zeros = fillRaw(g!._backend, this.inputShapes[0]!, g!.dtype, 0);
    return [zeros.scatterAdd(this.dim, index, g!), null];
  }
  override releaseSaved(): void {
    this.index.release();
  }
}

/**
 * Values of `x` along `dim` at `index`: `out[i][j] = x[index[i][j]][j]` for dim 0.
 *
 * @example tensor([[1, 2], [3, 4]]).gather(1, tensor([[0], [1]], { dtype: "int32" })) // [[1], [4]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex("gather", index);
  const d = normalizeDim(dim, x.ndim, "gather");
  const out = execute1("gather", [x, index], { dim: d });
  if (needsGrad(x)) attach(out, new GatherBackward(x, index, d));
  return out;
}

/** A copy of `x` with `src` added at `index` along `dim`. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkIndex("scatterAdd", index);
  const d = normalizeDim(dim, x.ndim, "scatterAdd");
  if (src.dtype !== x.dtype) {
    throw new DTypeError(`scatterAdd(): expected self and src to have the same dtype, but got ${x.dtype} and ${src.dtype}. Cast src: src.to("${x.dtype}").`);
  }
  const out = execute1("scatterAdd", [x, index, src], { dim: d });
  if (needsGrad(x, src)) attach(out, new ScatterAddBackward(x, index, src, d));
  return out;
}

/** The entries of `dim` listed in the 1-D int32 `index`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkIndex("indexSelect", index);
  if (index.ndim > 1) {
    throw new ShapeError(`indexSelect(): Index is supposed to be a vector, but got shape ${formatShape(index.shape)}. Flatten it first.`);
  }
  const d = normalizeDim(dim, x.ndim, "indexSelect");
  const idx = index.ndim === 0 ? index.reshape([1]) : index;
  try {
    const out = execute1("indexSelect", [x, idx], { dim: d });
    if (needsGrad(x)) attach(out, new IndexSelectBackward(x, idx, d));
    return out;
  } finally {
    if (idx !== index) idx.dispose();
  }
}
