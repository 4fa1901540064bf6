/**
 * Errors of the `functional` ops: each names the op, the shapes or values involved, and the
 * fix, and is one of Tessera's error classes.
 */
import { describe, expect, it } from "vitest";
import { type Tensor, randn, tensor, zeros } from "@tessera/autograd";
import { DTypeError, ShapeError, TesseraError } from "@tessera/storage";
import * as F from "../src/functional/index.js";

const int32 = (data: number[]) => tensor(data, { dtype: "int32" });

/** Runs `fn`, expects it to throw `type`, and returns the message. */
function messageOf(fn: () => unknown, type: new (...args: any[]) => Error = TesseraError): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return (e as Error).message;
  }
  expect.fail("expected an error");
}

describe("errors that name the op, the shapes and the fix", () => {
  it("linear: mismatched features", () => {
    const m = messageOf(() => F.linear(randn([2, 3]), randn([4, 5])), ShapeError);
    expect(m).toMatch(/^linear:/);
    expect(m).toContain("[2, 3]");
    expect(m).toContain("[4, 5]");
    expect(m).toContain("inFeatures = 5");
    expect(messageOf(() => F.linear(randn([2, 5]), randn([4, 5]), randn([3])), ShapeError)).toContain("bias must have shape [4]");
    expect(messageOf(() => F.linear(randn([2, 5]), randn([4, 5], { dtype: "float64" })), DTypeError)).toContain("float32");
  });

  it("crossEntropy: float target of the wrong shape", () => {
    const m = messageOf(() => F.crossEntropy(randn([4, 3]), randn([4, 2])), ShapeError);
    expect(m).toMatch(/^crossEntropy:/);
    expect(m).toContain("probabilities");
    expect(m).toContain("[4, 3]");
    expect(m).toContain("[4, 2]");
    expect(m).toContain("int32 target of shape [4]");
  });

  it("crossEntropy / nllLoss: class index out of range names the class and C", () => {
    const m = messageOf(() => F.crossEntropy(randn([3, 5]), int32([0, 7, 1])));
    expect(m).toContain("target 7 is out of bounds for 5 classes");
    expect(m).toContain("[0, 4]");
    expect(messageOf(() => F.nllLoss(randn([2, 3]), int32([-1, 0])))).toContain("target -1 is out of bounds for 3 classes");
    // ignoreIndex is allowed even though it is out of range.
    expect(() => F.crossEntropy(randn([2, 3]), int32([-100, 2]))).not.toThrow();
    expect(() => F.crossEntropy(randn([2, 3]), int32([5, 2]), { ignoreIndex: 5 })).not.toThrow();
  });

  it("crossEntropy / nllLoss: class targets must be int32 of the input's shape without the class dim", () => {
    const m = messageOf(() => F.nllLoss(randn([2, 3]), tensor([[1], [2]], { dtype: "int32" })), ShapeError);
    expect(m).toContain("needs a class-index target of shape [2]");
    expect(messageOf(() => F.crossEntropy(randn([2, 3]), tensor([true, false])), DTypeError)).toContain('target.to("int32")');
    expect(messageOf(() => F.nllLoss(randn([2, 3]), tensor([0, 1], { dtype: "float64" })), DTypeError)).toContain("int32");
    const batch = messageOf(() => F.crossEntropy(randn([2, 3]), int32([0, 1, 2])), ShapeError);
    expect(batch).toContain("input batch size (2) to match target batch size (3)");
    expect(messageOf(() => F.crossEntropy(randn([2, 3, 4]), int32([0, 1])), ShapeError)).toContain("[2, 4]");
  });

  it("crossEntropy: weight and labelSmoothing are checked", () => {
    expect(messageOf(() => F.crossEntropy(randn([2, 3]), int32([0, 1]), { weight: randn([2]) }), ShapeError)).toContain("shape [3]");
    expect(messageOf(() => F.crossEntropy(randn([2, 3]), int32([0, 1]), { labelSmoothing: 1.5 }))).toContain("between 0.0 and 1.0");
    expect(messageOf(() => F.crossEntropy(randn([2, 3]), int32([0, 1]), { reduction: "avg" as never }))).toContain('"mean", "sum" or "none"');
  });

  it("regression and binary losses: shapes must match (no silent broadcasting)", () => {
    const m = messageOf(() => F.mseLoss(randn([4, 1]), randn([4])), ShapeError);
    expect(m).toMatch(/^mseLoss:/);
    expect(m).toContain("[4, 1]");
    expect(m).toContain("[4]");
    expect(m).toContain("Reshape");
    expect(messageOf(() => F.binaryCrossEntropyWithLogits(randn([3]), randn([3, 1])), ShapeError)).toMatch(/^binaryCrossEntropyWithLogits:/);
    expect(messageOf(() => F.binaryCrossEntropy(randn([3]).sigmoid(), int32([1, 0, 1])), DTypeError)).toContain("target");
  });

  it("binaryCrossEntropy: input outside [0, 1]", () => {
    const m = messageOf(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([1, 0])));
    expect(m).toContain("between 0 and 1");
    expect(m).toContain("binaryCrossEntropyWithLogits");
  });

  it("binaryCrossEntropyWithLogits: posWeight must broadcast", () => {
    expect(messageOf(() => F.binaryCrossEntropyWithLogits(randn([2, 3]), zeros([2, 3]), { posWeight: randn([2]) }), ShapeError)).toContain("posWeight");
  });

  it("pad: unknown modes list the modes; mode limits are explained", () => {
    const m = messageOf(() => F.pad(randn([2, 3]), [1, 1], { mode: "zeros" as never }));
    expect(m).toContain('"constant", "reflect", "replicate", "circular"');
    const r = messageOf(() => F.pad(randn([2, 3]), [3, 0], { mode: "reflect" }), ShapeError);
    expect(r).toContain("smaller than its size");
    expect(r).toContain("[2, 3]");
    expect(messageOf(() => F.pad(randn([2, 3]), [1]), ShapeError)).toContain("even length");
    expect(messageOf(() => F.pad(randn([2, 3]), [-2, -2]), ShapeError)).toContain("removes more than");
    expect(messageOf(() => F.pad(randn([2, 3]), [1, 1], { mode: "reflect", value: 2 }))).toContain('only used in "constant" mode');
  });

  it("layerNorm and batchNorm", () => {
    const m = messageOf(() => F.layerNorm(randn([2, 3, 4]), [3]), ShapeError);
    expect(m).toContain("normalizedShape=[3]");
    expect(m).toContain("[*, 3]");
    expect(m).toContain("[2, 3, 4]");
    expect(messageOf(() => F.layerNorm(randn([2, 4]), [4], { weight: randn([3]) }), ShapeError)).toContain("weight must have shape");
    expect(messageOf(() => F.batchNorm(randn([4, 3]), null, null))).toContain("must be given in evaluation mode");
    expect(messageOf(() => F.batchNorm(randn([1, 3]), null, null, { training: true }), ShapeError)).toContain("more than 1 value per channel");
    expect(messageOf(() => F.batchNorm(randn([4, 3]), zeros([2]), zeros([2])), ShapeError)).toContain("runningMean must have shape [3]");
    expect(messageOf(() => F.batchNorm(randn([4]), null, null, { training: true }), ShapeError)).toContain("[N, C, *]");
  });

  it("embedding and oneHot", () => {
    const w = randn([4, 2]);
    expect(messageOf(() => F.embedding(int32([1, 4]), w))).toContain("index 4 is out of range for an embedding table with 4 rows");
    expect(messageOf(() => F.embedding(tensor([1, 2]), w), DTypeError)).toContain('indices.to("int32")');
    expect(messageOf(() => F.embedding(int32([1]), w, { paddingIdx: 4 }))).toContain("paddingIdx must be within [-4, 4)");
    expect(messageOf(() => F.oneHot(int32([1, -1])))).toContain("non-negative");
    expect(messageOf(() => F.oneHot(int32([1, 3]), 3))).toContain("smaller than numClasses (3)");
    expect(messageOf(() => F.oneHot(int32([])))).toContain("pass numClasses");
  });

  it("scaledDotProductAttention", () => {
    const q = randn([2, 3, 4]);
    const m = messageOf(() => F.scaledDotProductAttention(q, randn([2, 5, 3]), randn([2, 5, 4])), ShapeError);
    expect(m).toContain("same last dim");
    expect(m).toContain("[2, 3, 4]");
    expect(messageOf(() => F.scaledDotProductAttention(q, q, randn([2, 2, 4])), ShapeError)).toContain("sequence length");
    const mask = tensor([[true]]);
    expect(messageOf(() => F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: mask }))).toContain("attnMask must not be set when isCausal");
    expect(messageOf(() => F.scaledDotProductAttention(q, q, q, { attnMask: int32([1]) }), DTypeError)).toContain("bool");
  });

  it("conv2d, pooling, dropout, activations", () => {
    const m = messageOf(() => F.conv2d(randn([1, 1, 5, 5]), randn([1, 1, 3, 3]), null, { padding: "same", stride: 2 }));
    expect(m).toContain('padding="same" is not supported for strided convolutions');
    expect(messageOf(() => F.adaptiveAvgPool2d(randn([5, 5]), 2), ShapeError)).toContain("[5, 5]");
    expect(messageOf(() => F.adaptiveAvgPool2d(randn([1, 5, 5]), 0), ShapeError)).toContain("positive integer");
    expect(messageOf(() => F.dropout(randn([3]), { p: 1.5 }))).toContain("between 0 and 1");
    expect(messageOf(() => F.gelu(randn([3]), { approximate: "fast" as never }))).toContain('"none" or "tanh"');
    expect(messageOf(() => F.softmax(randn([3]), undefined as never))).toContain("dim must be an integer");
    expect(messageOf(() => F.gelu(int32([1])), DTypeError)).toContain("floating point");
  });
});

describe("shapes PyTorch accepts", () => {
  it("unbatched inputs", () => {
    expect(F.crossEntropy(randn([5]), tensor(2, { dtype: "int32" })).shape).toEqual([]);
    expect(F.crossEntropy(randn([5]), randn([5]).softmax(0)).shape).toEqual([]);
    expect(F.nllLoss(randn([2, 5, 3]), tensor([[0, 1, 4], [2, 3, 3]], { dtype: "int32" }), { reduction: "none" }).shape).toEqual([2, 3]);
    expect(F.conv2d(randn([2, 5, 5]), randn([3, 2, 3, 3])).shape).toEqual([3, 3, 3]);
    expect(F.maxPool2d(randn([2, 4, 4]), { kernelSize: 2 }).shape).toEqual([2, 2, 2]);
    expect(F.embedding(tensor(1, { dtype: "int32" }), randn([3, 4])).shape).toEqual([4]);
  });

  it("empty batches", () => {
    const empty: Tensor = zeros([0, 3]);
    expect(F.crossEntropy(empty, int32([]), { reduction: "sum" }).itemSync()).toBe(0);
    expect(F.linear(empty, randn([2, 3])).shape).toEqual([0, 2]);
    expect(F.dropout(empty).shape).toEqual([0, 3]);
    expect(F.oneHot(int32([]), 3).shape).toEqual([0, 3]);
  });
});
