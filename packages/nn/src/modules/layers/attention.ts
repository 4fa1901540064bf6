/** `MultiheadAttention`. */
import { type Tensor, arange, tidy, where } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { type FactoryOptions, checkInt, newParameter, reprFields } from "./common.js";
import { Linear } from "./linear.js";

/** Options of {@link MultiheadAttention}. */
export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout probability on the attention weights (training mode only). Default 0. */
  dropout?: number;
  /** Learn input and output projection biases. Default true. */
  bias?: boolean;
  /** Inputs and output are [N, L, E] instead of [L, N, E]. Default false. */
  batchFirst?: boolean;
  /** Key feature size: only `embedDim` (the default) is supported. */
  kdim?: number;
  /** Value feature size: only `embedDim` (the default) is supported. */
  vdim?: number;
}

/** Options of {@link MultiheadAttention.forward}. */
export interface MultiheadAttentionForwardOptions {
  /**
   * [N, S] (or [S] unbatched): bool `true` marks keys to ignore (padding); a float mask is
   * added to the attention scores.
   */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights. Default true. */
  needWeights?: boolean;
  /**
   * [L, S] or [N·numHeads, L, S]: bool `true` marks positions that may not attend; a float
   * mask is added to the scores.
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over heads ([N, L, S]) rather than per head ([N, H, L, S]). Default true. */
  averageAttnWeights?: boolean;
  /**
   * Apply a causal mask (position i attends to keys ≤ i) when no `attnMask` is given. With an
   * `attnMask`, the mask is used as given (as PyTorch, where `isCausal` is only a hint).
   */
  isCausal?: boolean;
}

/**
 * Multi-head attention, PyTorch's `nn.MultiheadAttention` for the case where query, key and
 * value all have `embedDim` features (`kdim`/`vdim` other than `embedDim`, `addBiasKv` and
 * `addZeroAttn` are not supported). Parameters carry PyTorch's names: `in_proj_weight`
 * [3E, E] (query, key, value projections stacked; Xavier-uniform), `in_proj_bias` [3E]
 * (zeros), `out_proj.weight` [E, E] (Linear's default init) and `out_proj.bias` (zeros).
 *
 * `forward(query, key, value)` takes [L, N, E] query and [S, N, E] key/value (or [N, L, E]
 * with `batchFirst`, or unbatched [L, E] / [S, E]) and returns `[output, weights]`: output
 * like the query, and the attention weights [N, L, S] (averaged over heads) or
 * [N, H, L, S], or null with `needWeights: false`.
 *
 * @example
 * const mha = new MultiheadAttention(64, 8, { batchFirst: true });
 * const [out, w] = mha.forward(x, x, x, { isCausal: true }); // x: [N, L, 64]
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, MultiheadAttentionForwardOptions?], [Tensor, Tensor | null]> {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  /** [3·embedDim, embedDim]: query, key and value projection weights, stacked. */
  inProjWeight: Parameter;
  /** [3·embedDim], or null with `bias: false`. */
  inProjBias: Parameter | null;
  /** The output projection (`out_proj`). */
  outProj: Linear;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    this.embedDim = checkInt("MultiheadAttention", "embedDim", embedDim, 1);
    this.numHeads = checkInt("MultiheadAttention", "numHeads", numHeads, 1);
    if (embedDim % numHeads !== 0) throw new TesseraError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads}).`);
    for (const name of ["kdim", "vdim"] as const) {
      const d = options[name];
      if (d !== undefined && d !== embedDim) {
        throw new TesseraError(`MultiheadAttention: ${name} = ${d} differs from embedDim = ${embedDim}, which is not supported; project keys and values to embedDim first.`);
      }
    }
    this.headDim = embedDim / numHeads;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new TesseraError(`MultiheadAttention: dropout must be in [0, 1], got ${this.dropout}.`);
    this.batchFirst = options.batchFirst ?? false;
    const bias = options.bias ?? true;
    this.inProjWeight = newParameter([3 * embedDim, embedDim], options);
    this.inProjBias = bias ? newParameter([3 * embedDim], options) : null;
    this.outProj = new Linear(embedDim, embedDim, { bias, dtype: options.dtype, device: options.device });
    this.resetParameters();
  }

  /** Re-initializes as PyTorch: Xavier-uniform `in_proj_weight`, zero biases. */
  resetParameters(): void {
    init.xavierUniform_(this.inProjWeight);
    if (this.inProjBias !== null) init.zeros_(this.inProjBias);
    if (this.outProj.bias !== null) init.zeros_(this.outProj.bias);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const needWeights = options.needWeights ?? true;
    const average = options.averageAttnWeights ?? true;
    const batched = query.ndim === 3;
    if (!batched && query.ndim !== 2) {
      throw new ShapeError(`MultiheadAttention: query should be unbatched 2D or batched 3D, got shape ${formatShape(query.shape)}.`);
    }
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new ShapeError(
        `MultiheadAttention: query, key and value must all be ${batched ? "3D (batched)" : "2D (unbatched)"}, got shapes ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}.`,
      );
    }
    const E = this.embedDim;
    const H = this.numHeads;
    const d = this.headDim;
    return tidy(() => {
      // Work in [L, N, E].
      const toLNE = (t: Tensor): Tensor => (!batched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
      const q = toLNE(query);
      const k = toLNE(key);
      const v = toLNE(value);
      const [L, N, Eq] = q.shape as [number, number, number];
      const S = k.shape[0]!;
      if (Eq !== E) throw new ShapeError(`MultiheadAttention: was expecting embedding dimension of ${E}, but got ${Eq} (query shape ${formatShape(query.shape)}).`);
      if (k.shape[1] !== N || v.shape[1] !== N || k.shape[2] !== E || v.shape[2] !== E || v.shape[0] !== S) {
        throw new ShapeError(
          `MultiheadAttention: key and value must have shape [S, N, E] = [S, ${N}, ${E}] matching each other (in [L, N, E] order), got key ${formatShape(key.shape)} and value ${formatShape(value.shape)} for query ${formatShape(query.shape)}.`,
        );
      }
      const w = this.inProjWeight;
      const b = this.inProjBias;
      const project = (x: Tensor, i: number): Tensor => F.linear(x, w.narrow(0, i * E, E), b === null ? null : b.narrow(0, i * E, E));
      // [len, N, E] → [N·H, len, d]
      const heads = (x: Tensor, len: number): Tensor => x.reshape([len, N * H, d]).transpose(0, 1);
      const qh = heads(project(q, 0), L);
      const kh = heads(project(k, 1), S);
      const vh = heads(project(v, 2), S);
      let scores = qh.div(Math.sqrt(d)).matmul(kh.transpose(1, 2)); // [N·H, L, S]
      let attnMask = options.attnMask ?? null;
      if (attnMask === null && options.isCausal) attnMask = arange(S, undefined, 1, { device: q.device }).unsqueeze(0).gt(arange(L, undefined, 1, { device: q.device }).unsqueeze(1));
      if (attnMask !== null) {
        let m = attnMask;
        if (m.ndim === 2) {
          if (m.shape[0] !== L || m.shape[1] !== S) throw new ShapeError(`MultiheadAttention: the shape of the 2D attnMask is ${formatShape(m.shape)}, but should be [${L}, ${S}].`);
          m = m.unsqueeze(0);
        } else if (m.ndim === 3) {
          if (m.shape[0] !== N * H || m.shape[1] !== L || m.shape[2] !== S) {
            throw new ShapeError(`MultiheadAttention: the shape of the 3D attnMask is ${formatShape(m.shape)}, but should be [${N * H}, ${L}, ${S}].`);
          }
        } else {
          throw new ShapeError(`MultiheadAttention: attnMask must be 2D or 3D, got shape ${formatShape(m.shape)}.`);
        }
        scores = applyMask(scores, m);
      }
      const kpm = options.keyPaddingMask ?? null;
      if (kpm !== null) {
        const expected = batched ? [N, S] : [S];
        if (kpm.ndim !== expected.length || kpm.shape.some((s, i) => s !== expected[i])) {
          throw new ShapeError(`MultiheadAttention: expected keyPaddingMask of shape ${formatShape(expected)}, got ${formatShape(kpm.shape)}.`);
        }
        // [N, S] → [N, 1, 1, S] against scores viewed as [N, H, L, S].
        scores = applyMask(scores.reshape([N, H, L, S]), kpm.reshape([N, 1, 1, S])).reshape([N * H, L, S]);
      }
      let weights = F.softmax(scores, -1);
      if (this.training && this.dropout > 0) weights = F.dropout(weights, { p: this.dropout, training: true });
      const attended = weights.matmul(vh); // [N·H, L, d]
      const merged = attended.transpose(0, 1).reshape([L * N, E]);
      let out = this.outProj.forward(merged).reshape([L, N, E]);
      out = !batched ? out.squeeze(1) : this.batchFirst ? out.transpose(0, 1) : out;
      if (!needWeights) return [out, null] as [Tensor, Tensor | null];
      let wOut = weights.reshape([N, H, L, S]);
      if (average) wOut = wOut.sum({ dim: 1 }).div(H);
      if (!batched) wOut = wOut.squeeze(0);
      return [out, wOut] as [Tensor, Tensor | null];
    });
  }

  override extraRepr(): string {
    return reprFields({ embedDim: this.embedDim, numHeads: this.numHeads, dropout: this.dropout, batchFirst: this.batchFirst });
  }
}

/** Bool mask: true → −∞; float mask: added. */
function applyMask(scores: Tensor, mask: Tensor): Tensor {
  if (mask.dtype === "bool") return where(mask, -Infinity, scores);
  if (mask.dtype === "int32") {
    throw new TesseraError("MultiheadAttention: masks must be bool (true = masked) or floating point (added to the scores), got int32.");
  }
  return scores.add(mask);
}
