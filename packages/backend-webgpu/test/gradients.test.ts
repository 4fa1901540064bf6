/**
 * Every differentiable op, forward and backward, on WebGPU against the CPU backend in
 * float32: the same leaves on both devices, the same upstream gradient, and the outputs and
 * every leaf's gradient must agree within float32 tolerance.
 */
import { describe, it } from "vitest";
import {
  type Tensor,
  avgPool2d,
  cat,
  clamp,
  conv2d,
  logSoftmax,
  logsumexp,
  matmul,
  maxPool2d,
  pad,
  softmax,
  stack,
  tensor,
  tril,
  where,
} from "@tessera/autograd";
import { expectClose, values, wavy } from "./helpers.js";
import "./setup-device.js";

interface GradCase {
  readonly name: string;
  /** Shapes of the float32 leaves, with an optional map of their (wavy) values. */
  readonly inputs: readonly { readonly shape: readonly number[]; readonly map?: (v: number, i: number) => number }[];
  /** The op under test; `device` is where to make helper tensors (indices, masks). */
  readonly fn: (xs: Tensor[], device: string) => Tensor;
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const awayFromZero = (v: number) => Math.sign(v || 1) * (Math.abs(v) + 0.5);
const positive = (v: number) => Math.abs(v) + 0.25;
/** Distinct values (no ties for max/min/pooling): a permutation of a ramp. */
const distinct = (_v: number, i: number) => ((i * 7919) % 1009) / 97 - 5;

const CASES: GradCase[] = [
  // unary
  { name: "neg", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.neg() },
  { name: "abs", inputs: [{ shape: [2, 3], map: awayFromZero }], fn: ([x]) => x!.abs() },
  { name: "exp", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.exp() },
  { name: "log", inputs: [{ shape: [2, 3], map: positive }], fn: ([x]) => x!.log() },
  { name: "sqrt", inputs: [{ shape: [2, 3], map: positive }], fn: ([x]) => x!.sqrt() },
  { name: "rsqrt", inputs: [{ shape: [2, 3], map: positive }], fn: ([x]) => x!.rsqrt() },
  { name: "sin", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.sin() },
  { name: "cos", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.cos() },
  { name: "tanh", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.tanh() },
  { name: "sigmoid", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.sigmoid() },
  { name: "relu", inputs: [{ shape: [2, 3], map: awayFromZero }], fn: ([x]) => x!.relu() },
  { name: "erf", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.erf() },
  { name: "reciprocal", inputs: [{ shape: [2, 3], map: awayFromZero }], fn: ([x]) => x!.reciprocal() },
  { name: "square", inputs: [{ shape: [2, 3] }], fn: ([x]) => x!.square() },
  { name: "sign, floor, ceil, round (zero gradients)", inputs: [{ shape: [2, 3], map: (v) => v + 0.1 }], fn: ([x]) => x!.sign().add(x!.floor()).add(x!.ceil()).add(x!.round()) },
  // binary, with broadcasting
  { name: "add [2, 3] + [3]", inputs: [{ shape: [2, 3] }, { shape: [3] }], fn: ([a, b]) => a!.add(b!) },
  { name: "sub [3, 1] − [1, 4]", inputs: [{ shape: [3, 1] }, { shape: [1, 4] }], fn: ([a, b]) => a!.sub(b!) },
  { name: "mul [2, 3] · scalar tensor", inputs: [{ shape: [2, 3] }, { shape: [] }], fn: ([a, b]) => a!.mul(b!) },
  { name: "div", inputs: [{ shape: [2, 3] }, { shape: [2, 3], map: awayFromZero }], fn: ([a, b]) => a!.div(b!) },
  { name: "pow", inputs: [{ shape: [2, 3], map: positive }, { shape: [3] }], fn: ([a, b]) => a!.pow(b!) },
  { name: "pow scalar exponent", inputs: [{ shape: [2, 3] }], fn: ([a]) => a!.pow(3) },
  { name: "maximum, minimum", inputs: [{ shape: [2, 3], map: distinct }, { shape: [2, 3] }], fn: ([a, b]) => a!.maximum(b!).add(a!.minimum(b!.mul(0.5))) },
  {
    name: "where",
    inputs: [{ shape: [2, 3] }, { shape: [3] }],
    fn: ([a, b], device) => where(tensor([[true, false, true], [false, false, true]], { device }), a!, b!),
  },
  { name: "clamp", inputs: [{ shape: [3, 4], map: distinct }], fn: ([x]) => clamp(x!, -1, 1.5) },
  // reductions and composites
  { name: "sum over dim 1", inputs: [{ shape: [3, 4] }], fn: ([x]) => x!.sum({ dim: 1 }) },
  { name: "mean of all, keepdim", inputs: [{ shape: [3, 4] }], fn: ([x]) => x!.mean({ dim: [0, 1], keepdim: true }) },
  { name: "prod over dim 0", inputs: [{ shape: [3, 4], map: awayFromZero }], fn: ([x]) => x!.prod({ dim: 0 }) },
  { name: "max over dim 1", inputs: [{ shape: [3, 5], map: distinct }], fn: ([x]) => x!.max({ dim: 1 }) },
  { name: "min of all", inputs: [{ shape: [3, 5], map: distinct }], fn: ([x]) => x!.min() },
  { name: "var, std", inputs: [{ shape: [3, 5] }], fn: ([x]) => x!.var({ dim: 1 }).add(x!.std({ dim: 0 }).sum()) },
  { name: "logsumexp", inputs: [{ shape: [3, 5] }], fn: ([x]) => logsumexp(x!, { dim: 1 }) },
  { name: "softmax", inputs: [{ shape: [3, 5] }], fn: ([x]) => softmax(x!, 1) },
  { name: "logSoftmax", inputs: [{ shape: [3, 5] }], fn: ([x]) => logSoftmax(x!, 0) },
  // matmul: plain, batched with broadcast, transposed operand, vector
  { name: "matmul [5, 3] @ [3, 4]", inputs: [{ shape: [5, 3] }, { shape: [3, 4] }], fn: ([a, b]) => matmul(a!, b!) },
  { name: "matmul [2, 1, 3, 4] @ [3, 4, 2]", inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }], fn: ([a, b]) => a!.matmul(b!) },
  { name: "matmul transposed operands", inputs: [{ shape: [4, 6] }, { shape: [5, 4] }], fn: ([a, b]) => a!.t().matmul(b!.t()) },
  { name: "matmul vector @ matrix", inputs: [{ shape: [7] }, { shape: [7, 3] }], fn: ([a, b]) => a!.matmul(b!) },
  { name: "matmul [40, 37] @ [37, 35] (several tiles)", inputs: [{ shape: [40, 37] }, { shape: [37, 35] }], fn: ([a, b]) => a!.matmul(b!) },
  // views and joins
  { name: "reshape, permute, expand", inputs: [{ shape: [2, 6] }], fn: ([x]) => x!.reshape(3, 4).permute(1, 0).unsqueeze(0).expand(2, 4, 3).mul(x!.reshape(4, 3)) },
  { name: "slice with step, narrow", inputs: [{ shape: [4, 7] }], fn: ([x]) => x!.slice(1, 1, 7, 2).narrow(0, 1, 2) },
  { name: "cat, stack", inputs: [{ shape: [2, 3] }, { shape: [1, 3] }], fn: ([a, b]) => stack([cat([a!, b!], 0), cat([b!, a!], 0)], 1) },
  { name: "pad, tril", inputs: [{ shape: [3, 3] }], fn: ([x]) => tril(pad(x!, [1, 2, 0, 1], 0.5)) },
  // indexing
  {
    name: "gather dim 1",
    inputs: [{ shape: [3, 4] }],
    fn: ([x], device) => x!.gather(1, tensor([[0, 3, 3], [1, 1, 0], [2, 0, 3]], { dtype: "int32", device })),
  },
  {
    name: "scatterAdd dim 0 (input and src)",
    inputs: [{ shape: [3, 4] }, { shape: [2, 4] }],
    fn: ([x, src], device) => x!.scatterAdd(0, tensor([[0, 2, 2, 1], [0, 0, 2, 1]], { dtype: "int32", device }), src!),
  },
  {
    name: "indexSelect dim 0 (repeated indices)",
    inputs: [{ shape: [4, 3] }],
    fn: ([x], device) => x!.indexSelect(0, tensor([3, 0, 3, 1], { dtype: "int32", device })),
  },
  // convolution and pooling
  {
    name: "conv2d padding 1 with bias",
    inputs: [{ shape: [2, 3, 6, 5] }, { shape: [4, 3, 3, 3] }, { shape: [4] }],
    fn: ([x, w, b]) => conv2d(x!, w!, b!, { padding: 1 }),
  },
  {
    name: "conv2d grouped, stride 2, dilation 2",
    inputs: [{ shape: [1, 4, 9, 8] }, { shape: [6, 2, 2, 3] }],
    fn: ([x, w]) => conv2d(x!, w!, null, { stride: 2, dilation: 2, groups: 2, padding: [1, 0] }),
  },
  { name: "maxPool2d 2×2", inputs: [{ shape: [2, 2, 6, 6], map: distinct }], fn: ([x]) => maxPool2d(x!, { kernelSize: 2 }) },
  {
    name: "maxPool2d 3×3 stride 2 padding 1 (overlapping windows)",
    inputs: [{ shape: [1, 3, 7, 6], map: distinct }],
    fn: ([x]) => maxPool2d(x!, { kernelSize: 3, stride: 2, padding: 1 }),
  },
  {
    name: "avgPool2d 3×3 stride 2 padding 1, excluding pad, ceil mode",
    inputs: [{ shape: [2, 2, 7, 6] }],
    fn: ([x]) => avgPool2d(x!, { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false, ceilMode: true }),
  },
  { name: "avgPool2d 2×2", inputs: [{ shape: [1, 2, 4, 6] }], fn: ([x]) => avgPool2d(x!, { kernelSize: 2 }) },
  // in-place ops through views of tensors in the graph (CopySlices, then views that follow)
  {
    name: "in-place through views: a buffer filled from the graph, an older view, the base",
    inputs: [{ shape: [2, 3] }, { shape: [3] }],
    fn: ([h, w], device) => {
      const buf = tensor([[0, 0, 0], [0, 0, 0], [0, 0, 0]], { device });
      const older = buf.select(1, 2);
      buf.slice(0, 0, 2).copy_(h!.tanh());
      buf.t().select(0, 1).mul_(w!);
      buf.mul_(2);
      return buf.add(older.unsqueeze(1));
    },
  },
];

/** Runs a case on `device`: the output's values and every leaf's gradient. */
async function run(c: GradCase, device: string): Promise<number[][]> {
  const leaves = c.inputs.map((input, k) => {
    const raw = wavy(numel(input.shape), k + 1);
    const data = input.map ? raw.map(input.map) : raw;
    return tensor(data, { device, requiresGrad: true }).reshape(input.shape as number[]).detach().requiresGrad_();
  });
  const y = c.fn(leaves, device);
  const upstream = tensor(wavy(y.numel(), 9), { device }).reshape(y.shape as number[]);
  y.mul(upstream).sum().backward();
  const out = [await values(y)];
  for (const leaf of leaves) out.push(await values(leaf.grad!));
  return out;
}

describe("gradients on webgpu equal the CPU's (float32)", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const expected = await run(c, "cpu");
      const actual = await run(c, "webgpu");
      expectClose(actual[0]!, expected[0]!, `${c.name}: output`);
      for (let k = 1; k < expected.length; k++) expectClose(actual[k]!, expected[k]!, `${c.name}: gradient of input ${k - 1}`);
    });
  }
});
