/** Constant padding (PyTorch's `F.pad` with mode "constant") and triangular masks. */
import { ShapeError, formatShape, slice as sliceLayout } from "@tessera/storage";
import { Node } from "../graph/node.js";
import type { Tensor } from "../tensor.js";
import { aliasTensor, execute1, executeInto } from "../runtime.js";
import { attach, needsGrad } from "./helpers.js";
import { where } from "./where.js";

class PadBackward extends Node {
  readonly name = "ConstantPadNdBackward0";
  constructor(x: Tensor, private readonly starts: readonly number[]) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    let out = g!;
    const shape = this.inputShapes[0]!;
    for (let d = 0; d < shape.length; d++) {
      if (out.shape[d] !== shape[d]) out = out.narrow(d, this.starts[d]!, shape[d]!);
    }
    return [out];
  }
}

/**
 * Pads with `value`. `padding` lists (before, after) pairs starting from the LAST dim, as
 * PyTorch: `[left, right]` pads the last dim, `[left, right, top, bottom]` the last two.
 *
 * @example pad(x, [1, 1, 2, 0]) // last dim +2, second-to-last +2 at the top
 */
export function pad(x: Tensor, padding: readonly number[], value = 0): Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ShapeError(`pad: padding length must be even and at most 2 × ndim (${2 * x.ndim}), got ${padding.length} for input of shape ${formatShape(x.shape)}`);
  }
  if (padding.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new ShapeError(`pad: padding sizes must be non-negative integers (negative padding is not supported yet), got ${formatShape(padding)}`);
  }
  const shape = x.shape.slice();
  const starts = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < padding.length / 2; i++) {
    const d = x.ndim - 1 - i;
    starts[d] = padding[2 * i]!;
    shape[d] = shape[d]! + padding[2 * i]! + padding[2 * i + 1]!;
  }
  const out = execute1("fill", [], { shape, dtype: x.dtype, value }, x._backend);
  let layout = out._layout;
  for (let d = 0; d < x.ndim; d++) layout = sliceLayout(layout, d, starts[d]!, starts[d]! + x.shape[d]!, 1);
  const target = aliasTensor(out._storage!, layout, out.dtype, out._backend);
  executeInto("copy", [x], target, {});
  target.dispose();
  if (needsGrad(x)) attach(out, new PadBackward(x, starts));
  return out;
}

function triangle(op: string, x: Tensor, diagonal: number, keepLower: boolean): Tensor {
  if (x.ndim < 2) throw new ShapeError(`${op}: input tensor must have at least 2 dimensions, got shape ${formatShape(x.shape)}`);
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  const r = execute1("arange", [], { start: 0, end: rows, step: 1, dtype: "int32" }, x._backend);
  const c = execute1("arange", [], { start: -diagonal, end: cols - diagonal, step: 1, dtype: "int32" }, x._backend);
  const rCol = r.reshape([rows, 1]);
  const mask = keepLower ? c.le(rCol) : c.ge(rCol);
  const out = where(mask, x, 0);
  for (const t of [r, c, rCol, mask]) t.dispose();
  return out;
}

/** The lower triangle of the last two dims (elements with col − row ≤ `diagonal`); the rest 0. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle("tril", x, diagonal, true);
}

/** The upper triangle of the last two dims (elements with col − row ≥ `diagonal`); the rest 0. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle("triu", x, diagonal, false);
}
