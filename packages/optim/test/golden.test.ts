/**
 * Golden trajectories from PyTorch 1.13 (`tools/golden/optim.py` writes
 * `test/fixtures/optim.json`; CI needs no PyTorch).
 *
 * Optimizers: float64 parameters, a fixed sequence of gradients set directly into `.grad`
 * (null: no gradient that step), the parameters after every step compared with PyTorch's at
 * rtol 1e-12, and the final state dict compared entry by entry.
 * Schedulers: each group's lr (and OneCycleLR's momentum or beta1) after construction and after
 * every step, at rtol 1e-12.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Tensor, tensor, zeros } from "@tessera/autograd";
import {
  Adagrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  type LRScheduler,
  MultiStepLR,
  OneCycleLR,
  type Optimizer,
  RMSprop,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
} from "../src/index.js";
import { expectClose, f64, maxRelError } from "./helpers.js";

/** Relative tolerance of every comparison with PyTorch (float64). */
const RTOL = 1e-12;

interface OptimizerCase {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  params: { shape: number[]; values: number[] }[];
  grads: (number[] | null)[][];
  trajectory: number[][][];
  stateDict: {
    state: Record<string, Record<string, number | number[] | null>>;
    paramGroups: Record<string, unknown>[];
  };
}

interface SchedulerSpec {
  scheduler: string;
  options?: Record<string, any>;
  schedulers?: SchedulerSpec[];
  milestones?: number[];
}

interface SchedulerCase extends SchedulerSpec {
  name: string;
  optimizer: { optimizer: "SGD" | "Adam"; options: Record<string, unknown>; groupLrs: number[] };
  lrs: number[][];
  metrics?: number[];
  momentums?: (number | null)[][];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8")) as {
  torch: string;
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
};

const OPTIMIZERS = { SGD, Adam, AdamW, RMSprop, Adagrad } as const;

function makeOptimizer(name: keyof typeof OPTIMIZERS, params: any, options: any): Optimizer {
  return new OPTIMIZERS[name](params, options);
}

describe("optimizers match PyTorch", () => {
  it("has the cases", () => {
    expect(fixture.optimizers.length).toBeGreaterThanOrEqual(50);
    for (const name of Object.keys(OPTIMIZERS)) expect(fixture.optimizers.some((c) => c.optimizer === name)).toBe(true);
  });

  // Adam and AdamW run three times: automatic (fused on the CPU), and forced each way.
  const variants = (c: OptimizerCase): (readonly [string, Record<string, unknown>])[] =>
    c.optimizer === "Adam" || c.optimizer === "AdamW"
      ? [["", {}], [" (fused: true)", { fused: true }], [" (fused: false, composed)", { fused: false }]]
      : [["", {}]];
  for (const c of fixture.optimizers) for (const [suffix, extra] of variants(c)) {
    it(c.name + suffix, () => {
      const params = c.params.map((p) => f64(p.values, p.shape, true));
      const input = c.groups === null ? params : c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options }));
      const optimizer = makeOptimizer(c.optimizer, input, { ...c.options, ...extra });
      let worst = 0;
      c.grads.forEach((step, k) => {
        optimizer.zeroGrad();
        step.forEach((g, i) => {
          if (g !== null) params[i]!.grad = f64(g, c.params[i]!.shape);
        });
        optimizer.step();
        params.forEach((p, i) => {
          const got = p.dataSync();
          worst = Math.max(worst, maxRelError(got, c.trajectory[k]![i]!));
          expectClose(got, c.trajectory[k]![i]!, RTOL, `step ${k + 1}, param ${i}`);
        });
      });
      expect(worst).toBeLessThanOrEqual(RTOL);

      // The state dict: PyTorch's structure, camelCase keys, the same values.
      const sd = optimizer.stateDict();
      // fused is Tessera's own option (PyTorch 1.13's fixture predates it): compare the rest.
      expect(sd.paramGroups.map(({ fused: _fused, ...rest }) => rest)).toEqual(c.stateDict.paramGroups);
      if ("fused" in extra) expect(sd.paramGroups.every((g) => g.fused === extra.fused)).toBe(true);
      expect(Object.keys(sd.state).sort()).toEqual(Object.keys(c.stateDict.state).sort());
      for (const [index, expected] of Object.entries(c.stateDict.state)) {
        const got = sd.state[Number(index)]!;
        expect(Object.keys(got).sort(), `state[${index}] keys`).toEqual(Object.keys(expected).sort());
        for (const [key, value] of Object.entries(expected)) {
          const actual = got[key];
          if (value === null || typeof value === "number") expect(actual, `state[${index}].${key}`).toBe(value);
          else expectClose((actual as Tensor).dataSync(), value, RTOL, `state[${index}].${key}`);
        }
      }
      optimizer.dispose();
      for (const p of params) {
        p.grad?.dispose();
        p.dispose();
      }
    });
  }
});

// ---------------------------------------------------------------------------- schedulers

const LAMBDAS: Record<string, (epoch: number) => number> = {
  pow095: (epoch) => 0.95 ** epoch,
  inverse: (epoch) => 1 / (epoch + 1),
  warmup5: (epoch) => Math.min(1, (epoch + 1) / 5),
};

function makeScheduler(optimizer: Optimizer, spec: SchedulerSpec): LRScheduler {
  const o = spec.options ?? {};
  switch (spec.scheduler) {
    case "StepLR":
      return new StepLR(optimizer, o as any);
    case "MultiStepLR":
      return new MultiStepLR(optimizer, o as any);
    case "ExponentialLR":
      return new ExponentialLR(optimizer, o as any);
    case "CosineAnnealingLR":
      return new CosineAnnealingLR(optimizer, o as any);
    case "LinearLR":
      return new LinearLR(optimizer, o);
    case "OneCycleLR":
      return new OneCycleLR(optimizer, o as any);
    case "LambdaLR": {
      const names = o.lrLambda as string | string[];
      return new LambdaLR(optimizer, { lrLambda: Array.isArray(names) ? names.map((n) => LAMBDAS[n]!) : LAMBDAS[names]! });
    }
    case "SequentialLR": {
      const inner = spec.schedulers!.map((s) => makeScheduler(optimizer, s));
      return new SequentialLR(optimizer, { schedulers: inner, milestones: spec.milestones! });
    }
    default:
      throw new Error(`unknown scheduler ${spec.scheduler}`);
  }
}

function momenta(optimizer: Optimizer): (number | null)[] {
  return optimizer.paramGroups.map((g) => (Array.isArray(g.betas) ? (g.betas[0] as number) : ((g.momentum as number | undefined) ?? null)));
}

describe("schedulers match PyTorch", () => {
  it("has the cases", () => {
    const kinds = new Set(fixture.schedulers.map((c) => c.scheduler));
    for (const k of ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "LambdaLR", "SequentialLR"]) {
      expect(kinds.has(k), k).toBe(true);
    }
  });

  for (const c of fixture.schedulers) {
    it(c.name, () => {
      const spec = c.optimizer;
      const groups = spec.groupLrs.map((lr) => ({ params: [zeros([2], { dtype: "float64", requiresGrad: true })], lr }));
      const optimizer = makeOptimizer(spec.optimizer, groups, spec.options);
      const lrs: number[][] = [];
      const moms: (number | null)[][] = [];
      const record = () => {
        lrs.push(optimizer.paramGroups.map((g) => g.lr));
        moms.push(momenta(optimizer));
      };
      if (c.scheduler === "ReduceLROnPlateau") {
        const scheduler = new ReduceLROnPlateau(optimizer, c.options);
        record();
        for (const metric of c.metrics!) {
          optimizer.step();
          scheduler.step(metric);
          record();
          expect(scheduler.getLastLr()).toEqual(lrs[lrs.length - 1]);
        }
      } else {
        const scheduler = makeScheduler(optimizer, c);
        record();
        expect(scheduler.getLastLr()).toEqual(lrs[0]);
        for (let k = 1; k < c.lrs.length; k++) {
          optimizer.step();
          scheduler.step();
          record();
          expect(scheduler.getLastLr()).toEqual(lrs[k]);
        }
      }
      expect(lrs.length).toBe(c.lrs.length);
      lrs.forEach((got, k) => expectClose(got, c.lrs[k]!, RTOL, `lr after ${k} steps`));
      if (c.momentums !== undefined) {
        moms.forEach((got, k) => {
          const expected = c.momentums![k]!;
          if (expected.every((m) => m !== null)) expectClose(got as number[], expected as number[], RTOL, `momentum after ${k} steps`);
          else expect(got).toEqual(expected);
        });
      }
    });
  }
});

it("the fixture was written by PyTorch 1.13", () => {
  expect(fixture.torch.startsWith("1.13")).toBe(true);
  expect(tensor([1]).dtype).toBe("float32");
});
