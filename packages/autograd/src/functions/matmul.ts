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
  constructor(a: Tensor, b: Tensor) {
    super([a, b]);
    this.a = b.requiresGrad ? new SavedTensor(a) : null;
    this.b = a.requiresGrad ? new SavedTensor(b) : null;
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [
      this.needsInputGrad(0) ? sumTo(g!.matmul(this.b!.unpack(this.name).transpose(-1, -2)), this.inputShapes[0]!) : null,
      this.needsInputGrad(1) ? sumTo(this.a!.unpack(this.name).transpose(-1, -2).matmul(g!), this.inputShapes[1]!) : null,
    ];
  }
  override releaseSaved(): void {
    this.a?.release();
    this.b?.release();
  }
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
