/**
 * The Optimizer base class through its subclasses: param groups, zeroGrad, step, state dicts,
 * and the errors for bad input.
 */
import { describe, expect, it } from "vitest";
import { type Tensor, memory, noGrad, ones, tensor, tidy, zeros } from "@tessera/autograd";
import { Adagrad, Adam, AdamW, OptimError, Optimizer, type ParamGroup, type Params, RMSprop, SGD } from "../src/index.js";
import { f64 } from "./helpers.js";

const param = (values: number[] = [1, -2, 3]) => tensor(values, { dtype: "float64", requiresGrad: true });

/** Sets a gradient (disposing the old one) without a backward pass. */
function setGrad(p: Tensor, values: number[]): void {
  const old = p.grad;
  p.grad = tensor(values, { dtype: p.dtype });
  old?.dispose();
}

describe("construction and param groups", () => {
  it("fills every group's options from the defaults, groups overriding", () => {
    const a = param();
    const b = param();
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.01, nesterov: true }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups).toHaveLength(2);
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9, nesterov: true });
    expect(opt.paramGroups[0]!.params[0]).toBe(a);
    expect(opt.defaults).toEqual({ lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
  });

  it("has PyTorch's defaults", () => {
    const p = param();
    expect(new Adam([p]).defaults).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new AdamW([p]).defaults).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false });
    expect(new RMSprop([p]).defaults).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false });
    expect(new Adagrad([p]).defaults).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false });
  });

  it("accepts any iterable of parameters and a single tensor as a group's params", () => {
    const a = param();
    const b = param();
    const opt = new SGD(new Set([a, b]), { lr: 0.1 });
    expect(opt.paramGroups[0]!.params).toEqual([a, b]);
    const opt2 = new SGD([{ params: a }], { lr: 0.1 });
    expect(opt2.paramGroups[0]!.params).toEqual([a]);
  });

  it("keeps array options per group (changing one group's betas leaves the others)", () => {
    const opt = new Adam([{ params: [param()] }, { params: [param()] }]);
    (opt.paramGroups[0]!.betas as unknown as number[])[0] = 0.5;
    expect(opt.paramGroups[1]!.betas).toEqual([0.9, 0.999]);
    expect(opt.defaults.betas).toEqual([0.9, 0.999]);
  });

  it("addParamGroup adds a group that steps with its own lr", () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    setGrad(a, [1]);
    setGrad(b, [1]);
    opt.step();
    expect(a.dataSync()[0]).toBeCloseTo(0.9, 15);
    expect(b.dataSync()[0]).toBeCloseTo(0.5, 15);
  });

  it("uses a group's lr as changed after construction (as schedulers do)", () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1 });
    opt.paramGroups[0]!.lr = 0.25;
    setGrad(p, [2]);
    opt.step();
    expect(p.dataSync()[0]).toBe(0.5);
  });
});

describe("bad input names the option and the value", () => {
  const p = () => param();
  const cases: [string, () => unknown, RegExp][] = [
    ["lr < 0 (SGD)", () => new SGD([p()], { lr: -0.1 }), /SGD: invalid lr: -0\.1; it must be a number >= 0/],
    ["lr < 0 (Adam)", () => new Adam([p()], { lr: -1 }), /Adam: invalid lr: -1/],
    ["lr < 0 (AdamW)", () => new AdamW([p()], { lr: -1 }), /AdamW: invalid lr: -1/],
    ["lr < 0 (RMSprop)", () => new RMSprop([p()], { lr: -1 }), /RMSprop: invalid lr: -1/],
    ["lr < 0 (Adagrad)", () => new Adagrad([p()], { lr: -1 }), /Adagrad: invalid lr: -1/],
    ["lr NaN", () => new Adam([p()], { lr: NaN }), /Adam: invalid lr: NaN/],
    ["lr not a number", () => new Adam([p()], { lr: "0.1" as never }), /Adam: invalid lr: "0\.1"/],
    ["SGD without lr", () => new SGD([p()], {} as never), /SGD: lr is required/],
    ["betas[0] = 1", () => new Adam([p()], { betas: [1, 0.999] }), /Adam: invalid betas\[0\]: 1; it must be a number in \[0, 1\)/],
    ["betas[1] < 0", () => new AdamW([p()], { betas: [0.9, -0.1] }), /AdamW: invalid betas\[1\]: -0\.1/],
    ["betas not a pair", () => new Adam([p()], { betas: [0.9] as never }), /Adam: invalid betas: \[0\.9\]; it must be a pair/],
    ["eps < 0", () => new Adam([p()], { eps: -1e-8 }), /Adam: invalid eps: -1e-8/],
    ["weightDecay < 0", () => new SGD([p()], { lr: 0.1, weightDecay: -0.5 }), /SGD: invalid weightDecay: -0\.5/],
    ["momentum < 0", () => new SGD([p()], { lr: 0.1, momentum: -0.9 }), /SGD: invalid momentum: -0\.9/],
    ["nesterov without momentum", () => new SGD([p()], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum and zero dampening, got momentum 0/],
    ["nesterov with dampening", () => new SGD([p()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening 0\.1/],
    ["alpha < 0", () => new RMSprop([p()], { alpha: -0.99 }), /RMSprop: invalid alpha: -0\.99/],
    ["lrDecay < 0", () => new Adagrad([p()], { lrDecay: -1 }), /Adagrad: invalid lrDecay: -1/],
    ["initialAccumulatorValue < 0", () => new Adagrad([p()], { initialAccumulatorValue: -0.1 }), /Adagrad: invalid initialAccumulatorValue: -0\.1/],
    ["amsgrad not a boolean", () => new Adam([p()], { amsgrad: 1 as never }), /Adam: invalid amsgrad: 1; it must be true or false/],
    ["a group's own lr < 0", () => new SGD([{ params: [p()] }, { params: [p()], lr: -2 }], { lr: 0.1 }), /SGD \(param group 1\): invalid lr: -2/],
    ["empty params", () => new Adam([]), /Adam: got an empty parameter list/],
    ["a single Tensor", () => new Adam(p() as never), /params must be an array of Tensors or of param groups, but got a single Tensor \(shape \[3\]\)/],
    ["not iterable", () => new Adam(5 as never), /Adam: params must be an array/],
    ["a non-Tensor param", () => new SGD([p(), 3 as never], { lr: 0.1 }), /can only optimize Tensors, but parameter 1 is 3/],
    ["a param that doesn't require grad", () => new SGD([tensor([1, 2])], { lr: 0.1 }), /parameter 0 \(shape \[2\], float32\) does not require grad/],
    ["a non-leaf param", () => new Adam([param().mul(2)]), /can't optimize a non-leaf Tensor: parameter 0 \(shape \[3\], float64\) was computed by MulBackward0/],
    ["a disposed param", () => { const q = p(); q.dispose(); return new Adam([q]); }, /parameter 0 .* was disposed/],
    ["a param twice in a group", () => { const q = p(); return new Adam([q, q]); }, /parameter 1 .* appears twice/],
    ["a param in two groups", () => { const q = p(); return new Adam([{ params: [q] }, { params: [q] }]); }, /some parameters appear in more than one parameter group/],
    ["an empty group", () => new Adam([{ params: [p()] }, { params: [] }]), /Adam \(param group 1\): the group has no parameters/],
    ["a group without params", () => new Adam([{ lr: 0.1 } as never]), /a param group must be an object \{ params/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      expect(make).toThrow(OptimError);
      expect(make).toThrow(message);
    });
  }

  it("addParamGroup checks the new group the same way", () => {
    const opt = new Adam([param()]);
    expect(() => opt.addParamGroup({ params: [param()], betas: [0.9, 1.5] })).toThrow(/Adam \(param group 1\): invalid betas\[1\]: 1\.5/);
    expect(() => opt.addParamGroup({ params: opt.paramGroups[0]!.params })).toThrow(/more than one parameter group/);
    expect(opt.paramGroups).toHaveLength(1);
  });
});

describe("zeroGrad", () => {
  it("setToNone (the default) disposes each grad and sets it to null", () => {
    const p = param();
    const q = param();
    const opt = new SGD([p, q], { lr: 0.1 });
    p.mul(q).sum().backward();
    const g = p.grad!;
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(q.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
    opt.zeroGrad(); // grads already null: nothing to do
    expect(p.grad).toBeNull();
  });

  it("setToNone: false zeroes each grad in place (same tensor, and backward adds into it)", () => {
    const p = param([1, 2, 3]);
    const opt = new SGD([p], { lr: 0.1 });
    p.mul(p).sum().backward();
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0]);
    p.mul(3).sum().backward();
    expect(p.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([3, 3, 3]);
  });

  it("setToNone: false cuts a gradient recorded with createGraph from the graph", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    p.mul(p).sum().backward(undefined, { createGraph: true });
    expect(p.grad!.requiresGrad).toBe(true);
    opt.zeroGrad({ setToNone: false });
    expect(p.grad!.requiresGrad).toBe(false);
    expect(Array.from(p.grad!.dataSync())).toEqual([0, 0]);
  });
});

describe("step", () => {
  it("skips parameters without a gradient (no state is created for them)", () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new Adam([a, b], { lr: 0.1 });
    setGrad(a, [1]);
    opt.step();
    expect(b.dataSync()[0]).toBe(1);
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
  });

  it("runs the closure with grad enabled (even inside noGrad) and returns its value", () => {
    const p = param([3]);
    const opt = new SGD([p], { lr: 0.25 });
    const loss = noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = p.mul(p).sum();
        l.backward();
        return l;
      }),
    );
    expect(loss.itemSync()).toBe(9);
    expect(p.dataSync()[0]).toBe(3 - 0.25 * 6);
    expect(opt.step()).toBeUndefined();
  });

  it("rejects an async closure", () => {
    const opt = new SGD([param()], { lr: 0.1 });
    expect(() => opt.step(async () => 1)).toThrow(/SGD\.step: the closure returned a Promise/);
  });

  it("updates parameters in place without recording the graph or bumping requiresGrad", () => {
    const p = param([1, 2]);
    const opt = new Adam([p], { lr: 0.1 });
    setGrad(p, [1, 1]);
    opt.step();
    expect(p.isLeaf).toBe(true);
    expect(p.requiresGrad).toBe(true);
    expect(p.gradFn).toBeNull();
  });

  it("keeps its state when stepped inside the caller's tidy", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    setGrad(p, [1, 1]);
    tidy(() => opt.step());
    const buf = opt.state.get(p)!.momentumBuffer!;
    expect(buf.isDisposed).toBe(false);
    tidy(() => opt.step());
    expect(Array.from(buf.dataSync())).toEqual([1.9, 1.9]);
  });

  it("works on float32 parameters (scalars are cast to the parameter's dtype)", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = tensor([0.5, -0.5]);
    opt.step();
    expect(p.dtype).toBe("float32");
    const v = p.dataSync();
    expect(v[0]).toBeCloseTo(0.9, 6);
    expect(v[1]).toBeCloseTo(2.1, 6);
  });

  it("creates buffers lazily when an option is switched on mid-training", () => {
    const p = param([1, 2]);
    const opt = new RMSprop([p], { lr: 0.01 });
    setGrad(p, [1, 1]);
    opt.step();
    opt.paramGroups[0]!.momentum = 0.9;
    opt.paramGroups[0]!.centered = true;
    opt.step();
    expect(opt.state.get(p)!.momentumBuffer).toBeDefined();
    expect(opt.state.get(p)!.gradAvg).toBeDefined();
    const adam = new Adam([param()], { lr: 0.01 });
    setGrad(adam.paramGroups[0]!.params[0]!, [1, 1, 1]);
    adam.step();
    adam.paramGroups[0]!.amsgrad = true;
    adam.step();
    expect(adam.state.get(adam.paramGroups[0]!.params[0]!)!.maxExpAvgSq).toBeDefined();
  });
});

// ---------------------------------------------------------------------------- state dicts

type Make = (params: Tensor[][]) => Optimizer;

const MAKERS: [string, Make][] = [
  ["SGD nesterov", ([a, b]) => new SGD([{ params: a! }, { params: b!, lr: 0.05, momentum: 0.5 }], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["Adam amsgrad", ([a, b]) => new Adam([{ params: a! }, { params: b!, lr: 0.003 }], { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
  ["AdamW", ([a, b]) => new AdamW([{ params: a! }, { params: b!, betas: [0.8, 0.99] }], { lr: 0.01 })],
  ["RMSprop centered momentum", ([a, b]) => new RMSprop([{ params: a! }, { params: b!, centered: false }], { momentum: 0.8, centered: true })],
  ["Adagrad lrDecay", ([a, b]) => new Adagrad([{ params: a! }, { params: b!, lr: 0.2 }], { lrDecay: 0.1, initialAccumulatorValue: 0.1 })],
];

const SHAPES = [[2, 3], [4], []];
const START = [[0.5, -1, 2, 0.25, -0.75, 1.5], [1, 2, -3, 0.1], [0.7]];

/** Gradient of step k for parameter i: fixed, varied values. */
function grad(k: number, i: number): number[] {
  return START[i]!.map((v, j) => Math.sin(1 + k * 1.7 + i * 0.9 + j * 0.31) * (1 + v));
}

function makeParams(values: number[][] = START): Tensor[][] {
  const ps = values.map((v, i) => f64(v, SHAPES[i]!, true));
  return [[ps[0]!, ps[1]!], [ps[2]!]];
}

function run(opt: Optimizer, params: Tensor[][], from: number, to: number): void {
  const flat = params.flat();
  for (let k = from; k < to; k++) {
    opt.zeroGrad();
    flat.forEach((p, i) => {
      p.grad = f64(grad(k, i), SHAPES[i]!);
    });
    opt.step();
  }
}

const values = (params: Tensor[][]) => params.flat().map((p) => Array.from(p.dataSync()));

describe("stateDict / loadStateDict", () => {
  for (const [name, make] of MAKERS) {
    it(`${name}: save after 5 steps, load into a fresh optimizer, continue: equal to uninterrupted`, () => {
      const straight = makeParams();
      const a = make(straight);
      run(a, straight, 0, 10);

      const first = makeParams();
      const b = make(first);
      run(b, first, 0, 5);
      const saved = b.stateDict();
      const resumedParams = makeParams(values(first));
      const c = make(resumedParams);
      c.loadStateDict(saved);
      // The loaded state is a copy: stepping the saved optimizer does not change it.
      run(b, first, 5, 10);
      run(c, resumedParams, 5, 10);
      expect(values(resumedParams)).toEqual(values(straight));
      expect(values(first)).toEqual(values(straight));
      expect(c.stateDict().paramGroups).toEqual(a.stateDict().paramGroups);
    });
  }

  it("numbers parameters across groups and lists options then params, as PyTorch", () => {
    const params = makeParams();
    const opt = new SGD([{ params: params[0]! }, { params: params[1]!, lr: 0.01 }], { lr: 0.1, momentum: 0.9 });
    run(opt, params, 0, 1);
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: [0, 1] },
      { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: [2] },
    ]);
    expect(Object.keys(sd.paramGroups[0]!).at(-1)).toBe("params");
    expect(Object.keys(sd.state)).toEqual(["0", "1", "2"]);
    expect(sd.state[2]!.momentumBuffer).toBe(opt.state.get(params[1]![0]!)!.momentumBuffer);
  });

  it("Adam's state dict has step as a number and camelCase keys", () => {
    const params = makeParams();
    const opt = new Adam(params.flat(), { amsgrad: true });
    run(opt, params, 0, 3);
    const entry = opt.stateDict().state[0]!;
    expect(Object.keys(entry)).toEqual(["step", "expAvg", "expAvgSq", "maxExpAvgSq"]);
    expect(entry.step).toBe(3);
  });

  it("keeps extra group keys (initialLr set by a scheduler) through a round trip", () => {
    const params = makeParams();
    const opt = new SGD(params.flat(), { lr: 0.1 });
    opt.paramGroups[0]!.initialLr = 0.1;
    opt.paramGroups[0]!.lr = 0.05;
    const other = new SGD(makeParams().flat(), { lr: 0.3 });
    other.loadStateDict(opt.stateDict());
    expect(other.paramGroups[0]!.lr).toBe(0.05);
    expect(other.paramGroups[0]!.initialLr).toBe(0.1);
  });

  it("casts loaded state to each parameter's dtype", () => {
    const params = makeParams();
    const opt = new Adam(params.flat());
    run(opt, params, 0, 2);
    const p32 = [[tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true }), tensor([1, 2, 3, 4], { requiresGrad: true })], [tensor(1, { requiresGrad: true })]];
    const opt32 = new Adam(p32.flat());
    opt32.loadStateDict(opt.stateDict());
    const s = opt32.state.get(p32[0]![0]!)!;
    expect(s.expAvg.dtype).toBe("float32");
    expect(s.step).toBe(2);
    expect(s.expAvg.dataSync()[0]).toBeCloseTo(opt.state.get(params[0]![0]!)!.expAvg.dataSync()[0]!, 6);
  });

  it("loading replaces (and disposes) the previous state", () => {
    const params = makeParams();
    const opt = new Adam(params.flat());
    run(opt, params, 0, 1);
    const old = opt.state.get(params[0]![0]!)!.expAvg;
    const other = new Adam(makeParams().flat());
    opt.loadStateDict(other.stateDict()); // no state yet
    expect(old.isDisposed).toBe(true);
    expect(opt.state.size).toBe(0);
  });

  it("loading its own state dict works (copies before disposing)", () => {
    const params = makeParams();
    const opt = new Adam(params.flat());
    run(opt, params, 0, 2);
    const before = opt.state.get(params[0]![0]!)!.expAvg.dataSync();
    opt.loadStateDict(opt.stateDict());
    expect(opt.state.get(params[0]![0]!)!.expAvg.dataSync()).toEqual(before);
  });

  describe("clear errors when the state dict doesn't fit", () => {
    const trained = () => {
      const params = makeParams();
      const opt = new Adam([{ params: params[0]! }, { params: params[1]! }]);
      run(opt, params, 0, 2);
      return opt.stateDict();
    };
    it("a different number of groups", () => {
      const opt = new Adam(makeParams().flat());
      expect(() => opt.loadStateDict(trained())).toThrow(/Adam\.loadStateDict: the state dict has 2 param group\(s\) but this Adam has 1/);
    });
    it("a group of another size", () => {
      const [a, b] = makeParams();
      const opt = new Adam([{ params: [a![0]!] }, { params: [a![1]!, b![0]!] }]);
      expect(() => opt.loadStateDict(trained())).toThrow(/param group 0 has 2 parameter\(s\) in the state dict but 1 in this Adam/);
    });
    it("state of another shape", () => {
      const ps = [[f64([1, 2, 3, 4, 5, 6], [3, 2], true), f64([1, 2, 3, 4], [4], true)], [f64([1], [], true)]];
      const opt = new Adam([{ params: ps[0]! }, { params: ps[1]! }]);
      expect(() => opt.loadStateDict(trained())).toThrow(/state\[0\]\.expAvg has shape \[2, 3\] but parameter 0 has shape \[3, 2\]/);
    });
    it("a state dict of another optimizer", () => {
      const params = makeParams();
      const opt = new SGD([{ params: params[0]! }, { params: params[1]! }], { lr: 0.1 });
      expect(() => opt.loadStateDict(trained())).toThrow(/param group 0 of the state dict has no "momentum".*another kind of optimizer/);
    });
    it("not a state dict", () => {
      const opt = new Adam(makeParams().flat());
      expect(() => opt.loadStateDict({} as never)).toThrow(/expected \{ state: \{\.\.\.\}, paramGroups: \[\.\.\.\] \}/);
    });
    it("state for an unknown parameter index", () => {
      const opt = new Adam([{ params: makeParams()[0]! }, { params: makeParams()[1]! }]);
      const sd = trained();
      sd.state[7] = sd.state[0]!;
      expect(() => opt.loadStateDict(sd)).toThrow(/state for parameter 7, but its param groups list only 0, 1, 2/);
    });
    it("an invalid option", () => {
      const opt = new Adam([{ params: makeParams()[0]! }, { params: makeParams()[1]! }]);
      const sd = trained();
      sd.paramGroups[1]!.lr = -3;
      expect(() => opt.loadStateDict(sd)).toThrow(/Adam\.loadStateDict \(param group 1\): invalid lr: -3/);
    });
    it("nothing changes when it throws", () => {
      const params = makeParams();
      const opt = new Adam([{ params: params[0]! }, { params: params[1]! }], { lr: 0.5 });
      run(opt, params, 0, 1);
      const sd = trained();
      (sd.state[1] as Record<string, unknown>).expAvg = "oops";
      expect(() => opt.loadStateDict(sd)).toThrow(/state\[1\]\.expAvg must be a Tensor, a number or null, got "oops"/);
      expect(opt.paramGroups[0]!.lr).toBe(0.5);
      expect(opt.state.get(params[0]![0]!)!.step).toBe(1);
    });
  });
});

describe("dispose", () => {
  it("frees the state tensors; the optimizer starts over if stepped again", () => {
    const p = param([1, 2]);
    p.grad = zeros([2], { dtype: "float64" });
    const before = memory();
    const opt = new Adam([p], { amsgrad: true });
    opt.step();
    expect(memory().tensors).toBe(before.tensors + 3);
    opt.dispose();
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().bytes).toBe(before.bytes);
    opt.step();
    expect(opt.state.get(p)!.step).toBe(1);
    opt.dispose();
  });

  it("works with `using`", () => {
    const p = param([1, 2]);
    p.grad = ones([2], { dtype: "float64" });
    const before = memory().tensors;
    {
      using opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
      opt.step();
      expect(memory().tensors).toBe(before + 1);
    }
    expect(memory().tensors).toBe(before);
  });
});

describe("extending Optimizer", () => {
  it("a user optimizer (the TSDoc example) gets groups, zeroGrad, step and state dicts", () => {
    class SignSGD extends Optimizer<{ lr: number }, { steps: number }> {
      constructor(params: Params<{ lr: number }>, options: { lr: number }) {
        super(params, { lr: options.lr });
      }
      protected override get optimizerName() {
        return "SignSGD";
      }
      protected checkOptions(o: { lr: number }, where: string) {
        if (!(o.lr >= 0)) throw new OptimError(`${where}: invalid lr: ${o.lr}; it must be a number >= 0.`);
      }
      protected initState() {
        return { steps: 0 };
      }
      protected update(p: Tensor, grad: Tensor, state: { steps: number }, group: ParamGroup<{ lr: number }>) {
        state.steps += 1;
        p.sub_(grad.sign().mul(group.lr));
      }
    }
    expect(() => new SignSGD([param()], { lr: -1 })).toThrow(/SignSGD: invalid lr: -1/);
    expect(() => new SignSGD([], { lr: 1 })).toThrow(/SignSGD: got an empty parameter list/);
    const p = param([1, -2, 3]);
    const opt = new SignSGD([p], { lr: 0.5 });
    setGrad(p, [2, -3, 0]);
    opt.step();
    opt.step();
    expect(Array.from(p.dataSync())).toEqual([0, -1, 3]);
    expect(opt.stateDict()).toEqual({ state: { 0: { steps: 2 } }, paramGroups: [{ lr: 0.5, params: [0] }] });
  });
});

describe("strided parameters and gradients", () => {
  for (const [name, make] of MAKERS) {
    it(`${name}: a transposed parameter and gradient give the same values as contiguous ones`, () => {
      const base = [[0.5, -1, 2], [0.25, -0.75, 1.5]];
      const contiguous = [[f64(base.flat(), [2, 3], true), f64([1, 2, -3, 0.1], [4], true)], [f64([0.7], [], true)]];
      // The same logical [2, 3] values, stored column-major.
      const t = f64([0.5, 0.25, -1, -0.75, 2, 1.5], [3, 2]).t().detach().requiresGrad_();
      const strided = [[t, f64([1, 2, -3, 0.1], [4], true)], [f64([0.7], [], true)]];
      expect(t.isContiguous()).toBe(false);
      const a = make(contiguous);
      const b = make(strided);
      for (let k = 0; k < 4; k++) {
        [a, b].forEach((opt, which) => {
          opt.zeroGrad();
          const ps = (which === 0 ? contiguous : strided).flat();
          ps.forEach((p, i) => {
            const g = f64(grad(k, i), SHAPES[i]!);
            if (which === 1 && i === 0) {
              p.grad = f64(Array.from(g.t().contiguous().dataSync()), [3, 2]).t();
              g.dispose();
            } else {
              p.grad = g;
            }
          });
          opt.step();
        });
      }
      expect(values(strided)).toEqual(values(contiguous));
      expect(t.isContiguous()).toBe(false);
    });
  }
});
