/**
 * cumsum (values, dtypes, layouts, gradients to second order; PyTorch's values are in the
 * golden suite) and multinomial (frequencies, zero weights, without replacement,
 * reproducibility, PyTorch's errors, no graph, no leaks).
 */
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, TesseraError } from "@tessera/storage";
import {
  cumsum,
  enableGrad,
  grad,
  gradcheck,
  manualSeed,
  memory,
  multinomial,
  tensor,
} from "../src/index.js";
import { leaf, values } from "./helpers.js";

describe("cumsum", () => {
  it("sums along the dim, on contiguous and transposed inputs", () => {
    expect(values(cumsum(tensor([1, 2, 3, 4, 5]), 0))).toEqual([1, 3, 6, 10, 15]);
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(m.cumsum(0).tolistSync()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(m.cumsum(-1).tolistSync()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(m.t().cumsum(1).tolistSync()).toEqual([[1, 5], [2, 7], [3, 9]]);
  });

  it("every length up to 70 matches a sequential sum (the scan's rounds cover any size)", () => {
    for (let n = 1; n <= 70; n++) {
      const data = Array.from({ length: n }, (_, i) => ((i * 37) % 11) - 5);
      let running = 0;
      expect(values(cumsum(tensor(data, { dtype: "int32" }), 0)), `n = ${n}`).toEqual(data.map((v) => (running += v)));
    }
  });

  it("bools and ints sum in int32; dtype casts first; 0-d and empty inputs", () => {
    const b = cumsum(tensor([true, false, true, true]), 0);
    expect(b.dtype).toBe("int32");
    expect(values(b)).toEqual([1, 1, 2, 3]);
    expect(cumsum(tensor([1, 2], { dtype: "int32" }), 0).dtype).toBe("int32");
    const f = cumsum(tensor([1, 2], { dtype: "int32" }), 0, { dtype: "float64" });
    expect(f.dtype).toBe("float64");
    expect(values(f)).toEqual([1, 3]);
    expect(cumsum(tensor(5), 0).tolistSync()).toBe(5);
    expect(cumsum(tensor([]), 0).shape).toEqual([0]);
    expect(() => cumsum(tensor([1]), 0, { dtype: "bool" })).toThrow(DTypeError);
    expect(() => cumsum(tensor([[1]]), 2)).toThrow(/cumsum: dimension out of range/);
  });

  it("gradients, first and second order", () => {
    expect(gradcheck((x) => x.cumsum(1).mul(x), [leaf([3, 5])])).toBe(true);
    expect(gradcheck((x) => x.cumsum(0), [leaf([6, 2], { strided: true })])).toBe(true);
    const firstOrder = (x: ReturnType<typeof leaf>) => enableGrad(() => grad(x.cumsum(1).mul(x).sum(), x, { createGraph: true })[0]!);
    expect(gradcheck(firstOrder, [leaf([2, 4])])).toBe(true);
  });
});

/** How often each index appears in `drawn`. */
function counts(drawn: ArrayLike<number>, categories: number): number[] {
  const out = new Array<number>(categories).fill(0);
  for (let i = 0; i < drawn.length; i++) out[drawn[i]!]!++;
  return out;
}

describe("multinomial", () => {
  it("draws each index in proportion to its weight (weights need not sum to 1)", () => {
    manualSeed(7);
    const weights = [1, 2, 3, 4];
    const n = 20_000;
    const drawn = multinomial(tensor(weights), n, { replacement: true });
    expect(drawn.dtype).toBe("int32");
    expect(drawn.shape).toEqual([n]);
    const seen = counts(drawn.dataSync() as Int32Array, 4);
    for (let k = 0; k < 4; k++) {
      const p = weights[k]! / 10;
      // Five standard deviations of a binomial count.
      expect(Math.abs(seen[k]! - n * p), `index ${k}: ${seen[k]} of ${n}`).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }
  });

  it("never draws a zero weight, in any row, first and last categories included", () => {
    manualSeed(1);
    const weights = tensor([[0, 1, 0, 3, 0], [2, 0, 0, 0, 0], [0, 0, 0, 0, 1e-6]]);
    const drawn = multinomial(weights, 5000, { replacement: true });
    expect(drawn.shape).toEqual([3, 5000]);
    const rows = drawn.tolistSync() as number[][];
    expect(new Set(rows[0])).toEqual(new Set([1, 3]));
    expect(new Set(rows[1])).toEqual(new Set([0]));
    expect(new Set(rows[2])).toEqual(new Set([4]));
  });

  it("without replacement: distinct indices per row, every one when all are drawn", () => {
    manualSeed(3);
    const drawn = multinomial(tensor([[5, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 100]]), 6).tolistSync() as number[][];
    for (const row of drawn) expect([...row].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const firsts = Array.from({ length: 200 }, () => (multinomial(tensor([1, 1, 1, 1, 1, 100]), 2).tolistSync() as number[])[0]);
    expect(firsts.filter((i) => i === 5).length).toBeGreaterThan(150); // the heavy one usually first
    const pair = multinomial(tensor([0, 1, 0, 1]), 2).tolistSync() as number[];
    expect([...pair].sort()).toEqual([1, 3]);
  });

  it("the same seed gives the same indices; another seed others", () => {
    const w = tensor([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]);
    manualSeed(42);
    const a = multinomial(w, 50, { replacement: true }).tolistSync();
    manualSeed(42);
    const b = multinomial(w, 50, { replacement: true }).tolistSync();
    manualSeed(43);
    const c = multinomial(w, 50, { replacement: true }).tolistSync();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("is never recorded in the graph and frees what it made", () => {
    const w = tensor([0.5, 0.25, 0.25], { requiresGrad: true }).softmax(0);
    const before = memory();
    const drawn = multinomial(w, 3);
    expect(drawn.requiresGrad).toBe(false);
    drawn.dispose();
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().bytes).toBe(before.bytes);
  });

  it("PyTorch's errors for bad shapes, dtypes, counts and weights, leaving the weights intact", () => {
    expect(() => multinomial(tensor([[[1]]]), 1)).toThrow(ShapeError);
    expect(() => multinomial(tensor([[[1]]]), 1)).toThrow(/multinomial: prob_dist must be 1 or 2 dim, got shape \[1, 1, 1\]/);
    expect(() => multinomial(tensor([1, 2], { dtype: "int32" }), 1)).toThrow(/only floating point weights .* int32; cast them first/);
    expect(() => multinomial(tensor([1, 2]), 0)).toThrow(/numSamples must be a positive integer, got 0/);
    expect(() => multinomial(tensor([1, 2]), 1.5)).toThrow(ShapeError);
    expect(() => multinomial(tensor([1, 2]), 3)).toThrow(/cannot sample numSamples \(3\) > prob_dist.size\(-1\) \(2\) samples without replacement; pass \{ replacement: true \}/);
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(TesseraError);
    expect(() => multinomial(tensor([0.5, -0.1]), 1)).toThrow(/inf, nan or element < 0 \(row 0, category 1: -0\.1/);
    expect(() => multinomial(tensor([[1, 1], [Number.NaN, 1]]), 1)).toThrow(/row 1, category 0: NaN/);
    expect(() => multinomial(tensor([Number.POSITIVE_INFINITY, 1]), 1)).toThrow(/inf, nan or element < 0/);
    expect(() => multinomial(tensor([[1, 1], [0, 0]]), 1)).toThrow(/sum of probabilities <= 0\) in row 1/);
    expect(() => multinomial(tensor([0, 1, 0]), 2)).toThrow(/not enough non-negative category to sample\): row 0 has 1 categories with weight > 0 for 2 samples/);
    const w = tensor([0.5, -0.1]);
    expect(() => multinomial(w, 1)).toThrow();
    expect(values(w)).toEqual([0.5, -0.1].map(Math.fround));
  });
});
