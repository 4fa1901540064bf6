/**
 * Batched matrix multiplication. Both operands are at least 2-D; the Tensor layer promotes
 * 1-D operands (and removes the added dim afterwards) before calling, as `torch.matmul` does.
 */
import { ShapeError, broadcastShapes, formatShape } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { requireNumeric, requireSameDType } from "../dtypes.js";
import { broadcastLayout, forEachIndex, offsetOf } from "../strided.js";
import type { NoAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** Checks the operands' shapes and returns the output shape `[...batch, M, N]`. */
function matmulShape(a: readonly number[], b: readonly number[]): number[] {
  if (a.length < 2 || b.length < 2) {
    throw new ShapeError(
      `matmul: both arguments must be at least 2-D, but got shapes ${formatShape(a)} and ${formatShape(b)}. Unsqueeze a 1-D operand first (the Tensor-level matmul does this for you).`,
    );
  }
  const [m, k] = a.slice(-2) as [number, number];
  const [k2, n] = b.slice(-2) as [number, number];
  if (k !== k2) {
    throw new ShapeError(
      `matmul: mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n}): the last dim of input ${formatShape(a)} must equal the second-to-last dim of other ${formatShape(b)}. Transpose or reshape one of them.`,
    );
  }
  const batchA = a.slice(0, -2);
  const batchB = b.slice(0, -2);
  let batch: number[];
  try {
    batch = broadcastShapes("matmul", batchA, batchB);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    throw new ShapeError(
      `matmul: the batch dims ${formatShape(batchA)} of input ${formatShape(a)} and ${formatShape(batchB)} of other ${formatShape(b)} cannot be broadcast together; make them equal or 1.`,
    );
  }
  return [...batch, m, n];
}

/**
 * `matmul`: `input [...batchA, M, K] × other [...batchB, K, N] → [...broadcast(batchA, batchB), M, N]`.
 * Both operands share a numeric dtype (not bool), which is the output dtype. Floats
 * accumulate in float64 in the reference; int32 products and sums wrap modulo 2³². `K = 0`
 * gives zeros.
 *
 * @example
 * matmulOps.matmul.infer([{ shape: [5, 2, 3], dtype: "float32" }, { shape: [3, 4], dtype: "float32" }], {});
 * // → [{ shape: [5, 2, 4], dtype: "float32" }]
 */
const matmul: OpSchema<NoAttrs> = {
  name: "matmul",
  family: "matmul",
  inputs: ["input", "other"],
  outputs: 1,
  stridedOutput: false,
  infer([a, b]: readonly TensorMeta[]): TensorMeta[] {
    const shape = matmulShape(a!.shape, b!.shape);
    const dtype = requireSameDType("matmul", [a!, b!], ["input", "other"]);
    requireNumeric("matmul", a!);
    return [{ shape, dtype }];
  },
  reference([a, b]: readonly StridedArray[], [out]: readonly StridedArray[]): void {
    const shape = matmulShape(a!.layout.shape, b!.layout.shape);
    checkElementwiseOutput("matmul", out!, shape);
    const nd = shape.length;
    const batch = shape.slice(0, -2);
    const m = shape[nd - 2]!;
    const n = shape[nd - 1]!;
    const k = a!.layout.shape[a!.layout.shape.length - 1]!;
    const la = broadcastLayout(a!.layout, [...batch, m, k]);
    const lb = broadcastLayout(b!.layout, [...batch, k, n]);
    const integer = out!.dtype === "int32";
    const da = a!.data;
    const db = b!.data;
    const dst = out!.data;
    forEachIndex(batch, (bi) => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) {
            const x = da[offsetOf(la, [...bi, i, p])]!;
            const y = db[offsetOf(lb, [...bi, p, j])]!;
            acc = integer ? (acc + Math.imul(x, y)) | 0 : acc + x * y;
          }
          dst[offsetOf(out!.layout, [...bi, i, j])] = acc;
        }
      }
    });
  },
};

/** The matmul family, keyed by op name. */
export const matmulOps = { matmul } satisfies Record<string, OpSchema<any>>;
