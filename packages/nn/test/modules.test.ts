/** Module and Parameter: registration, naming, traversal, modes, gradients, to(), state dicts. */
import { describe, expect, test } from "vitest";
import { type Tensor, memory, noGrad, ones, randn, tensor, tidy, zeros } from "@tessera/autograd";
import {
  BatchNorm1d,
  Dropout,
  Linear,
  Module,
  ModuleError,
  Parameter,
  ReLU,
  Sequential,
  StateDictError,
  toSnakeCase,
} from "../src/index.js";

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

class Block extends Module {
  inProjWeight = new Parameter(ones([3, 2]));
  outProj = new Linear(2, 2);
  runningThing: Tensor = zeros([2]); // a plain tensor: not state
  forward(x: Tensor): Tensor {
    return this.outProj.forward(x);
  }
}

class Net extends Module {
  fc1 = new Linear(4, 3);
  block = new Block();
  fc2: Linear;
  constructor() {
    super();
    this.registerBuffer("running_mean", zeros([3]));
    this.fc2 = new Linear(3, 1);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.fc1.forward(x).relu());
  }
}

describe("naming rule", () => {
  test("camelCase → snake_case as PyTorch spells attributes", () => {
    expect(toSnakeCase("inProjWeight")).toBe("in_proj_weight");
    expect(toSnakeCase("outProj")).toBe("out_proj");
    expect(toSnakeCase("runningMean")).toBe("running_mean");
    expect(toSnakeCase("fc1")).toBe("fc1");
    expect(toSnakeCase("weight")).toBe("weight");
    expect(toSnakeCase("already_snake")).toBe("already_snake");
    expect(toSnakeCase("layer1Norm")).toBe("layer1_norm");
    expect(toSnakeCase("myHTTPLayer")).toBe("my_http_layer");
    expect(toSnakeCase("_private")).toBe("_private");
  });
});

describe("registration", () => {
  test("auto-discovered properties get snake_case names in definition order; explicit names as given", () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      "fc1.weight",
      "fc1.bias",
      "block.in_proj_weight",
      "block.out_proj.weight",
      "block.out_proj.bias",
      "fc2.weight",
      "fc2.bias",
    ]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(["running_mean"]);
    expect(net.namedChildren().map(([n]) => n)).toEqual(["fc1", "block", "fc2"]);
    expect(net.namedModules().map(([n]) => n)).toEqual(["", "fc1", "block", "block.out_proj", "fc2"]);
    expect(net.modules().length).toBe(5);
    expect(Object.keys(net.stateDict())).toEqual([
      "running_mean",
      "fc1.weight",
      "fc1.bias",
      "block.in_proj_weight",
      "block.out_proj.weight",
      "block.out_proj.bias",
      "fc2.weight",
      "fc2.bias",
    ]);
  });

  test("plain tensors in properties are not state", () => {
    const b = new Block();
    expect(b.buffers()).toEqual([]);
    expect(Object.keys(b.stateDict())).not.toContain("running_thing");
  });

  test("explicit registration of parameters, buffers and modules, with null placeholders", () => {
    class M extends Module {
      constructor() {
        super();
        this.registerParameter("w", new Parameter(ones([2])));
        this.registerParameter("maybe", null);
        this.registerBuffer("stats", zeros([2]));
        this.registerBuffer("cache", zeros([1]), { persistent: false });
        this.registerBuffer("none", null);
        this.registerModule("Sub.Module".replace(".", ""), new Linear(1, 1));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new M();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["w", "SubModule.weight", "SubModule.bias"]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["stats", "cache"]);
    expect(Object.keys(m.stateDict())).toEqual(["w", "stats", "SubModule.weight", "SubModule.bias"]);
    // Re-registering the same name replaces the value in place (order kept).
    const w2 = new Parameter(zeros([2]));
    m.registerParameter("w", w2);
    expect(m.getParameter("w")).toBe(w2);
    m.registerParameter("maybe", new Parameter(ones([1])));
    expect(m.namedParameters().map(([n]) => n)).toEqual(["w", "maybe", "SubModule.weight", "SubModule.bias"]);
  });

  test("registration order follows assignment order across properties and register calls", () => {
    class M extends Module {
      a = new Parameter(ones([1]));
      c?: Parameter;
      constructor() {
        super();
        this.registerParameter("b", new Parameter(ones([1])));
        this.c = new Parameter(ones([1]));
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(new M().namedParameters().map(([n]) => n)).toEqual(["a", "b", "c"]);
  });

  test("reassigning a property replaces the member; null or delete removes it", () => {
    const net = new Net();
    const fresh = new Linear(4, 3, { bias: false });
    net.fc1 = fresh;
    expect(net.getSubmodule("fc1")).toBe(fresh);
    expect(Object.keys(net.stateDict())).toContain("fc1.weight");
    expect(Object.keys(net.stateDict())).not.toContain("fc1.bias");
    (net as { block: unknown }).block = null;
    expect(net.namedChildren().map(([n]) => n)).toEqual(["fc1", "fc2"]);
  });

  test("errors: bad names, taken names, wrong types, a parameter property replaced by a tensor", () => {
    const net = new Net();
    expect(() => net.registerParameter("a.b", new Parameter(ones([1])))).toThrow(/can't contain "."/);
    expect(() => net.registerParameter("", new Parameter(ones([1])))).toThrow(ModuleError);
    expect(() => net.registerBuffer("fc1", zeros([1]))).toThrow(/already used by the property "fc1"/);
    expect(() => net.registerModule("running_mean", new ReLU())).toThrow(/already used by the buffer registered as "running_mean"/);
    expect(() => net.registerParameter("p", ones([1]) as unknown as Parameter)).toThrow(/new Parameter\(t\)/);
    expect(() => net.registerBuffer("p", new Parameter(ones([1])))).toThrow(/registerParameter/);
    class Clash extends Module {
      fooBar = new Parameter(ones([1]));
      foo_bar = new Parameter(ones([1]));
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new Clash().parameters()).toThrow(/"foo_bar" would be registered as "foo_bar", but that name is already used by the property "fooBar"/);
    const lin = new Linear(2, 2);
    expect(lin.parameters().length).toBe(2);
    (lin as { weight: unknown }).weight = ones([2, 2]);
    expect(() => lin.parameters()).toThrow(/plain Tensor.*setData/);
  });

  test("shared parameters and modules are listed once; stateDict keeps every name", () => {
    const shared = new Linear(2, 2);
    class Tied extends Module {
      encoder = shared;
      decoder = shared;
      scale = new Parameter(ones([1]));
      alias: Parameter;
      constructor() {
        super();
        this.alias = this.scale;
      }
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const t = new Tied();
    expect(t.namedParameters().map(([n]) => n)).toEqual(["scale", "encoder.weight", "encoder.bias"]);
    expect(t.parameters().length).toBe(3);
    expect(t.namedParameters({ removeDuplicate: false }).map(([n]) => n)).toEqual([
      "scale",
      "alias",
      "encoder.weight",
      "encoder.bias",
      "decoder.weight",
      "decoder.bias",
    ]);
    expect(t.namedModules().map(([n]) => n)).toEqual(["", "encoder"]);
    expect(t.children()).toEqual([shared]);
    expect(Object.keys(t.stateDict())).toEqual(["scale", "alias", "encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"]);
  });

  test("parameters({ recurse: false }), prefix, getSubmodule / getParameter / getBuffer", () => {
    const net = new Net();
    expect(net.parameters({ recurse: false })).toEqual([]);
    expect(net.block.parameters({ recurse: false }).length).toBe(1);
    expect(net.namedParameters({ prefix: "model" })[0]![0]).toBe("model.fc1.weight");
    expect(net.getSubmodule("block.out_proj")).toBe(net.block.outProj);
    expect(net.getSubmodule("")).toBe(net);
    expect(net.getParameter("block.out_proj.bias")).toBe(net.block.outProj.bias);
    expect(net.getBuffer("running_mean").shape).toEqual([3]);
    expect(() => net.getSubmodule("block.nope")).toThrow(/has no submodule "nope"/);
    expect(() => net.getParameter("fc1.nope")).toThrow(/no parameter "nope"/);
  });

  test("toString prints the tree", () => {
    expect(String(new Sequential(new Linear(2, 3), new ReLU()))).toBe(
      "Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)",
    );
  });
});

describe("Parameter", () => {
  test("shares the data's storage, is a leaf that requires grad", () => {
    const data = tensor([1, 2, 3]);
    const p = new Parameter(data);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
    noGrad(() => p.fill_(7));
    expect(vals(data)).toEqual([7, 7, 7]);
    expect(new Parameter(data, false).requiresGrad).toBe(false);
    expect(String(p)).toMatch(/^Parameter containing: Tensor\(shape=\[3\]/);
    expect(() => new Parameter(tensor([1, 2], { dtype: "int32" }))).toThrow(/floating point/);
    expect(new Parameter(tensor([1, 2], { dtype: "int32" }), false).dtype).toBe("int32");
  });

  test("setData swaps values, dtype and shape in place, keeping hooks; memory() stays honest", () => {
    const before = memory();
    const data = tensor([1, 2]);
    const p = new Parameter(data);
    data.dispose();
    const seen: number[][] = [];
    p.registerHook((g) => void seen.push(vals(g)));
    const next = tensor([[1, 2, 3]], { dtype: "float64" });
    p.setData(next);
    next.dispose();
    expect(p.dtype).toBe("float64");
    expect(p.shape).toEqual([1, 3]);
    expect(vals(p)).toEqual([1, 2, 3]);
    expect(p.requiresGrad).toBe(true);
    expect(memory().tensors - before.tensors).toBe(1);
    expect(memory().bytes - before.bytes).toBe(3 * 8);
    tidy(() => p.mul(2).sum().backward());
    expect(vals(p.grad!)).toEqual([2, 2, 2]);
    expect(seen).toEqual([[2, 2, 2]]); // the hook survived setData
    const small = zeros([1]);
    p.setData(small);
    small.dispose();
    expect(p.grad).toBeNull(); // the old grad no longer fits: disposed
    expect(memory().tensors - before.tensors).toBe(1);
    p.dispose();
    expect(p.isDisposed).toBe(true);
    p.dispose();
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().bytes).toBe(before.bytes);
  });
});

describe("lifetimes", () => {
  test("a model built inside tidy survives it; dispose() frees parameters and buffers", () => {
    const before = memory();
    const net = tidy(() => new Sequential(new Linear(3, 3), new BatchNorm1d(3)));
    expect(net.parameters().every((p) => !p.isDisposed)).toBe(true);
    expect(net.buffers().every((b) => !b.isDisposed)).toBe(true);
    expect(tidy(() => net.forward(randn([4, 3])).shape)).toEqual([4, 3]);
    net.dispose();
    expect(net.parameters().every((p) => p.isDisposed)).toBe(true);
    expect(memory().bytes).toBe(before.bytes);
    expect(memory().tensors).toBe(before.tensors);
  });
});

describe("modes", () => {
  test("train / eval propagate to every submodule", () => {
    const net = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5), new BatchNorm1d(2)));
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.train(false);
    expect(net.modules().some((m) => m.training)).toBe(false);
  });

  test("apply visits children first, then the module itself", () => {
    const inner = new Sequential(new Linear(1, 1));
    const net = new Sequential(inner, new ReLU());
    const seen: string[] = [];
    expect(net.apply((m) => seen.push(m.constructor.name))).toBe(net);
    expect(seen).toEqual(["Linear", "Sequential", "ReLU", "Sequential"]);
  });

  test("requiresGrad_ freezes and unfreezes", () => {
    const net = new Net();
    net.fc1.requiresGrad_(false);
    expect(net.fc1.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(net.fc2.weight.requiresGrad).toBe(true);
  });
});

describe("zeroGrad", () => {
  function step(net: Linear, x: Tensor): void {
    tidy(() => net.forward(x).square().sum().backward());
  }

  test("setToNone (default) disposes gradients and sets null; memory stays flat", () => {
    const net = new Linear(8, 4);
    const x = randn([16, 8]);
    step(net, x);
    const g = net.weight.grad!;
    net.zeroGrad();
    expect(net.weight.grad).toBeNull();
    expect(net.bias!.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
    step(net, x);
    net.zeroGrad();
    const m0 = memory();
    for (let i = 0; i < 5; i++) {
      step(net, x);
      net.zeroGrad();
    }
    const m1 = memory();
    expect(m1.tensors).toBe(m0.tensors);
    expect(m1.bytes).toBe(m0.bytes);
  });

  test("setToNone: false zeroes in place (same tensors)", () => {
    const net = new Linear(3, 2);
    const x = randn([4, 3]);
    step(net, x);
    const g = net.weight.grad!;
    net.zeroGrad({ setToNone: false });
    expect(net.weight.grad).toBe(g);
    expect(vals(g).every((v) => v === 0)).toBe(true);
    step(net, x);
    const once = vals(net.weight.grad!);
    net.zeroGrad({ setToNone: false });
    step(net, x);
    expect(vals(net.weight.grad!)).toEqual(once);
  });
});

describe("to()", () => {
  test("casts parameters in place (same Parameter objects), grads and float buffers; int buffers stay", () => {
    const net = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const params = net.parameters();
    const w0 = vals(params[0]!);
    tidy(() => net.forward(randn([4, 3])).sum().backward());
    const g0 = vals(params[0]!.grad!);
    expect(net.to("float64")).toBe(net);
    const after = net.parameters();
    after.forEach((p, i) => expect(p).toBe(params[i]));
    for (const p of after) {
      expect(p.dtype).toBe("float64");
      expect(p.requiresGrad).toBe(true);
      expect(p.grad!.dtype).toBe("float64");
    }
    expect(vals(after[0]!)).toEqual(w0);
    expect(vals(after[0]!.grad!)).toEqual(g0);
    const bn = net.at(1) as BatchNorm1d;
    expect(bn.runningMean!.dtype).toBe("float64");
    expect(bn.numBatchesTracked!.dtype).toBe("int32");
    // The same objects keep training: backward accumulates into them.
    net.zeroGrad();
    tidy(() => net.forward(randn([4, 3], { dtype: "float64" })).sum().backward());
    expect(params[0]!.grad!.dtype).toBe("float64");
    // Casting to the current dtype is a no-op; integer dtypes are refused.
    expect(net.to("float64")).toBe(net);
    expect(() => net.to("int32")).toThrow(/floating point/);
  });

  test("memory: the old storage is released, the live-tensor count unchanged", () => {
    const net = new Linear(64, 64);
    const m0 = memory();
    net.to("float64");
    const m1 = memory();
    expect(m1.tensors).toBe(m0.tensors);
    expect(m1.bytes - m0.bytes).toBe((64 * 64 + 64) * 4); // float32 → float64 doubles the bytes
    net.dispose();
    expect(memory().bytes).toBe(m0.bytes - (64 * 64 + 64) * 4);
    expect(memory().tensors).toBe(m0.tensors - 2);
  });

  test("to(device) with the current device keeps everything", () => {
    const net = new Linear(2, 2);
    const w = net.weight;
    const before = vals(w);
    net.to("cpu");
    expect(net.weight).toBe(w);
    expect(vals(w)).toEqual(before);
  });
});

describe("stateDict / loadStateDict", () => {
  test("stateDict values are detached views sharing storage", () => {
    const net = new Linear(2, 2);
    const sd = net.stateDict();
    expect(sd["weight"]!.requiresGrad).toBe(false);
    expect(sd["weight"]).not.toBe(net.weight);
    noGrad(() => net.weight.fill_(3));
    expect(vals(sd["weight"]!)).toEqual([3, 3, 3, 3]);
    expect(net.stateDict({ keepVars: true })["weight"]).toBe(net.weight);
  });

  test("round trip into a fresh model, with a dtype cast", () => {
    const a = new Net();
    const b = new Net().to("float64");
    noGrad(() => a.getBuffer("running_mean").fill_(0.5));
    const result = b.loadStateDict(a.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [k, v] of Object.entries(a.stateDict())) {
      const got = b.stateDict()[k]!;
      expect(got.dtype).toBe("float64");
      expect(vals(got)).toEqual(vals(v));
    }
    const x = randn([2, 4]);
    const yb = vals(b.forward(x.to("float64")));
    vals(a.forward(x)).forEach((v, i) => expect(yb[i]).toBeCloseTo(v, 5));
    // A Map works too.
    expect(b.loadStateDict(new Map(Object.entries(a.stateDict())))).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  test("missing and unexpected keys: strict errors list them; strict false returns them", () => {
    const net = new Sequential(new Linear(4, 4), new ReLU(), new Linear(4, 2));
    const sd = net.stateDict();
    delete sd["0.bias"];
    delete sd["2.weight"];
    sd["3.weight"] = zeros([1]);
    sd["extra"] = zeros([1]);
    let err: unknown;
    try {
      net.loadStateDict(sd);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect((err as Error).message).toBe(
      'Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias", "2.weight".\n\tUnexpected key(s) in state_dict: "3.weight", "extra".',
    );
    const before = vals(net.at(0).getParameter("weight"));
    noGrad(() => sd["0.weight"]!.mul(0)); // untouched
    const fresh = new Sequential(new Linear(4, 4), new ReLU(), new Linear(4, 2));
    const r = fresh.loadStateDict(sd, { strict: false });
    expect(r).toEqual({ missingKeys: ["0.bias", "2.weight"], unexpectedKeys: ["3.weight", "extra"] });
    expect(vals(fresh.at(0).getParameter("weight"))).toEqual(before);
  });

  test("size mismatch is an error (also with strict false) and nothing is copied", () => {
    class M extends Module {
      fc1 = new Linear(4, 4);
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const m = new M();
    const old = vals(m.fc1.bias!);
    const sd = { "fc1.weight": zeros([3, 4]), "fc1.bias": ones([4]) };
    const message =
      "Error(s) in loading state_dict for M:\n\tsize mismatch for fc1.weight: copying a param with shape [3, 4] from checkpoint, the shape in current model is [4, 4].";
    expect(() => m.loadStateDict(sd)).toThrow(message);
    expect(() => m.loadStateDict(sd, { strict: false })).toThrow(message);
    expect(vals(m.fc1.bias!)).toEqual(old); // atomic: the matching bias was not copied either
    expect(() => m.loadStateDict({ "fc1.weight": "nope" as unknown as Tensor, "fc1.bias": ones([4]) })).toThrow(
      /While copying the parameter named "fc1.weight", expected a Tensor from checkpoint but received a string/,
    );
  });

  test("loading writes into the existing parameters (identity kept) without recording a graph", () => {
    const net = new Linear(2, 1);
    const w = net.weight;
    net.loadStateDict({ weight: tensor([[1, 2]]), bias: tensor([3]) });
    expect(net.weight).toBe(w);
    expect(w.isLeaf).toBe(true);
    expect(vals(net.forward(tensor([[1, 1]])))).toEqual([6]);
  });
});
