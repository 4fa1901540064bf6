/**
 * Finite-difference gradient checks in float64 for every differentiable op, on contiguous,
 * broadcast and strided inputs. Inputs are kept away from points where an op is not
 * differentiable (0 for abs/relu, integers and halves for floor/ceil/round, ties for max).
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  GradcheckError,
  type Tensor,
  avgPool2d,
  clamp,
  conv2d,
  defineFunction,
  enableGrad,
  gradcheck,
  grad,
  logSoftmax,
  logsumexp,
  manualSeed,
  matmul,
  maxPool2d,
  softmax,
  tensor,
  zeros,
  where,
} from "../src/index.js";
import { awayFromZero, leaf, positive, values } from "./helpers.js";

const LAYOUTS = [
  { name: "contiguous", strided: false },
  { name: "strided", strided: true },
] as const;

/** Asserts gradcheck passes (it throws a GradcheckError with the mismatch otherwise). */
function check(fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[], options: Parameters<typeof gradcheck>[2] = {}): void {
  expect(gradcheck(fn, inputs, options)).toBe(true);
}

/** A float64 leaf from explicit values, optionally stored transposed (for 2-D data). */
function fixed(data: number[][], strided = false): Tensor {
  if (!strided) return tensor(data, { dtype: "float64", requiresGrad: true });
  const t = tensor(data[0]!.map((_, j) => data.map((row) => row[j]!)), { dtype: "float64" });
  const out = t.t().detach().requiresGrad_();
  expect(out.isContiguous()).toBe(false);
  return out;
}

beforeEach(() => manualSeed(1234));

describe("gradcheck itself", () => {
  it("catches a wrong backward", () => {
    const wrong = defineFunction({
      forward: (_ctx, x: Tensor) => x.mul(x),
      backward: (_ctx, g: Tensor) => [g.mul(3)],
    });
    const x = leaf([3]);
    expect(() => gradcheck((t) => wrong(t) as Tensor, [x])).toThrow(GradcheckError);
    expect(gradcheck((t) => wrong(t) as Tensor, [x], { raiseException: false })).toBe(false);
  });

  it("restores the input values after checking", () => {
    const x = leaf([2, 2]);
    const before = values(x);
    check((t) => t.exp().sum(), [x]);
    expect(values(x)).toEqual(before);
    expect(x.grad).toBeNull();
  });

  it("needs an input that requires grad", () => {
    expect(() => gradcheck((t) => t.exp(), [tensor([1], { dtype: "float64" })])).toThrow(/requiresGrad/);
  });
});

describe("unary", () => {
  const smooth: [string, (x: Tensor) => Tensor, ((x: Tensor) => Tensor)?][] = [
    ["neg", (x) => x.neg()],
    ["abs", (x) => x.abs(), awayFromZero],
    ["exp", (x) => x.exp()],
    ["log", (x) => x.log(), positive],
    ["sqrt", (x) => x.sqrt(), positive],
    ["rsqrt", (x) => x.rsqrt(), positive],
    ["sin", (x) => x.sin()],
    ["cos", (x) => x.cos()],
    ["tanh", (x) => x.tanh()],
    ["sigmoid", (x) => x.sigmoid()],
    ["relu", (x) => x.relu(), awayFromZero],
    ["erf", (x) => x.erf()],
    ["reciprocal", (x) => x.reciprocal(), awayFromZero],
    ["square", (x) => x.square()],
  ];
  for (const [name, fn, map] of smooth) {
    for (const layout of LAYOUTS) {
      it(`${name} (${layout.name})`, () => {
        check(fn, [leaf([2, 3], { strided: layout.strided, map })]);
      });
    }
    it(`${name} (transposed inside fn, 0-dim)`, () => {
      check((x) => fn(x.transpose(0, 1)), [leaf([3, 2], { map })]);
      check(fn, [leaf([], { map })]);
    });
  }

  // Piecewise constant: the gradient is exactly zero away from the jumps.
  const steps: [string, (x: Tensor) => Tensor][] = [
    ["sign", (x) => x.sign()],
    ["floor", (x) => x.floor()],
    ["ceil", (x) => x.ceil()],
    ["round", (x) => x.round()],
  ];
  const data = [
    [0.2, 1.3, -0.7],
    [2.8, -1.2, 0.35],
  ];
  for (const [name, fn] of steps) {
    for (const layout of LAYOUTS) {
      it(`${name} has zero gradient (${layout.name})`, () => {
        const x = fixed(data, layout.strided);
        check(fn, [x]);
        const [g] = grad(fn(x).mul(tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" })).sum(), x);
        expect(values(g!)).toEqual([0, 0, 0, 0, 0, 0]);
        expect(fn(x).gradFn!.name).toBe(`${name[0]!.toUpperCase()}${name.slice(1)}Backward0`);
      });
    }
  }
});

describe("binary", () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, ((x: Tensor) => Tensor)?][] = [
    ["add", (a, b) => a.add(b)],
    ["add alpha", (a, b) => a.add(b, { alpha: -2.5 })],
    ["sub", (a, b) => a.sub(b)],
    ["sub alpha", (a, b) => a.sub(b, { alpha: 3 })],
    ["mul", (a, b) => a.mul(b)],
    ["div", (a, b) => a.div(b), awayFromZero],
    ["pow (tensor base and exponent)", (a, b) => a.abs().add(0.5).pow(b)],
    ["maximum", (a, b) => a.maximum(b)],
    ["minimum", (a, b) => a.minimum(b)],
  ];
  const shapes: [string, number[], number[]][] = [
    ["same shape", [2, 3], [2, 3]],
    ["broadcast [2,3] and [3]", [2, 3], [3]],
    ["broadcast [2,1] and [1,3]", [2, 1], [1, 3]],
    ["broadcast [3] and [2,3]", [3], [2, 3]],
    ["broadcast with a 0-dim tensor", [2, 3], []],
  ];
  for (const [name, fn, mapB] of ops) {
    for (const [shapeName, sa, sb] of shapes) {
      for (const layout of LAYOUTS) {
        it(`${name}: ${shapeName} (${layout.name})`, () => {
          const a = leaf(sa, { strided: layout.strided });
          const b = leaf(sb, { strided: layout.strided, map: mapB });
          check(fn, [a, b]);
        });
      }
    }
    it(`${name}: only one operand requires grad`, () => {
      const a = leaf([2, 3]);
      const b = leaf([3], { map: mapB }).detach();
      check(fn, [a, b]);
      const c = leaf([2, 3]).detach();
      const d = leaf([2, 3], { map: mapB });
      check(fn, [c, d]);
    });
  }

  it("scalar operands", () => {
    const x = leaf([2, 3], { strided: true, map: awayFromZero });
    check((t) => t.add(2.5), [x]);
    check((t) => t.sub(-1.5), [x]);
    check((t) => t.mul(-3), [x]);
    check((t) => t.div(4), [x]);
    check((t) => t.maximum(0.1), [x]);
    check((t) => t.minimum(-0.1), [x]);
  });

  it("pow with scalar exponents", () => {
    const x = leaf([2, 3], { strided: true, map: positive });
    for (const e of [3, 2, 2.5, -1.5, 0.5, 1, 0]) check((t) => t.pow(e), [x]);
    const y = leaf([2, 3], { map: awayFromZero }); // negative bases, integer exponents
    for (const e of [2, 3, -2]) check((t) => t.pow(e), [y]);
  });

  it("pow with a constant base and a tensor exponent", () => {
    const e = leaf([2, 3], { strided: true });
    check((t) => tensor(2.5, { dtype: "float64" }).pow(t), [e]);
    check((t) => tensor([0.5, 1.5, 3], { dtype: "float64" }).pow(t), [e]);
  });

  it("pow with both a broadcast tensor base and exponent requiring grad", () => {
    const base = leaf([3, 1], { map: positive });
    const exponent = leaf([1, 2]);
    check((a, b) => a.pow(b), [base, exponent]);
  });

  it("maximum / minimum split the gradient on ties", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([1, 5, 0], { requiresGrad: true });
    a.maximum(b).sum().backward();
    expect(values(a.grad!)).toEqual([0.5, 0, 1]);
    expect(values(b.grad!)).toEqual([0.5, 1, 0]);
    a.grad = null;
    b.grad = null;
    a.minimum(b).sum().backward();
    expect(values(a.grad!)).toEqual([0.5, 1, 0]);
    expect(values(b.grad!)).toEqual([0.5, 0, 1]);
  });
});

describe("where and clamp", () => {
  for (const layout of LAYOUTS) {
    it(`where (${layout.name})`, () => {
      const cond = tensor([[true, false, true], [false, false, true]]);
      check((a, b) => where(cond, a, b), [leaf([2, 3], layout), leaf([2, 3], layout)]);
      check((a, b) => where(cond, a, b), [leaf([3], layout), leaf([2, 1], layout)]);
      check((a) => where(cond, a, 0.5), [leaf([2, 3], layout)]);
      check((b) => where(cond, -2, b), [leaf([2, 3], layout)]);
      check((a) => a.where(cond.t().t(), a.mul(3)), [leaf([2, 3], layout)]);
      // A broadcast condition.
      check((a, b) => where(tensor([true, false, true]), a, b), [leaf([2, 3], layout), leaf([2, 3], layout)]);
    });

    it(`clamp (${layout.name})`, () => {
      const data = [
        [-2, -0.3, 0.1],
        [0.4, 1.5, -0.9],
      ];
      check((x) => x.clamp({ min: -0.5, max: 0.5 }), [fixed(data, layout.strided)]);
      check((x) => x.clamp({ min: 0 }), [fixed(data, layout.strided)]);
      check((x) => clamp(x, undefined, 0.2), [fixed(data, layout.strided)]);
    });
  }

  it("clamp passes the gradient only inside the bounds", () => {
    const x = tensor([-2, -0.3, 0.1, 0.4, 1.5], { requiresGrad: true });
    x.clamp({ min: -0.5, max: 0.2 }).sum().backward();
    expect(values(x.grad!)).toEqual([0, 1, 1, 0, 0]);
  });
});

describe("reductions", () => {
  const dimCases: [string, { dim?: number | number[]; keepdim?: boolean }][] = [
    ["all", {}],
    ["dim 0", { dim: 0 }],
    ["dim -1 keepdim", { dim: -1, keepdim: true }],
    ["dims [0, 2]", { dim: [0, 2] }],
    ["dims [2, 0] keepdim", { dim: [2, 0], keepdim: true }],
  ];
  for (const [caseName, opts] of dimCases) {
    for (const layout of LAYOUTS) {
      it(`sum / mean / prod / max / min over ${caseName} (${layout.name})`, () => {
        check((x) => x.sum(opts), [leaf([2, 3, 2], layout)]);
        check((x) => x.mean(opts), [leaf([2, 3, 2], layout)]);
        check((x) => x.prod(opts), [leaf([2, 3, 2], { ...layout, map: awayFromZero })]);
        check((x) => x.max(opts), [leaf([2, 3, 2], layout)]);
        check((x) => x.min(opts), [leaf([2, 3, 2], layout)]);
      });

      it(`var / std / logsumexp over ${caseName} (${layout.name})`, () => {
        check((x) => x.var(opts), [leaf([2, 3, 2], layout)]);
        check((x) => x.var({ ...opts, correction: 0 }), [leaf([2, 3, 2], layout)]);
        check((x) => x.std(opts), [leaf([2, 3, 2], layout)]);
        check((x) => x.std({ ...opts, correction: 0 }), [leaf([2, 3, 2], layout)]);
        check((x) => logsumexp(x, { dim: opts.dim ?? [0, 1, 2], keepdim: opts.keepdim ?? false }), [leaf([2, 3, 2], layout)]);
      });
    }
  }

  it("reductions and softmax of a 0-dim tensor", () => {
    for (const fn of [
      (x: Tensor) => x.sum(),
      (x: Tensor) => x.sum({ dim: 0 }),
      (x: Tensor) => x.mean(),
      (x: Tensor) => x.prod(),
      (x: Tensor) => x.max(),
      (x: Tensor) => x.min({ dim: -1 }),
      (x: Tensor) => x.logsumexp({ dim: 0 }),
      (x: Tensor) => x.softmax(0).add(x),
      (x: Tensor) => x.logSoftmax(0).add(x),
    ]) {
      check(fn, [leaf([])]);
    }
  });

  it("prod with one zero and with two zeros in a slice", () => {
    const x = fixed([
      [2, 0, 3],
      [0, 0.5, 0],
      [1.5, -2, 4],
    ]);
    check((t) => t.prod({ dim: 1 }), [x]);
    check((t) => t.prod({ dim: 0 }), [x]);
    check((t) => t.prod(), [x]);
    // Closed form: d prod / d x_i is the product of the others.
    const [g] = grad(x.prod({ dim: 1 }).sum(), x);
    expect(values(g!)).toEqual([0, 6, 0, 0, 0, 0, -8, 6, -3]);
    const y = tensor([0, 3, 0, 2], { dtype: "float64", requiresGrad: true });
    const [gy] = grad(y.prod(), y);
    expect(values(gy!)).toEqual([0, 0, 0, 0]);
    const z = tensor([[2, 0, 3]], { dtype: "float64", requiresGrad: true }).t().detach().requiresGrad_();
    const [gz] = grad(z.prod(), z);
    expect(values(gz!)).toEqual([0, 6, 0]);
  });

  it("max / min split the gradient evenly among equal maxima", () => {
    const x = tensor([[1, 3, 3], [2, 0, 2]], { requiresGrad: true });
    x.max({ dim: 1 }).sum().backward();
    expect(values(x.grad!)).toEqual([0, 0.5, 0.5, 0.5, 0, 0.5]);
    x.grad = null;
    x.min().backward();
    expect(values(x.grad!)).toEqual([0, 0, 0, 0, 1, 0]);
  });

  for (const layout of LAYOUTS) {
    it(`softmax / logSoftmax over each dim (${layout.name})`, () => {
      for (const dim of [0, 1, -1]) {
        check((x) => softmax(x, dim), [leaf([3, 4], layout)]);
        check((x) => logSoftmax(x, dim), [leaf([3, 4], layout)]);
      }
      check((x) => x.softmax(1).mul(tensor([1, 2, 3, 4], { dtype: "float64" })).sum(), [leaf([3, 4], layout)]);
      check((x) => x.softmax(0), [leaf([2, 2, 3], layout)]);
      check((x) => x.logSoftmax(2), [leaf([2, 2, 3], layout)]);
    });
  }

  it("softmax and logSoftmax of large inputs (stable backward)", () => {
    const x = tensor([[1000, 1001, 999]], { dtype: "float64", requiresGrad: true });
    check((t) => t.softmax(1), [x]);
    check((t) => t.logSoftmax(1), [x]);
    check((t) => t.logsumexp({ dim: 1 }), [x]);
  });
});

describe("matmul", () => {
  const cases: [string, number[], number[]][] = [
    ["2-D @ 2-D", [2, 3], [3, 4]],
    ["1-D @ 1-D", [3], [3]],
    ["1-D @ 2-D", [3], [3, 2]],
    ["2-D @ 1-D", [2, 3], [3]],
    ["3-D @ 2-D", [2, 2, 3], [3, 2]],
    ["1-D @ 3-D", [3], [2, 3, 2]],
    ["3-D @ 1-D", [2, 2, 3], [3]],
    ["batched", [2, 2, 3], [2, 3, 2]],
    ["broadcast batch dims", [2, 1, 2, 3], [3, 3, 2]],
    ["broadcast batch dims (other side)", [1, 2, 3], [2, 1, 3, 2]],
  ];
  for (const [name, sa, sb] of cases) {
    for (const layout of LAYOUTS) {
      it(`${name} (${layout.name})`, () => {
        check(matmul, [leaf(sa, layout), leaf(sb, layout)]);
        const constant = leaf(sb).detach();
        check((a) => a.matmul(constant), [leaf(sa, layout)]);
      });
    }
  }

  it("expanded (stride-0) operands", () => {
    check((a, b) => a.expand([2, 2, 3]).matmul(b), [leaf([2, 3]), leaf([2, 3, 2])]);
    check((a, b) => a.matmul(b.unsqueeze(1).expand([3, 2])), [leaf([2, 3]), leaf([3])]);
  });

  it("transposed operands inside fn", () => {
    check((a, b) => a.t().matmul(b.t()), [leaf([3, 2]), leaf([4, 3])]);
    check((a, b) => a.transpose(-1, -2).matmul(b), [leaf([2, 3, 2]), leaf([3, 2])]);
  });
});

describe("views and copies", () => {
  const viewOps: [string, number[], (x: Tensor) => Tensor][] = [
    ["reshape", [2, 3, 2], (x) => x.reshape([3, 4])],
    ["reshape -1", [2, 3, 2], (x) => x.reshape(-1, 2).mul(tensor([1, 2], { dtype: "float64" }))],
    ["view", [2, 3, 2], (x) => x.contiguous().view([6, 2])],
    ["permute", [2, 3, 2], (x) => x.permute(2, 0, 1)],
    ["transpose", [2, 3, 2], (x) => x.transpose(0, 2)],
    ["t", [2, 3], (x) => x.t()],
    ["t of 1-D", [3], (x) => x.t()],
    ["expand", [3, 1], (x) => x.expand(2, 3, 4)],
    ["expand -1", [1, 3], (x) => x.expand([4, -1])],
    ["expandAs", [3], (x) => x.expandAs(tensor([[0, 0, 0], [0, 0, 0]]))],
    ["squeeze all", [1, 3, 1], (x) => x.squeeze()],
    ["squeeze dim", [1, 3, 1], (x) => x.squeeze(2)],
    ["unsqueeze", [2, 3], (x) => x.unsqueeze(1)],
    ["unsqueeze -1", [2, 3], (x) => x.unsqueeze(-1)],
    ["flatten", [2, 3, 2], (x) => x.flatten()],
    ["flatten 1..2", [2, 3, 2], (x) => x.flatten(1, 2)],
    ["narrow", [4, 3], (x) => x.narrow(0, 1, 2)],
    ["narrow negative start", [4, 3], (x) => x.narrow(1, -2, 2)],
    ["slice", [5, 3], (x) => x.slice(0, 1, 4)],
    ["slice with step", [5, 3], (x) => x.slice(0, 0, 5, 2)],
    ["slice with step and negative bounds", [3, 7], (x) => x.slice(1, -6, -1, 3)],
    ["select", [3, 4], (x) => x.select(1, 2)],
    ["select negative", [3, 4], (x) => x.select(0, -1)],
    ["contiguous", [2, 3], (x) => x.contiguous()],
    ["clone", [2, 3], (x) => x.clone()],
    ["to same dtype with copy", [2, 3], (x) => x.to("float64", { copy: true })],
    ["chain of views", [2, 3, 4], (x) => x.transpose(0, 2).slice(0, 1, 4, 2).select(2, 1).reshape(-1)],
    ["expand a 0-dim tensor", [], (x) => x.expand(2, 3)],
    ["unsqueeze a 0-dim tensor", [], (x) => x.unsqueeze(0).expand(3)],
    ["squeeze a dim list", [1, 3, 1, 2], (x) => x.squeeze([0, 2])],
    ["reshape to 0-dim", [1, 1], (x) => x.reshape([])],
  ];
  for (const [name, shape, fn] of viewOps) {
    for (const layout of LAYOUTS) {
      it(`${name} (${layout.name})`, () => {
        // gradcheck compares the whole Jacobian, so a gradient routed to the wrong element fails.
        check(fn, [leaf(shape, layout)]);
      });
    }
  }

  it("to(dtype) between float32 and float64", () => {
    const x32 = tensor([0.5, 1.25, -2], { requiresGrad: true });
    check((x) => x.to("float64").pow(2), [x32], { eps: 2 ** -6 });
    const [g] = grad(x32.to("float64").pow(2).sum(), x32);
    expect(g!.dtype).toBe("float32");
    expect(values(g!)).toEqual([1, 2.5, -4]);
    const x64 = tensor([0.5, 1.25, -2], { requiresGrad: true, dtype: "float64" });
    check((x) => x.to("float32").to("float64").mul(x), [x64], { eps: 2 ** -6 });
  });
});

describe("indexing", () => {
  const idx = (data: number[] | number[][]) => tensor(data, { dtype: "int32" });
  for (const layout of LAYOUTS) {
    it(`gather (${layout.name})`, () => {
      check((x) => x.gather(1, idx([[0, 2, 2], [1, 0, 1]])), [leaf([2, 3], layout)]);
      check((x) => x.gather(0, idx([[1, 0, 1]])), [leaf([2, 3], layout)]);
      check((x) => x.gather(-1, idx([[0], [0]])), [leaf([2, 3], layout)]);
    });

    it(`scatterAdd (${layout.name})`, () => {
      const index = idx([[0, 2, 0], [1, 1, 1]]);
      check((x, src) => x.scatterAdd(1, index, src), [leaf([2, 4], layout), leaf([2, 3], layout)]);
      check((x, src) => x.scatterAdd(0, idx([[1, 0, 1, 0]]), src), [leaf([2, 4], layout), leaf([1, 4], layout)]);
      check((src) => tensor([[0, 0, 0, 0]], { dtype: "float64" }).scatterAdd(1, idx([[3, 3, 0]]), src), [leaf([1, 3], layout)]);
    });

    it(`indexSelect (${layout.name})`, () => {
      check((x) => x.indexSelect(0, idx([2, 0, 2, 1])), [leaf([3, 2], layout)]);
      check((x) => x.indexSelect(1, idx([1, 1])), [leaf([3, 2], layout)]);
      check((x) => x.indexSelect(0, tensor(1, { dtype: "int32" })), [leaf([3, 2], layout)]);
    });
  }

  it("repeated indices accumulate", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.indexSelect(0, idx([2, 2, 0, 2])).sum().backward();
    expect(values(x.grad!)).toEqual([1, 0, 3]);
    const y = tensor([[1, 2, 3]], { requiresGrad: true });
    y.gather(1, idx([[1, 1, 1, 0]])).sum().backward();
    expect(values(y.grad!)).toEqual([1, 3, 0]);
  });
});

describe("conv2d", () => {
  const cases: [string, number[], number[], boolean, Parameters<typeof conv2d>[3]][] = [
    ["basic with bias", [2, 2, 4, 4], [3, 2, 3, 3], true, {}],
    ["no bias", [1, 2, 4, 4], [2, 2, 2, 2], false, {}],
    ["stride 2, padding 1", [1, 2, 5, 5], [2, 2, 3, 3], true, { stride: 2, padding: 1 }],
    ["rectangular stride and padding", [1, 1, 5, 4], [2, 1, 2, 3], true, { stride: [2, 1], padding: [0, 1] }],
    ["dilation 2", [1, 1, 5, 5], [2, 1, 2, 2], true, { dilation: 2 }],
    ["groups 2", [1, 4, 3, 3], [4, 2, 2, 2], true, { groups: 2 }],
    ["depthwise", [1, 2, 3, 3], [2, 1, 2, 2], false, { groups: 2, padding: 1 }],
  ];
  for (const [name, xs, ws, hasBias, opts] of cases) {
    for (const layout of LAYOUTS) {
      it(`${name} (${layout.name})`, () => {
        const inputs = [leaf(xs, layout), leaf(ws, layout)];
        if (hasBias) inputs.push(leaf([ws[0]!], layout));
        check((x, w, b) => conv2d(x!, w!, b, opts), inputs);
      });
    }
  }

  it("unbatched [C, H, W] input", () => {
    check((x, w, b) => conv2d(x!, w!, b, { padding: 1 }), [leaf([2, 3, 3]), leaf([2, 2, 2, 2]), leaf([2])]);
  });
});

describe("pooling", () => {
  const maxCases: [string, number[], Parameters<typeof maxPool2d>[1]][] = [
    ["kernel 2", [1, 2, 4, 4], { kernelSize: 2 }],
    ["kernel 3, stride 1, padding 1", [1, 1, 4, 4], { kernelSize: 3, stride: 1, padding: 1 }],
    ["ceilMode", [2, 1, 5, 5], { kernelSize: 2, ceilMode: true }],
    ["dilation 2", [1, 1, 5, 5], { kernelSize: 2, stride: 1, dilation: 2 }],
    ["rectangular", [1, 1, 4, 6], { kernelSize: [2, 3], stride: [1, 2] }],
    ["unbatched", [2, 4, 4], { kernelSize: 2 }],
  ];
  for (const [name, shape, opts] of maxCases) {
    for (const layout of LAYOUTS) {
      it(`maxPool2d ${name} (${layout.name})`, () => {
        check((x) => maxPool2d(x, opts), [leaf(shape, layout)]);
      });
    }
  }

  const avgCases: [string, number[], Parameters<typeof avgPool2d>[1]][] = [
    ["kernel 2", [1, 2, 4, 4], { kernelSize: 2 }],
    ["padding, countIncludePad true", [1, 1, 4, 4], { kernelSize: 3, stride: 2, padding: 1, countIncludePad: true }],
    ["padding, countIncludePad false", [1, 1, 4, 4], { kernelSize: 3, stride: 2, padding: 1, countIncludePad: false }],
    ["ceilMode, countIncludePad true", [1, 1, 5, 5], { kernelSize: 2, ceilMode: true }],
    ["ceilMode with padding, countIncludePad false", [1, 1, 5, 5], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
    ["divisorOverride", [1, 1, 4, 4], { kernelSize: 2, divisorOverride: 3 }],
    ["unbatched", [2, 4, 4], { kernelSize: 2, stride: 1 }],
  ];
  for (const [name, shape, opts] of avgCases) {
    for (const layout of LAYOUTS) {
      it(`avgPool2d ${name} (${layout.name})`, () => {
        check((x) => avgPool2d(x, opts), [leaf(shape, layout)]);
      });
    }
  }
});

describe("in-place ops through views of tensors in the graph (CopySlices)", () => {
  for (const layout of LAYOUTS) {
    const strided = layout.strided;
    it(`an op on a slice, then the base (${layout.name})`, () => {
      check(
        (x, s) => {
          const b = x.mul(x);
          b.slice(1, 1, 3).mul_(s);
          b.select(0, 0).add_(s.select(1, 0).sum());
          return b.mul(x);
        },
        [leaf([2, 4], { strided }), leaf([2, 2], { strided })],
      );
    });

    it(`a buffer filled through views (${layout.name})`, () => {
      check(
        (h, w) => {
          const buf = zeros([3, 4], { dtype: "float64" });
          buf.slice(0, 0, 2).copy_(h.exp());
          buf.t().select(0, 3).mul_(w);
          buf.select(0, 2).clamp_({ min: -0.2, max: 0.2 });
          return buf.sin();
        },
        [leaf([2, 4], { strided }), leaf([3], { strided })],
      );
    });

    it(`older and overlapping views follow the base (${layout.name})`, () => {
      check(
        (x) => {
          const b = x.add(1);
          const older = b.slice(1, 0, 2);
          const overlapping = b.slice(1, 1, 3);
          b.slice(1, 0, 2).div_(x.slice(1, 2, 4).exp());
          b.mul_(x);
          return older.mul(overlapping);
        },
        [leaf([3, 4], { strided })],
      );
    });
  }
});

describe("in-place ops on non-leaves and copy_", () => {
  for (const layout of LAYOUTS) {
    it(`add_ / sub_ / mul_ / div_ (${layout.name})`, () => {
      check(
        (x, s) => {
          const y = x.mul(2);
          y.add_(s);
          y.sub_(s.mul(s), { alpha: 0.5 });
          y.mul_(x);
          y.div_(s.abs().add(1));
          return y;
        },
        [leaf([2, 3], layout), leaf([2, 3], layout)],
      );
    });

    it(`in-place with broadcast and scalar operands (${layout.name})`, () => {
      check(
        (x, s) => {
          const y = x.sin(); // saves x, not y
          y.add_(s);
          y.mul_(3);
          y.sub_(1, { alpha: 2 });
          return y;
        },
        [leaf([2, 3], layout), leaf([3], layout)],
      );
    });

    it(`clamp_ (${layout.name})`, () => {
      const data = [
        [-2, -0.3, 0.1],
        [0.4, 1.5, -0.9],
      ];
      check((x) => x.mul(1).clamp_({ min: -0.5, max: 0.5 }), [fixed(data, layout.strided)]);
    });

    it(`copy_ (${layout.name})`, () => {
      check(
        (x, s) => {
          const y = x.mul(1);
          y.copy_(s.mul(3));
          return y.mul(x);
        },
        [leaf([2, 3], layout), leaf([2, 3], layout)],
      );
      // Broadcast source.
      check(
        (x, s) => {
          const y = x.mul(2);
          y.copy_(s);
          return y.add(x);
        },
        [leaf([2, 3], layout), leaf([3], layout)],
      );
    });

    it(`zero_ / fill_ cut the gradient (${layout.name})`, () => {
      check(
        (x) => {
          const y = x.mul(2);
          const z = y.mul(3); // saves nothing of y
          y.zero_();
          return z.add(y).add(x.mul(x));
        },
        [leaf([2, 3], layout)],
      );
    });
  }

  it("copy_ into a tensor that does not require grad", () => {
    check(
      (s) => {
        const y = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
        y.copy_(s);
        return y.mul(y);
      },
      [leaf([2, 1])],
    );
  });

  it("copy_ from float32 to float64", () => {
    const s = tensor([0.5, -1.25], { requiresGrad: true });
    const y = tensor([0, 0], { dtype: "float64" });
    y.copy_(s);
    y.mul(y).sum().backward();
    expect(s.grad!.dtype).toBe("float32");
    expect(values(s.grad!)).toEqual([1, -2.5]);
  });
});

describe("composite expressions", () => {
  for (const layout of LAYOUTS) {
    it(`an MLP-like expression (${layout.name})`, () => {
      check(
        (x, w1, b1, w2) => x.matmul(w1).add(b1).tanh().matmul(w2).logSoftmax(1).mean(),
        [leaf([3, 4], layout), leaf([4, 5], layout), leaf([5], layout), leaf([5, 2], layout)],
      );
    });

    it(`layer-norm-like expression (${layout.name})`, () => {
      check((x) => {
        const mu = x.mean({ dim: -1, keepdim: true });
        const sigma = x.var({ dim: -1, keepdim: true, correction: 0 }).add(1e-5).sqrt();
        return x.sub(mu).div(sigma);
      }, [leaf([2, 4], layout)]);
    });
  }

  const idx = (data: number[] | number[][]) => tensor(data, { dtype: "int32" });
  const secondOrder: [string, (x: Tensor) => Tensor, ((x: Tensor) => Tensor)?][] = [
    ["pow 3", (x) => x.pow(3)],
    ["pow tensor", (x) => x.abs().add(0.5).pow(x)],
    ["sin", (x) => x.sin()],
    ["cos", (x) => x.cos()],
    ["tanh", (x) => x.tanh()],
    ["sigmoid", (x) => x.sigmoid()],
    ["exp·x", (x) => x.exp().mul(x)],
    ["log", (x) => x.log(), positive],
    ["sqrt", (x) => x.sqrt(), positive],
    ["rsqrt", (x) => x.rsqrt(), positive],
    ["reciprocal", (x) => x.reciprocal(), awayFromZero],
    ["erf", (x) => x.erf()],
    ["abs·x", (x) => x.abs().mul(x), awayFromZero],
    ["relu·x", (x) => x.relu().mul(x), awayFromZero],
    ["div", (x) => x.div(x.mul(x).add(1))],
    ["maximum", (x) => x.maximum(x.mul(-0.5).add(0.3)).mul(x)],
    ["where", (x) => where(x.gt(0), x.mul(x), x.exp())],
    ["clamp·x", (x) => x.clamp({ min: -0.5, max: 0.5 }).mul(x)],
    ["softmax·x", (x) => x.softmax(-1).mul(x)],
    ["logSoftmax·x", (x) => x.logSoftmax(0).mul(x)],
    ["logsumexp", (x) => x.logsumexp({ dim: 1 })],
    ["var", (x) => x.var({ dim: 1 })],
    ["std", (x) => x.std()],
    ["prod", (x) => x.prod({ dim: 1 })],
    ["max·x", (x) => x.max({ dim: 1, keepdim: true }).mul(x)],
    ["mean²", (x) => x.mean({ dim: 0 }).pow(2)],
    ["matmul", (x) => x.matmul(x.t())],
    ["views", (x) => x.t().reshape([6]).slice(0, 1, 6, 2).mul(x.select(0, 1))],
    ["expand", (x) => x.select(1, 0).unsqueeze(1).expand([2, 3]).mul(x)],
    ["gather", (x) => x.gather(1, idx([[0, 2, 2], [1, 0, 1]])).mul(x)],
    ["indexSelect", (x) => x.indexSelect(1, idx([2, 0, 2])).pow(2)],
    ["scatterAdd", (x) => x.mul(x).scatterAdd(1, idx([[0, 0, 1], [2, 2, 2]]), x.exp())],
    ["in-place on a non-leaf", (x) => {
      const y = x.mul(x);
      y.mul_(x);
      y.add_(x.sin());
      return y;
    }],
    ["in-place through a view", (x) => {
      const y = x.mul(x);
      y.slice(1, 0, 2).mul_(x.select(1, 2).unsqueeze(1));
      const older = y.select(0, 1);
      y.add_(x.sin());
      return older.mul(y.select(0, 0));
    }],
  ];
  for (const [name, fn, map] of secondOrder) {
    it(`second-order gradient: ${name}`, () => {
      // gradcheck evaluates fn under noGrad for the finite differences; the inner grad() needs the graph.
      const firstOrder = (x: Tensor) => enableGrad(() => grad(fn(x).sum(), x, { createGraph: true })[0]!);
      check(firstOrder, [leaf([2, 3], { map })]);
    });
  }
});
