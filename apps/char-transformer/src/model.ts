/**
 * The model: a small decoder-only (GPT-style) transformer over characters, written against the
 * public `tessera` API only. State-dict names are what the same modules would get in PyTorch
 * (`token_embedding.weight`, `blocks.0.attn.qkv.weight`, `ln_f.bias`, `head.weight`, …).
 */
import * as ts from "tessera";

const { nn } = ts;

/** The architecture: everything needed to rebuild the model before loading its weights. */
export interface ModelConfig {
  /** Number of distinct characters (rows of the embedding, columns of the head). */
  vocabSize: number;
  /** Longest sequence the model reads (rows of the position embedding). */
  context: number;
  /** Number of transformer blocks. */
  layers: number;
  /** Attention heads per block; must divide `dim`. */
  heads: number;
  /** Width of the residual stream. */
  dim: number;
}

/**
 * Causal multi-head self-attention: one Linear makes queries, keys and values (`qkv`, as
 * GPT-2's `c_attn`), `nn.functional.scaledDotProductAttention` with `isCausal: true` mixes the
 * positions, and `proj` maps the heads back to the residual stream.
 *
 * Why not `nn.MultiheadAttention`: it works on [L, N, E] internally, so with `batchFirst` every
 * call transposes the input and the output; here the heads are split with one reshape and one
 * permute of the fused projection. `test/model.test.ts` checks that both give the same output
 * for the same weights, so the choice changes no numbers that matter.
 *
 * @example
 * const attn = new CausalSelfAttention(64, 4);
 * attn.forward(ts.randn([2, 16, 64])).shape; // [2, 16, 64]
 */
export class CausalSelfAttention extends nn.Module {
  /** Number of heads; each gets dim / heads features. */
  readonly heads: number;
  /** [3·dim, dim] weight: queries, keys and values stacked (PyTorch's `in_proj` layout). */
  qkv: ts.nn.Linear;
  /** The output projection. */
  proj: ts.nn.Linear;

  constructor(dim: number, heads: number) {
    super();
    if (dim % heads !== 0) throw new RangeError(`CausalSelfAttention: dim (${dim}) must be divisible by heads (${heads}).`);
    this.heads = heads;
    this.qkv = new nn.Linear(dim, 3 * dim);
    this.proj = new nn.Linear(dim, dim);
  }

  /** [B, T, dim] → [B, T, dim]; position t sees positions 0…t only. */
  forward(x: ts.Tensor): ts.Tensor {
    const [B, T, C] = x.shape as [number, number, number];
    const H = this.heads;
    return ts.tidy(() => {
      // [B, T, 3C] → [3, B, H, T, C/H]: one permute gives q, k and v in the layout attention wants.
      const qkv = this.qkv.forward(x).reshape([B, T, 3, H, C / H]).permute([2, 0, 3, 1, 4]);
      const [q, k, v] = [qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2)] as [ts.Tensor, ts.Tensor, ts.Tensor];
      const y = nn.functional.scaledDotProductAttention(q, k, v, { isCausal: true }); // [B, H, T, C/H]
      return this.proj.forward(y.transpose(1, 2).reshape([B, T, C]));
    });
  }
}

/**
 * The position-wise MLP of a block: Linear dim→4·dim, GELU, Linear 4·dim→dim (names `fc` and
 * `proj`). GELU is the tanh approximation, as in GPT-2 (PyTorch's `GELU(approximate="tanh")`):
 * on Tessera's CPU backend `tanh` runs in WebAssembly SIMD while `erf`, which the exact form
 * needs, runs in TypeScript at about a seventh of its speed (35 times slower before the float32
 * `erf` fit), so the exact form was the most expensive op of a training step.
 *
 * @example new Mlp(64).forward(ts.randn([2, 16, 64])).shape; // [2, 16, 64]
 */
export class Mlp extends nn.Module {
  /** dim → 4·dim. */
  fc: ts.nn.Linear;
  /** 4·dim → dim. */
  proj: ts.nn.Linear;

  constructor(dim: number) {
    super();
    this.fc = new nn.Linear(dim, 4 * dim);
    this.proj = new nn.Linear(4 * dim, dim);
  }

  /** [..., dim] → [..., dim]. */
  forward(x: ts.Tensor): ts.Tensor {
    return ts.tidy(() => this.proj.forward(nn.functional.gelu(this.fc.forward(x), { approximate: "tanh" })));
  }
}

/**
 * One pre-LayerNorm transformer block: `x + attn(ln1(x))`, then `x + mlp(ln2(x))`. Normalizing
 * before each sublayer (GPT-2) keeps the residual path an identity, which is what lets a
 * stack train without learning-rate warmup tricks.
 *
 * @example new Block(64, 4).forward(ts.randn([2, 16, 64])).shape; // [2, 16, 64]
 */
export class Block extends nn.Module {
  /** Normalizes the attention's input. */
  ln1: ts.nn.LayerNorm;
  /** Mixes information across positions. */
  attn: CausalSelfAttention;
  /** Normalizes the MLP's input. */
  ln2: ts.nn.LayerNorm;
  /** Transforms each position on its own. */
  mlp: Mlp;

  constructor(dim: number, heads: number) {
    super();
    this.ln1 = new nn.LayerNorm(dim);
    this.attn = new CausalSelfAttention(dim, heads);
    this.ln2 = new nn.LayerNorm(dim);
    this.mlp = new Mlp(dim);
  }

  /** [B, T, dim] → [B, T, dim]. */
  forward(x: ts.Tensor): ts.Tensor {
    return ts.tidy(() => {
      const h = x.add(this.attn.forward(this.ln1.forward(x)));
      return h.add(this.mlp.forward(this.ln2.forward(h)));
    });
  }
}

/**
 * The character model: token embedding + learned position embedding, `layers` blocks, a final
 * LayerNorm and a linear head to one logit per character. Takes int32 ids [B, T] (T ≤ context)
 * and returns logits [B, T, vocabSize]: row t predicts the character after position t.
 *
 * Weights start as GPT-2's: N(0, 0.02) for embeddings and Linear weights, zero biases, and the
 * projections that write into the residual stream scaled down by 1/√(2·layers) so the stream's
 * variance does not grow with depth. The small head weights make the untrained model predict
 * nearly uniform probabilities (loss ≈ ln vocabSize), a check the tests rely on.
 *
 * @example
 * ts.manualSeed(0);
 * const model = new CharTransformer({ vocabSize: 65, context: 64, layers: 2, heads: 4, dim: 64 });
 * model.forward(ts.tensor([[1, 2, 3]], { dtype: "int32" })).shape; // [1, 3, 65]
 * Object.keys(model.stateDict())[0]; // "token_embedding.weight"
 */
export class CharTransformer extends nn.Module {
  /** The architecture this model was built with (saved with its weights). */
  readonly config: Readonly<ModelConfig>;
  /** [vocabSize, dim]: one vector per character. */
  tokenEmbedding: ts.nn.Embedding;
  /** [context, dim]: one learned vector per position. */
  positionEmbedding: ts.nn.Embedding;
  /** The transformer blocks (`blocks.0`, `blocks.1`, …). */
  blocks: ts.nn.ModuleList<Block>;
  /** The final LayerNorm (`ln_f`), as GPT-2: pre-LN blocks leave the stream unnormalized. */
  lnF: ts.nn.LayerNorm;
  /** dim → vocabSize logits. */
  head: ts.nn.Linear;
  /** Position ids 0…context−1, made once: every forward slices it instead of allocating. */
  #positions: ts.Tensor;

  constructor(config: ModelConfig) {
    super();
    checkConfig(config);
    this.config = { ...config };
    const { vocabSize, context, layers, heads, dim } = config;
    this.tokenEmbedding = new nn.Embedding(vocabSize, dim);
    this.positionEmbedding = new nn.Embedding(context, dim);
    this.blocks = new nn.ModuleList(Array.from({ length: layers }, () => new Block(dim, heads)));
    this.lnF = new nn.LayerNorm(dim);
    this.head = new nn.Linear(dim, vocabSize);
    this.#positions = ts.keep(ts.arange(0, context, 1, { dtype: "int32" }));
    this.#initWeights();
  }

  #initWeights(): void {
    const residualStd = 0.02 / Math.sqrt(2 * this.config.layers);
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith(".bias")) nn.init.zeros_(p);
      else if (name.startsWith("ln") || name.includes(".ln")) nn.init.ones_(p);
      else if (name.endsWith("attn.proj.weight") || name.endsWith("mlp.proj.weight")) nn.init.normal_(p, 0, residualStd);
      else nn.init.normal_(p, 0, 0.02);
    }
  }

  /** int32 ids [B, T] → logits [B, T, vocabSize]. */
  forward(ids: ts.Tensor): ts.Tensor {
    if (ids.ndim !== 2 || ids.dtype !== "int32") {
      throw new TypeError(`CharTransformer: expected int32 ids of shape [batch, time], got ${ids.dtype} of shape [${ids.shape.join(", ")}].`);
    }
    const T = ids.shape[1]!;
    if (T > this.config.context) {
      throw new RangeError(`CharTransformer: a sequence of ${T} characters is longer than the context (${this.config.context}); pass the last ${this.config.context} only.`);
    }
    return ts.tidy(() => {
      let x = this.tokenEmbedding.forward(ids).add(this.positionEmbedding.forward(this.#positions.narrow(0, 0, T)));
      for (const block of this.blocks) x = block.forward(x);
      return this.head.forward(this.lnF.forward(x));
    });
  }

  /** Mean cross-entropy of predicting `targets` [B, T] (int32) from `ids` [B, T]. */
  loss(ids: ts.Tensor, targets: ts.Tensor): ts.Tensor {
    return ts.tidy(() => {
      const logits = this.forward(ids);
      const V = this.config.vocabSize;
      return nn.functional.crossEntropy(logits.reshape([-1, V]), targets.reshape([-1]));
    });
  }

  /** Number of learnable numbers. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.numel(), 0);
  }

  override dispose(): void {
    super.dispose();
    this.#positions.dispose();
  }
}

/** Throws a RangeError naming the first field of `config` that cannot make a model. */
export function checkConfig(config: ModelConfig): void {
  for (const key of ["vocabSize", "context", "layers", "heads", "dim"] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`model config: ${key} must be a positive integer, got ${v}.`);
  }
  if (config.dim % config.heads !== 0) {
    throw new RangeError(`model config: dim (${config.dim}) must be divisible by heads (${config.heads}).`);
  }
}
