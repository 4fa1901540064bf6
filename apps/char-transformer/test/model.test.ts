// The model on its own: PyTorch names, loss at initialization, causality, agreement with
// nn.MultiheadAttention, and gradients checked against finite differences.
import { describe, expect, it } from "vitest";
import * as ts from "tessera";
import { CausalSelfAttention, CharTransformer, type ModelConfig } from "../src/model.js";
import { docsCorpus } from "../src/corpus.js";
import { CharVocab, splitIds } from "../src/data.js";
import { evaluateLoss } from "../src/train.js";

const small: ModelConfig = { vocabSize: 11, context: 8, layers: 2, heads: 2, dim: 16 };
const ids = (rows: number[][]) => ts.tensor(rows, { dtype: "int32" });

describe("CharTransformer", () => {
  it("has PyTorch-named parameters of the expected shapes", () => {
    ts.manualSeed(0);
    const model = new CharTransformer(small);
    const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
    expect(Object.keys(shapes).slice(0, 14)).toEqual([
      "token_embedding.weight",
      "position_embedding.weight",
      "blocks.0.ln1.weight",
      "blocks.0.ln1.bias",
      "blocks.0.attn.qkv.weight",
      "blocks.0.attn.qkv.bias",
      "blocks.0.attn.proj.weight",
      "blocks.0.attn.proj.bias",
      "blocks.0.ln2.weight",
      "blocks.0.ln2.bias",
      "blocks.0.mlp.fc.weight",
      "blocks.0.mlp.fc.bias",
      "blocks.0.mlp.proj.weight",
      "blocks.0.mlp.proj.bias",
    ]);
    expect(Object.keys(shapes).slice(-4)).toEqual(["ln_f.weight", "ln_f.bias", "head.weight", "head.bias"]);
    expect(Object.keys(shapes)).toHaveLength(2 + 12 * 2 + 4);
    expect(shapes["token_embedding.weight"]).toEqual([11, 16]);
    expect(shapes["position_embedding.weight"]).toEqual([8, 16]);
    expect(shapes["blocks.1.attn.qkv.weight"]).toEqual([48, 16]);
    expect(shapes["blocks.1.mlp.fc.weight"]).toEqual([64, 16]);
    expect(shapes["head.weight"]).toEqual([11, 16]);
    expect(model.parameterCount()).toBe(11 * 16 + 8 * 16 + 2 * (4 * 16 + 48 * 16 + 48 + 16 * 16 + 16 + 64 * 16 + 64 + 16 * 64 + 16) + 2 * 16 + 11 * 16 + 11);
    expect(model.forward(ids([[1, 2, 3], [4, 5, 6]])).shape).toEqual([2, 3, 11]);
    model.dispose();
  });

  it("untrained, predicts nearly uniform probabilities: loss ≈ ln(vocabulary size) on the docs", () => {
    const corpus = docsCorpus();
    const vocab = CharVocab.fromText(corpus.text);
    const split = splitIds(vocab.encode(corpus.text), 64, "the documentation");
    ts.manualSeed(0);
    const model = new CharTransformer({ vocabSize: vocab.size, context: 64, layers: 2, heads: 4, dim: 64 });
    const loss = evaluateLoss(model, split.validation, 64);
    // Measured: 4.8711 against ln 129 = 4.8598 (the head's N(0, 0.02) weights keep logits near 0).
    expect(vocab.size).toBeGreaterThan(90);
    expect(Math.abs(loss - Math.log(vocab.size))).toBeLessThan(0.05);
    model.dispose();
  });

  it("is causal: the logits at position t don't depend on characters after t", () => {
    ts.manualSeed(1);
    const model = new CharTransformer(small);
    const a = model.forward(ids([[1, 2, 3, 4, 5, 6]]));
    const b = model.forward(ids([[1, 2, 3, 9, 0, 7]]));
    expect(a.narrow(1, 0, 3).tolistSync()).toEqual(b.narrow(1, 0, 3).tolistSync());
    expect(a.narrow(1, 3, 1).tolistSync()).not.toEqual(b.narrow(1, 3, 1).tolistSync());
    model.dispose();
  });

  it("rejects ids longer than the context, or not int32", () => {
    const model = new CharTransformer(small);
    expect(() => model.forward(ids([[0, 1, 2, 3, 4, 5, 6, 7, 8]]))).toThrow(/9 characters is longer than the context \(8\)/);
    expect(() => model.forward(ts.tensor([[1, 2]]))).toThrow(/expected int32 ids/);
    expect(() => new CharTransformer({ ...small, heads: 3 })).toThrow(/dim \(16\) must be divisible by heads \(3\)/);
    model.dispose();
  });
});

describe("CausalSelfAttention", () => {
  it("equals nn.MultiheadAttention with isCausal given the same weights", () => {
    ts.manualSeed(2);
    const attn = new CausalSelfAttention(16, 4);
    const mha = new ts.nn.MultiheadAttention(16, 4, { batchFirst: true });
    // Our qkv Linear stores [q; k; v] stacked as PyTorch's in_proj_weight does.
    mha.loadStateDict({
      in_proj_weight: attn.qkv.weight,
      in_proj_bias: attn.qkv.bias!,
      "out_proj.weight": attn.proj.weight,
      "out_proj.bias": attn.proj.bias!,
    });
    const x = ts.randn([3, 7, 16]);
    const ours = attn.forward(x).dataSync();
    const [theirs] = mha.forward(x, x, x, { isCausal: true, needWeights: false });
    const reference = theirs.dataSync();
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - reference[i]!));
    expect(worst).toBeLessThan(1e-5);
    attn.dispose();
    mha.dispose();
  });
});

describe("gradients", () => {
  it("match central finite differences in float64 for every parameter tensor", () => {
    ts.manualSeed(3);
    const model = new CharTransformer({ vocabSize: 7, context: 5, layers: 2, heads: 2, dim: 8 }).to("float64");
    // Larger weights than the initialization, so that every path contributes visibly.
    ts.noGrad(() => {
      for (const p of model.parameters()) p.add_(ts.randn(p.shape, { dtype: "float64" }).mul(0.3));
    });
    const x = ts.randint(0, 7, [3, 5]);
    const y = ts.randint(0, 7, [3, 5]);
    const lossValue = () => ts.tidy(() => ts.noGrad(() => model.loss(x, y).itemSync()));
    model.loss(x, y).backward();
    let worst = 0;
    for (const [, p] of model.namedParameters()) {
      const analytic = p.grad!.dataSync();
      const flat = p.reshape([-1]);
      for (const i of [0, Math.floor(p.numel() / 2), p.numel() - 1]) {
        const entry = flat.narrow(0, i, 1);
        const original = entry.itemSync();
        const h = 1e-6;
        ts.noGrad(() => entry.fill_(original + h));
        const up = lossValue();
        ts.noGrad(() => entry.fill_(original - h));
        const down = lossValue();
        ts.noGrad(() => entry.fill_(original));
        entry.dispose();
        const numeric = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - analytic[i]!) / Math.max(1e-3, Math.abs(numeric)));
      }
      flat.dispose();
    }
    // Measured: 3e-7.
    expect(worst).toBeLessThan(1e-5);
    model.dispose();
  });
});
