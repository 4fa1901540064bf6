/**
 * Finite-difference gradient checks (float64, small tensors) for every differentiable
 * `functional` op, with respect to every floating point input that PyTorch differentiates.
 * Inputs avoid the kinks of piecewise functions (0 for relu/abs, ±beta for smoothL1, ties for
 * max pooling), where central differences are not meaningful.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { type Tensor, enableGrad, grad, gradcheck, linspace, manualSeed, randn, rand, tensor, tidy } from "@tessera/autograd";
import * as F from "../src/functional/index.js";

const f64 = { dtype: "float64" as const };

/** A float64 leaf that requires grad, from the global generator. */
function leaf(shape: number[], scale = 1, shift = 0): Tensor {
  return tidy(() => randn(shape, f64).mul(scale).add(shift)).requiresGrad_(true);
}

/** Uniform values in [lo, hi), as a leaf. */
function uniformLeaf(shape: number[], lo: number, hi: number, requiresGrad = true): Tensor {
  const t = tidy(() => rand(shape, f64).mul(hi - lo).add(lo));
  return requiresGrad ? t.requiresGrad_(true) : t;
}

/** Values whose magnitude is at least `min` (away from kinks at 0), as a leaf. */
function awayFromZero(shape: number[], min = 0.1): Tensor {
  return tidy(() => {
    const r = randn(shape, f64);
    return r.sign().mul(r.abs().add(min));
  }).requiresGrad_(true);
}

function int32(data: number[] | number[][]): Tensor {
  return tensor(data, { dtype: "int32" });
}

function check(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  expect(gradcheck(fn, inputs, { eps: 1e-6, atol: 1e-7, rtol: 1e-5 })).toBe(true);
}

describe("gradcheck: activations", () => {
  beforeEach(() => manualSeed(1));
  it("relu", () => check((x) => F.relu(x), [awayFromZero([3, 4])]));
  it("leakyRelu", () => check((x) => F.leakyRelu(x, 0.2), [awayFromZero([3, 4])]));
  it("gelu exact", () => check((x) => F.gelu(x), [leaf([3, 4], 2)]));
  it("gelu tanh", () => check((x) => F.gelu(x, { approximate: "tanh" }), [leaf([3, 4], 2)]));
  it("silu", () => check((x) => F.silu(x), [leaf([3, 4], 2)]));
  it("sigmoid", () => check((x) => F.sigmoid(x), [leaf([5])]));
  it("tanh", () => check((x) => F.tanh(x), [leaf([5])]));
  it("softmax", () => check((x) => F.softmax(x, 1), [leaf([2, 3, 2])]));
  it("logSoftmax", () => check((x) => F.logSoftmax(x, -1), [leaf([2, 4])]));
});

describe("gradcheck: linear, convolution, pooling", () => {
  beforeEach(() => manualSeed(2));
  it("linear", () => check((x, w, b) => F.linear(x, w, b), [leaf([2, 3, 4]), leaf([2, 4]), leaf([2])]));
  it("conv2d padding same (asymmetric)", () =>
    check((x, w, b) => F.conv2d(x, w, b, { padding: "same" }), [leaf([1, 2, 4, 3]), leaf([2, 2, 2, 2]), leaf([2])]));
  it("conv2d stride, dilation, groups", () =>
    check((x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1, dilation: [1, 2], groups: 2 }), [leaf([1, 4, 5, 5]), leaf([2, 2, 2, 2])]));
  it("maxPool2d", () => check((x) => F.maxPool2d(x, { kernelSize: 2, stride: 1, padding: 1 }), [leaf([1, 2, 3, 3])]));
  it("avgPool2d", () =>
    check((x) => F.avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [leaf([1, 1, 4, 5])]));
  it("adaptiveAvgPool2d non-divisible", () => check((x) => F.adaptiveAvgPool2d(x, [3, 2]), [leaf([1, 2, 5, 3])]));
  it("adaptiveAvgPool2d divisible", () => check((x) => F.adaptiveAvgPool2d(x, 2), [leaf([2, 4, 4])]));
});

describe("gradcheck: dropout, normalization, embedding, padding, attention", () => {
  beforeEach(() => manualSeed(3));
  it("dropout (same mask each evaluation)", () =>
    check((x) => {
      manualSeed(42);
      return F.dropout(x, { p: 0.4 });
    }, [leaf([4, 5])]));
  it("layerNorm with weight and bias", () =>
    check((x, w, b) => F.layerNorm(x, [2, 3], { weight: w, bias: b }), [leaf([2, 2, 3]), leaf([2, 3]), leaf([2, 3])]));
  it("batchNorm training (batch statistics)", () =>
    check((x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [leaf([3, 2, 2]), leaf([2]), leaf([2])]));
  it("batchNorm evaluation (running statistics)", () => {
    const rm = tensor([0.5, -1], f64);
    const rv = tensor([2, 0.5], f64);
    check((x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b }), [leaf([2, 2, 3]), leaf([2]), leaf([2])]);
  });
  it("embedding", () => check((w) => F.embedding(int32([[0, 2], [2, 3]]), w), [leaf([4, 3])]));
  it("pad constant with crop", () => check((x) => F.pad(x, [1, -1, 2, 0], { value: 3 }), [leaf([2, 3, 3])]));
  it("pad reflect", () => check((x) => F.pad(x, [2, 1, 1, 1], { mode: "reflect" }), [leaf([1, 3, 3])]));
  it("pad replicate", () => check((x) => F.pad(x, [2, 2], { mode: "replicate" }), [leaf([2, 3])]));
  it("pad circular", () => check((x) => F.pad(x, [1, 3, 2, 0], { mode: "circular" }), [leaf([1, 3, 3])]));
  it("scaledDotProductAttention with a bool mask", () => {
    const mask = tensor([[true, false, true], [true, true, false]]);
    check((q, k, v) => F.scaledDotProductAttention(q, k, v, { attnMask: mask }), [leaf([2, 2, 4]), leaf([2, 3, 4]), leaf([2, 3, 2])]);
  });
  it("scaledDotProductAttention causal with a float mask leaf and scale", () => {
    check((q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true, scale: 0.7 }), [leaf([3, 2]), leaf([3, 2]), leaf([3, 2])]);
    check((q, k, v, m) => F.scaledDotProductAttention(q, k, v, { attnMask: m }), [leaf([2, 3]), leaf([4, 3]), leaf([4, 2]), leaf([2, 4])]);
  });
});

describe("gradcheck: losses", () => {
  beforeEach(() => manualSeed(4));
  for (const reduction of ["mean", "sum", "none"] as const) {
    it(`mseLoss ${reduction}`, () => check((a, b) => F.mseLoss(a, b, { reduction }), [leaf([3, 2]), leaf([3, 2])]));
  }
  it("l1Loss", () => {
    const target = tensor([[0, 0], [0, 0]], f64);
    check((a) => F.l1Loss(a, target), [awayFromZero([2, 2])]);
  });
  it("smoothL1Loss and huberLoss on both branches", () => {
    const input = tensor([0.1, -0.3, 2, -1.7, 0.45], { ...f64, requiresGrad: true });
    const target = tensor([0, 0, 0.5, 0, 0], { ...f64, requiresGrad: true });
    check((a, b) => F.smoothL1Loss(a, b, { beta: 0.5 }), [input, target]);
    check((a, b) => F.huberLoss(a, b, { delta: 0.5, reduction: "sum" }), [input, target]);
  });
  it("nllLoss 4-D with weight and ignoreIndex", () => {
    const target = int32([[0, 2], [-100, 1]]).reshape([2, 2, 1]);
    const weight = tensor([0.5, 1.5, 2], f64);
    check((x) => F.nllLoss(x, target, { weight }), [leaf([2, 3, 2, 1])]);
  });
  it("crossEntropy class indices with weight, ignoreIndex and labelSmoothing", () => {
    const target = int32([1, 0, 3, 3]);
    const weight = tensor([0.5, 1, 2, 1.5], f64);
    for (const reduction of ["mean", "sum", "none"] as const) {
      check((x) => F.crossEntropy(x, target, { weight, ignoreIndex: 0, labelSmoothing: 0.2, reduction }), [leaf([4, 4], 2)]);
    }
  });
  it("crossEntropy class probabilities (input and target)", () => {
    const weight = tensor([0.5, 1, 2], f64);
    check((x, t) => F.crossEntropy(x, t, { weight, labelSmoothing: 0.1 }), [leaf([2, 3, 2]), uniformLeaf([2, 3, 2], 0, 1)]);
  });
  it("binaryCrossEntropy (input, target, weight)", () =>
    check((x, t, w) => F.binaryCrossEntropy(x, t, { weight: w }), [uniformLeaf([3, 2], 0.1, 0.9), uniformLeaf([3, 2], 0, 1), uniformLeaf([2], 0.5, 2)]));
  it("binaryCrossEntropyWithLogits (input, target, weight, posWeight)", () =>
    check(
      (x, t, w, p) => F.binaryCrossEntropyWithLogits(x, t, { weight: w, posWeight: p, reduction: "sum" }),
      [leaf([3, 2], 3), uniformLeaf([3, 2], 0, 1), uniformLeaf([3, 1], 0.5, 2), uniformLeaf([2], 0.5, 3)],
    ));
});

/**
 * The gradient of `Σ fn(...xs)·c` (c fixed weights, so the seed is not uniform) with respect to the first
 * input, recorded with createGraph; `enableGrad` because gradcheck evaluates it inside noGrad.
 */
function firstGrad(fn: (...xs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor {
  return (...xs) =>
    enableGrad(() => {
      const y = fn(...xs);
      const c = linspace(0.5, 1.5, y.numel(), f64).reshape(y.shape);
      return grad([y.mul(c).sum()], [xs[0]!], { createGraph: true })[0]!;
    });
}

describe("second-order gradients (gradcheck of a createGraph gradient)", () => {
  beforeEach(() => manualSeed(5));
  it("gelu (both forms), silu, leakyRelu", () => {
    check(firstGrad((x) => F.gelu(x)), [leaf([4])]);
    check(firstGrad((x) => F.gelu(x, { approximate: "tanh" })), [leaf([4])]);
    check(firstGrad((x) => F.silu(x)), [leaf([4])]);
    check(firstGrad((x) => F.leakyRelu(x, 0.3).mul(x)), [awayFromZero([4])]);
  });
  it("layerNorm and batchNorm", () => {
    check(firstGrad((x) => F.layerNorm(x, [3])), [leaf([2, 3])]);
    check(firstGrad((x) => F.batchNorm(x, null, null, { training: true })), [leaf([3, 2])]);
  });
  it("crossEntropy with label smoothing, and binary cross entropy (both forms)", () => {
    const target = int32([2, 0]);
    check(firstGrad((x) => F.crossEntropy(x, target, { labelSmoothing: 0.1 })), [leaf([2, 3])]);
    const t = tensor([0.2, 1, 0], f64);
    check(firstGrad((x) => F.binaryCrossEntropyWithLogits(x, t, { posWeight: tensor([2], f64) })), [leaf([3])]);
    check(firstGrad((x) => F.binaryCrossEntropy(x, t)), [uniformLeaf([3], 0.2, 0.8)]);
  });
  it("attention, adaptiveAvgPool2d, pad reflect, embedding", () => {
    check(firstGrad((q, k) => F.scaledDotProductAttention(q, k, k, { isCausal: true })), [leaf([3, 2]), leaf([3, 2])]);
    check(firstGrad((x) => F.adaptiveAvgPool2d(x, [2, 2]).mul(x.sum())), [leaf([1, 3, 3])]);
    check(firstGrad((x) => F.pad(x, [1, 2], { mode: "reflect" })), [leaf([2, 3])]);
    check(firstGrad((w) => F.embedding(int32([1, 1, 0]), w)), [leaf([2, 2])]);
  });
});
