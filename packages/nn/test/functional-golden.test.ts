/**
 * Golden values from PyTorch for every `functional` op, forward and backward, replayed from
 * `test/fixtures/functional.json` (written by `tools/golden/nn_functional.py`; CI needs no
 * PyTorch).
 *
 * Each case names an `op` (the Tessera function), its `args` (Tessera's option names) and
 * named inputs; OPS below maps them to Tessera calls, as the generator's OPS maps them to
 * PyTorch calls. The output is compared with PyTorch's, then `out.backward(gradOutput)` runs
 * and each input's `.grad` is compared; cases that update inputs in place (batchNorm's
 * running statistics) also compare the updated values.
 *
 * Tolerance (float64): `|a − e| ≤ 1e-10·|e| + 1e-13·max|e|` per array, where the second term
 * only matters for entries that cancel to ~0 (e.g. a softmax gradient), whose rounding noise
 * is of the array's scale.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Tensor, tensor, tidy } from "@tessera/autograd";
import * as F from "../src/functional/index.js";

type Value = number | boolean | string;
type FixtureDType = "float64" | "int32" | "bool";

interface FixtureTensor {
  shape: number[];
  dtype: FixtureDType;
  values: Value[];
  requiresGrad: boolean;
}

interface FixtureCase {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: Record<string, FixtureTensor>;
  output: { shape: number[]; dtype: FixtureDType; values: Value[] };
  after?: Record<string, Value[]>;
  gradOutput?: Value[];
  grads?: Record<string, Value[]>;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/functional.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: FixtureCase[];
};

function fromFlat(values: readonly Value[], shape: readonly number[], dtype: FixtureDType): Tensor {
  const nums = values.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : Number(v)));
  const data = dtype === "float64" ? Float64Array.from(nums) : dtype === "int32" ? Int32Array.from(nums) : Uint8Array.from(nums);
  return tensor(data, { dtype }).reshape(shape).detach();
}

/** Elementwise `|a − e| ≤ rtol·|e| + 1e-13·max|e|` (see the file comment). */
function expectClose(actual: ArrayLike<number>, expected: readonly Value[], what: string, rtol = 1e-10): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 0;
  for (const e of expected) if (typeof e === "number") scale = Math.max(scale, Math.abs(e));
  const floor = 1e-13 * scale;
  for (let i = 0; i < expected.length; i++) {
    const e = Number(expected[i]);
    const a = actual[i]!;
    if (!Number.isFinite(e)) {
      expect(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)), `${what}[${i}]: got ${a}, expected ${e}`).toBe(true);
      continue;
    }
    if (!(Math.abs(a - e) <= rtol * Math.abs(e) + floor)) {
      expect.fail(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)}, rtol ${rtol})`);
    }
  }
}

type Inputs = Record<string, Tensor>;
type Op = (a: Record<string, any>, i: Inputs) => Tensor;

const OPS: Record<string, Op> = {
  relu: (_, i) => F.relu(i.x!),
  leakyRelu: (a, i) => (a.negativeSlope === undefined ? F.leakyRelu(i.x!) : F.leakyRelu(i.x!, a.negativeSlope)),
  gelu: (a, i) => F.gelu(i.x!, { approximate: a.approximate }),
  silu: (_, i) => F.silu(i.x!),
  sigmoid: (_, i) => F.sigmoid(i.x!),
  tanh: (_, i) => F.tanh(i.x!),
  softmax: (a, i) => F.softmax(i.x!, a.dim),
  logSoftmax: (a, i) => F.logSoftmax(i.x!, a.dim),
  linear: (_, i) => F.linear(i.input!, i.weight!, i.bias),
  conv2d: (a, i) => F.conv2d(i.input!, i.weight!, i.bias, a),
  maxPool2d: (a, i) => F.maxPool2d(i.x!, a as F.MaxPool2dOptions),
  avgPool2d: (a, i) => F.avgPool2d(i.x!, a as F.AvgPool2dOptions),
  adaptiveAvgPool2d: (a, i) => F.adaptiveAvgPool2d(i.x!, a.outputSize),
  layerNorm: (a, i) => F.layerNorm(i.x!, a.normalizedShape, { weight: i.weight, bias: i.bias, eps: a.eps }),
  batchNorm: (a, i) =>
    F.batchNorm(i.input!, i.runningMean ?? null, i.runningVar ?? null, { ...a, weight: i.weight, bias: i.bias }),
  embedding: (a, i) => F.embedding(i.indices!, i.weight!, { paddingIdx: a.paddingIdx }),
  oneHot: (a, i) => F.oneHot(i.indices!, a.numClasses),
  pad: (a, i) => F.pad(i.x!, a.padding, { mode: a.mode, value: a.value }),
  scaledDotProductAttention: (a, i) => F.scaledDotProductAttention(i.query!, i.key!, i.value!, { ...a, attnMask: i.attnMask }),
  mseLoss: (a, i) => F.mseLoss(i.input!, i.target!, a),
  l1Loss: (a, i) => F.l1Loss(i.input!, i.target!, a),
  smoothL1Loss: (a, i) => F.smoothL1Loss(i.input!, i.target!, a),
  huberLoss: (a, i) => F.huberLoss(i.input!, i.target!, a),
  nllLoss: (a, i) => F.nllLoss(i.input!, i.target!, { ...a, weight: i.weight }),
  crossEntropy: (a, i) => F.crossEntropy(i.input!, i.target!, { ...a, weight: i.weight }),
  binaryCrossEntropy: (a, i) => F.binaryCrossEntropy(i.input!, i.target!, { ...a, weight: i.weight }),
  binaryCrossEntropyWithLogits: (a, i) =>
    F.binaryCrossEntropyWithLogits(i.input!, i.target!, { ...a, weight: i.weight, posWeight: i.posWeight }),
};

describe(`functional golden values from PyTorch ${fixture.torch}`, () => {
  it("has a Tessera op for every fixture op, and a fixture case for every op", () => {
    const ops = new Set(fixture.cases.map((c) => c.op));
    for (const op of ops) expect(OPS[op], op).toBeDefined();
    for (const op of Object.keys(OPS)) expect(ops.has(op), `no fixture case for ${op}`).toBe(true);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      tidy(() => {
        const inputs: Inputs = {};
        for (const [key, spec] of Object.entries(c.inputs)) {
          const t = fromFlat(spec.values, spec.shape, spec.dtype);
          inputs[key] = spec.requiresGrad ? t.requiresGrad_(true) : t;
        }
        const out = OPS[c.op]!(c.args, inputs);
        expect(out.shape, "output shape").toEqual(c.output.shape);
        expect(out.dtype, "output dtype").toBe(c.output.dtype);
        expectClose(out.dataSync(), c.output.values, "output");
        for (const [key, values] of Object.entries(c.after ?? {})) expectClose(inputs[key]!.dataSync(), values, `${key} after the call`);
        if (c.gradOutput === undefined) {
          expect(out.requiresGrad).toBe(false);
          return;
        }
        out.backward(fromFlat(c.gradOutput, c.output.shape, "float64"));
        for (const [key, values] of Object.entries(c.grads ?? {})) {
          const g = inputs[key]!.grad;
          expect(g, `grad of ${key}`).not.toBeNull();
          expect(g!.shape, `grad of ${key}: shape`).toEqual(c.inputs[key]!.shape);
          expectClose(g!.dataSync(), values, `grad of ${key}`);
        }
      });
    });
  }
});
