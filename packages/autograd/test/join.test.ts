import { describe, expect, it } from "vitest";
import { arange, bernoulli, cat, chunk, gradcheck, manualSeed, noGrad, ones, pad, randn, split, stack, tensor, tril, triu, zeros, memory } from "../src/index.js";

const f64 = { dtype: "float64" as const, requiresGrad: true };

describe("cat / stack / split / chunk", () => {
  it("cat joins along a dim and splits the gradient back", () => {
    const a = tensor([[1, 2]], { requiresGrad: true });
    const b = tensor([[3, 4], [5, 6]], { requiresGrad: true });
    const c = cat([a, b], 0);
    expect(c.tolistSync()).toEqual([[1, 2], [3, 4], [5, 6]]);
    c.mul(tensor([[1], [2], [3]])).sum().backward();
    expect(a.grad!.tolistSync()).toEqual([[1, 1]]);
    expect(b.grad!.tolistSync()).toEqual([[2, 2], [3, 3]]);
    expect(cat([a.t(), b], 1).tolistSync()).toEqual([[1, 3, 4], [2, 5, 6]]);
  });

  it("cat passes gradcheck on strided inputs along the last dim", () => {
    manualSeed(3);
    const a = randn([3, 2], f64);
    const b = randn([2, 3], { dtype: "float64" }).t().detach().requiresGrad_();
    expect(gradcheck((x, y) => cat([x, y.mul(2)], 1), [a, b])).toBe(true);
  });

  it("cat rejects mismatched shapes and dtypes with the sizes in the message", () => {
    expect(() => cat([zeros([2, 3]), zeros([2, 4])], 0)).toThrow(/sizes of tensors must match except in dimension 0.*\[2, 4\]/);
    expect(() => cat([zeros([2]), zeros([2], { dtype: "int32" })])).toThrow(/dtype float32.*int32/);
    expect(() => cat([])).toThrow(/non-empty/);
  });

  it("stack adds a dim; split and chunk give views", () => {
    const s = stack([tensor([1, 2]), tensor([3, 4])], 1);
    expect(s.tolistSync()).toEqual([[1, 3], [2, 4]]);
    const parts = split(arange(5), 2);
    expect(parts.map((p) => p.tolistSync())).toEqual([[0, 1], [2, 3], [4]]);
    expect(split(arange(5), [1, 4]).map((p) => p.shape[0])).toEqual([1, 4]);
    expect(() => split(arange(5), [1, 2])).toThrow(/sum exactly to 5/);
    expect(chunk(arange(6), 3).map((p) => p.tolistSync())).toEqual([[0, 1], [2, 3], [4, 5]]);
    const x = randn([4, 3], f64);
    expect(gradcheck((v) => stack(v.chunk(2, 0), 2), [x])).toBe(true);
  });
});

describe("pad / tril / triu", () => {
  it("pads the last dims first, with a value", () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(pad(x, [1, 0]).tolistSync()).toEqual([[0, 1, 2], [0, 3, 4]]);
    expect(pad(x, [0, 1, 1, 0], -1).tolistSync()).toEqual([[-1, -1, -1], [1, 2, -1], [3, 4, -1]]);
    expect(() => pad(x, [1])).toThrow(/even/);
    expect(() => pad(x, [-1, 0])).toThrow(/non-negative/);
    const y = randn([2, 3], f64);
    expect(gradcheck((v) => pad(v, [2, 1, 0, 1], 3), [y])).toBe(true);
  });

  it("tril and triu keep a triangle, with a diagonal offset", () => {
    const x = ones([3, 3]);
    expect(tril(x).tolistSync()).toEqual([[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    expect(triu(x, 1).tolistSync()).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
    expect(x.tril(-1).tolistSync()).toEqual([[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
    const y = randn([2, 3, 3], f64);
    expect(gradcheck((v) => v.triu(), [y])).toBe(true);
  });
});

describe("random fills", () => {
  it("uniform_ and normal_ are reproducible, in range, and refused on a leaf that requires grad", () => {
    manualSeed(7);
    const a = zeros([1000]).uniform_(-2, 3);
    manualSeed(7);
    const b = zeros([1000]).uniform_(-2, 3);
    expect(a.tolistSync()).toEqual(b.tolistSync());
    expect(a.min().itemSync()).toBeGreaterThanOrEqual(-2);
    expect(a.max().itemSync()).toBeLessThan(3);
    const n = zeros([4000]).normal_(1, 2);
    expect(n.mean().itemSync()).toBeCloseTo(1, 0);
    expect(n.std().itemSync()).toBeCloseTo(2, 0);
    const w = zeros([3], { requiresGrad: true });
    expect(() => w.normal_()).toThrow(/leaf Variable that requires grad/);
    noGrad(() => w.normal_());
    expect(w.version).toBe(1);
  });

  it("bernoulli gives zeros and ones with the asked probability", () => {
    manualSeed(1);
    const m = bernoulli([10000], 0.3);
    const values = Array.from(m.dataSync());
    expect(values.every((v) => v === 0 || v === 1)).toBe(true);
    expect(m.mean().itemSync()).toBeCloseTo(0.3, 1);
    expect(() => bernoulli([2], 1.5)).toThrow(/\[0, 1\]/);
  });
});

describe("no leaks", () => {
  it("cat, pad and tril free their temporaries", () => {
    const x = randn([3, 3]);
    const before = memory();
    for (const out of [cat([x, x]), pad(x, [1, 1]), tril(x), stack([x, x])]) out.dispose();
    expect(memory()).toEqual(before);
  });
});

describe("in-place writes through overlapping views", () => {
  it("read every element before writing any (x[1:] = x[:-1])", () => {
    const x = tensor([0, 1, 2, 3, 4, 5]);
    x.slice(0, 1, 6).copy_(x.slice(0, 0, 5));
    expect(x.tolistSync()).toEqual([0, 0, 1, 2, 3, 4]);
    const m = tensor([[0, 1, 2, 3], [4, 5, 6, 7]]);
    m.slice(1, 1, 4).add_(m.slice(1, 0, 3));
    expect(m.tolistSync()).toEqual([[0, 1, 3, 5], [4, 9, 11, 13]]);
    const before = memory();
    const y = tensor([1, 2, 3, 4]);
    const [head, tail] = [y.slice(0, 0, 3), y.slice(0, 1, 4)];
    head.mul_(tail);
    expect(y.tolistSync()).toEqual([2, 6, 12, 4]);
    for (const t of [y, head, tail]) t.dispose();
    expect(memory()).toEqual(before);
  });
});
