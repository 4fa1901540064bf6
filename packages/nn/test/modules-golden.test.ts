/**
 * Golden test against PyTorch: packages/nn/test/fixtures/modules.json is written by
 * tools/golden/nn_modules.py. For each case the same architecture is built here, cast to
 * float64, loaded with the recorded state dict (loadStateDict), and run on the recorded
 * inputs; outputs, input gradients, parameter gradients and buffers after the forward pass
 * must match PyTorch's to rtol 1e-10, and stateDict() keys must equal PyTorch's exactly.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { type Tensor, ones, tensor, tidy, zeros } from "@tessera/autograd";
import type { DType } from "@tessera/storage";
import {
  AdaptiveAvgPool2d,
  type AnyModule,
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  BCEWithLogitsLoss,
  Conv2d,
  CrossEntropyLoss,
  Embedding,
  Flatten,
  GELU,
  LayerNorm,
  Linear,
  LogSoftmax,
  MaxPool2d,
  Module,
  ModuleDict,
  ModuleList,
  MultiheadAttention,
  Parameter,
  ReLU,
  Sequential,
} from "../src/index.js";

interface Encoded {
  shape: number[];
  dtype: DType;
  values: (number | boolean)[];
}

interface GoldenCase {
  name: string;
  build: string;
  train: boolean;
  stateDict: (Encoded & { key: string })[];
  inputs: (Encoded & { requiresGrad: boolean })[];
  args: number[];
  options: Record<string, unknown>;
  outputs: Encoded[];
  gradOutputs: number[][];
  inputGrads: (number[] | null)[];
  paramGrads: Record<string, number[]>;
  buffersAfter: Record<string, Encoded>;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/modules.json", import.meta.url), "utf8")) as { cases: GoldenCase[] };

/** PyTorch's `Net` in tools/golden/nn_modules.py, with camelCase property names. */
class GoldenNet extends Module {
  fc1 = new Linear(4, 6);
  outProj = new Linear(6, 3);
  blocks = new ModuleList<Linear | LayerNorm>([new Linear(6, 6), new LayerNorm(6)]);
  heads = new ModuleDict({ cls: new Linear(3, 2) });
  layerScale = new Parameter(ones([6]));

  constructor() {
    super();
    this.registerBuffer("running_scale", ones([3]));
    this.registerBuffer("scratch", zeros([2]), { persistent: false });
  }

  forward(x: Tensor): Tensor {
    let h = this.fc1.forward(x).relu();
    for (const b of this.blocks) h = b.forward(h);
    h = h.mul(this.layerScale);
    return this.heads.get("cls").forward(this.outProj.forward(h).mul(this.getBuffer("running_scale")));
  }
}

const BUILDERS: Record<string, () => AnyModule> = {
  linear: () => new Linear(4, 3),
  linearNoBias: () => new Linear(5, 2, { bias: false }),
  conv2d: () => new Conv2d(4, 6, 3, { stride: 2, padding: 1, groups: 2 }),
  conv2dSame: () => new Conv2d(3, 4, [2, 3], { padding: "same", dilation: [1, 2] }),
  conv2dReflect: () => new Conv2d(2, 3, 3, { padding: 1, paddingMode: "reflect", bias: false }),
  batchNorm2d: () => new BatchNorm2d(3),
  batchNorm1d: () => new BatchNorm1d(3, { momentum: 0.3 }),
  layerNorm: () => new LayerNorm([3, 4]),
  embedding: () => new Embedding(6, 3, { paddingIdx: 1 }),
  mha: () => new MultiheadAttention(8, 2),
  mhaBatchFirst: () => new MultiheadAttention(6, 3, { batchFirst: true }),
  mlp: () => new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 8), new GELU(), new LayerNorm(8), new Linear(8, 3), new LogSoftmax(1)),
  convnet: () =>
    new Sequential(
      new Conv2d(2, 4, 3, { padding: 1 }),
      new BatchNorm2d(4),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(4, 4, 3),
      new AvgPool2d(2, { stride: 1 }),
      new AdaptiveAvgPool2d(1),
      new Flatten(),
      new Linear(4, 3),
    ),
  net: () => new GoldenNet(),
  crossEntropyLoss: () => new CrossEntropyLoss({ weight: ones([5]), labelSmoothing: 0.1 }),
  bceWithLogitsLoss: () => new BCEWithLogitsLoss({ posWeight: ones([3]) }),
};

function decode(e: Encoded, requiresGrad = false): Tensor {
  const t = tensor(e.values as number[], { dtype: e.dtype }).reshape(e.shape);
  if (requiresGrad) t.requiresGrad_(true);
  return t;
}

/** |got − want| ≤ 1e-10·|want| + 1e-13 elementwise (−∞ and NaN must match exactly). */
function expectClose(got: Tensor | ArrayLike<number>, want: readonly (number | boolean)[], what: string): void {
  const g = Array.from("dataSync" in got ? (got as Tensor).dataSync() : (got as ArrayLike<number>), Number);
  expect(g.length, `${what}: element count`).toBe(want.length);
  for (let i = 0; i < g.length; i++) {
    const w = Number(want[i]);
    const v = g[i]!;
    if (!Number.isFinite(w)) {
      expect(v, `${what}[${i}]`).toBe(w);
      continue;
    }
    const err = Math.abs(v - w);
    if (!(err <= 1e-10 * Math.abs(w) + 1e-13)) {
      expect.fail(`${what}[${i}]: got ${v}, PyTorch ${w} (error ${err.toExponential(2)})`);
    }
  }
}

describe("nn modules match PyTorch (fixtures/modules.json)", () => {
  test("the fixture has cases", () => {
    expect(fixture.cases.length).toBeGreaterThan(15);
  });

  for (const c of fixture.cases) {
    test(c.name, () => {
      const build = BUILDERS[c.build];
      if (build === undefined) throw new Error(`no builder "${c.build}"`);
      const module = build().to("float64").train(c.train);

      // State-dict keys and order are PyTorch's exactly.
      const before = module.stateDict();
      expect(Object.keys(before)).toEqual(c.stateDict.map((e) => e.key));
      for (const e of c.stateDict) expect(before[e.key]!.shape, e.key).toEqual(e.shape);

      const sd: Record<string, Tensor> = {};
      for (const e of c.stateDict) sd[e.key] = decode(e);
      expect(module.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      for (const e of c.stateDict) expectClose(module.stateDict()[e.key]!, e.values, `loaded ${e.key}`);

      const inputs = c.inputs.map((e) => decode(e, e.requiresGrad));
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(c.options)) {
        options[k] = v !== null && typeof v === "object" && "input" in v ? inputs[(v as { input: number }).input] : v;
      }
      const args: unknown[] = c.args.map((i) => inputs[i]);
      if (Object.keys(options).length > 0) args.push(options);

      const result = (module.forward as (...a: unknown[]) => Tensor | [Tensor, Tensor | null])(...args);
      const list: (Tensor | null)[] = Array.isArray(result) ? result : [result];
      const outs = list.filter((o): o is Tensor => o !== null);
      expect(outs.length).toBe(c.outputs.length);
      outs.forEach((o, i) => {
        expect(o.shape, `output ${i} shape`).toEqual(c.outputs[i]!.shape);
        expectClose(o, c.outputs[i]!.values, `output ${i}`);
      });

      const total = tidy(() =>
        outs
          .map((o, i) => o.mul(tensor(c.gradOutputs[i]!, { dtype: "float64" }).reshape(o.shape)).sum())
          .reduce((a, b) => a.add(b)),
      );
      total.backward();

      c.inputGrads.forEach((g, i) => {
        if (g === null) expect(inputs[i]!.grad, `input ${i} grad`).toBeNull();
        else expectClose(inputs[i]!.grad!, g, `input ${i} grad`);
      });
      const named = new Map(module.namedParameters());
      expect([...named.keys()].sort()).toEqual(Object.keys(c.paramGrads).sort());
      for (const [key, g] of Object.entries(c.paramGrads)) expectClose(named.get(key)!.grad!, g, `grad of ${key}`);

      const after = module.stateDict();
      for (const [key, e] of Object.entries(c.buffersAfter)) {
        expect(after[key]!.dtype, `${key} dtype`).toBe(e.dtype);
        expectClose(after[key]!, e.values, `buffer ${key} after forward`);
      }
    });
  }
});
