/**
 * Hand-computed values and behaviours of the `functional` ops: the numbers a reader can check
 * on paper, dropout's statistics, running-statistics updates, gradients that must be exactly
 * zero, numerical stability at the extremes, and that the ops free their intermediates.
 */
import { describe, expect, it } from "vitest";
import { type Tensor, manualSeed, memory, ones, onesLike, randn, tensor, zeros } from "@tessera/autograd";
import * as F from "../src/functional/index.js";

const f64 = { dtype: "float64" as const };

function t64(data: number | number[] | number[][] | number[][][] | number[][][][], requiresGrad = false): Tensor {
  return tensor(data, { ...f64, requiresGrad });
}

function int32(data: number | number[] | number[][]): Tensor {
  return tensor(data, { dtype: "int32" });
}

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

function expectValues(t: Tensor, expected: number[], digits = 12): void {
  const got = values(t);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i]!, digits));
}

describe("activations", () => {
  it("relu, leakyRelu, sigmoid, tanh", () => {
    const x = t64([-2, -0.5, 0, 1.5]);
    expectValues(F.relu(x), [0, 0, 0, 1.5]);
    expectValues(F.leakyRelu(x), [-0.02, -0.005, 0, 1.5]);
    expectValues(F.leakyRelu(x, 0.5), [-1, -0.25, 0, 1.5]);
    expectValues(F.sigmoid(t64([0, Math.log(3)])), [0.5, 0.75]);
    expectValues(F.tanh(t64([0, Math.atanh(0.25)])), [0, 0.25]);
  });

  it("leakyRelu's gradient is the slope at and below 0, as PyTorch", () => {
    const x = t64([-1, 0, 2], true);
    F.leakyRelu(x, 0.1).sum().backward();
    expectValues(x.grad!, [0.1, 0.1, 1]);
  });

  it("gelu: exact is x·Φ(x); the tanh form is close to it", () => {
    // Φ(1) = 0.8413447460685429, Φ(-1) = 1 - Φ(1).
    expectValues(F.gelu(t64([0, 1, -1])), [0, 0.8413447460685429, -(1 - 0.8413447460685429)], 14);
    const x = t64([-3, -1, 0.5, 2]);
    const exact = values(F.gelu(x));
    const approx = values(F.gelu(x, { approximate: "tanh" }));
    approx.forEach((v, i) => expect(Math.abs(v - exact[i]!)).toBeLessThan(1e-3));
    expect(approx[0]).not.toBe(exact[0]);
  });

  it("silu(x) = x·sigmoid(x)", () => {
    expectValues(F.silu(t64([0, 1, -2])), [0, 1 / (1 + Math.exp(-1)), -2 / (1 + Math.exp(2))]);
  });

  it("softmax and logSoftmax along a dim", () => {
    const x = t64([[1, 1, 1], [0, Math.log(2), Math.log(3)]]);
    expectValues(F.softmax(x, 1), [1 / 3, 1 / 3, 1 / 3, 1 / 6, 2 / 6, 3 / 6]);
    expectValues(F.logSoftmax(x, -1), [1, 1, 1, 1, 2, 3].map((v, i) => Math.log(i < 3 ? 1 / 3 : v / 6)));
    const e = Math.E;
    expectValues(F.softmax(x, 0), [e / (e + 1), e / (e + 2), e / (e + 3), 1 / (e + 1), 2 / (e + 2), 3 / (e + 3)]);
  });

  it("softmax is stable for large logits", () => {
    expectValues(F.softmax(t64([1000, 1000]), 0), [0.5, 0.5]);
    expectValues(F.logSoftmax(t64([1000, 0]), 0), [0, -1000]);
  });
});

describe("linear", () => {
  it("computes input @ weightᵀ + bias", () => {
    const x = t64([[1, 2], [3, 4]]);
    const w = t64([[1, 0], [0, 1], [1, 1]]);
    expectValues(F.linear(x, w), [1, 2, 3, 3, 4, 7]);
    expectValues(F.linear(x, w, t64([10, 20, 30])), [11, 22, 33, 13, 24, 37]);
    expect(F.linear(randn([2, 5, 2], f64), w).shape).toEqual([2, 5, 3]);
  });
});

describe("convolution and pooling", () => {
  it("conv2d padding 'same' keeps H and W, with the extra padding at the end", () => {
    // 1×1×1×3 input [1, 2, 3], kernel [1, 10] (total padding 1 → 0 before, 1 after).
    const y = F.conv2d(t64([[[[1, 2, 3]]]]), t64([[[[1, 10]]]]), null, { padding: "same" });
    expect(y.shape).toEqual([1, 1, 1, 3]);
    expectValues(y, [1 + 20, 2 + 30, 3]);
    expect(F.conv2d(randn([1, 2, 5, 4], f64), randn([3, 2, 3, 3], f64), null, { padding: "same", dilation: 2 }).shape).toEqual([1, 3, 5, 4]);
    expect(F.conv2d(randn([1, 2, 5, 4], f64), randn([3, 2, 3, 3], f64), null, { padding: "valid" }).shape).toEqual([1, 3, 3, 2]);
  });

  it("maxPool2d and avgPool2d", () => {
    const x = t64([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
    expectValues(F.maxPool2d(x, { kernelSize: 2 }), [6, 8, 14, 16]);
    expectValues(F.avgPool2d(x, { kernelSize: 2 }), [3.5, 5.5, 11.5, 13.5]);
    expectValues(F.avgPool2d(x, { kernelSize: [1, 4], divisorOverride: 2 }), [5, 13, 21, 29]);
  });

  it("adaptiveAvgPool2d uses PyTorch's overlapping bins for non-divisible sizes", () => {
    // Rows [0, 1, 2] into 2 bins: [0, 2) and [1, 3).
    const x = t64([[[[0], [3], [6]]]]);
    expectValues(F.adaptiveAvgPool2d(x, [2, 1]), [1.5, 4.5]);
    // Global average pooling.
    const y = randn([2, 3, 4, 5], f64);
    const pooled = F.adaptiveAvgPool2d(y, 1);
    expect(pooled.shape).toEqual([2, 3, 1, 1]);
    expectValues(pooled, values(y.mean({ dim: [2, 3], keepdim: true })));
  });

  it("adaptiveAvgPool2d to the input size returns the values, not the input object", () => {
    const x = randn([1, 2, 3, 3], f64);
    const y = F.adaptiveAvgPool2d(x, [3, 3]);
    expect(y).not.toBe(x);
    y.dispose();
    expect(x.isDisposed).toBe(false);
  });
});

describe("dropout", () => {
  it("zeroes about p of the elements and scales the rest by 1/(1-p)", () => {
    manualSeed(7);
    const n = 100_000;
    const y = values(F.dropout(ones([n], f64), { p: 0.3 }));
    let zerosCount = 0;
    let sum = 0;
    let badScale = 0;
    for (const v of y) {
      if (v === 0) zerosCount++;
      else if (Math.abs(v - 1 / 0.7) > 1e-14) badScale++;
      sum += v;
    }
    expect(badScale, "kept elements not scaled by 1/(1-p)").toBe(0);
    // Binomial(n, 0.3): standard deviation √(n·0.3·0.7) ≈ 145; allow 5σ.
    expect(Math.abs(zerosCount - 0.3 * n)).toBeLessThan(5 * Math.sqrt(n * 0.21));
    expect(Math.abs(sum / n - 1)).toBeLessThan(0.01);
  });

  it("its gradient is the same mask, scaled", () => {
    manualSeed(8);
    const x = randn([50], { ...f64, requiresGrad: true });
    const y = F.dropout(x, { p: 0.5 });
    y.sum().backward();
    const yv = values(y);
    const xv = values(x);
    values(x.grad!).forEach((g, i) => {
      expect(g === 0 || g === 2).toBe(true);
      expect(yv[i]).toBeCloseTo(xv[i]! * g, 14);
    });
  });

  it("is the identity (a new object) when not training or p = 0, and zeros when p = 1", () => {
    const x = t64([1, -2, 3], true);
    for (const y of [F.dropout(x, { training: false }), F.dropout(x, { p: 0 })]) {
      expect(y).not.toBe(x);
      expectValues(y, [1, -2, 3]);
    }
    const z = F.dropout(x, { p: 1 });
    expectValues(z, [0, 0, 0]);
    z.sum().backward();
    expectValues(x.grad!, [0, 0, 0]);
  });

  it("is reproducible with manualSeed", () => {
    manualSeed(3);
    const a = values(F.dropout(ones([64]), { p: 0.5 }));
    manualSeed(3);
    expect(values(F.dropout(ones([64]), { p: 0.5 }))).toEqual(a);
  });
});

describe("normalization", () => {
  it("layerNorm normalizes the trailing dims with the biased variance", () => {
    const y = F.layerNorm(t64([[1, 2, 3], [2, 2, 2]]), [3], { eps: 0 + 1e-5 });
    const s = 1 / Math.sqrt(2 / 3 + 1e-5);
    expectValues(y, [-s, 0, s, 0, 0, 0]);
    const w = t64([1, 2, 3]);
    const b = t64([0, 1, 0]);
    expectValues(F.layerNorm(t64([1, 2, 3]), [3], { weight: w, bias: b }), [-s, 1, 3 * s]);
  });

  it("batchNorm in training normalizes with batch statistics and updates the running ones (unbiased variance)", () => {
    const x = t64([[1, 10], [3, 20]]); // channel 0: mean 2, biased var 1, unbiased 2; channel 1: mean 15, var 25 / 50
    const rm = zeros([2], f64);
    const rv = ones([2], f64);
    const y = F.batchNorm(x, rm, rv, { training: true, eps: 0 });
    expectValues(y, [-1, -1, 1, 1]);
    expectValues(rm, [0.2, 1.5]);
    expectValues(rv, [0.9 + 0.2, 0.9 + 5]);
    F.batchNorm(x, rm, rv, { training: true, momentum: 0.5, eps: 0 });
    expectValues(rm, [1.1, 8.25]);
  });

  it("batchNorm in evaluation uses the running statistics and leaves them alone", () => {
    const rm = t64([1, -1]);
    const rv = t64([4, 0.25]);
    const x = t64([[[3, 1]], [[-1, 0]]]).reshape([2, 2, 1]);
    const y = F.batchNorm(x, rm, rv, { weight: t64([2, 1]), bias: t64([0, 1]), eps: 0 });
    expectValues(y, [2, 5, -2, 3]);
    expectValues(rm, [1, -1]);
    expectValues(rv, [4, 0.25]);
  });

  it("batchNorm's running statistics stay out of the graph", () => {
    const x = randn([4, 3], { ...f64, requiresGrad: true });
    const rm = zeros([3], f64);
    const rv = ones([3], f64);
    F.batchNorm(x, rm, rv, { training: true }).sum().backward();
    expect(rm.requiresGrad).toBe(false);
    expect(rm.gradFn).toBeNull();
    expect(rv.gradFn).toBeNull();
  });
});

describe("embedding and oneHot", () => {
  it("picks rows and sums the gradient of repeated indices", () => {
    const w = t64([[0, 1], [2, 3], [4, 5]], true);
    const y = F.embedding(int32([[2, 0], [2, 2]]), w);
    expect(y.shape).toEqual([2, 2, 2]);
    expectValues(y, [4, 5, 0, 1, 4, 5, 4, 5]);
    y.sum().backward();
    expectValues(w.grad!, [1, 1, 0, 0, 3, 3]);
  });

  it("sends no gradient to the paddingIdx row, but still returns its values", () => {
    const w = t64([[0, 1], [2, 3], [4, 5]], true);
    const y = F.embedding(int32([1, 0, 1, 2]), w, { paddingIdx: 1 });
    expectValues(y, [2, 3, 0, 1, 2, 3, 4, 5]);
    y.mul(t64([[1, 2], [3, 4], [5, 6], [7, 8]])).sum().backward();
    expectValues(w.grad!, [3, 4, 0, 0, 7, 8]);
  });

  it("oneHot gives int32 one-hot rows, inferring the class count", () => {
    const y = F.oneHot(int32([[0, 2], [1, 0]]));
    expect(y.dtype).toBe("int32");
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.dataSync())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]);
    expect(F.oneHot(int32([1]), 4).tolistSync()).toEqual([[0, 1, 0, 0]]);
  });
});

describe("pad", () => {
  const row = () => t64([[1, 2, 3]]);
  it("constant, with crop", () => {
    expectValues(F.pad(row(), [1, 2]), [0, 1, 2, 3, 0, 0]);
    expectValues(F.pad(row(), [1, 0], { value: -1 }), [-1, 1, 2, 3]);
    expectValues(F.pad(row(), [-1, 1]), [2, 3, 0]);
    expect(F.pad(row(), [0, 0, 1, 1]).shape).toEqual([3, 3]);
  });
  it("reflect, replicate, circular", () => {
    expectValues(F.pad(row(), [2, 1], { mode: "reflect" }), [3, 2, 1, 2, 3, 2]);
    expectValues(F.pad(row(), [2, 1], { mode: "replicate" }), [1, 1, 1, 2, 3, 3]);
    expectValues(F.pad(row(), [2, 3], { mode: "circular" }), [2, 3, 1, 2, 3, 1, 2, 3]);
  });
  it("the gradient of a reflected element sums over its copies", () => {
    const x = t64([1, 2, 3], true);
    F.pad(x, [2, 2], { mode: "reflect" }).sum().backward(); // [3, 2, 1, 2, 3, 2, 1]
    expectValues(x.grad!, [2, 3, 2]);
  });
  it("zero padding returns a new object", () => {
    const x = row();
    expect(F.pad(x, [0, 0])).not.toBe(x);
    expect(F.pad(x, [0, 0], { mode: "reflect" })).not.toBe(x);
  });
});

describe("scaledDotProductAttention", () => {
  it("averages the values uniformly when all scores are equal", () => {
    const q = zeros([2, 3], f64);
    const k = randn([4, 3], f64);
    const v = t64([[1, 0], [2, 0], [3, 0], [6, 4]]);
    expectValues(F.scaledDotProductAttention(q, k, v), [3, 1, 3, 1]);
  });
  it("causal: query i attends to keys 0…i", () => {
    const q = zeros([3, 2], f64);
    const v = t64([[3], [6], [9]]);
    expectValues(F.scaledDotProductAttention(q, zeros([3, 2], f64), v, { isCausal: true }), [3, 4.5, 6]);
  });
  it("a bool mask equals the float mask of 0 / -Infinity", () => {
    const q = randn([2, 3], f64);
    const k = randn([3, 3], f64);
    const v = randn([3, 2], f64);
    const mask = tensor([[true, false, true], [false, true, true]]);
    const additive = t64([[0, -Infinity, 0], [-Infinity, 0, 0]]);
    const a = values(F.scaledDotProductAttention(q, k, v, { attnMask: mask }));
    const b = values(F.scaledDotProductAttention(q, k, v, { attnMask: additive }));
    a.forEach((x, i) => expect(x).toBeCloseTo(b[i]!, 14));
  });
});

describe("losses", () => {
  it("mseLoss, l1Loss, smoothL1Loss, huberLoss", () => {
    const a = t64([1, 2, -1]);
    const b = t64([0, 0, 0]);
    expectValues(F.mseLoss(a, b), [2]);
    expectValues(F.mseLoss(a, b, { reduction: "sum" }), [6]);
    expectValues(F.mseLoss(a, b, { reduction: "none" }), [1, 4, 1]);
    expectValues(F.l1Loss(a, b), [4 / 3]);
    expectValues(F.smoothL1Loss(t64([0.5, 3]), t64([0, 0]), { reduction: "none" }), [0.125, 2.5]);
    expectValues(F.huberLoss(t64([0.5, 3]), t64([0, 0]), { delta: 2, reduction: "none" }), [0.125, 4]);
    expectValues(F.smoothL1Loss(t64([0.5, -3]), t64([0, 0]), { beta: 0, reduction: "none" }), [0.5, 3]);
  });

  it("nllLoss: weighted mean divides by the weights of the targets that count", () => {
    const logp = t64([[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]);
    const target = int32([0, 2, 1]);
    const weight = t64([1, 2, 3]);
    expectValues(F.nllLoss(logp, target), [(1 + 6 + 8) / 3]);
    expectValues(F.nllLoss(logp, target, { weight }), [(1 + 3 * 6 + 2 * 8) / 6]);
    expectValues(F.nllLoss(logp, target, { weight, ignoreIndex: 2 }), [(1 + 2 * 8) / 3]);
    expectValues(F.nllLoss(logp, target, { weight, reduction: "none" }), [1, 18, 16]);
    expectValues(F.nllLoss(logp, target, { reduction: "sum", ignoreIndex: 0 }), [14]);
  });

  it("nllLoss / crossEntropy with every target ignored is NaN for mean, 0 for sum", () => {
    const x = t64([[1, 2], [3, 4]]);
    const target = int32([-100, -100]);
    expect(Number.isNaN(F.crossEntropy(x, target).itemSync())).toBe(true);
    expect(F.crossEntropy(x, target, { reduction: "sum" }).itemSync()).toBe(0);
  });

  it("crossEntropy of equal logits is log C; label smoothing mixes in the uniform loss", () => {
    expectValues(F.crossEntropy(zeros([2, 4], f64), int32([1, 3])), [Math.log(4)]);
    // logits [0, ln 3] → p = [1/4, 3/4]. Target 1: nll = −ln(3/4); uniform part = −(ln(1/4) + ln(3/4)).
    const x = t64([[0, Math.log(3)]]);
    const nll = -Math.log(0.75);
    const uniform = -(Math.log(0.25) + Math.log(0.75));
    const eps = 0.2;
    expectValues(F.crossEntropy(x, int32([1]), { labelSmoothing: eps }), [(1 - eps) * nll + (eps / 2) * uniform]);
    // The same with a probability target [eps/2, 1 - eps/2].
    expectValues(F.crossEntropy(x, t64([[eps / 2, 1 - eps / 2]])), [(1 - eps) * nll + (eps / 2) * uniform]);
  });

  it("crossEntropy's gradient for class indices is softmax − onehot (mean over N)", () => {
    const x = t64([[0, Math.log(3)], [Math.log(3), 0]], true);
    F.crossEntropy(x, int32([1, 1])).backward();
    expectValues(x.grad!, [0.25 / 2, -0.25 / 2, 0.75 / 2, -0.75 / 2]);
  });

  it("binaryCrossEntropy clamps log at -100 and keeps finite gradients at 0 and 1", () => {
    expectValues(F.binaryCrossEntropy(t64([0.5]), t64([1])), [Math.log(2)]);
    const x = t64([0, 1, 1, 0], true);
    const loss = F.binaryCrossEntropy(x, t64([1, 0, 1, 0]), { reduction: "none" });
    expectValues(loss, [100, 100, 0, 0]);
    loss.sum().backward();
    const g = values(x.grad!);
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g[2]).toBe(0);
    expect(g[3]).toBe(0);
  });

  it("binaryCrossEntropyWithLogits is stable for large logits and matches the sigmoid form", () => {
    expectValues(F.binaryCrossEntropyWithLogits(t64([100, -100, 0]), t64([0, 0, 1]), { reduction: "none" }), [100, 0, Math.log(2)]);
    const x = t64([-1.5, 0.3, 2]);
    const t = t64([0, 1, 0.25]);
    const viaSigmoid = values(F.binaryCrossEntropy(F.sigmoid(x), t, { reduction: "none" }));
    expectValues(F.binaryCrossEntropyWithLogits(x, t, { reduction: "none" }), viaSigmoid);
    // posWeight p scales the positive term: t = 1 → p·softplus(−x).
    expectValues(F.binaryCrossEntropyWithLogits(t64([0]), t64([1]), { posWeight: t64([3]) }), [3 * Math.log(2)]);
  });
});

describe("float32", () => {
  it("every op runs in float32 (the default dtype) and agrees with float64", () => {
    manualSeed(11);
    const x64 = randn([2, 3, 4, 4], f64);
    const w64 = randn([3, 3, 2, 2], f64).mul(0.5);
    const t = tensor([[0, 2, 1, 1], [2, 2, 0, 1]], { dtype: "int32" });
    const cases: [string, (x: Tensor, w: Tensor) => Tensor][] = [
      ["gelu", (x) => F.gelu(x, { approximate: "tanh" })],
      ["silu", (x) => F.silu(x)],
      ["leakyRelu", (x) => F.leakyRelu(x)],
      ["linear", (x, w) => F.linear(x, w.reshape([3, 12]).narrow(1, 0, 4))],
      ["conv2d same", (x, w) => F.conv2d(x, w, null, { padding: "same" })],
      ["maxPool2d", (x) => F.maxPool2d(x, { kernelSize: 2 })],
      ["avgPool2d", (x) => F.avgPool2d(x, { kernelSize: 3, padding: 1, stride: 2 })],
      ["adaptiveAvgPool2d", (x) => F.adaptiveAvgPool2d(x, 3)],
      ["layerNorm", (x) => F.layerNorm(x, [4, 4])],
      ["batchNorm", (x) => F.batchNorm(x, zeros([3], { dtype: x.dtype }), ones([3], { dtype: x.dtype }), { training: true })],
      ["pad circular", (x) => F.pad(x, [1, 1, 1, 1], { mode: "circular" })],
      ["attention causal", (x) => F.scaledDotProductAttention(x, x, x, { isCausal: true })],
      ["attention mask", (x) => F.scaledDotProductAttention(x, x, x, { attnMask: tensor([true, false, true, true]) })],
      ["crossEntropy", (x) => F.crossEntropy(x.select(3, 0), t, { labelSmoothing: 0.1, weight: ones([3], { dtype: x.dtype }) })],
      ["crossEntropy probabilities", (x) => F.crossEntropy(x, x.softmax(1))],
      ["nllLoss", (x) => F.nllLoss(x.select(3, 0).logSoftmax(1), t)],
      ["mseLoss", (x) => F.mseLoss(x, x.mul(0.5))],
      ["binaryCrossEntropy", (x) => F.binaryCrossEntropy(x.sigmoid(), x.sigmoid().mul(0.5))],
      ["binaryCrossEntropyWithLogits", (x) => F.binaryCrossEntropyWithLogits(x, x.sigmoid(), { posWeight: ones([4], { dtype: x.dtype }) })],
    ];
    for (const [name, fn] of cases) {
      const x32 = x64.to("float32").requiresGrad_(true);
      const y32 = fn(x32, w64.to("float32"));
      expect(y32.dtype, name).toBe("float32");
      y32.sum().backward();
      expect(x32.grad!.dtype, name).toBe("float32");
      const y = values(fn(x64, w64));
      values(y32).forEach((v, i) => expect(Math.abs(v - y[i]!), `${name}[${i}]`).toBeLessThan(1e-4 * (1 + Math.abs(y[i]!))));
    }
  });
});

describe("memory", () => {
  it("every op frees its intermediates: forward leaves only the output, backward only .grad", () => {
    const x = randn([4, 3], { ...f64, requiresGrad: true });
    const w = randn([3, 3], { ...f64, requiresGrad: true });
    const probs = F.sigmoid(x).detach();
    const target = int32([0, 2, 1, 2]);
    const img = x.detach().reshape([1, 1, 4, 3]).requiresGrad_(true);
    const [row0, row1, row2] = [w.select(0, 0), w.select(0, 1), w.select(0, 2)];
    const kernel = w.reshape([1, 1, 3, 3]).narrow(2, 0, 2);
    const p = probs.mul(0.5).add(0.25).requiresGrad_(true);
    const classWeight = probs.select(0, 0);
    const ops: [string, () => Tensor][] = [
      ["gelu", () => F.gelu(x)],
      ["leakyRelu", () => F.leakyRelu(x)],
      ["linear", () => F.linear(x, w, row0)],
      ["conv2d same", () => F.conv2d(img, kernel, null, { padding: "same" })],
      ["adaptiveAvgPool2d", () => F.adaptiveAvgPool2d(img, [3, 2])],
      ["dropout", () => F.dropout(x, { p: 0.5 })],
      ["layerNorm", () => F.layerNorm(x, [3], { weight: row1, bias: row2 })],
      ["batchNorm", () => F.batchNorm(x, null, null, { training: true })],
      ["embedding", () => F.embedding(target, w, { paddingIdx: 0 })],
      ["pad reflect", () => F.pad(x, [1, 1, 2, 0], { mode: "reflect" })],
      ["pad crop", () => F.pad(x, [-1, 1])],
      ["attention", () => F.scaledDotProductAttention(x, x, x, { isCausal: true })],
      ["mseLoss", () => F.mseLoss(x, probs)],
      ["crossEntropy", () => F.crossEntropy(x, target, { labelSmoothing: 0.1, weight: classWeight })],
      ["crossEntropy probabilities", () => F.crossEntropy(x, probs)],
      ["nllLoss", () => F.nllLoss(x, target, { reduction: "none" })],
      ["binaryCrossEntropy", () => F.binaryCrossEntropy(p, probs)],
      ["binaryCrossEntropyWithLogits", () => F.binaryCrossEntropyWithLogits(x, probs, { posWeight: classWeight })],
    ];
    for (const [name, op] of ops) {
      // Two rounds: the first may create lazily cached state; the second must balance exactly.
      for (let round = 0; round < 2; round++) {
        const before = memory();
        const out = op();
        if (round === 1) expect(memory().tensors - before.tensors, `${name}: live tensors after forward`).toBe(1);
        const seed = onesLike(out);
        out.backward(seed);
        for (const t of [out, seed, x.grad, w.grad, img.grad, p.grad]) t?.dispose();
        x.grad = w.grad = img.grad = p.grad = null;
        if (round === 1) {
          expect(memory().tensors, `${name}: live tensors after backward`).toBe(before.tensors);
          expect(memory().bytes, `${name}: live bytes after backward`).toBe(before.bytes);
        }
      }
    }
  });
});
