/**
 * Golden values from PyTorch: every differentiable op, forward and backward, replayed from
 * `test/fixtures/golden.json` (written by `tools/golden/generate.py`; CI needs no PyTorch).
 *
 * Each fixture case names an `op` and its `args` (Tessera's option names); OPS below maps it
 * to Tessera calls, as the generator's OPS maps it to PyTorch calls. Inputs are built with the
 * fixture's dtype and layout, the output is compared with PyTorch's, then
 * `out.backward(gradOutput)` runs and each input's `.grad` is compared.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type Tensor,
  avgPool2d,
  conv2d,
  logSoftmax,
  logsumexp,
  matmul,
  maxPool2d,
  softmax,
  tensor,
  tidy,
  where,
  zeros,
} from "../src/index.js";

type FixtureDType = "float64" | "float32" | "int32" | "bool";
type Value = number | boolean | string;

interface FixtureInput {
  shape: number[];
  dtype: FixtureDType;
  /** Numbers, booleans, or "NaN" / "Infinity" / "-Infinity" (JSON has no such numbers). */
  values: Value[];
  requiresGrad: boolean;
  /** "transposed": a `.transpose(-1, -2)` view of a contiguous tensor; "stepped": last stride 2. */
  layout?: "transposed" | "stepped";
}

interface FixtureCase {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: FixtureInput[];
  output: { shape: number[]; dtype: FixtureDType; values: Value[] };
  gradOutput: Value[];
  grads: (Value[] | null)[];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/golden.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: FixtureCase[];
};

// ---------------------------------------------------------------------------- inputs

function fromFlat(values: readonly Value[], shape: readonly number[], dtype: FixtureDType): Tensor {
  const nums = values.map(Number);
  const data =
    dtype === "float64" ? Float64Array.from(nums)
    : dtype === "float32" ? Float32Array.from(nums)
    : dtype === "int32" ? Int32Array.from(nums)
    : Uint8Array.from(nums);
  return tensor(data, { dtype }).reshape(shape);
}

/** A leaf with the fixture's values, dtype and layout (the same scheme as the generator's make_leaf). */
function buildInput(input: FixtureInput): Tensor {
  let t = fromFlat(input.values, input.shape, input.dtype);
  if (input.layout === "transposed") {
    t = t.transpose(-1, -2).contiguous().transpose(-1, -2);
  } else if (input.layout === "stepped") {
    const shape = input.shape;
    const last = shape[shape.length - 1]!;
    const doubled = t.unsqueeze(-1).expand([...shape, 2]).reshape([...shape.slice(0, -1), 2 * last]);
    t = doubled.slice(-1, 0, undefined, 2);
  }
  const leaf = t.detach();
  if (input.layout !== undefined && leaf.numel() > 1) expect(leaf.isContiguous(), "strided leaf").toBe(false);
  if (input.requiresGrad) leaf.requiresGrad_(true);
  return leaf;
}

// ---------------------------------------------------------------------------- op table

type Op = (args: Record<string, any>, xs: Tensor[]) => Tensor;

const second = (a: Record<string, any>, xs: Tensor[]): Tensor | number => (xs.length > 1 ? xs[1]! : a.other);
const reduceOpts = (a: Record<string, any>) => ({ dim: a.dim, keepdim: a.keepdim });

const UNARY = ["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "erf", "reciprocal", "floor", "ceil", "round"] as const;

const OPS: Record<string, Op> = {
  ...Object.fromEntries(UNARY.map((name) => [name, ((_a, [x]) => x![name]()) as Op])),
  add: (a, xs) => xs[0]!.add(second(a, xs), { alpha: a.alpha }),
  sub: (a, xs) => xs[0]!.sub(second(a, xs), { alpha: a.alpha }),
  mul: (a, xs) => xs[0]!.mul(second(a, xs)),
  div: (a, xs) => xs[0]!.div(second(a, xs)),
  pow: (a, xs) => xs[0]!.pow(xs.length > 1 ? xs[1]! : a.exponent),
  maximum: (_a, [x, y]) => x!.maximum(y!),
  minimum: (_a, [x, y]) => x!.minimum(y!),
  where: (a, xs) => where(xs[0]!, xs[1]!, xs.length > 2 ? xs[2]! : a.other),
  clamp: (a, [x]) => x!.clamp({ min: a.min, max: a.max }),
  sum: (a, [x]) => x!.sum(reduceOpts(a)),
  mean: (a, [x]) => x!.mean(reduceOpts(a)),
  prod: (a, [x]) => x!.prod(reduceOpts(a)),
  amax: (a, [x]) => x!.max(reduceOpts(a)),
  amin: (a, [x]) => x!.min(reduceOpts(a)),
  var: (a, [x]) => x!.var({ ...reduceOpts(a), correction: a.correction }),
  std: (a, [x]) => x!.std({ ...reduceOpts(a), correction: a.correction }),
  logsumexp: (a, [x]) => logsumexp(x!, { dim: a.dim, keepdim: a.keepdim }),
  softmax: (a, [x]) => softmax(x!, a.dim),
  log_softmax: (a, [x]) => logSoftmax(x!, a.dim),
  matmul: (_a, [x, y]) => matmul(x!, y!),
  reshape: (a, [x]) => x!.reshape(a.shape),
  permute: (a, [x]) => x!.permute(a.dims),
  transpose: (a, [x]) => x!.transpose(a.dim0, a.dim1),
  t: (_a, [x]) => x!.t(),
  expand: (a, [x]) => x!.expand(a.shape),
  squeeze: (a, [x]) => x!.squeeze(a.dim),
  unsqueeze: (a, [x]) => x!.unsqueeze(a.dim),
  flatten: (a, [x]) => x!.flatten(a.startDim, a.endDim),
  narrow: (a, [x]) => x!.narrow(a.dim, a.start, a.length),
  slice: (a, [x]) => x!.slice(a.dim, a.start, a.end, a.step),
  select: (a, [x]) => x!.select(a.dim, a.index),
  contiguous: (_a, [x]) => x!.contiguous(),
  clone: (_a, [x]) => x!.clone(),
  view: (a, [x]) => x!.view(a.shape),
  to: (a, [x]) => x!.to(a.dtype),
  gather: (a, [x, index]) => x!.gather(a.dim, index!),
  scatter_add: (a, [x, index, src]) => x!.scatterAdd(a.dim, index!, src!),
  index_select: (a, [x, index]) => x!.indexSelect(a.dim, index!),
  conv2d: (a, [x, w, b]) => conv2d(x!, w!, b, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }),
  max_pool2d: (a, [x]) =>
    maxPool2d(x!, { kernelSize: a.kernelSize, stride: a.stride, padding: a.padding, dilation: a.dilation, ceilMode: a.ceilMode }),
  avg_pool2d: (a, [x]) =>
    avgPool2d(x!, {
      kernelSize: a.kernelSize,
      stride: a.stride,
      padding: a.padding,
      ceilMode: a.ceilMode,
      countIncludePad: a.countIncludePad,
      divisorOverride: a.divisorOverride,
    }),
  // Composites.
  mul_add_sum: (_a, [p, q, r]) => p!.mul(q!).add(r!).sum(),
  linear_relu: (_a, [x, w, b]) => x!.matmul(w!.t()).add(b!).relu(),
  cross_entropy: (_a, [x, y]) => x!.logSoftmax(1).gather(1, y!).mean().neg(),
  mse: (_a, [p, q]) => p!.sub(q!).pow(2).mean(),
  silu_sum: (_a, [x]) => x!.mul(x!.sigmoid()).sum(),
  layer_norm: (a, [x, w, b]) => {
    const mu = x!.mean({ dim: -1, keepdim: true });
    const v = x!.var({ dim: -1, correction: 0, keepdim: true });
    return x!.sub(mu).div(v.add(a.eps).sqrt()).mul(w!).add(b!);
  },
  attention: (a, [q, k, v]) => q!.matmul(k!.transpose(-1, -2)).mul(a.scale).softmax(-1).matmul(v!),
  conv_net: (_a, [img, w, b, fc]) => {
    const h = maxPool2d(conv2d(img!, w!, b!, { padding: 1 }).relu(), { kernelSize: 2 });
    return h.flatten(1).matmul(fc!.t()).logsumexp({ dim: 1 }).mean();
  },
  square: (_a, [x]) => x!.square(),
  add_self: (_a, [x]) => x!.add(x!),
  gram: (_a, [x]) => x!.matmul(x!.t()),
  inplace_chain: (_a, [x, z, w]) => x!.mul(1.5).add_(z!, { alpha: 2 }).mul_(w!).sub_(0.25).div_(2.5).clamp_({ min: -1 }),
  inplace_view: (a, xs) => INPLACE_VIEW[a.scenario as string]!(xs),
  cumsum: (a, [x]) => x!.cumsum(a.dim),
};

/** In-place ops through views of tensors in the graph: the generator's `_inplace_view`. */
const INPLACE_VIEW: Record<string, (xs: Tensor[]) => Tensor> = {
  region: ([t, s]) => {
    const b = t!.mul(2);
    b.slice(1, 1, 3).mul_(s!);
    return b.mul(b);
  },
  buffer: ([h, w]) => {
    const buf = zeros([4, 3], { dtype: h!.dtype });
    buf.slice(0, 1, 3).copy_(h!.tanh());
    const col = buf.select(1, 2);
    col.add_(1);
    col.mul_(w!);
    return buf.mul(3);
  },
  "base-then-view": ([t]) => {
    const b = t!.mul(2);
    const v = b.slice(0, 0, 2);
    b.mul_(t!);
    return v.mul(v);
  },
  overlapping: ([t]) => {
    const b = t!.mul(1);
    const v1 = b.slice(0, 0, 3);
    const v2 = b.slice(0, 1, 4);
    v1.mul_(2);
    return v2.mul(v2);
  },
  nested: ([t, s]) => {
    const b = t!.add(0);
    b.t().select(0, 1).fill_(0.5);
    b.view([2, 6]).select(0, 1).view([3, 2]).select(1, 0).div_(s!);
    b.slice(1, 0, 4, 2).clamp_({ min: -0.5 });
    return b.mul(t!);
  },
};

// ---------------------------------------------------------------------------- tolerances

interface Tolerance {
  rtol: number;
  atol: number;
}

/** float64: agree with PyTorch to the last digits float64 allows. */
const F64: Tolerance = { rtol: 1e-12, atol: 1e-12 };
/** float32: PyTorch accumulates in float32, Tessera's reference kernels in float64. */
const F32: Tolerance = { rtol: 1e-5, atol: 1e-6 };

/**
 * Looser float64 tolerances, by case name, each with the reason. None is needed: the largest
 * float64 disagreement is about 6e-15 relative ("logsumexp large values", inputs near ±800);
 * libm differences (exp, log, erf, pow, tanh…) and summation order are a few ulps.
 */
const F64_OVERRIDES: Record<string, Tolerance> = {};

function toleranceFor(c: FixtureCase): Tolerance {
  if (c.output.dtype === "float32" || c.inputs.some((i) => i.dtype === "float32")) return F32;
  return F64_OVERRIDES[c.name] ?? F64;
}

/**
 * Asserts `actual` has `shape` and agrees elementwise with PyTorch's `expected`:
 * |actual − expected| ≤ atol + rtol·|expected|; NaN and infinities must match exactly.
 */
function expectClose(what: string, actual: Tensor, shape: readonly number[], expectedValues: readonly Value[], tol: Tolerance): void {
  expect(actual.shape, `${what} shape`).toEqual(shape);
  const got = Array.from(actual.dataSync(), Number);
  const expected = expectedValues.map(Number);
  expect(got.length, `${what} length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < got.length; i++) {
    const e = expected[i]!;
    const g = got[i]!;
    const excess = Number.isFinite(e) ? Math.abs(g - e) - (tol.atol + tol.rtol * Math.abs(e)) : Object.is(g, e) ? 0 : Infinity;
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    const e = expected[worst]!;
    const g = got[worst]!;
    expect.fail(
      `${what}: element ${worst} is ${g}, PyTorch has ${e} (abs diff ${Math.abs(g - e)}, rel ${Math.abs(g - e) / Math.abs(e)}; rtol ${tol.rtol}, atol ${tol.atol})`,
    );
  }
}

// ---------------------------------------------------------------------------- the cases

describe(`golden values from PyTorch ${fixture.torch}`, () => {
  it("covers every op in the table", () => {
    const used = new Set(fixture.cases.map((c) => c.op));
    for (const op of Object.keys(OPS)) expect(used.has(op), `no case for ${op}`).toBe(true);
    for (const op of used) expect(OPS[op], `no Tessera mapping for fixture op ${op}`).toBeDefined();
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const tol = toleranceFor(c);
      tidy(() => {
        const inputs = c.inputs.map(buildInput);
        const out = OPS[c.op]!(c.args, inputs);
        expectClose("output", out, c.output.shape, c.output.values, tol);
        expect(out.dtype, "output dtype").toBe(c.output.dtype);
        out.backward(fromFlat(c.gradOutput, c.output.shape, c.output.dtype));
        c.inputs.forEach((input, i) => {
          const expected = c.grads[i];
          const leaf = inputs[i]!;
          if (expected === null || expected === undefined) {
            expect(leaf.grad, `grad of input ${i}`).toBeNull();
            return;
          }
          expect(leaf.grad, `grad of input ${i}`).not.toBeNull();
          expect(leaf.grad!.dtype, `grad of input ${i} dtype`).toBe(input.dtype);
          expectClose(`grad of input ${i}`, leaf.grad!, input.shape, expected, tol);
        });
      });
    });
  }
});
