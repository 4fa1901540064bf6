/** init (statistics, reproducibility, truncated normal) and utils (clipping, flat vectors). */
import { describe, expect, test } from "vitest";
import { type Tensor, empty, manualSeed, memory, tensor, tidy, zeros } from "@tessera/autograd";
import { Linear, Parameter, Sequential, init, utils } from "../src/index.js";
import { inverseNormalCdf, inverseNormalCdf1, normalCdf } from "../src/modules/normal-cdf.js";

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number);

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = vals(t);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: v.reduce((a, b) => Math.min(a, b), Infinity), max: v.reduce((a, b) => Math.max(a, b), -Infinity) };
}

const param = (shape: number[], dtype: "float32" | "float64" = "float32"): Parameter => {
  const data = empty(shape, { dtype });
  const p = new Parameter(data);
  data.dispose();
  return p;
};

describe("gain and fans", () => {
  test("calculateGain as PyTorch", () => {
    expect(init.calculateGain("linear")).toBe(1);
    expect(init.calculateGain("conv2d")).toBe(1);
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain("relu")).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain("leakyRelu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain("leakyRelu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(init.calculateGain("selu")).toBe(0.75);
    expect(() => init.calculateGain("softplus" as init.Nonlinearity)).toThrow(/unsupported nonlinearity "softplus"/);
  });

  test("fan computation", () => {
    expect(init.calculateFanInAndFanOut(zeros([16, 3, 5, 5]))).toEqual({ fanIn: 75, fanOut: 400 });
    expect(init.calculateFanInAndFanOut(zeros([10, 20]))).toEqual({ fanIn: 20, fanOut: 10 });
    expect(() => init.calculateFanInAndFanOut(zeros([10]))).toThrow(/fewer than 2 dimensions/);
  });
});

describe("fills", () => {
  test("work on parameters that require grad and return the same tensor", () => {
    const p = param([300, 200]);
    expect(init.zeros_(p)).toBe(p);
    expect(vals(p).every((v) => v === 0)).toBe(true);
    init.ones_(p);
    expect(vals(p).every((v) => v === 1)).toBe(true);
    init.constant_(p, 0.25);
    expect(vals(p).every((v) => v === 0.25)).toBe(true);
    expect(p.requiresGrad && p.isLeaf).toBe(true);
    init.uniform_(p, -2, 3);
    const u = stats(p);
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(3);
    expect(Math.abs(u.mean - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(u.std - 5 / Math.sqrt(12))).toBeLessThan(0.02);
    init.normal_(p, 1, 0.5);
    const n = stats(p);
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.005);
    expect(Math.abs(n.std - 0.5)).toBeLessThan(0.005);
  });

  test("Xavier and Kaiming statistics", () => {
    const p = param([400, 300]);
    const xb = Math.sqrt(6 / 700);
    init.xavierUniform_(p);
    let s = stats(p);
    expect(s.max).toBeLessThanOrEqual(xb);
    expect(s.min).toBeGreaterThanOrEqual(-xb);
    expect(Math.abs(s.std / (xb / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
    init.xavierUniform_(p, 2);
    expect(stats(p).max).toBeGreaterThan(xb);
    init.xavierNormal_(p);
    expect(Math.abs(stats(p).std / Math.sqrt(2 / 700) - 1)).toBeLessThan(0.01);

    init.kaimingUniform_(p); // leakyRelu with a = 0: gain √2, fanIn 300
    const kb = Math.SQRT2 * Math.sqrt(3 / 300);
    s = stats(p);
    expect(s.max).toBeLessThanOrEqual(kb);
    expect(s.min).toBeGreaterThanOrEqual(-kb);
    expect(s.max).toBeGreaterThan(kb * 0.999);
    init.kaimingUniform_(p, { mode: "fanOut", nonlinearity: "relu" });
    expect(stats(p).max).toBeLessThanOrEqual(Math.SQRT2 * Math.sqrt(3 / 400));
    init.kaimingNormal_(p, { mode: "fanOut", nonlinearity: "relu" });
    expect(Math.abs(stats(p).std / (Math.SQRT2 / Math.sqrt(400)) - 1)).toBeLessThan(0.01);
    init.kaimingNormal_(p, { a: 0.1 });
    expect(Math.abs(stats(p).std / (Math.sqrt(2 / 1.01) / Math.sqrt(300)) - 1)).toBeLessThan(0.01);
    expect(() => init.kaimingUniform_(p, { mode: "fan_in" as init.FanMode })).toThrow(/Mode fan_in not supported/);
  });

  test("reproducible with manualSeed", () => {
    const a = param([50, 40]);
    const b = param([50, 40]);
    for (const fill of [
      (t: Tensor) => init.uniform_(t),
      (t: Tensor) => init.normal_(t),
      (t: Tensor) => init.xavierNormal_(t),
      (t: Tensor) => init.kaimingUniform_(t, { a: Math.sqrt(5) }),
      (t: Tensor) => init.truncNormal_(t, { std: 0.02 }),
    ]) {
      manualSeed(123);
      fill(a);
      manualSeed(123);
      fill(b);
      expect(vals(a)).toEqual(vals(b));
      manualSeed(124);
      fill(b);
      expect(vals(a)).not.toEqual(vals(b));
    }
    manualSeed(9);
    const l1 = new Linear(5, 5);
    manualSeed(9);
    const l2 = new Linear(5, 5);
    expect(vals(l1.weight)).toEqual(vals(l2.weight));
    expect(vals(l1.bias!)).toEqual(vals(l2.bias!));
  });
});

describe("truncNormal_", () => {
  /** Mean and std of N(μ, σ²) truncated to [a, b]. */
  function truncatedMoments(mu: number, sigma: number, a: number, b: number): { mean: number; std: number } {
    const phi = (x: number): number => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const al = (a - mu) / sigma;
    const be = (b - mu) / sigma;
    const z = normalCdf(be) - normalCdf(al);
    const mean = mu + ((phi(al) - phi(be)) / z) * sigma;
    const v = sigma ** 2 * (1 + (al * phi(al) - be * phi(be)) / z - ((phi(al) - phi(be)) / z) ** 2);
    return { mean, std: Math.sqrt(v) };
  }

  for (const [mu, sigma, a, b, dtype] of [
    [0, 1, -2, 2, "float64"],
    [0, 1, -2, 2, "float32"],
    [1, 2, 0, 3, "float64"],
    [0, 1, 2.5, 4, "float64"], // entirely in the upper tail (mirrored draw)
    [0, 1, -5, -3, "float32"], // entirely in the lower tail
    [0, 0.02, -0.04, 0.04, "float32"],
  ] as const) {
    test(`N(${mu}, ${sigma}²) on [${a}, ${b}], ${dtype}`, () => {
      manualSeed(11);
      const t = param([200, 200], dtype);
      expect(init.truncNormal_(t, { mean: mu, std: sigma, a, b })).toBe(t);
      const s = stats(t);
      const want = truncatedMoments(mu, sigma, a, b);
      expect(s.min).toBeGreaterThanOrEqual(a);
      expect(s.max).toBeLessThanOrEqual(b);
      const tol = 4 * (want.std / Math.sqrt(40000));
      expect(Math.abs(s.mean - want.mean)).toBeLessThan(tol);
      expect(Math.abs(s.std / want.std - 1)).toBeLessThan(0.02);
    });
  }

  test("defaults, std 0, errors, and no leaked tensors", () => {
    const t = zeros([1000]);
    const before = memory();
    init.truncNormal_(t);
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().bytes).toBe(before.bytes);
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThanOrEqual(2);
    init.truncNormal_(t, { mean: 5, std: 0, a: -1, b: 1 });
    expect(vals(t).every((v) => v === 1)).toBe(true);
    expect(() => init.truncNormal_(t, { a: 1, b: 1 })).toThrow(/a < b/);
  });

  test("Φ and Φ⁻¹ (Acklam) are accurate", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normalCdf(-2)).toBeCloseTo(0.022750131948179195, 15);
    expect(normalCdf(-3) / 0.0013498980316300946 - 1).toBeLessThan(1e-12);
    expect(Math.abs(normalCdf(-6) / 9.865876450376946e-10 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(normalCdf(2.5) - 0.9937903346742238)).toBeLessThan(1e-15);
    // Reference quantiles (bisection on an exact erfc); Acklam's relative error is below 1.15e-9.
    const quantiles: [number, number][] = [
      [1e-12, -7.034483825301133],
      [1e-6, -4.7534243088229],
      [0.001, -3.090232306167814],
      [0.02, -2.0537489106318234],
      [0.02425, -1.9729610513118852],
      [0.1, -1.2815515655446008],
      [0.3, -0.524400512708041],
      [0.5, 0],
      [0.9, 1.2815515655446008],
      [0.999, 3.090232306167814],
    ];
    for (const [p, x] of quantiles) {
      expect(Math.abs(inverseNormalCdf1(p) - x), `p=${p}`).toBeLessThan(1.2e-9 * Math.max(Math.abs(x), 1e-300) + 1e-15);
    }
    const ps = quantiles.map(([p]) => p);
    const pt = tensor(ps, { dtype: "float64" });
    const xt = tidy(() => inverseNormalCdf(pt));
    vals(xt).forEach((x, i) => expect(Math.abs(x - inverseNormalCdf1(ps[i]!))).toBeLessThan(1e-12 * Math.max(1, Math.abs(x))));
  });
});

describe("utils", () => {
  function withGrads(gs: number[][]): Parameter[] {
    return gs.map((g) => {
      const p = param([g.length], "float64");
      p.grad = tensor(g, { dtype: "float64" });
      return p;
    });
  }

  test("clipGradNorm_ returns the total norm and scales gradients", () => {
    const ps = withGrads([[3, 4], [12]]);
    const norm = utils.clipGradNorm_(ps, 6.5);
    expect(norm.itemSync()).toBeCloseTo(13, 12);
    const c = 6.5 / (13 + 1e-6);
    expect(vals(ps[0]!.grad!)).toEqual([3 * c, 4 * c].map((v) => expect.closeTo(v, 12)));
    expect(vals(ps[1]!.grad!)[0]).toBeCloseTo(12 * c, 12);

    const big = withGrads([[3, 4], [12]]);
    utils.clipGradNorm_(big, 100);
    expect(vals(big[0]!.grad!)).toEqual([3, 4]);

    const inf = withGrads([[3, -4], [2]]);
    expect(utils.clipGradNorm_(inf, 2, { normType: Infinity }).itemSync()).toBe(4);
    expect(vals(inf[0]!.grad!)[1]).toBeCloseTo(-4 * (2 / (4 + 1e-6)), 12);

    const l1 = withGrads([[3, -4], [2]]);
    expect(utils.clipGradNorm_(l1, 100, { normType: 1 }).itemSync()).toBe(9);
    const l3 = withGrads([[1, 2]]);
    expect(utils.clipGradNorm_(l3, 100, { normType: 3 }).itemSync()).toBeCloseTo(9 ** (1 / 3), 12);

    expect(utils.clipGradNorm_([param([2])], 1).itemSync()).toBe(0); // no grads

    const bad = withGrads([[NaN, 1]]);
    expect(() => utils.clipGradNorm_(bad, 1, { errorIfNonfinite: true })).toThrow(/non-finite, so it cannot be clipped/);
  });

  test("clipGradNorm_ on a model after backward", () => {
    const net = new Sequential(new Linear(4, 4), new Linear(4, 1));
    tidy(() => net.forward(tensor([[10, 20, 30, 40]])).sum().mul(100).backward());
    const norm = utils.clipGradNorm_(net.parameters(), 1);
    expect(norm.itemSync()).toBeGreaterThan(1);
    const after = Math.sqrt(net.parameters().reduce((acc, p) => acc + vals(p.grad!).reduce((a, v) => a + v * v, 0), 0));
    expect(after).toBeCloseTo(1, 4);
  });

  test("clipGradValue_", () => {
    const ps = withGrads([[-3, 0.5, 2]]);
    utils.clipGradValue_(ps, 1);
    expect(vals(ps[0]!.grad!)).toEqual([-1, 0.5, 1]);
  });

  test("parametersToVector / vectorToParameters round trip", () => {
    const net = new Linear(3, 2);
    const flat = utils.parametersToVector(net.parameters());
    expect(flat.shape).toEqual([8]);
    expect(vals(flat)).toEqual([...vals(net.weight), ...vals(net.bias!)]);
    const other = new Linear(3, 2);
    utils.vectorToParameters(flat, other.parameters());
    expect(vals(other.weight)).toEqual(vals(net.weight));
    expect(vals(other.bias!)).toEqual(vals(net.bias!));
    expect(other.weight.isLeaf).toBe(true);
    expect(() => utils.vectorToParameters(zeros([7]), other.parameters())).toThrow(/hold 8 elements but vec has 7/);
    expect(() => utils.vectorToParameters(zeros([2, 4]), other.parameters())).toThrow(/must be 1-D/);
  });
});
