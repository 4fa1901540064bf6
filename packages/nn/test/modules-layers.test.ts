/** Layers: shapes, hand-checked values, default initialization, modes, containers, losses. */
import { describe, expect, test } from "vitest";
import { type Tensor, cat, manualSeed, noGrad, ones, randn, stack, tensor, tidy, zeros } from "@tessera/autograd";
import {
  AdaptiveAvgPool2d,
  type AnyModule,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  BCELoss,
  BCEWithLogitsLoss,
  Conv2d,
  CrossEntropyLoss,
  Dropout,
  Embedding,
  Flatten,
  GELU,
  Identity,
  L1Loss,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  MaxPool2d,
  Module,
  ModuleDict,
  ModuleList,
  MSELoss,
  MultiheadAttention,
  NLLLoss,
  ReLU,
  Sequential,
  Sigmoid,
  SiLU,
  Softmax,
  Tanh,
  functional as F,
} from "../src/index.js";

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

function expectValues(t: Tensor, expected: readonly number[], digits = 6): void {
  const got = vals(t);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i]!, digits));
}

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = vals(t);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: v.reduce((a, b) => Math.min(a, b), Infinity), max: v.reduce((a, b) => Math.max(a, b), -Infinity) };
}

describe("Linear", () => {
  test("shapes, values and no-bias variant", () => {
    const fc = new Linear(3, 2);
    fc.loadStateDict({ weight: tensor([[1, 2, 3], [0, -1, 1]]), bias: tensor([0.5, -0.5]) });
    expectValues(fc.forward(tensor([[1, 1, 1], [2, 0, -1]])), [6.5, -0.5, -0.5, -1.5]);
    expect(fc.forward(randn([4, 5, 3])).shape).toEqual([4, 5, 2]);
    const nb = new Linear(3, 2, { bias: false });
    expect(nb.bias).toBeNull();
    expect(Object.keys(nb.stateDict())).toEqual(["weight"]);
    expect(new Linear(2, 2, { dtype: "float64" }).weight.dtype).toBe("float64");
    expect(String(nb)).toBe("Linear(inFeatures=3, outFeatures=2, bias=false)");
  });

  test("default init: kaiming_uniform(a=√5) weight, U(±1/√fanIn) bias", () => {
    manualSeed(1);
    const fc = new Linear(1000, 1000);
    const bound = 1 / Math.sqrt(1000);
    const w = stats(fc.weight);
    expect(w.max).toBeLessThanOrEqual(bound);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeGreaterThan(bound * 0.999);
    expect(Math.abs(w.mean)).toBeLessThan(bound / 100);
    expect(Math.abs(w.std / (1 / Math.sqrt(3000)) - 1)).toBeLessThan(0.01);
    const b = stats(fc.bias!);
    expect(b.max).toBeLessThanOrEqual(bound);
    expect(b.min).toBeGreaterThanOrEqual(-bound);
    expect(Math.abs(b.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.1);
  });

  test("Identity returns its input", () => {
    const x = randn([2]);
    expect(new Identity().forward(x)).toBe(x);
  });
});

describe("Conv2d", () => {
  test("shapes with stride, padding, dilation, groups", () => {
    expect(new Conv2d(3, 8, 3, { padding: 1 }).forward(randn([2, 3, 10, 9])).shape).toEqual([2, 8, 10, 9]);
    expect(new Conv2d(4, 6, [3, 1], { stride: 2, groups: 2 }).forward(randn([1, 4, 9, 5])).shape).toEqual([1, 6, 4, 3]);
    expect(new Conv2d(2, 2, 3, { dilation: 2 }).forward(randn([1, 2, 7, 7])).shape).toEqual([1, 2, 3, 3]);
    expect(new Conv2d(2, 2, 4, { padding: "same" }).forward(randn([2, 6, 5])).shape).toEqual([2, 6, 5]);
    expect(new Conv2d(4, 6, 3, { groups: 2 }).weight.shape).toEqual([6, 2, 3, 3]);
  });

  test("hand-checked values", () => {
    const conv = new Conv2d(1, 1, 2);
    conv.loadStateDict({ weight: tensor([[[[1, 0], [0, -1]]]]), bias: tensor([10]) });
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    expectValues(conv.forward(x), [10 + 1 - 5, 10 + 2 - 6, 10 + 4 - 8, 10 + 5 - 9]);
    const reflect = new Conv2d(1, 1, 3, { padding: 1, paddingMode: "reflect", bias: false });
    reflect.loadStateDict({ weight: ones([1, 1, 3, 3]) });
    // Reflect padding of [[1, 2], [3, 4]]: every 3×3 window sums to the same 4·(1+2+3+4)/… — check one corner.
    const y = reflect.forward(tensor([[[[1, 2], [3, 4]]]]));
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expectValues(y.select(3, 0).select(2, 0).select(1, 0).select(0, 0), [4 + 3 + 4 + 2 + 1 + 2 + 4 + 3 + 4]);
  });

  test("default init bounds use fanIn = inChannels/groups·kH·kW", () => {
    manualSeed(2);
    const conv = new Conv2d(8, 16, 3, { groups: 2 });
    const bound = 1 / Math.sqrt(4 * 9);
    const w = stats(conv.weight);
    expect(w.max).toBeLessThanOrEqual(bound);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(Math.abs(w.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.1);
    const b = stats(conv.bias!);
    expect(b.max).toBeLessThanOrEqual(bound);
    expect(b.min).toBeGreaterThanOrEqual(-bound);
  });

  test("errors", () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/inChannels \(3\) must be divisible by groups \(2\)/);
    expect(() => new Conv2d(4, 3, 3, { groups: 2 })).toThrow(/outChannels \(3\) must be divisible by groups/);
    expect(() => new Conv2d(2, 2, 3, { padding: "same", stride: 2 })).toThrow(/"same" is not supported for strided/);
    expect(() => new Conv2d(2, 2, 0)).toThrow(/kernelSize must be an integer >= 1/);
  });
});

describe("pooling", () => {
  const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);

  test("MaxPool2d", () => {
    expectValues(new MaxPool2d(2).forward(x), [6, 8, 14, 16]);
    expectValues(new MaxPool2d(3, { stride: 1 }).forward(x), [11, 12, 15, 16]);
    expect(new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }).forward(x).shape).toEqual([1, 1, 3, 3]);
  });

  test("AvgPool2d", () => {
    expectValues(new AvgPool2d(2).forward(x), [3.5, 5.5, 11.5, 13.5]);
    expectValues(new AvgPool2d(2, { stride: 2, padding: 1 }).forward(x).narrow(3, 0, 1).narrow(2, 0, 1), [1 / 4]);
    expectValues(new AvgPool2d(2, { stride: 2, padding: 1, countIncludePad: false }).forward(x).narrow(3, 0, 1).narrow(2, 0, 1), [1]);
  });

  test("AdaptiveAvgPool2d", () => {
    expectValues(new AdaptiveAvgPool2d(1).forward(x), [8.5]);
    expectValues(new AdaptiveAvgPool2d([2, 1]).forward(x), [4.5, 12.5]);
    expect(new AdaptiveAvgPool2d([null, 2]).forward(x).shape).toEqual([1, 1, 4, 2]);
  });
});

describe("BatchNorm", () => {
  const x = tensor([[1, 10], [3, 20], [5, 60]]);

  test("training: batch statistics, running stats updated, counter incremented", () => {
    const bn = new BatchNorm1d(2);
    expect(Object.keys(bn.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    const y = bn.forward(x);
    // column 0: mean 3, biased var 8/3; column 1: mean 30, biased var 1400/3
    const s0 = Math.sqrt(8 / 3 + 1e-5);
    const s1 = Math.sqrt(1400 / 3 + 1e-5);
    expectValues(y, [-2 / s0, -20 / s1, 0, -10 / s1, 2 / s0, 30 / s1], 5);
    expectValues(bn.runningMean!, [0.1 * 3, 0.1 * 30]);
    expectValues(bn.runningVar!, [0.9 + 0.1 * 4, 0.9 + 0.1 * 700], 4); // unbiased: 8/2, 1400/2
    expect(vals(bn.numBatchesTracked!)).toEqual([1]);
    expect(bn.numBatchesTracked!.dtype).toBe("int32");
    bn.forward(x);
    expect(vals(bn.numBatchesTracked!)).toEqual([2]);
  });

  test("eval mode normalizes with the running statistics and leaves them alone", () => {
    const bn = new BatchNorm1d(2).eval();
    bn.loadStateDict({
      weight: tensor([2, 1]),
      bias: tensor([0, 1]),
      running_mean: tensor([1, 10]),
      running_var: tensor([4, 100]),
      num_batches_tracked: tensor(5, { dtype: "int32" }),
    });
    const y = bn.forward(x);
    const d0 = Math.sqrt(4 + 1e-5);
    const d1 = Math.sqrt(100 + 1e-5);
    expectValues(y, [0, 1, (2 * 2) / d0, 1 + 10 / d1, (2 * 4) / d0, 1 + 50 / d1], 5);
    expectValues(bn.runningMean!, [1, 10]);
    expect(vals(bn.numBatchesTracked!)).toEqual([5]);
  });

  test("momentum null: cumulative average", () => {
    const bn = new BatchNorm1d(1, { momentum: null, affine: false });
    bn.forward(tensor([[1], [3]]));
    bn.forward(tensor([[5], [7]]));
    expectValues(bn.runningMean!, [(2 + 6) / 2]);
  });

  test("affine false and trackRunningStats false", () => {
    const bn = new BatchNorm2d(3, { affine: false, trackRunningStats: false });
    expect(bn.parameters()).toEqual([]);
    expect(bn.buffers()).toEqual([]);
    expect(Object.keys(bn.stateDict())).toEqual([]);
    bn.eval();
    const y = bn.forward(randn([4, 3, 2, 2], { dtype: "float64" }));
    // Always batch statistics: per-channel mean 0.
    const m = y.mean({ dim: [0, 2, 3] });
    vals(m).forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-12));
  });

  test("input dims are checked", () => {
    expect(() => new BatchNorm2d(3).forward(randn([2, 3]))).toThrow(/expected 4D input \(got 2D input/);
    expect(() => new BatchNorm1d(3).forward(randn([2, 3, 4, 5]))).toThrow(/expected 2D or 3D input \(got 4D input/);
  });

  test("BatchNorm2d forward shape and init", () => {
    const bn = new BatchNorm2d(4);
    expect(bn.forward(randn([2, 4, 3, 3])).shape).toEqual([2, 4, 3, 3]);
    expect(vals(bn.weight!)).toEqual([1, 1, 1, 1]);
    expect(vals(bn.bias!)).toEqual([0, 0, 0, 0]);
  });
});

describe("LayerNorm", () => {
  test("values, init, options", () => {
    const ln = new LayerNorm(4);
    expect(vals(ln.weight!)).toEqual([1, 1, 1, 1]);
    expect(vals(ln.bias!)).toEqual([0, 0, 0, 0]);
    const x = tensor([[1, 2, 3, 4]]);
    const s = Math.sqrt(1.25 + 1e-5);
    expectValues(ln.forward(x), [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], 5);
    ln.loadStateDict({ weight: tensor([1, 2, 1, 1]), bias: tensor([0, 0, 0, 1]) });
    expectValues(ln.forward(x), [-1.5 / s, -1 / s, 0.5 / s, 1.5 / s + 1], 5);
    expect(new LayerNorm([2, 3]).forward(randn([5, 2, 3])).shape).toEqual([5, 2, 3]);
    expect(new LayerNorm(4, { elementwiseAffine: false }).parameters()).toEqual([]);
    expect(Object.keys(new LayerNorm(4, { bias: false }).stateDict())).toEqual(["weight"]);
  });
});

describe("Embedding", () => {
  test("lookup, padding row zero with no gradient, init N(0, 1)", () => {
    manualSeed(3);
    const emb = new Embedding(5, 2, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(4);
    expect(vals(emb.weight.select(0, 4))).toEqual([0, 0]);
    const idx = tensor([[0, 4], [2, 0]], { dtype: "int32" });
    const y = emb.forward(idx);
    expect(y.shape).toEqual([2, 2, 2]);
    const w = vals(emb.weight);
    expectValues(y, [w[0]!, w[1]!, 0, 0, w[4]!, w[5]!, w[0]!, w[1]!]);
    tidy(() => y.sum().backward());
    expect(vals(emb.weight.grad!)).toEqual([2, 2, 0, 0, 1, 1, 0, 0, 0, 0]);
    const big = new Embedding(1000, 100);
    const s = stats(big.weight);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.01);
    expect(() => new Embedding(3, 2, { paddingIdx: 3 })).toThrow(/paddingIdx must be an integer within numEmbeddings/);
  });

  test("fromPretrained copies and freezes", () => {
    const vectors = tensor([[1, 2], [3, 4]]);
    const emb = Embedding.fromPretrained(vectors);
    expect(emb.weight.requiresGrad).toBe(false);
    expect(vals(emb.forward(tensor([1], { dtype: "int32" })))).toEqual([3, 4]);
    expect(Embedding.fromPretrained(vectors, { freeze: false }).weight.requiresGrad).toBe(true);
  });
});

describe("Dropout", () => {
  test("training zeroes about p and scales the rest; eval is the identity", () => {
    manualSeed(4);
    const drop = new Dropout(0.25);
    const x = ones([20000]);
    const y = vals(drop.forward(x));
    const zeros_ = y.filter((v) => v === 0).length / y.length;
    expect(Math.abs(zeros_ - 0.25)).toBeLessThan(0.015);
    expect(y.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    drop.eval();
    expect(vals(drop.forward(x)).every((v) => v === 1)).toBe(true);
    expect(() => new Dropout(1.5)).toThrow(/between 0 and 1/);
    expect(String(drop)).toBe("Dropout(p=0.25)");
  });
});

describe("Flatten and activations", () => {
  test("Flatten", () => {
    expect(new Flatten().forward(randn([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new Flatten({ startDim: 0, endDim: 1 }).forward(randn([2, 3, 4])).shape).toEqual([6, 4]);
  });

  test("activation values", () => {
    const x = tensor([-2, -0.5, 0, 1.5], { dtype: "float64" });
    const xs = [-2, -0.5, 0, 1.5];
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    expectValues(new ReLU().forward(x), [0, 0, 0, 1.5]);
    expectValues(new LeakyReLU().forward(x), [-0.02, -0.005, 0, 1.5]);
    expectValues(new LeakyReLU(0.2).forward(x), [-0.4, -0.1, 0, 1.5]);
    expectValues(new Sigmoid().forward(x), xs.map(sig), 10);
    expectValues(new Tanh().forward(x), xs.map(Math.tanh), 10);
    expectValues(new SiLU().forward(x), xs.map((v) => v * sig(v)), 10);
    // GELU: x·Φ(x); Φ(−2) = 0.02275013194817921, Φ(−0.5) = 0.3085375387259869, Φ(1.5) = 0.9331927987311419
    expectValues(new GELU().forward(x), [-2 * 0.02275013194817921, -0.5 * 0.3085375387259869, 0, 1.5 * 0.9331927987311419], 10);
    const tanhGelu = (v: number): number => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    expectValues(new GELU({ approximate: "tanh" }).forward(x), xs.map(tanhGelu), 10);
    const row = tensor([[1, 2, 3]], { dtype: "float64" });
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expectValues(new Softmax(1).forward(row), [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z], 10);
    expectValues(new LogSoftmax(-1).forward(row), [1 - Math.log(z), 2 - Math.log(z), 3 - Math.log(z)], 10);
  });
});

describe("MultiheadAttention", () => {
  /** The attention computed by hand from the module's parameters (float64). */
  function manual(mha: MultiheadAttention, q: Tensor, k: Tensor, v: Tensor, mask?: Tensor): { out: Tensor; weights: Tensor } {
    const E = mha.embedDim;
    const H = mha.numHeads;
    const d = E / H;
    const [wq, wk, wv] = mha.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
    const [bq, bk, bv] = mha.inProjBias!.chunk(3, 0) as [Tensor, Tensor, Tensor];
    // q: [L, N, E]
    const L = q.shape[0]!;
    const N = q.shape[1]!;
    const S = k.shape[0]!;
    const heads: Tensor[] = [];
    const weights: Tensor[] = [];
    for (let n = 0; n < N; n++) {
      const qn = q.select(1, n).matmul(wq.t()).add(bq); // [L, E]
      const kn = k.select(1, n).matmul(wk.t()).add(bk);
      const vn = v.select(1, n).matmul(wv.t()).add(bv);
      const perHead: Tensor[] = [];
      const perHeadW: Tensor[] = [];
      for (let h = 0; h < H; h++) {
        const qh = qn.narrow(1, h * d, d);
        const kh = kn.narrow(1, h * d, d);
        const vh = vn.narrow(1, h * d, d);
        let s = qh.matmul(kh.t()).div(Math.sqrt(d)); // [L, S]
        if (mask) s = s.where(mask.logicalNot(), -Infinity);
        const w = s.softmax(-1);
        perHead.push(w.matmul(vh));
        perHeadW.push(w);
      }
      heads.push(F.linear(cat(perHead, 1), mha.outProj.weight, mha.outProj.bias)); // [L, E]
      weights.push(perHeadW.reduce((a, b) => a.add(b)).div(H).reshape([1, L, S]));
    }
    return { out: stack(heads, 1), weights: cat(weights, 0) };
  }
  test("matches a manual computation (float64), seq-first and batch-first", () => {
    manualSeed(5);
    const mha = new MultiheadAttention(6, 2, { dtype: "float64" });
    noGrad(() => {
      mha.inProjBias!.normal_(0, 0.5);
      mha.outProj.bias!.normal_(0, 0.5);
    });
    const q = randn([3, 2, 6], { dtype: "float64" });
    const k = randn([4, 2, 6], { dtype: "float64" });
    const v = randn([4, 2, 6], { dtype: "float64" });
    const [out, w] = mha.forward(q, k, v);
    const ref = manual(mha, q, k, v);
    expect(out.shape).toEqual([3, 2, 6]);
    expect(w!.shape).toEqual([2, 3, 4]);
    expectValues(out, vals(ref.out), 10);
    expectValues(w!, vals(ref.weights), 10);

    const bf = new MultiheadAttention(6, 2, { batchFirst: true, dtype: "float64" });
    bf.loadStateDict(mha.stateDict());
    const [outBf, wBf] = bf.forward(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1));
    expect(outBf.shape).toEqual([2, 3, 6]);
    expectValues(outBf, vals(out.transpose(0, 1)), 12);
    expectValues(wBf!, vals(w!), 12);
  });

  test("causal and key-padding masks, per-head weights, unbatched, needWeights false", () => {
    manualSeed(6);
    const mha = new MultiheadAttention(4, 2, { dtype: "float64" });
    const x = randn([3, 1, 4], { dtype: "float64" });
    const [, w] = mha.forward(x, x, x, { isCausal: true, averageAttnWeights: false });
    expect(w!.shape).toEqual([1, 2, 3, 3]);
    const wv = vals(w!);
    for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(wv[h * 9 + i * 3 + j]).toBe(0);
    const causal = tensor([[false, true, true], [false, false, true], [false, false, false]]);
    const ref = manual(mha, x, x, x, causal);
    const [outC] = mha.forward(x, x, x, { isCausal: true });
    expectValues(outC, vals(ref.out), 10);

    const kpm = tensor([[false, true, false]]);
    const [, wk] = mha.forward(x, x, x, { keyPaddingMask: kpm });
    vals(wk!.select(2, 1)).forEach((v) => expect(v).toBe(0));

    const [u, wu] = mha.forward(x.squeeze(1), x.squeeze(1), x.squeeze(1));
    expect(u.shape).toEqual([3, 4]);
    expect(wu!.shape).toEqual([3, 3]);
    const [o2, none] = mha.forward(x, x, x, { needWeights: false });
    expect(none).toBeNull();
    expect(o2.shape).toEqual([3, 1, 4]);
  });

  test("parameter names and PyTorch's initialization", () => {
    manualSeed(7);
    const E = 64;
    const mha = new MultiheadAttention(E, 4);
    expect(Object.keys(mha.stateDict())).toEqual(["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
    expect(mha.inProjWeight.shape).toEqual([3 * E, E]);
    const bound = Math.sqrt(6 / (E + 3 * E));
    const s = stats(mha.inProjWeight);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(Math.abs(s.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    expect(vals(mha.inProjBias!).every((v) => v === 0)).toBe(true);
    expect(vals(mha.outProj.bias!).every((v) => v === 0)).toBe(true);
    expect(stats(mha.outProj.weight).max).toBeLessThanOrEqual(1 / Math.sqrt(E));
    expect(Object.keys(new MultiheadAttention(4, 2, { bias: false }).stateDict())).toEqual(["in_proj_weight", "out_proj.weight"]);
    expect(() => new MultiheadAttention(6, 4)).toThrow(/divisible by numHeads/);
    expect(() => new MultiheadAttention(6, 2, { kdim: 3 })).toThrow(/kdim = 3 differs from embedDim = 6/);
    expect(() => mha.forward(randn([2, 1, 8]), randn([2, 1, 8]), randn([2, 1, 8]))).toThrow(/expecting embedding dimension of 64, but got 8/);
  });
});

describe("containers", () => {
  test("Sequential chains forward; children named 0, 1, …; list operations", () => {
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    expect(Object.keys(seq.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(seq.length).toBe(3);
    const x = randn([4, 2]);
    const manualOut = (seq.at(2) as Linear).forward((seq.at(0) as Linear).forward(x).relu());
    expect(vals(seq.forward(x))).toEqual(vals(manualOut));
    expect(seq.at(-1)).toBe(seq.at(2));
    seq.insert(1, new Identity());
    expect(seq.namedChildren().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual(["0:Linear", "1:Identity", "2:ReLU", "3:Linear"]);
    expect(seq.pop(1)).toBeInstanceOf(Identity);
    expect(Object.keys(seq.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    seq.append(new Sigmoid());
    expect([...seq].map((m) => m.constructor.name)).toEqual(["Linear", "ReLU", "Linear", "Sigmoid"]);
    expect(seq.slice(0, 2).length).toBe(2);
    // The same module twice is applied twice (and its parameters listed once).
    const shared = new Linear(2, 2);
    const twice = new Sequential(shared, shared);
    expect(twice.parameters().length).toBe(2);
    const y = randn([1, 2]);
    expect(vals(twice.forward(y))).toEqual(vals(shared.forward(shared.forward(y))));
  });

  test("ModuleList and ModuleDict register their members under a parent", () => {
    class Model extends Module {
      layers = new ModuleList([new Linear(2, 2), new Linear(2, 2)]);
      heads = new ModuleDict<AnyModule>({ a: new Linear(2, 1) });
      forward(x: Tensor): Tensor {
        for (const l of this.layers) x = l.forward(x);
        return this.heads.get("a").forward(x);
      }
    }
    const m = new Model();
    expect(Object.keys(m.stateDict())).toEqual(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "heads.a.weight", "heads.a.bias"]);
    expect(m.forward(randn([3, 2])).shape).toEqual([3, 1]);
    m.layers.append(new Linear(2, 2));
    m.heads.set("b", new Linear(2, 3));
    expect(m.parameters().length).toBe(10);
    expect(m.layers.length).toBe(3);
    expect(m.heads.keys()).toEqual(["a", "b"]);
    expect(m.heads.has("b")).toBe(true);
    expect(m.heads.delete("a")).toBe(true);
    expect(m.heads.keys()).toEqual(["b"]);
    expect(() => m.heads.get("a")).toThrow(/no module named "a"/);
    expect(m.layers.pop(0)).toBeInstanceOf(Linear);
    expect(m.layers.namedChildren().map(([n]) => n)).toEqual(["0", "1"]);
    expect(() => m.layers.forward()).toThrow(/ModuleList has no forward/);
    expect(() => m.heads.set("x.y", new ReLU())).toThrow(/can't contain "."/);
  });
});

describe("loss modules", () => {
  const pred = tensor([[0.5, -1], [2, 0]], { dtype: "float64" });
  const target = tensor([[1, 0], [1, 1]], { dtype: "float64" });

  test("regression losses pass their options", () => {
    expectValues(new MSELoss().forward(pred, target), [(0.25 + 1 + 1 + 1) / 4], 12);
    expectValues(new MSELoss({ reduction: "sum" }).forward(pred, target), [3.25], 12);
    expectValues(new L1Loss().forward(pred, target), [(0.5 + 1 + 1 + 1) / 4], 12);
    expect(new L1Loss({ reduction: "none" }).forward(pred, target).shape).toEqual([2, 2]);
  });

  test("classification losses: weights are buffers named as PyTorch", () => {
    const logits = randn([4, 3], { dtype: "float64" });
    const labels = tensor([0, 2, 1, 2], { dtype: "int32" });
    const w = tensor([1, 2, 0.5], { dtype: "float64" });
    const ce = new CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 });
    expect(Object.keys(ce.stateDict())).toEqual(["weight"]);
    expectValues(ce.forward(logits, labels), vals(F.crossEntropy(logits, labels, { weight: w, labelSmoothing: 0.1 })), 12);
    const nll = new NLLLoss({ ignoreIndex: 2 });
    expect(Object.keys(nll.stateDict())).toEqual([]);
    const logp = logits.logSoftmax(1);
    expectValues(nll.forward(logp, labels), vals(F.nllLoss(logp, labels, { ignoreIndex: 2 })), 12);
    const probs = pred.sigmoid();
    expectValues(new BCELoss().forward(probs, target), vals(F.binaryCrossEntropy(probs, target)), 12);
    const pw = tensor([2, 1], { dtype: "float64" });
    const bce = new BCEWithLogitsLoss({ posWeight: pw });
    expect(Object.keys(bce.stateDict())).toEqual(["pos_weight"]);
    expectValues(bce.forward(pred, target), vals(F.binaryCrossEntropyWithLogits(pred, target, { posWeight: pw })), 12);
    expect(String(new MSELoss({ reduction: "sum" }))).toBe('MSELoss(reduction="sum")');
  });

  test("to() casts a loss module's weight buffer", () => {
    const ce = new CrossEntropyLoss({ weight: ones([3]) }).to("float64");
    expect(ce.weight!.dtype).toBe("float64");
    expect(zeros([1]).dtype).toBe("float32");
  });
});
