/**
 * Matrix products with PyTorch's rules: 1-D operands are promoted to matrices and the added
 * dim removed afterwards; batch dims broadcast. Transposed operands are passed to the kernel
 * as strided views, never copied here.
 */
import { ShapeError, formatShape } from "@tessera/storage";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import type { Tensor } from "../tensor.js";
import { asTensor, attach, execute1, needsGrad, resultType, sumTo } from "./helpers.js";
import { tidyInternal } from "./scope.js";

class MatmulBackward extends Node {
  readonly name = "MmBackward0";
  private readonly a: SavedTensor | null;
  private readonly b: SavedTensor | null;
  /** Whether each input is a transposed view of a contiguous matrix (see {@link gradInLayout}). */
  private readonly columnMajor: readonly [boolean, boolean];
  constructor(a: Tensor, b: Tensor) {
    super([a, b]);
    this.a = b.requiresGrad ? new SavedTensor(a) : null;
    this.b = a.requiresGrad ? new SavedTensor(b) : null;
    this.columnMajor = [isColumnMajor(a), isColumnMajor(b)];
  }
  backward([g]: readonly (Tensor | null)[]) {
    const gA = (): Tensor => {
      const b = this.b!.unpack(this.name);
      // dA = g·bᵀ, or (b·gᵀ)ᵀ: the same values, laid out like `a`.
      return this.columnMajor[0] ? b.matmul(g!.transpose(-1, -2)).transpose(-1, -2) : g!.matmul(b.transpose(-1, -2));
    };
    const gB = (): Tensor => {
      const a = this.a!.unpack(this.name);
      // dB = aᵀ·g, or (gᵀ·a)ᵀ: the same values, laid out like `b`.
      return this.columnMajor[1] ? g!.transpose(-1, -2).matmul(a).transpose(-1, -2) : a.transpose(-1, -2).matmul(g!);
    };
    return [
      this.needsInputGrad(0) ? sumTo(gA(), this.inputShapes[0]!) : null,
      this.needsInputGrad(1) ? sumTo(gB(), this.inputShapes[1]!) : null,
    ];
  }
  override releaseSaved(): void {
    this.a?.release();
    this.b?.release();
  }
}

/**
 * True for a 2-D operand stored column-major — a transposed view of a contiguous matrix, such
 * as `nn.Linear`'s `weight.t()`. Its gradient is then computed as the transpose of a
 * row-major product, so it arrives in the operand's own layout: the transpose's backward turns
 * it back into a contiguous tensor, and accumulating it into the weight's `.grad` copies
 * nothing (PyTorch's gradient layout contract). The values are the same either way: the GEMM
 * computes each element as the same dot product.
 */
function isColumnMajor(t: Tensor): boolean {
  if (t.ndim !== 2) return false;
  const [rows, cols] = t.shape as [number, number];
  const [rs, cs] = t.stride() as [number, number];
  return rows > 1 && cols > 1 && rs === 1 && cs === rows;
}

/** The catalog matmul of two ≥2-D tensors, in the graph. */
function matmul2d(a: Tensor, b: Tensor): Tensor {
  const out = execute1("matmul", [a, b], {});
  if (needsGrad(a, b)) attach(out, new MatmulBackward(a, b));
  return out;
}

/**
 * Matrix product.
 *
 * @example tensor([[1, 2]]).matmul(tensor([[3], [4]])) // [[11]]
 */
export function matmul(x: Tensor, y: Tensor): Tensor {
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, but got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)}. Use mul for scalars.`);
  }
  const dtype = resultType(x, y);
  const a0 = asTensor(x, dtype, x);
  const b0 = asTensor(y, dtype, y);
  try {
    return tidyInternal(() => {
      if (a0.ndim >= 2 && b0.ndim >= 2) return matmul2d(a0, b0);
      const a = a0.ndim === 1 ? a0.unsqueeze(0) : a0;
      const b = b0.ndim === 1 ? b0.unsqueeze(1) : b0;
      let out = matmul2d(a, b);
      if (a0.ndim === 1) out = out.squeeze(-2);
      if (b0.ndim === 1) out = out.squeeze(-1);
      return out;
    });
  } finally {
    if (a0 !== x) a0.dispose();
    if (b0 !== y) b0.dispose();
  }
}
