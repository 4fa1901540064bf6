/**
 * The autograd contract of DESIGN.md §2, rule by rule, with hand-computed values.
 */
import { describe, expect, it } from "vitest";
import { ShapeError } from "@tessera/storage";
import {
  AccumulateGrad,
  AutogradError,
  type FunctionContext,
  type Tensor,
  defineFunction,
  enableGrad,
  grad,
  isGradEnabled,
  noGrad,
  ones,
  onesLike,
  setGradEnabled,
  tensor,
  zeros,
  memory,
  tidy,
} from "../src/index.js";
import { expectValues, values } from "./helpers.js";

describe("requiresGrad", () => {
  it("is false by default for every creation function", () => {
    expect(tensor([1, 2]).requiresGrad).toBe(false);
    expect(zeros([2]).requiresGrad).toBe(false);
    expect(tensor([1, 2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it("a result requires grad iff an input does", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    expect(b.mul(b).requiresGrad).toBe(false);
    expect(a.mul(b).requiresGrad).toBe(true);
    expect(b.mul(a).requiresGrad).toBe(true);
    expect(b.add(1).exp().sum().requiresGrad).toBe(false);
    expect(a.add(1).exp().sum().requiresGrad).toBe(true);
  });

  it("results do not require grad when grad mode is off", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => a.mul(2).exp());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.isLeaf).toBe(true);
  });

  it("can be set on leaves with requiresGrad_ or the setter, not on non-leaves", () => {
    const a = tensor([1, 2]);
    expect(a.requiresGrad_()).toBe(a);
    expect(a.requiresGrad).toBe(true);
    a.requiresGrad = false;
    expect(a.requiresGrad).toBe(false);
    const y = tensor([1], { requiresGrad: true }).mul(2);
    expect(() => y.requiresGrad_(false)).toThrow(/leaf/);
    expect(() => y.requiresGrad_(false)).toThrow(/detach/);
  });
});

describe("isLeaf and gradFn", () => {
  it("user-created tensors are leaves, with or without requiresGrad", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([1, 2]);
    expect(a.isLeaf).toBe(true);
    expect(b.isLeaf).toBe(true);
    expect(a.gradFn).toBeNull();
    expect(b.gradFn).toBeNull();
  });

  it("results of ops on tensors that need no grad are leaves", () => {
    const b = tensor([1, 2]);
    const y = b.mul(3).add(1);
    expect(y.isLeaf).toBe(true);
    expect(y.gradFn).toBeNull();
  });

  it("results of recorded ops are not leaves and carry the node that made them", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const y = a.mul(2);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn!.name).toBe("MulBackward0");
    expect(a.add(1).gradFn!.name).toBe("AddBackward0");
    expect(a.sub(1).gradFn!.name).toBe("SubBackward0");
    expect(a.div(2).gradFn!.name).toBe("DivBackward0");
    expect(a.exp().gradFn!.name).toBe("ExpBackward0");
    expect(a.sum().gradFn!.name).toBe("SumBackward1");
    expect(a.neg().gradFn!.name).toBe("NegBackward0");
    expect(a.reshape([2, 1]).gradFn!.name).toBe("ViewBackward0");
    expect(a.reshape([1, 2]).t().gradFn!.name).toBe("TransposeBackward0");
    expect(a.clone().gradFn!.name).toBe("CloneBackward0");
  });

  it("nextFunctions point to AccumulateGrad for leaves, to the producer for non-leaves, and [null, 0] otherwise", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const c = tensor([3, 4]);
    const y = x.mul(c);
    const [toX, toC] = y.gradFn!.nextFunctions;
    expect(toX![0]).toBeInstanceOf(AccumulateGrad);
    expect((toX![0] as AccumulateGrad).variable).toBe(x);
    expect(toX![1]).toBe(0);
    expect(toC).toEqual([null, 0]);

    const z = y.exp();
    expect(z.gradFn!.nextFunctions).toEqual([[y.gradFn, 0]]);

    // One AccumulateGrad per leaf, shared by every op that uses it.
    const w = x.add(x);
    const [e0, e1] = w.gradFn!.nextFunctions;
    expect(e0![0]).toBe(e1![0]);
    expect(e0![0]).toBe(toX![0]);
  });

  it("multiple-output custom functions point each output at its own output index", () => {
    const split = defineFunction({
      name: "SplitBackward",
      forward: (_ctx, x: Tensor) => [x.mul(1), x.mul(2)],
      backward: (_ctx, g0: Tensor, g1: Tensor) => [g0.add(g1.mul(2))],
    });
    const x = tensor([1, 2], { requiresGrad: true });
    const [a, b] = split(x) as Tensor[];
    const ea = a!.exp().gradFn!.nextFunctions[0]!;
    const eb = b!.exp().gradFn!.nextFunctions[0]!;
    expect(ea[0]).toBe(eb[0]);
    expect(ea[0]!.name).toBe("SplitBackward");
    expect([ea[1], eb[1]]).toEqual([0, 1]);
  });
});

describe("backward", () => {
  it("computes vᵀJ into every leaf's .grad", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const w = tensor([4, 5, 6], { requiresGrad: true });
    const c = tensor([1, 1, 1]);
    x.mul(w).add(c).sum().backward();
    expect(values(x.grad!)).toEqual([4, 5, 6]);
    expect(values(w.grad!)).toEqual([1, 2, 3]);
    expect(c.grad).toBeNull();
  });

  it("with an explicit gradient on a non-scalar output", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x);
    y.backward(tensor([1, 10, 100]));
    expect(values(x.grad!)).toEqual([2, 40, 600]);
  });

  it("adds into an existing .grad and accumulates across calls", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    expect(values(x.grad!)).toEqual([3, 3]);
    x.mul(x).sum().backward();
    expect(values(x.grad!)).toEqual([5, 7]);
    x.grad = tensor([100, 200]);
    x.sum().backward();
    expect(values(x.grad!)).toEqual([101, 201]);
  });

  it("t.grad = null clears the gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    x.grad = null;
    expect(x.grad).toBeNull();
    x.mul(2).sum().backward();
    expect(values(x.grad!)).toEqual([2, 2]);
  });

  it("the stored .grad is a tensor of its own, not aliased to a later gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.sum().backward();
    const first = x.grad!;
    x.sum().backward();
    expect(x.grad).toBe(first); // accumulated in place, as PyTorch
    expect(values(first)).toEqual([2, 2]);
    expect(first.requiresGrad).toBe(false);
  });

  it("without gradient on a non-scalar output throws naming `gradient` and the shape", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/gradient/);
    expect(() => y.backward()).toThrow(/\[2, 3\]/);
    expect(x.grad).toBeNull();
  });

  it("a one-element tensor of any shape needs no gradient", () => {
    const x = tensor([[3]], { requiresGrad: true });
    x.mul(x).backward();
    expect(values(x.grad!)).toEqual([6]);
  });

  it("retainGraph allows a second backward; without it the second one throws", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(values(x.grad!)).toEqual([4, 8]);
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/retainGraph/);
    expect(() => y.backward()).toThrow(/second time/);
    expect(values(x.grad!)).toEqual([4, 8]);
  });

  it("a graph with no saved tensors can be run again (nothing was freed)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.add(1).sum();
    y.backward();
    y.backward();
    expect(values(x.grad!)).toEqual([2, 2]);
  });

  it("throws for a tensor that does not require grad", () => {
    expect(() => tensor([1]).backward()).toThrow(/does not require grad/);
  });

  it("runs each node once when it is reached by k paths", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x);
    const z = y.add(y).add(y);
    z.sum().backward();
    expect(values(x.grad!)).toEqual([6, 12, 18]);

    let calls = 0;
    const double = defineFunction({
      forward: (_ctx, t: Tensor) => t.mul(2),
      backward: (_ctx, g: Tensor) => {
        calls++;
        return [g.mul(2)];
      },
    });
    const w = tensor([1, 2], { requiresGrad: true });
    const d = double(w) as Tensor;
    d.add(d).add(d).add(d.mul(d)).sum().backward();
    expect(calls).toBe(1);
    // d = 2w; loss = 3d + d² → dloss/dw = (3 + 2d) · 2
    expect(values(w.grad!)).toEqual([14, 22]);
  });

  it("does not recurse per path: 2^60 paths through a diamond chain finish at once", () => {
    const x = tensor([1.5], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 60; i++) y = y.add(y).mul(0.5);
    y.backward();
    expect(values(x.grad!)).toEqual([1]);
  });

  it("gradients that meet at a node add up in any order", () => {
    const make = () => [tensor([1, 2], { requiresGrad: true }), tensor([3, -4], { requiresGrad: true }), tensor([5, 6], { requiresGrad: true })] as const;
    const terms = [
      (a: Tensor, b: Tensor, _c: Tensor) => a.mul(b),
      (_a: Tensor, b: Tensor, c: Tensor) => b.mul(c).mul(2),
      (a: Tensor, _b: Tensor, c: Tensor) => a.mul(a).mul(c),
      (a: Tensor, b: Tensor, c: Tensor) => a.add(b).sub(c),
    ];
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
    ];
    const results = orders.map((order) => {
      const [a, b, c] = make();
      let loss: Tensor | null = null;
      for (const k of order) {
        const t = terms[k]!(a, b, c);
        loss = loss === null ? t : loss.add(t);
      }
      loss!.sum().backward();
      return [values(a.grad!), values(b.grad!), values(c.grad!)];
    });
    // a: b + 2ac + 1; b: a + 2c + 1; c: 2b + a² - 1
    expect(results[0]).toEqual([
      [14, 21],
      [12, 15],
      [6, -5],
    ]);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it("broadcast inputs get gradients summed back to their shapes", () => {
    const a = tensor([[1], [2], [3]], { requiresGrad: true });
    const b = tensor([10, 20, 30, 40], { requiresGrad: true });
    const y = a.add(b);
    expect(y.shape).toEqual([3, 4]);
    y.sum().backward();
    expect(a.grad!.shape).toEqual([3, 1]);
    expect(b.grad!.shape).toEqual([4]);
    expect(values(a.grad!)).toEqual([4, 4, 4]);
    expect(values(b.grad!)).toEqual([3, 3, 3, 3]);

    a.grad = null;
    b.grad = null;
    a.mul(b).sum().backward();
    expect(values(a.grad!)).toEqual([100, 100, 100]);
    expect(values(b.grad!)).toEqual([6, 6, 6, 6]);
  });

  it("backward of a leaf itself, and grad of an input with respect to itself", () => {
    const x = tensor([3], { requiresGrad: true });
    x.backward();
    expect(values(x.grad!)).toEqual([1]);
    const y = tensor([1, 2], { requiresGrad: true });
    const [g] = grad(y, y, { gradOutputs: [tensor([5, 7])] });
    expect(values(g!)).toEqual([5, 7]);
    expect(y.grad).toBeNull();
  });

  it("accumulates into a user-assigned strided .grad", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    x.grad = tensor([[10, 30], [20, 40]]).t();
    x.mul(2).sum().backward();
    expect(x.grad!.tolistSync()).toEqual([[12, 22], [32, 42]]);
  });

  it("a gradient passed to backward is not taken over by .grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seed = tensor([1, 1]);
    x.backward(seed);
    expect(values(x.grad!)).toEqual([1, 1]);
    seed.mul_(5);
    expect(values(x.grad!)).toEqual([1, 1]);
    expect(seed.isDisposed).toBe(false);
  });

  it("backward and grad work inside noGrad (the graph was recorded before)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    noGrad(() => y.backward(undefined, { retainGraph: true }));
    expect(values(x.grad!)).toEqual([2, 4]);
    const [g] = noGrad(() => grad(y, x, { createGraph: true }));
    expect(g!.requiresGrad).toBe(true);
    const [h] = grad(g!.sum(), x);
    expect(values(h!)).toEqual([2, 2]);
  });

  it("zero-size tensors get zero-size gradients", () => {
    const x = zeros([0, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    expect(x.grad!.shape).toEqual([0, 3]);
    const y = zeros([2, 0], { requiresGrad: true });
    const w = tensor([1, 2], { requiresGrad: true });
    y.sum({ dim: 1 }).add(w).sum().backward();
    expect(y.grad!.shape).toEqual([2, 0]);
    expect(values(w.grad!)).toEqual([1, 1]);
  });

  it("a 0-dim operand gets a 0-dim gradient", () => {
    const s = tensor(2, { requiresGrad: true });
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    x.mul(s).sum().backward();
    expect(s.grad!.shape).toEqual([]);
    expect(s.grad!.itemSync()).toBe(10);
    expect(values(x.grad!)).toEqual([2, 2, 2, 2]);
  });
});

describe("createGraph: higher-order gradients", () => {
  it("d²/dx² x³ = 6x and d³/dx³ x³ = 6", () => {
    const x = tensor([2, -1], { requiresGrad: true });
    const y = x.pow(3).sum();
    const [g1] = grad(y, x, { createGraph: true });
    expectValues(g1!, [12, 3]);
    expect(g1!.requiresGrad).toBe(true);
    const [g2] = grad(g1!.sum(), x, { createGraph: true });
    expectValues(g2!, [12, -6]);
    const [g3] = grad(g2!.sum(), x);
    expectValues(g3!, [6, 6]);
  });

  it("d²/dx² sin x = -sin x", () => {
    const x = tensor([0.5, 1, 2], { requiresGrad: true, dtype: "float64" });
    const [g1] = grad(x.sin().sum(), x, { createGraph: true });
    expectValues(g1!, [Math.cos(0.5), Math.cos(1), Math.cos(2)], 12);
    const [g2] = grad(g1!.sum(), x);
    expectValues(g2!, [-Math.sin(0.5), -Math.sin(1), -Math.sin(2)], 12);
  });

  it("backward(createGraph) leaves a .grad that is itself differentiable", () => {
    const x = tensor([3], { requiresGrad: true });
    x.mul(x).mul(x).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    expectValues(g, [27]);
    expect(g.requiresGrad).toBe(true);
    expect(g.gradFn).not.toBeNull();
    const [h] = grad(g.sum(), x);
    expectValues(h!, [18]);
  });

  it("mixed partials: d/dy (d/dx x²y) = 2x", () => {
    const x = tensor([3], { requiresGrad: true });
    const y = tensor([5], { requiresGrad: true });
    const [dx] = grad(x.mul(x).mul(y).sum(), x, { createGraph: true });
    expectValues(dx!, [30]);
    const [dxdy] = grad(dx!.sum(), y);
    expectValues(dxdy!, [6]);
  });
});

describe("grad modes", () => {
  it("noGrad / enableGrad / isGradEnabled nest and restore", () => {
    const x = tensor([1], { requiresGrad: true });
    expect(isGradEnabled()).toBe(true);
    const inner = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      expect(x.mul(2).requiresGrad).toBe(false);
      const r = enableGrad(() => {
        expect(isGradEnabled()).toBe(true);
        const y = x.mul(2);
        noGrad(() => expect(isGradEnabled()).toBe(false));
        expect(isGradEnabled()).toBe(true);
        return y;
      });
      expect(isGradEnabled()).toBe(false);
      return r;
    });
    expect(inner.requiresGrad).toBe(true);
    expect(isGradEnabled()).toBe(true);
  });

  it("restore the previous mode after a throw", () => {
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(() =>
        enableGrad(() => {
          throw new Error("inner");
        }),
      ).toThrow("inner");
      expect(isGradEnabled()).toBe(false);
    });
    expect(setGradEnabled(false, () => isGradEnabled())).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });

  it("return the function's value", () => {
    expect(noGrad(() => 42)).toBe(42);
    expect(enableGrad(() => "x")).toBe("x");
  });
});

describe("detach", () => {
  it("shares storage, is cut from the graph, and does not require grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(d.gradFn).toBeNull();
    expect(values(d)).toEqual([2, 4]);
    // Same storage: a write through the detached tensor is visible in y (and bumps its version).
    const v = y.version;
    d.add_(1);
    expect(values(y)).toEqual([3, 5]);
    expect(y.version).toBe(v + 1);
  });

  it("stops gradients", () => {
    const x = tensor([2, 3], { requiresGrad: true });
    x.mul(x.detach()).sum().backward();
    expect(values(x.grad!)).toEqual([2, 3]);
  });
});

describe("retainGrad", () => {
  it("keeps .grad on a non-leaf; without it the non-leaf's .grad stays null", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const u = x.mul(3);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    expect(u.retainsGrad).toBe(false);
    y.mul(y).add(u).sum().backward();
    expect(values(y.grad!)).toEqual([4, 8]);
    expect(u.grad).toBeNull();
    expect(values(x.grad!)).toEqual([11, 19]);
  });

  it("accumulates on a retained non-leaf too", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    const loss = y.sum();
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(values(y.grad!)).toEqual([2, 2]);
  });

  it("throws on a tensor that does not require grad", () => {
    expect(() => tensor([1]).retainGrad()).toThrow(/requiresGrad=false/);
  });
});

describe("registerHook", () => {
  it("on a leaf may replace the gradient stored into .grad; remove() detaches it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const h = x.registerHook((g) => {
      seen.push(values(g));
      return g.mul(10);
    });
    x.mul(x).sum().backward();
    expect(seen).toEqual([[2, 4]]);
    expect(values(x.grad!)).toEqual([20, 40]);
    h.remove();
    x.grad = null;
    x.mul(x).sum().backward();
    expect(values(x.grad!)).toEqual([2, 4]);
    expect(seen.length).toBe(1);
  });

  it("on a non-leaf changes what flows to its inputs", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    y.registerHook((g) => g.add(1));
    y.mul(y).sum().backward();
    // dL/dy = 2y = [6, 12], +1 → [7, 13], dy/dx = 3
    expect(values(x.grad!)).toEqual([21, 39]);
  });

  it("a hook that returns nothing only observes", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    let calls = 0;
    x.registerHook(() => {
      calls++;
    });
    x.mul(5).sum().backward();
    expect(calls).toBe(1);
    expect(values(x.grad!)).toEqual([5, 5]);
  });

  it("several hooks run in registration order", () => {
    const x = tensor([1], { requiresGrad: true });
    x.registerHook((g) => g.add(1));
    x.registerHook((g) => g.mul(10));
    x.mul(2).sum().backward();
    expect(values(x.grad!)).toEqual([30]);
  });

  it("throws on a tensor that does not require grad", () => {
    expect(() => tensor([1]).registerHook((g) => g)).toThrow(/doesn't require gradient/);
  });
});

describe("grad()", () => {
  it("returns gradients in input order without touching .grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    const y = x.mul(w).sum();
    const [gw, gx] = grad(y, [w, x]);
    expect(values(gw!)).toEqual([1, 2]);
    expect(values(gx!)).toEqual([3, 4]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it("leaves an existing .grad unchanged", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.grad = tensor([7, 7]);
    grad(x.mul(x).sum(), x);
    expect(values(x.grad!)).toEqual([7, 7]);
  });

  it("touches no other leaf's .grad, nor a retained non-leaf's", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const other = tensor([1, 1], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    const [g] = grad(y.add(other).mul(y).sum(), x);
    // d/dx (2x + o)·2x = 2·2x·2 + 2·o = 8x + 2o
    expect(values(g!)).toEqual([10, 18]);
    expect(other.grad).toBeNull();
    expect(y.grad).toBeNull();
    expect(x.grad).toBeNull();
  });

  it("takes gradOutputs for non-scalar outputs", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(x);
    const [g] = grad(y, x, { gradOutputs: [tensor([1, 0, -1])] });
    expect(values(g!)).toEqual([2, 0, -6]);
    expect(() => grad(x.mul(x), x)).toThrow(/gradient/);
  });

  it("with several outputs sums their contributions", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = grad([x.mul(2).sum(), x.mul(x).sum()], x);
    expect(values(g!)).toEqual([4, 6]);
  });

  it("with respect to a non-leaf", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const [gy] = grad(y.mul(y).sum(), y);
    expect(values(gy!)).toEqual([6, 12]);
  });

  it("allowUnused returns null for an unused input; without it, it throws", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const unused = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2).sum();
    const [gx, gu] = grad(y, [x, unused], { allowUnused: true, retainGraph: true });
    expect(values(gx!)).toEqual([2, 2]);
    expect(gu).toBeNull();
    expect(() => grad(y, [x, unused])).toThrow(/allowUnused/);
  });

  it("throws for an input that does not require grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => grad(x.sum(), tensor([1]))).toThrow(/does not require grad/);
  });

  it("frees the graph unless retainGraph or createGraph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    grad(y, x);
    expect(() => grad(y, x)).toThrow(/retainGraph/);
    const z = x.mul(x).sum();
    grad(z, x, { createGraph: true });
    const [again] = grad(z, x);
    expect(values(again!)).toEqual([2, 4]);
  });
});

describe("defineFunction", () => {
  it("saves tensors for backward and reports which inputs need a gradient", () => {
    let needs: readonly boolean[] = [];
    const mulAdd = defineFunction({
      name: "MulAddBackward",
      forward(ctx: FunctionContext, a: Tensor, b: Tensor, k: number) {
        ctx.saveForBackward(a, b);
        ctx.k = k;
        return a.mul(b).add(k);
      },
      backward(ctx: FunctionContext, g: Tensor) {
        const [a, b] = ctx.savedTensors;
        needs = ctx.needsInputGrad;
        return [ctx.needsInputGrad[0] ? g.mul(b!) : null, ctx.needsInputGrad[1] ? g.mul(a!) : null];
      },
    });
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4]);
    const y = mulAdd(a, b, 10) as Tensor;
    expect(values(y)).toEqual([13, 18]);
    expect(y.gradFn!.name).toBe("MulAddBackward");
    expect(y.gradFn!.nextFunctions[1]).toEqual([null, 0]);
    y.sum().backward();
    expect(needs).toEqual([true, false]);
    expect(values(a.grad!)).toEqual([3, 4]);
    expect(b.grad).toBeNull();
  });

  it("forward runs without recording the graph", () => {
    let inside: boolean | null = null;
    const f = defineFunction({
      forward(_ctx, x: Tensor) {
        inside = isGradEnabled();
        return x.mul(2);
      },
      backward: (_ctx, g: Tensor) => [g.mul(2)],
    });
    const x = tensor([1], { requiresGrad: true });
    const y = f(x) as Tensor;
    expect(inside).toBe(false);
    expect(y.gradFn!.name).toBe("CustomFunctionBackward");
  });

  it("does not record when no input requires grad", () => {
    const f = defineFunction({ forward: (_ctx, x: Tensor) => x.mul(2), backward: (_ctx, g: Tensor) => [g] });
    const y = f(tensor([1])) as Tensor;
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
  });

  it("multiple outputs; an output without gradient gets zeros", () => {
    const received: number[][] = [];
    const sinCos = defineFunction({
      forward(ctx, x: Tensor) {
        ctx.saveForBackward(x);
        return [x.sin(), x.cos()];
      },
      backward(ctx, gs: Tensor, gc: Tensor) {
        const [x] = ctx.savedTensors;
        received.push(values(gs), values(gc));
        return [gs.mul(x!.cos()).sub(gc.mul(x!.sin()))];
      },
    });
    const x = tensor([0.5, 1], { requiresGrad: true, dtype: "float64" });
    const [s, c] = sinCos(x) as Tensor[];
    s!.add(c!.mul(2)).sum().backward();
    expectValues(x.grad!, [Math.cos(0.5) - 2 * Math.sin(0.5), Math.cos(1) - 2 * Math.sin(1)], 12);

    const y = tensor([0.5], { requiresGrad: true, dtype: "float64" });
    const [s2] = sinCos(y) as Tensor[];
    received.length = 0;
    s2!.sum().backward();
    expect(received).toEqual([[1], [0]]);
    expectValues(y.grad!, [Math.cos(0.5)], 12);
  });

  it("its savedTensors are freed after backward (a second backward throws)", () => {
    const f = defineFunction({
      forward(ctx, x: Tensor) {
        ctx.saveForBackward(x);
        return x.mul(x);
      },
      backward(ctx, g: Tensor) {
        const [x] = ctx.savedTensors;
        return [g.mul(x!).mul(2)];
      },
    });
    const x = tensor([3], { requiresGrad: true });
    const y = (f(x) as Tensor).sum();
    y.backward();
    expect(values(x.grad!)).toEqual([6]);
    expect(() => y.backward()).toThrow(/retainGraph/);
  });

  it("a wrong number of gradients is a clear error", () => {
    const f = defineFunction({ forward: (_ctx, a: Tensor, b: Tensor) => a.add(b), backward: (_ctx, g: Tensor) => [g] });
    const a = tensor([1], { requiresGrad: true });
    const y = f(a, tensor([2])) as Tensor;
    expect(() => y.sum().backward()).toThrow(/2 tensor inputs/);
  });

  it("works with createGraph when backward is made of differentiable ops", () => {
    const cube = defineFunction({
      forward(ctx, x: Tensor) {
        ctx.saveForBackward(x);
        return x.pow(3);
      },
      backward(ctx, g: Tensor) {
        const [x] = ctx.savedTensors;
        return [g.mul(x!.pow(2)).mul(3)];
      },
    });
    const x = tensor([2], { requiresGrad: true });
    const [g1] = grad((cube(x) as Tensor).sum(), x, { createGraph: true });
    expectValues(g1!, [12]);
    const [g2] = grad(g1!.sum(), x);
    expectValues(g2!, [12]);
  });
});

describe("in-place ops", () => {
  it("bump the version counter, shared with views", () => {
    const x = tensor([1, 2, 3, 4]);
    const v = x.view([2, 2]);
    expect(x.version).toBe(0);
    x.add_(1);
    expect(x.version).toBe(1);
    x.sub_(1);
    x.mul_(2);
    x.div_(2);
    expect(x.version).toBe(4);
    x.zero_();
    x.fill_(3);
    x.copy_(tensor([4, 3, 2, 1]));
    x.clamp_({ min: 2 });
    expect(x.version).toBe(8);
    expect(v.version).toBe(8);
    v.mul_(10);
    expect(x.version).toBe(9);
    expect(values(x)).toEqual([40, 30, 20, 20]);
    expect(x.mul(2).version).toBe(0);
  });

  it("compute the right values", () => {
    const x = tensor([1, 2, 3]);
    x.add_(tensor([1, 1, 1]), { alpha: 2 });
    expect(values(x)).toEqual([3, 4, 5]);
    x.sub_(1, { alpha: 3 });
    expect(values(x)).toEqual([0, 1, 2]);
    x.mul_(tensor([2]));
    expect(values(x)).toEqual([0, 2, 4]);
    x.div_(4);
    expect(values(x)).toEqual([0, 0.5, 1]);
    x.clamp_({ min: 0.25, max: 0.75 });
    expect(values(x)).toEqual([0.25, 0.5, 0.75]);
  });

  it("write through strided views into the base", () => {
    const x = zeros([2, 3]);
    x.t().select(0, 1).fill_(7); // column 1
    x.slice(1, 0, 3, 2).add_(tensor([[1, 2]])); // columns 0 and 2
    expect(values(x)).toEqual([1, 7, 2, 1, 7, 2]);
  });

  it("backward through a tensor saved and then modified in place throws", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp(); // saves its output
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);

    const c = tensor([3, 4]);
    const z = x.mul(c); // saves c
    c.mul_(2);
    expect(() => z.sum().backward()).toThrow(/modified by an inplace operation/);
    expect(() => z.sum().backward()).toThrow(/version 1; expected version 0/);
    expect(x.grad).toBeNull();
  });

  it("a modification through a view of a saved tensor is caught too", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const c = tensor([1, 1, 1, 1]);
    const y = x.mul(c);
    noGrad(() => c.view([2, 2]).select(0, 1).fill_(5));
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it("on a leaf that requires grad throws outside noGrad and works inside", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(AutogradError);
    expect(() => w.add_(1)).toThrow(/leaf Variable that requires grad/);
    expect(() => w.mul_(2)).toThrow(/noGrad/);
    expect(() => w.zero_()).toThrow(/leaf/);
    expect(() => w.view([2]).fill_(1)).toThrow(/view of a leaf/);
    expect(values(w)).toEqual([1, 2]);
    expect(w.version).toBe(0);
    noGrad(() => w.sub_(tensor([0.5, 0.5])));
    expect(values(w)).toEqual([0.5, 1.5]);
    expect(w.version).toBe(1);
    expect(w.isLeaf).toBe(true);
    expect(w.requiresGrad).toBe(true);
    w.mul(2).sum().backward();
    expect(values(w.grad!)).toEqual([2, 2]);
  });

  it("on a non-leaf is recorded in the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.add_(1);
    expect(values(y)).toEqual([3, 5]);
    expect(y.gradFn!.name).toBe("AddBackward0");
    y.sum().backward();
    expect(values(x.grad!)).toEqual([2, 2]);

    const x2 = tensor([1, 2], { requiresGrad: true });
    const y2 = x2.mul(2);
    y2.mul_(x2); // y2 = 2x², dy2/dx2 = 4x
    y2.sum().backward();
    expect(values(x2.grad!)).toEqual([4, 8]);
  });

  it("on a tensor that does not require grad, with an operand that does, makes it part of the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const acc = zeros([2]);
    acc.add_(x.mul(3));
    expect(acc.requiresGrad).toBe(true);
    expect(acc.isLeaf).toBe(false);
    acc.sum().backward();
    expect(values(x.grad!)).toEqual([3, 3]);
  });

  it("keeps the old value for nodes that saved the tensor before the in-place op", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(1);
    const z = y.mul(y); // saves y (version 0)
    y.add_(1); // recorded: y is rebased, but z saved the old y
    expect(() => z.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it("zero_, fill_ and copy_ on a non-leaf cut or reroute the gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const s = tensor([5, 6], { requiresGrad: true });
    const y = x.mul(2);
    y.copy_(s.mul(3));
    expect(values(y)).toEqual([15, 18]);
    y.sum().backward();
    expect(values(s.grad!)).toEqual([3, 3]);
    expect(values(x.grad!)).toEqual([0, 0]); // the overwritten value gets a zero gradient, as in PyTorch

    const x2 = tensor([1, 2], { requiresGrad: true });
    const y2 = x2.mul(2);
    y2.fill_(4);
    y2.add(x2).sum().backward();
    expect(values(x2.grad!)).toEqual([1, 1]);
  });

  it("through a view of a tensor in the graph are recorded on the base (CopySlices); the view follows", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const b = x.mul(2);
    const v = b.slice(0, 1, 3);
    v.mul_(10);
    expect(values(b)).toEqual([2, 40, 60, 8]);
    expect(b.gradFn!.name).toBe("CopySlices");
    expect(v.gradFn!.name).toBe("AsStridedBackward0");
    expect(b.version).toBe(1);
    b.sum().backward();
    expect(values(x.grad!)).toEqual([2, 20, 20, 2]);
  });

  it("a write through a view of a buffer that was itself written into another buffer's view (nested CopySlices)", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const s = tensor([10, 20], { requiresGrad: true });
    const b = x.mul(1);
    b.slice(0, 1, 3).mul_(s);
    const z = zeros([6]);
    z.slice(0, 2, 6).copy_(b); // b's gradient arrives as a view at offset 2 of z's
    const [gs, gx] = grad(z.mul(tensor([1, 1, 1, 2, 3, 1])).sum(), [s, x]);
    expect(values(gs!)).toEqual([4, 9]); // PyTorch 1.13: [4, 9]
    expect(values(gx!)).toEqual([1, 20, 60, 1]); // PyTorch 1.13: [1, 20, 60, 1]
  });

  it("an older view follows an in-place op on its base (its gradient goes through the new history)", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const b = x.mul(2);
    const v = b.slice(0, 0, 2);
    expect(v.gradFn!.name).toBe("SliceBackward0");
    b.mul_(3);
    expect(values(v)).toEqual([6, 12]);
    expect(v.gradFn!.name).toBe("AsStridedBackward0");
    v.sum().backward();
    expect(values(x.grad!)).toEqual([6, 6, 0, 0]); // PyTorch 1.13: tensor([6., 6., 0., 0.])
  });

  it("a buffer that needs no grad joins the graph when a view of it is written from the graph", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const buf = zeros([2, 3]);
    const other = buf.select(0, 1);
    expect(other.requiresGrad).toBe(false);
    buf.select(0, 0).copy_(x.mul(x));
    expect(buf.requiresGrad).toBe(true);
    expect(buf.isLeaf).toBe(false);
    expect(buf.gradFn!.name).toBe("CopySlices");
    expect(other.requiresGrad).toBe(true); // as in PyTorch: the base requires grad now
    expect(other.gradFn!.name).toBe("AsStridedBackward0");
    other.add_(x);
    buf.mul(tensor([[1, 1, 1], [10, 10, 10]])).sum().backward();
    expect(values(x.grad!)).toEqual([12, 14, 16]); // 2x from row 0, 10 from row 1
  });

  it("a view made by detach() is modified like a tensor of its own", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const b = x.mul(2);
    const d = b.detach();
    d.add_(x);
    expect(d.gradFn!.name).toBe("AddBackward0");
    expect(b.gradFn!.name).toBe("MulBackward0");
    expect(values(b)).toEqual([3, 6]);
  });

  it("on an expanded view: refused (as PyTorch) except fill_ and zero_, with or without grad", () => {
    const plain = zeros([3]);
    for (const write of [(e: Tensor) => e.add_(1), (e: Tensor) => e.copy_(ones([2, 3])), (e: Tensor) => e.clamp_({ min: 1 }), (e: Tensor) => e.uniform_()]) {
      expect(() => write(plain.expand([2, 3]))).toThrow(ShapeError);
    }
    expect(() => plain.expand([2, 3]).mul_(2)).toThrow(/mul_: unsupported operation: more than one element of the written-to tensor \(shape \[2, 3\], strides \[0, 1\]\) refers to a single memory location. Call clone\(\)/);
    expect(values(plain)).toEqual([0, 0, 0]);
    expect(plain.version).toBe(0);
    plain.expand([2, 3]).fill_(4);
    expect(values(plain)).toEqual([4, 4, 4]);
  });

  it("fill_ through an expanded view of a graph tensor is recorded; the view's gradient adds up on its one location", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const b = x.mul(2);
    const e = b.slice(0, 0, 1).expand([3]);
    e.fill_(5);
    expect(values(b)).toEqual([5, 4, 6]);
    b.retainGrad();
    e.mul(tensor([1, 2, 3])).sum().add(b.sum()).backward();
    expect(values(b.grad!)).toEqual([7, 1, 1]); // 1 + 2 + 3 from e, 1 from b.sum()
    expect(values(x.grad!)).toEqual([0, 2, 2]); // x[0]'s value was overwritten
  });

  it("through a view: refused for a view made under noGrad, before anything is written", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const b = x.mul(2);
    const quiet = noGrad(() => b.slice(0, 0, 2));
    expect(() => quiet.mul_(2)).toThrow(/mul_: this view \(shape \[2\]\) was made under noGrad .* grad mode on/);
    expect(values(b)).toEqual([2, 4, 6]);
    expect(b.version).toBe(0);
    expect(b.gradFn!.name).toBe("MulBackward0");
    noGrad(() => quiet.mul_(2)); // fine under noGrad, as in PyTorch
    expect(values(b)).toEqual([4, 8, 6]);
  });

  it("through views: no tensor or storage outlives the graph", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const before = memory();
    for (let i = 0; i < 3; i++) {
      tidy(() => {
        const buf = zeros([2, 4]);
        buf.select(0, 0).copy_(x);
        buf.select(0, 1).slice(0, 1, 3).mul_(x.slice(0, 0, 2));
        buf.t().select(0, 0).add_(1);
        buf.sum().backward();
      });
    }
    x.grad!.dispose();
    x.grad = null;
    expect(memory()).toEqual(before);
  });

  it("in-place ops inside noGrad on a non-leaf are not recorded", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.add(0);
    const node = y.gradFn;
    noGrad(() => y.mul_(100));
    expect(y.gradFn).toBe(node);
    y.sum().backward();
    expect(values(x.grad!)).toEqual([1, 1]);
  });
});

describe("misc", () => {
  it("onesLike seeds backward the same as no gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    y.backward(onesLike(y));
    expect(values(x.grad!)).toEqual([2, 4]);
  });

  it("toString shows the gradFn", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(String(x.mul(2))).toContain("gradFn=<MulBackward0>");
    expect(String(x)).toContain("requiresGrad=true");
    expect(String(tensor([1]))).toBe("Tensor(shape=[1], dtype=float32, device=cpu)");
  });
});
