/** Lookup tables: PyTorch's `F.embedding` and `F.one_hot`. */
import { type Tensor, arange, tidy, where } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import { checkIndexRange, requireInt, valuesIfSync } from "./util.js";

/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /**
   * An index whose row receives no gradient (its output is still `weight[paddingIdx]`, which
   * `nn.Embedding` initializes to zeros). Negative values count from the end.
   */
  paddingIdx?: number | null;
}

/**
 * Rows of `weight` [numEmbeddings, embeddingDim] picked by the int32 `indices` (any shape):
 * the result has shape [...indices.shape, embeddingDim]. The gradient of `weight` sums the
 * output gradients of each row's uses, and is zero for the row `paddingIdx`.
 *
 * @example
 * const table = randn([10, 3], { requiresGrad: true });
 * embedding(tensor([[1, 2], [4, 0]], { dtype: "int32" }), table, { paddingIdx: 0 }).shape; // [2, 2, 3]
 */
export function embedding(indices: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  requireInt("embedding", "indices", indices);
  if (weight.ndim !== 2) {
    throw new ShapeError(`embedding: weight must be 2-D [numEmbeddings, embeddingDim], got shape ${formatShape(weight.shape)}.`);
  }
  const [num, dim] = weight.shape as [number, number];
  let paddingIdx = options.paddingIdx ?? null;
  if (paddingIdx !== null) {
    if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
      throw new TesseraError(`embedding: paddingIdx must be within [-${num}, ${num}) (numEmbeddings = ${num}), got ${paddingIdx}.`);
    }
    if (paddingIdx < 0) paddingIdx += num;
  }
  checkIndexRange(
    indices,
    num,
    (bad) => `embedding: index ${bad} is out of range for an embedding table with ${num} rows (weight ${formatShape(weight.shape)}); indices must lie in [0, ${num - 1}].`,
  );
  return tidy(() => {
    const rows = weight.indexSelect(0, indices.reshape([-1])).reshape([...indices.shape, dim]);
    if (paddingIdx === null) return rows;
    // Same values; the gradient of padding positions goes to a detached copy, i.e. nowhere.
    return where(indices.eq(paddingIdx).unsqueeze(-1), rows.detach(), rows);
  });
}

/**
 * One-hot encoding: int32 `indices` of any shape → int32 [...indices.shape, numClasses] with
 * a 1 at each index. `numClasses = -1` (the default) uses `max(indices) + 1`.
 *
 * @example oneHot(tensor([0, 2], { dtype: "int32" }), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  requireInt("oneHot", "indices", indices);
  if (!Number.isInteger(numClasses) || numClasses < -1) {
    throw new TesseraError(`oneHot: numClasses must be a positive integer or -1 (infer it from the data), got ${numClasses}.`);
  }
  if (numClasses === -1) {
    if (indices.numel() === 0) {
      throw new TesseraError(`oneHot: can not infer the number of classes from an empty tensor (shape ${formatShape(indices.shape)}); pass numClasses.`);
    }
    const values = valuesIfSync(indices);
    if (values === null) {
      throw new TesseraError(`oneHot: inferring numClasses needs the indices' values, which the ${indices.device} device cannot read synchronously; pass numClasses explicitly.`);
    }
    let max = -Infinity;
    for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
    numClasses = Math.max(max, 0) + 1;
  }
  checkIndexRange(indices, numClasses, (bad) =>
    bad < 0
      ? `oneHot: class values must be non-negative, got ${bad}.`
      : `oneHot: class values must be smaller than numClasses (${numClasses}), got ${bad}.`,
  );
  return tidy(() => {
    const classes = arange(0, numClasses, 1, { dtype: "int32", device: indices.device });
    return indices.unsqueeze(-1).eq(classes).to("int32");
  });
}
