/** `Embedding`. */
import { type Tensor, noGrad } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { type FactoryOptions, checkInt, newParameter, reprFields } from "./common.js";

/** Options of {@link Embedding}. */
export interface EmbeddingOptions extends FactoryOptions {
  /**
   * A row that gets no gradient and starts as zeros (a padding token). Negative values count
   * from the end. Default: none.
   */
  paddingIdx?: number | null;
}

/**
 * A lookup table: int32 indices of any shape → rows of `weight` [numEmbeddings, embeddingDim]
 * (output [...indices.shape, embeddingDim]). PyTorch's `nn.Embedding`: weight is initialized
 * N(0, 1), with the `paddingIdx` row zeroed.
 *
 * @example
 * const emb = new Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(tensor([[1, 2], [0, 9]], { dtype: "int32" })).shape; // [2, 2, 3]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row (normalized to be non-negative), or null. */
  readonly paddingIdx: number | null;
  /** [numEmbeddings, embeddingDim]. */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = checkInt("Embedding", "numEmbeddings", numEmbeddings, 0);
    this.embeddingDim = checkInt("Embedding", "embeddingDim", embeddingDim, 0);
    this.paddingIdx = normalizePaddingIdx(options.paddingIdx ?? null, numEmbeddings);
    this.weight = newParameter([numEmbeddings, embeddingDim], options);
    this.resetParameters();
  }

  /**
   * An embedding whose weight is (a copy of) `embeddings` [numEmbeddings, embeddingDim],
   * frozen (no gradient) unless `freeze` is false.
   *
   * @example const emb = Embedding.fromPretrained(vectors, { freeze: false });
   */
  static fromPretrained(embeddings: Tensor, options: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (embeddings.ndim !== 2) {
      throw new ShapeError(`Embedding.fromPretrained: embeddings must be 2-D [numEmbeddings, embeddingDim], got shape ${formatShape(embeddings.shape)}.`);
    }
    const [n, d] = embeddings.shape as [number, number];
    const emb = new Embedding(n, d, { paddingIdx: options.paddingIdx, dtype: embeddings.dtype, device: embeddings.device });
    noGrad(() => emb.weight.copy_(embeddings));
    emb.weight.requiresGrad_(!(options.freeze ?? true));
    return emb;
  }

  /** Re-draws `weight` from N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const idx = this.paddingIdx;
      noGrad(() => {
        const row = this.weight.select(0, idx);
        row.zero_();
        row.dispose();
      });
    }
  }

  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, ${reprFields({ paddingIdx: this.paddingIdx })}` : ""}`;
  }
}

function normalizePaddingIdx(idx: number | null, n: number): number | null {
  if (idx === null) return null;
  if (!Number.isInteger(idx) || idx >= n || idx < -n) {
    throw new TesseraError(`Embedding: paddingIdx must be an integer within numEmbeddings (in [${-n}, ${n - 1}]), got ${idx}.`);
  }
  return idx < 0 ? idx + n : idx;
}

