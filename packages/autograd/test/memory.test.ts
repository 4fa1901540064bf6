/**
 * Tensor lifetimes (DESIGN.md §4): a training loop reaches an exactly flat `memory()`, views
 * share storage, saved tensors live as long as their graph needs them, and `tidy` / `keep` /
 * `dispose` / `using` release what they should and nothing else.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  type Tensor,
  avgPool2d,
  conv2d,
  grad,
  gradcheck,
  keep,
  manualSeed,
  maxPool2d,
  memory,
  noGrad,
  randn,
  tensor,
  tidy,
  zeros,
} from "../src/index.js";
import { values } from "./helpers.js";

/** Live tensors and bytes, as one comparable object. */
function usage(): { tensors: number; bytes: number } {
  const m = memory();
  return { tensors: m.tensors, bytes: m.bytes };
}

/** A 2-layer MLP on [16, 8] inputs with an MSE loss, trained by plain SGD. */
function makeModel() {
  manualSeed(7);
  const x = randn([16, 8]);
  const target = randn([16, 4]);
  const w1 = randn([8, 16]).requiresGrad_();
  const b1 = zeros([16], { requiresGrad: true });
  const w2 = randn([16, 4]).requiresGrad_();
  noGrad(() => {
    w1.mul_(0.3);
    w2.mul_(0.3);
  });
  const b2 = zeros([4], { requiresGrad: true });
  return { x, target, params: [w1, b1, w2, b2] };
}

const STEPS = 1000;
const WARMUP = 3;

beforeEach(() => manualSeed(0));

describe("a training loop reaches a steady state", () => {
  it("inside tidy, zeroing grads in place", () => {
    const { x, target, params } = makeModel();
    const base = usage();
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    const losses: number[] = [];
    let steady: ReturnType<typeof usage> | null = null;
    for (let i = 0; i < STEPS; i++) {
      const loss = tidy(() => {
        const out = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
        const l = out.sub(target).pow(2).mean();
        l.backward();
        noGrad(() => {
          for (const p of params) {
            p.sub_(p.grad!.mul(0.05));
            p.grad!.zero_();
          }
        });
        return l.itemSync();
      });
      losses.push(loss);
      if (i === WARMUP) steady = usage();
      if (i > WARMUP) expect(usage(), `step ${i}`).toEqual(steady);
    }
    expect(losses[STEPS - 1]!).toBeLessThan(losses[0]! * 0.5);
    // Only the 4 grads were added to the model and the data: nothing else is alive.
    expect(steady!.tensors).toBe(base.tensors + 4);
    expect(steady!.bytes).toBe(base.bytes + 4 * (8 * 16 + 16 + 16 * 4 + 4));
  });

  it("inside tidy, setting grads to null after disposing them", () => {
    const { x, target, params } = makeModel();
    const base = usage();
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    let steady: ReturnType<typeof usage> | null = null;
    for (let i = 0; i < STEPS; i++) {
      tidy(() => {
        const l = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(target).pow(2).mean();
        l.backward();
        noGrad(() => {
          for (const p of params) p.sub_(p.grad!, { alpha: 0.05 });
        });
      });
      for (const p of params) {
        p.grad!.dispose();
        p.grad = null;
      }
      if (i === WARMUP) steady = usage();
      if (i > WARMUP) expect(usage(), `step ${i}`).toEqual(steady);
    }
    expect(steady).toEqual(base);
  });

  it("with explicit dispose", () => {
    const { x, target, params } = makeModel();
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    let steady: ReturnType<typeof usage> | null = null;
    let first = 0;
    let last = 0;
    for (let i = 0; i < STEPS; i++) {
      const h1 = x.matmul(w1);
      const h2 = h1.add(b1);
      const h = h2.relu();
      const o1 = h.matmul(w2);
      const out = o1.add(b2);
      const d = out.sub(target);
      const sq = d.pow(2);
      const loss = sq.mean();
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          const update = p.grad!.mul(0.05);
          p.sub_(update);
          update.dispose();
          p.grad!.zero_();
        }
      });
      if (i === 0) first = loss.itemSync();
      last = loss.itemSync();
      for (const t of [h1, h2, h, o1, out, d, sq, loss]) t.dispose();
      if (i === WARMUP) steady = usage();
      if (i > WARMUP) expect(usage(), `step ${i}`).toEqual(steady);
    }
    expect(last).toBeLessThan(first * 0.5);
  });

  it("with `using` declarations", () => {
    const { x, target, params } = makeModel();
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    let steady: ReturnType<typeof usage> | null = null;
    for (let i = 0; i < STEPS; i++) {
      {
        using h1 = x.matmul(w1);
        using h2 = h1.add(b1);
        using h = h2.sigmoid();
        using o1 = h.matmul(w2);
        using out = o1.add(b2);
        using d = out.sub(target);
        using sq = d.mul(d);
        using loss = sq.mean();
        loss.backward();
        noGrad(() => {
          for (const p of params) {
            using update = p.grad!.mul(0.05);
            p.sub_(update);
            p.grad!.zero_();
          }
        });
      }
      if (i === WARMUP) steady = usage();
      if (i > WARMUP) expect(usage(), `step ${i}`).toEqual(steady);
    }
  });

  it("a forward pass with grad on but no backward (evaluation) frees its graph", () => {
    const { x, params } = makeModel();
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    const before = usage();
    for (let i = 0; i < 50; i++) {
      const correct = tidy(() => x.matmul(w1).add(b1).relu().matmul(w2).add(b2).softmax(1).argmax({ dim: 1 }).eq(0).sum().itemSync());
      expect(correct).toBeGreaterThanOrEqual(0);
    }
    expect(usage()).toEqual(before);
    // The same with explicit dispose of the outputs only.
    for (let i = 0; i < 50; i++) {
      const h = x.matmul(w1).tanh(); // the matmul result is dropped without dispose...
      h.dispose(); // ...but only h keeps its graph alive
    }
    // The 50 matmul results are not disposed (the garbage collector's job), but the saved
    // outputs of tanh are freed: bytes grew by the matmul results only.
    expect(usage().bytes - before.bytes).toBeLessThanOrEqual(50 * 16 * 16 * 4);
  });
});

describe("views share storage", () => {
  it("bytes count once per storage, tensors once per view", () => {
    const before = usage();
    const x = zeros([10, 10]);
    expect(usage()).toEqual({ tensors: before.tensors + 1, bytes: before.bytes + 400 });
    const v1 = x.view([100]);
    const v2 = x.t();
    const v3 = x.slice(0, 0, 10, 2);
    const v4 = x.select(1, 3);
    const v5 = x.detach();
    const v6 = x.expand([3, 10, 10]);
    expect(usage()).toEqual({ tensors: before.tensors + 7, bytes: before.bytes + 400 });
    expect(memory().devices.cpu!.bytes).toBeGreaterThanOrEqual(400);
    for (const v of [v1, v2, v3, v4, v5, v6]) v.dispose();
    expect(usage()).toEqual({ tensors: before.tensors + 1, bytes: before.bytes + 400 });
    x.dispose();
    expect(usage()).toEqual(before);
  });

  it("disposing a view doesn't free the base; disposing the base keeps the storage for its views", () => {
    const before = usage();
    const x = tensor([1, 2, 3, 4]);
    const v = x.view([2, 2]);
    v.dispose();
    expect(values(x)).toEqual([1, 2, 3, 4]);
    const w = x.slice(0, 1, 3);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(values(w)).toEqual([2, 3]);
    expect(usage().bytes).toBe(before.bytes + 16);
    w.dispose();
    expect(usage()).toEqual(before);
  });

  it("reshape of a non-contiguous tensor copies (new storage)", () => {
    const x = zeros([3, 4]);
    const before = usage();
    const r = x.t().reshape([12]);
    expect(usage().bytes).toBe(before.bytes + 48);
    r.dispose();
  });

  it("contiguous() of a contiguous tensor is a new view, disposable on its own", () => {
    const x = tensor([1, 2]);
    const before = usage();
    const c = x.contiguous();
    expect(c).not.toBe(x);
    expect(usage()).toEqual({ tensors: before.tensors + 1, bytes: before.bytes });
    c.dispose();
    expect(values(x)).toEqual([1, 2]);
  });
});

describe("saved tensors", () => {
  it("keep their storage alive after the user disposes the original, and are freed by backward", () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const start = usage();
    const y = x.exp(); // ExpBackward saves its output y: 16 bytes
    const loss = y.sum(); // 4 bytes
    expect(usage()).toEqual({ tensors: start.tensors + 2, bytes: start.bytes + 20 });
    y.dispose();
    // y's storage is still held by the graph.
    expect(usage()).toEqual({ tensors: start.tensors + 1, bytes: start.bytes + 20 });
    loss.backward();
    // The saved output is freed as backward passes it; x.grad (16 bytes) is new.
    expect(x.grad).not.toBeNull();
    expect(usage()).toEqual({ tensors: start.tensors + 2, bytes: start.bytes + 4 + 16 });
    expect(values(x.grad!).map((v) => Math.round(v * 1000) / 1000)).toEqual([1, 2, 3, 4].map((v) => Math.round(Math.exp(v) * 1000) / 1000));
  });

  it("a saved leaf input stays alive after dispose and is released after backward", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const c = tensor([4, 5, 6]);
    const start = usage();
    const prod = w.mul(c); // MulBackward saves c (for w's gradient)
    const loss = prod.sum();
    prod.dispose();
    c.dispose();
    expect(usage().bytes).toBe(start.bytes + 4); // the loss; c's 12 bytes were counted in start
    loss.backward();
    expect(values(w.grad!)).toEqual([4, 5, 6]);
    expect(usage().bytes).toBe(start.bytes - 12 + 4 + 12); // c freed, loss + grad alive
  });

  it("with retainGraph they stay until the graph's tensors are disposed", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const start = usage();
    const y = x.sigmoid();
    const loss = y.sum();
    loss.backward(undefined, { retainGraph: true });
    loss.backward(undefined, { retainGraph: true });
    const grads = x.grad!;
    expect(usage().bytes).toBe(start.bytes + 8 + 4 + 8);
    y.dispose();
    expect(usage().bytes).toBe(start.bytes + 8 + 4 + 8); // still needed by loss's graph
    loss.dispose();
    expect(usage().bytes).toBe(start.bytes + 8); // only x.grad remains
    expect(grads.isDisposed).toBe(false);
  });

  it("a graph that is never run backward is freed when its tensors are disposed", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const start = usage();
    for (let i = 0; i < 20; i++) {
      tidy(() => {
        x.exp().mul(x.sin()).softmax(0).logsumexp({ dim: 0 });
      });
    }
    expect(usage()).toEqual(start);
  });

  it("a long chain is freed without overflowing the stack", () => {
    const x = tensor([0.5], { requiresGrad: true });
    const start = usage();
    tidy(() => {
      let y = x;
      for (let i = 0; i < 20000; i++) y = y.mul(1.0001).exp().log();
      return null;
    });
    expect(usage()).toEqual(start);
  });

  it("createGraph gradients keep what the higher-order graph needs, and free it with them", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const start = usage();
    tidy(() => {
      const [g] = grad(x.pow(3).sum(), x, { createGraph: true });
      const [g2] = grad(g!.sum(), x);
      expect(values(g2!)).toEqual([6, 12]);
    });
    expect(usage()).toEqual(start);
  });

  it("gradcheck leaves memory as it was", () => {
    const x = randn([3], { dtype: "float64", requiresGrad: true });
    const start = usage();
    expect(gradcheck((t) => t.exp().mul(t).sum(), [x])).toBe(true);
    expect(usage()).toEqual(start);
  });
});

describe("backward frees its intermediates", () => {
  it("only the new .grad tensors remain after backward", () => {
    const a = randn([8, 8], { requiresGrad: true });
    const b = randn([8, 8], { requiresGrad: true });
    const loss = a.matmul(b).tanh().mul(a).sum();
    const before = usage();
    loss.backward();
    expect(usage().tensors).toBe(before.tensors + 2);
    // Saved tensors freed (tanh's output, a, b, …): bytes grow by less than two grads.
    expect(usage().bytes).toBeLessThanOrEqual(before.bytes + 2 * 256);
  });

  it("accumulating into an existing .grad adds in place and allocates nothing that stays", () => {
    const a = randn([4], { requiresGrad: true });
    a.mul(2).sum().backward();
    const g = a.grad!;
    const before = usage();
    const m = a.mul(3);
    const loss = m.sum();
    m.dispose();
    loss.backward();
    loss.dispose();
    expect(a.grad).toBe(g);
    expect(usage()).toEqual({ tensors: before.tensors, bytes: before.bytes });
    expect(values(g)).toEqual([5, 5, 5, 5]);
  });

  it("grad() returns new tensors owned by the caller, adopted by an enclosing tidy", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const start = usage();
    const kept = tidy(() => {
      const [g] = grad(x.mul(x).sum(), x);
      return g!;
    });
    expect(values(kept)).toEqual([2, 4]);
    expect(usage().tensors).toBe(start.tensors + 1);
    kept.dispose();
    expect(usage()).toEqual(start);
    tidy(() => {
      grad(x.mul(x).sum(), x);
    });
    expect(usage()).toEqual(start);
  });
});

describe("tidy", () => {
  it("disposes everything created inside except what it returns", () => {
    const x = tensor([1, 2]);
    const start = usage();
    const y = tidy(() => x.mul(2).add(1).exp().log());
    expect(values(y)).toEqual([3, 5]);
    expect(usage()).toEqual({ tensors: start.tensors + 1, bytes: start.bytes + 8 });
    expect(x.isDisposed).toBe(false);
    y.dispose();
    expect(usage()).toEqual(start);
  });

  it("keeps tensors returned in arrays and plain objects, nested", () => {
    const x = tensor([1, 2]);
    const start = usage();
    const out = tidy(() => {
      const a = x.mul(2);
      const b = x.mul(3);
      const c = x.mul(4);
      x.mul(5); // dropped
      return { list: [a, { deep: b }], c, label: "ok", n: 3 };
    });
    expect(out.label).toBe("ok");
    expect(values(out.list[0] as Tensor)).toEqual([2, 4]);
    expect(values((out.list[1] as { deep: Tensor }).deep)).toEqual([3, 6]);
    expect(values(out.c)).toEqual([4, 8]);
    expect(usage().tensors).toBe(start.tensors + 3);
  });

  it("returns non-tensor values, and the value of fn", () => {
    const start = usage();
    expect(tidy(() => tensor([1, 2, 3]).sum().itemSync())).toBe(6);
    expect(tidy(() => undefined)).toBeUndefined();
    expect(usage()).toEqual(start);
  });

  it("nests: the inner result belongs to the outer scope", () => {
    const start = usage();
    let inner: Tensor | null = null;
    const outer = tidy(() => {
      inner = tidy(() => tensor([1]).mul(2));
      const kept = tidy(() => tensor([5]).add(1));
      expect(inner.isDisposed).toBe(false);
      return kept;
    });
    expect(inner!.isDisposed).toBe(true);
    expect(values(outer)).toEqual([6]);
    expect(usage().tensors).toBe(start.tensors + 1);
  });

  it("keep() protects a tensor from every enclosing tidy", () => {
    const start = usage();
    let state: Tensor | null = null;
    tidy(() => {
      tidy(() => {
        state = keep(tensor([1, 2]).mul(2));
      });
    });
    expect(state!.isDisposed).toBe(false);
    expect(values(state!)).toEqual([2, 4]);
    expect(usage().tensors).toBe(start.tensors + 1);
    state!.dispose();
    expect(usage()).toEqual(start);
  });

  it("disposes what was created when fn throws", () => {
    const start = usage();
    expect(() =>
      tidy(() => {
        tensor([1, 2]).mul(3);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(usage()).toEqual(start);
  });

  it("rejects a Promise", () => {
    expect(() => tidy((() => Promise.resolve(1)) as () => unknown)).toThrow(/Promise/);
  });

  it("gradients stored by backward survive tidy", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    tidy(() => {
      w.mul(w).sum().backward();
    });
    expect(w.grad!.isDisposed).toBe(false);
    expect(values(w.grad!)).toEqual([2, 4, 6]);
    // And accumulate across tidies.
    tidy(() => {
      w.sum().backward();
    });
    expect(values(w.grad!)).toEqual([3, 5, 7]);
  });

  it("a retained non-leaf grad survives too", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    let y: Tensor | null = null;
    tidy(() => {
      y = x.mul(3);
      y.retainGrad();
      y.mul(y).sum().backward();
    });
    expect(y!.isDisposed).toBe(true);
    expect(values(y!.grad!)).toEqual([6, 12]);
  });
});

describe("dispose and using", () => {
  it("dispose releases at once, deterministically", () => {
    const start = usage();
    const t = zeros([256]);
    expect(usage().bytes).toBe(start.bytes + 1024);
    t.dispose();
    expect(usage()).toEqual(start);
  });

  it("`using` disposes at the end of the block, also when it throws", () => {
    const start = usage();
    {
      using a = tensor([1, 2]);
      using b = a.mul(2);
      expect(values(b)).toEqual([2, 4]);
      expect(usage().tensors).toBe(start.tensors + 2);
    }
    expect(usage()).toEqual(start);
    expect(() => {
      using c = tensor([1, 2]);
      void c;
      throw new Error("inside");
    }).toThrow("inside");
    expect(usage()).toEqual(start);
  });

  it("memory() reports per device", () => {
    const m = memory();
    expect(m.devices.cpu).toBeDefined();
    expect(m.devices.cpu!.bytes).toBe(m.bytes - Object.entries(m.devices).filter(([d]) => d !== "cpu").reduce((s, [, v]) => s + v.bytes, 0));
    const t = zeros([3], { dtype: "float64" });
    expect(memory().devices.cpu!.buffers).toBe(m.devices.cpu!.buffers + 1);
    expect(memory().devices.cpu!.bytes).toBe(m.devices.cpu!.bytes + 24);
    t.dispose();
  });
});

describe("every op frees its intermediates", () => {
  interface Args {
    x: Tensor;
    y: Tensor;
    pos: Tensor;
    img: Tensor;
    w: Tensor;
    b: Tensor;
    idx: Tensor;
    idx1: Tensor;
    ints: Tensor;
    mask: Tensor;
    /** Views prepared outside the measured call. */
    yRow: Tensor;
    yT: Tensor;
    xT: Tensor;
    img3: Tensor;
  }
  // One op per entry, called outside tidy: whatever it leaves besides its result is a leak.
  const ops: [string, (a: Args) => Tensor | Tensor[]][] = [
    ["add", (a) => a.x.add(a.y)],
    ["add alpha", (a) => a.x.add(a.y, { alpha: 2 })],
    ["add scalar", (a) => a.x.add(1.5)],
    ["sub alpha", (a) => a.x.sub(a.y, { alpha: -1 })],
    ["mul with int tensor", (a) => a.x.mul(a.ints)],
    ["mul broadcast", (a) => a.x.mul(a.yRow)],
    ["div", (a) => a.x.div(a.pos)],
    ["div int by scalar", (a) => a.ints.div(2)],
    ["pow tensor", (a) => a.pos.pow(a.y)],
    ["pow scalar", (a) => a.pos.pow(2.5)],
    ["maximum", (a) => a.x.maximum(a.y)],
    ["minimum scalar", (a) => a.x.minimum(0)],
    ["neg", (a) => a.x.neg()],
    ["abs", (a) => a.x.abs()],
    ["sign", (a) => a.x.sign()],
    ["exp", (a) => a.x.exp()],
    ["log", (a) => a.pos.log()],
    ["sqrt", (a) => a.pos.sqrt()],
    ["rsqrt", (a) => a.pos.rsqrt()],
    ["sin", (a) => a.x.sin()],
    ["cos", (a) => a.x.cos()],
    ["tanh", (a) => a.x.tanh()],
    ["sigmoid", (a) => a.x.sigmoid()],
    ["relu", (a) => a.x.relu()],
    ["erf", (a) => a.x.erf()],
    ["reciprocal", (a) => a.pos.reciprocal()],
    ["floor", (a) => a.x.floor()],
    ["round", (a) => a.x.round()],
    ["exp of int", (a) => a.ints.exp()],
    ["gt scalar", (a) => a.x.gt(0)],
    ["eq int vs float", (a) => a.ints.eq(a.x)],
    ["where", (a) => a.x.where(a.mask, a.y)],
    ["where scalar", (a) => a.x.where(a.mask, 0.5)],
    ["clamp", (a) => a.x.clamp({ min: -0.5, max: 0.5 })],
    ["sum", (a) => a.x.sum({ dim: 0 })],
    ["mean", (a) => a.x.mean({ dim: 1, keepdim: true })],
    ["prod", (a) => a.x.prod()],
    ["max", (a) => a.x.max({ dim: 1 })],
    ["min", (a) => a.x.min()],
    ["argmax", (a) => a.x.argmax({ dim: 1 })],
    ["var", (a) => a.x.var({ dim: 1 })],
    ["std", (a) => a.x.std()],
    ["logsumexp", (a) => a.x.logsumexp({ dim: [0, 1] })],
    ["softmax", (a) => a.x.softmax(1)],
    ["logSoftmax", (a) => a.x.logSoftmax(0)],
    ["matmul", (a) => a.x.matmul(a.yT)],
    ["matmul 1-D", (a) => a.x.matmul(a.yRow)],
    ["matmul int by float", (a) => a.ints.matmul(a.yT)],
    ["reshape (view)", (a) => a.x.reshape([6])],
    ["reshape (copy)", (a) => a.xT.reshape([6])],
    ["flatten", (a) => a.x.flatten()],
    ["view", (a) => a.x.view([3, 2])],
    ["permute", (a) => a.x.permute(1, 0)],
    ["t", (a) => a.x.t()],
    ["expand", (a) => a.x.expand([4, 2, 3])],
    ["squeeze / unsqueeze", (a) => a.x.unsqueeze(0)],
    ["narrow", (a) => a.x.narrow(1, 1, 2)],
    ["slice", (a) => a.x.slice(1, 0, 3, 2)],
    ["select", (a) => a.x.select(0, 1)],
    ["contiguous", (a) => a.xT.contiguous()],
    ["clone", (a) => a.x.clone()],
    ["to float64", (a) => a.x.to("float64")],
    ["gather", (a) => a.x.gather(1, a.idx)],
    ["scatterAdd", (a) => a.x.scatterAdd(1, a.idx, a.y)],
    ["indexSelect", (a) => a.x.indexSelect(0, a.idx1)],
    ["conv2d", (a) => conv2d(a.img, a.w, a.b, { padding: 1 })],
    ["conv2d unbatched", (a) => conv2d(a.img3, a.w, null, { stride: 2 })],
    ["maxPool2d", (a) => maxPool2d(a.img, { kernelSize: 2 })],
    ["maxPool2d unbatched", (a) => maxPool2d(a.img3, { kernelSize: 2, stride: 1, padding: 1 })],
    ["avgPool2d", (a) => avgPool2d(a.img, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false })],
  ];
  for (const [name, fn] of ops) {
    for (const requiresGrad of [false, true]) {
      it(`${name} (requiresGrad ${requiresGrad})`, () => {
        const float = (shape: number[]) => randn(shape, { requiresGrad });
        const a: Args = {
          x: float([2, 3]),
          y: float([2, 3]),
          pos: noGrad(() => randn([2, 3]).abs().add(0.5)).requiresGrad_(requiresGrad),
          img: float([1, 2, 4, 4]),
          w: float([3, 2, 2, 2]),
          b: float([3]),
          idx: tensor([[0, 2, 1], [1, 0, 0]], { dtype: "int32" }),
          idx1: tensor([1, 0, 1], { dtype: "int32" }),
          ints: tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" }),
          mask: tensor([[true, false, true], [false, true, true]]),
          yRow: null!,
          yT: null!,
          xT: null!,
          img3: null!,
        };
        a.yRow = a.y.select(0, 1);
        a.yT = a.y.t();
        a.xT = a.x.t();
        a.img3 = a.img.select(0, 0);
        const before = usage();
        const out = fn(a);
        const outs = Array.isArray(out) ? out : [out];
        expect(usage().tensors, "only the result is alive").toBe(before.tensors + outs.length);
        // Dropping the result frees it and whatever its graph saved.
        for (const o of outs) o.dispose();
        expect(usage()).toEqual(before);

        if (requiresGrad) {
          const again = fn(a);
          const result = Array.isArray(again) ? again[0]! : again;
          if (result.requiresGrad) {
            const loss = result.sum();
            loss.backward();
            const grads = Object.values(a).filter((t) => t.grad !== null).length;
            expect(grads).toBeGreaterThan(0);
            expect(usage().tensors).toBe(before.tensors + 2 + grads);
            for (const t of Object.values(a)) {
              t.grad?.dispose();
              t.grad = null;
            }
            loss.dispose();
          }
          for (const o of Array.isArray(again) ? again : [again]) o.dispose();
          expect(usage()).toEqual(before);
        }
      });
    }
  }
});
