/**
 * The fused Adam/AdamW update (`fused` option): the same numbers as the composed update (bit
 * for bit on the CPU backend, float64 and float32), automatic use where the backend has the
 * kernel, the composed fallback on a backend without it, and `fused: true`'s error there.
 */
import { describe, expect, it } from "vitest";
import { type Kernel, type KernelTable, getBackend, hasBackend, registerBackend } from "@tessera/backend";
import { type Tensor, manualSeed, randn, tensor } from "@tessera/autograd";
import { Adam, AdamW, OptimError } from "../src/index.js";

// A CPU backend without the fused kernel (as a third-party backend may be), and one that
// counts its fused calls.
let fusedCalls = 0;
if (!hasBackend("cpu-unfused")) {
  const cpu = getBackend("cpu");
  const { adamStep: _omitted, ...kernels } = cpu.kernels;
  registerBackend({ ...cpu, name: "cpu-unfused", kernels: kernels as KernelTable<unknown> });
}
if (!hasBackend("cpu-counting")) {
  const cpu = getBackend("cpu");
  const inner = cpu.kernels.adamStep! as Kernel<unknown, "adamStep">;
  const adamStep: Kernel<unknown, "adamStep"> = (i, o, a) => {
    fusedCalls++;
    inner(i, o, a);
  };
  registerBackend({ ...cpu, name: "cpu-counting", kernels: { ...cpu.kernels, adamStep } });
}

type Options = Record<string, unknown>;
const VARIANTS: Options[] = [
  {},
  { weightDecay: 0.1 },
  { weightDecay: 0.1, maximize: true },
  { amsgrad: true },
  { amsgrad: true, weightDecay: 0.05, maximize: true, betas: [0.8, 0.95], eps: 1e-3 },
];

/** Parameters (a transposed view, a vector, a 0-d one, a large one) and gradients for `steps` steps. */
function problem(dtype: "float32" | "float64", device: string, steps: number) {
  manualSeed(7);
  // [97, 91]: two 4096-element SIMD chunks of the CPU kernel, a partial one and a 3-element tail.
  const shapes = [[5, 4], [3], [], [97, 91]] as const;
  const data = shapes.map((s) => randn(s as unknown as number[], { dtype }));
  const grads = Array.from({ length: steps }, () => shapes.map((s) => randn(s as unknown as number[], { dtype })));
  return {
    params: () => [
      // A transposed (strided) leaf, then a vector, a scalar and 8827 elements.
      data[0]!.t().contiguous().to(device).t().detach().requiresGrad_(),
      data[1]!.to(device).clone().requiresGrad_(),
      data[2]!.to(device).clone().requiresGrad_(),
      data[3]!.to(device).clone().requiresGrad_(),
    ],
    grads: grads.map((step) => step.map((g) => () => g.to(device).clone())),
  };
}

/** Runs `steps` steps and returns every parameter's and state tensor's values, bitwise. */
function trajectory(kind: "Adam" | "AdamW", options: Options, dtype: "float32" | "float64", device = "cpu", steps = 6): number[][] {
  const { params, grads } = problem(dtype, device, steps);
  const ps = params();
  const optimizer = kind === "Adam" ? new Adam(ps, options) : new AdamW(ps, options);
  const out: number[][] = [];
  for (const step of grads) {
    optimizer.zeroGrad();
    ps.forEach((p, i) => (p.grad = step[i]!()));
    optimizer.step();
    for (const p of ps) out.push(Array.from(p.dataSync()));
  }
  for (const p of ps) {
    const s = optimizer.state.get(p)!;
    for (const t of [s.expAvg, s.expAvgSq, s.maxExpAvgSq]) if (t instanceof Object) out.push(Array.from((t as Tensor).dataSync()));
  }
  optimizer.dispose();
  return out;
}

/** True if every element is the same float (Object.is: NaN = NaN, 0 ≠ -0). */
function bitwiseEqual(a: number[][], b: number[][]): boolean {
  return a.length === b.length && a.every((row, i) => row.length === b[i]!.length && row.every((x, j) => Object.is(x, b[i]![j])));
}

describe("fused Adam/AdamW", () => {
  for (const kind of ["Adam", "AdamW"] as const) {
    for (const options of VARIANTS) {
      for (const dtype of ["float64", "float32"] as const) {
        it(`${kind} ${JSON.stringify(options)} ${dtype}: fused equals composed bit for bit (0 ulp)`, () => {
          const fused = trajectory(kind, { ...options, fused: true }, dtype);
          const composed = trajectory(kind, { ...options, fused: false }, dtype);
          expect(fused.flat().length).toBeGreaterThan(100);
          expect(fused.flat().every(Number.isFinite)).toBe(true);
          expect(bitwiseEqual(fused, composed)).toBe(true);
          // And the parameters did move between the first and the last step.
          expect(fused[0]).not.toEqual(fused[4 * 5]);
          expect(fused[3]).not.toEqual(fused[4 * 5 + 3]);
        });
      }
    }
  }

  it("is used automatically where the backend has the kernel, once per parameter per step", () => {
    fusedCalls = 0;
    const auto = trajectory("Adam", { weightDecay: 0.1 }, "float32", "cpu-counting", 4);
    expect(fusedCalls).toBe(4 * 4);
    fusedCalls = 0;
    const composed = trajectory("Adam", { weightDecay: 0.1, fused: false }, "float32", "cpu-counting", 4);
    expect(fusedCalls).toBe(0);
    expect(bitwiseEqual(auto, composed)).toBe(true);
  });

  it("falls back to the composed update on a backend without the kernel (automatic)", () => {
    for (const kind of ["Adam", "AdamW"] as const) {
      const unfused = trajectory(kind, { amsgrad: true }, "float64", "cpu-unfused");
      expect(bitwiseEqual(unfused, trajectory(kind, { amsgrad: true }, "float64", "cpu"))).toBe(true);
    }
  });

  it("fused: true on a backend without the kernel is an error that says why, before anything changes", () => {
    const p = tensor([1, 2], { dtype: "float64", device: "cpu-unfused", requiresGrad: true });
    p.grad = tensor([0.5, 0.5], { dtype: "float64", device: "cpu-unfused" });
    const optimizer = new AdamW([p], { fused: true });
    expect(() => optimizer.step()).toThrow(OptimError);
    expect(() => optimizer.step()).toThrow(
      'AdamW: fused: true, but the fused update can\'t run for a parameter of shape [2]: the backend of device "cpu-unfused" has no fused adamStep kernel. Leave fused unset',
    );
    expect(Array.from(p.dataSync())).toEqual([1, 2]);
    expect(Array.from(optimizer.state.get(p)!.expAvg.dataSync())).toEqual([0, 0]);
    optimizer.dispose();
  });

  it("amsgrad switched on mid-training starts the maximum from zeros in both paths", () => {
    const run = (fused: boolean) => {
      const p = tensor([1, -2, 3], { dtype: "float64", requiresGrad: true });
      const optimizer = new Adam([p], { fused });
      for (let k = 0; k < 4; k++) {
        if (k === 2) optimizer.paramGroups[0]!.amsgrad = true;
        optimizer.zeroGrad();
        p.grad = tensor([0.5 * (k + 1), -1, 2 - k], { dtype: "float64" });
        optimizer.step();
      }
      const out = [Array.from(p.dataSync()), Array.from(optimizer.state.get(p)!.maxExpAvgSq!.dataSync())];
      optimizer.dispose();
      return out;
    };
    expect(bitwiseEqual(run(true), run(false))).toBe(true);
  });

  it("checks the option, and state dicts load with or without it", () => {
    const w = () => tensor([1, 2], { requiresGrad: true });
    expect(() => new Adam([w()], { fused: "yes" as never })).toThrow(/Adam: invalid fused: "?yes"?/);
    expect(() => new AdamW([{ params: [w()], fused: 1 as never }])).toThrow(OptimError);
    // Unset by default: stateDict has no fused key, as before the option existed.
    const plain = new Adam([w()]);
    expect("fused" in plain.stateDict().paramGroups[0]!).toBe(false);
    // A dict saved without fused loads into a fused: false optimizer, which stays fused: false.
    const forced = new Adam([w()], { fused: false });
    forced.loadStateDict(plain.stateDict());
    expect(forced.paramGroups[0]!.fused).toBe(false);
    // And a dict that has it sets it.
    plain.loadStateDict(new Adam([w()], { fused: true }).stateDict());
    expect(plain.paramGroups[0]!.fused).toBe(true);
  });
});
