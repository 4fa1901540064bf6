/**
 * Learning-rate schedulers beyond the golden trajectories: the base class's contract
 * (initialLr, lastEpoch, getLastLr), state dicts, resuming, and the errors for bad input.
 */
import { describe, expect, it } from "vitest";
import { zeros } from "@tessera/autograd";
import {
  Adagrad,
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  LRScheduler,
  MultiStepLR,
  OneCycleLR,
  OptimError,
  type Optimizer,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
} from "../src/index.js";

const param = () => zeros([2], { dtype: "float64", requiresGrad: true });
const sgd = (lrs: number[] = [0.1]) => new SGD(lrs.map((lr) => ({ params: [param()], lr })), { lr: 0.1, momentum: 0.9 });
const lrs = (o: Optimizer) => o.paramGroups.map((g) => g.lr);

describe("LRScheduler base", () => {
  it("stores initialLr in every group once, and starts at lastEpoch 0", () => {
    const opt = sgd([0.1, 0.2]);
    const s = new StepLR(opt, { stepSize: 2 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.2]);
    expect(s.baseLrs).toEqual([0.1, 0.2]);
    expect(s.lastEpoch).toBe(0);
    opt.paramGroups[0]!.lr = 0.5;
    const t = new ExponentialLR(opt, { gamma: 0.5 });
    expect(opt.paramGroups[0]!.initialLr).toBe(0.1); // not overwritten
    expect(t.baseLrs).toEqual([0.1, 0.2]);
  });

  it("getLastLr returns a copy of the lrs set by the last step", () => {
    const opt = sgd();
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    const last = s.getLastLr();
    expect(last).toEqual([0.05]);
    last[0] = 9;
    expect(s.getLastLr()).toEqual([0.05]);
    expect(s.lastEpoch).toBe(1);
  });

  it("the lr it sets is the lr the optimizer steps with", () => {
    const p = zeros([1], { dtype: "float64", requiresGrad: true });
    const opt = new SGD([p], { lr: 1 });
    const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
    s.step(); // lr 0.5
    p.grad = zeros([1], { dtype: "float64" }).add(1);
    opt.step();
    expect(p.dataSync()[0]).toBe(-0.5);
  });

  it("chains: two schedulers on one optimizer multiply their effects", () => {
    const opt = sgd([1]);
    const a = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    const b = new ExponentialLR(opt, { gamma: 0.9 });
    for (let i = 0; i < 4; i++) {
      a.step();
      b.step();
    }
    expect(lrs(opt)[0]).toBeCloseTo(0.25 * 0.9 ** 4, 15);
  });

  it("a user subclass: set fields, then initialStep()", () => {
    class HalveEvery extends LRScheduler {
      readonly every: number;
      constructor(optimizer: Optimizer, every: number) {
        super(optimizer);
        this.every = every;
        this.initialStep();
      }
      protected override stateKeys() {
        return ["every"];
      }
      protected getLr() {
        const halve = this.lastEpoch > 0 && this.lastEpoch % this.every === 0;
        return this.optimizer.paramGroups.map((g) => (halve ? g.lr / 2 : g.lr));
      }
    }
    const opt = sgd([1]);
    const s = new HalveEvery(opt, 3);
    const seen = [lrs(opt)[0]];
    for (let i = 0; i < 6; i++) {
      s.step();
      seen.push(lrs(opt)[0]);
    }
    expect(seen).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25]);
    expect(s.stateDict()).toMatchObject({ every: 3, lastEpoch: 6 });
  });
});

describe("resuming with lastEpoch", () => {
  it("needs initialLr in the groups", () => {
    expect(() => new StepLR(sgd(), { stepSize: 3, lastEpoch: 5 })).toThrow(/param group 0 has no initialLr, which resuming \(lastEpoch = 5\) needs/);
  });

  it("CosineAnnealingLR resumes from the closed form", () => {
    const opt = sgd([0.1]);
    opt.paramGroups[0]!.initialLr = 0.1;
    new CosineAnnealingLR(opt, { tMax: 10, lastEpoch: 4 });
    expect(lrs(opt)[0]).toBeCloseTo((0.1 * (1 + Math.cos((5 * Math.PI) / 10))) / 2, 15);
  });
});

type Build = (opt: Optimizer) => { step(): void; stateDict(): Record<string, unknown>; loadStateDict(sd: Record<string, unknown>): void };

const BUILDERS: [string, Build][] = [
  ["StepLR", (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 })],
  ["MultiStepLR", (o) => new MultiStepLR(o, { milestones: [3, 7, 7, 12] })],
  ["ExponentialLR", (o) => new ExponentialLR(o, { gamma: 0.9 })],
  ["CosineAnnealingLR", (o) => new CosineAnnealingLR(o, { tMax: 6, etaMin: 0.001 })],
  ["LinearLR", (o) => new LinearLR(o, { startFactor: 0.25, totalIters: 8 })],
  ["LambdaLR", (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) })],
  ["OneCycleLR", (o) => new OneCycleLR(o, { maxLr: [1, 2], totalSteps: 40, threePhase: true })],
  ["SequentialLR", (o) => new SequentialLR(o, { schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: 4 }), new CosineAnnealingLR(o, { tMax: 10 })], milestones: [4] })],
];

describe("scheduler state dicts", () => {
  for (const [name, build] of BUILDERS) {
    it(`${name}: save after 10 steps, load (through JSON) into a fresh one, continue: equal to uninterrupted`, () => {
      const a = sgd([0.1, 0.05]);
      const sa = build(a);
      for (let i = 0; i < 10; i++) sa.step();
      const saved = JSON.parse(JSON.stringify({ optimizer: a.stateDict(), scheduler: sa.stateDict() }));
      const b = sgd([0.7, 0.7]);
      const sb = build(b);
      b.loadStateDict(saved.optimizer);
      sb.loadStateDict(saved.scheduler);
      expect(lrs(b)).toEqual(lrs(a));
      for (let i = 0; i < 10; i++) {
        sa.step();
        sb.step();
        expect(lrs(b)).toEqual(lrs(a));
        expect(b.paramGroups.map((g) => g.momentum)).toEqual(a.paramGroups.map((g) => g.momentum));
      }
    });
  }

  it("ReduceLROnPlateau: round trip through JSON (best = Infinity is saved as null)", () => {
    const a = sgd();
    const fresh = new ReduceLROnPlateau(a, { patience: 1 });
    expect(JSON.parse(JSON.stringify(fresh.stateDict())).best).toBeNull();
    const metrics = [1, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
    metrics.slice(0, 4).forEach((m) => fresh.step(m));
    const saved = JSON.parse(JSON.stringify({ optimizer: a.stateDict(), scheduler: fresh.stateDict() }));
    const b = sgd([0.5]);
    const other = new ReduceLROnPlateau(b, { patience: 7 });
    b.loadStateDict(saved.optimizer);
    other.loadStateDict(saved.scheduler);
    for (const m of metrics.slice(4)) {
      fresh.step(m);
      other.step(m);
      expect(lrs(b)).toEqual(lrs(a));
      expect(other.getLastLr()).toEqual(fresh.getLastLr());
    }
    expect(lrs(a)[0]).toBeLessThan(0.1);
  });

  it("loading a state dict of another scheduler is a clear error", () => {
    const opt = sgd();
    const step = new StepLR(opt, { stepSize: 3 });
    const cos = new CosineAnnealingLR(opt, { tMax: 3 });
    expect(() => cos.loadStateDict(step.stateDict())).toThrow(/CosineAnnealingLR\.loadStateDict: the state dict has no "tMax"/);
    expect(() => new ReduceLROnPlateau(opt).loadStateDict(step.stateDict())).toThrow(/has no "mode"/);
    expect(() => step.loadStateDict({ ...step.stateDict(), baseLrs: [1, 2] })).toThrow(/baseLrs must list one lr per param group \(1\)/);
  });
});

describe("OneCycleLR", () => {
  it("cycles Adam's beta1 and keeps beta2", () => {
    const opt = new Adam([param()], { betas: [0.9, 0.99] });
    const s = new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 10 });
    expect(opt.paramGroups[0]!.betas).toEqual([0.95, 0.99]);
    s.step();
    const betas = opt.paramGroups[0]!.betas as unknown as number[];
    expect(betas[0]).toBeLessThan(0.95);
    expect(betas[1]).toBe(0.99);
    expect(opt.paramGroups[0]).toMatchObject({ initialLr: 0.0004, maxLr: 0.01, maxMomentum: 0.95, baseMomentum: 0.85 });
  });

  it("ends at minLr and refuses to step past totalSteps", () => {
    const opt = sgd();
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 5 });
    for (let i = 0; i < 4; i++) s.step();
    expect(lrs(opt)[0]).toBeCloseTo(1 / 25 / 1e4, 18);
    s.step(); // step 5: lastEpoch === totalSteps is still allowed, as in PyTorch
    expect(() => s.step()).toThrow(/OneCycleLR: tried to step 7 times, but totalSteps is 5/);
  });
});

describe("SequentialLR", () => {
  it("hands over at the milestone, restarting the next scheduler", () => {
    const opt = sgd([1]);
    const warm = new LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    const decay = new ExponentialLR(opt, { gamma: 0.5 });
    const s = new SequentialLR(opt, { schedulers: [warm, decay], milestones: [3] });
    const seen = [lrs(opt)[0]];
    for (let i = 0; i < 5; i++) {
      s.step();
      seen.push(lrs(opt)[0]);
    }
    expect(seen).toEqual([0.5, 0.75, 1, 1, 0.5, 0.25]);
    expect(s.getLastLr()).toEqual([0.25]);
  });
});

describe("bad input names the option and the value", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["not an optimizer", () => new StepLR({} as never, { stepSize: 1 }), /StepLR: expected an Optimizer \(SGD, Adam, …\) as the first argument/],
    ["StepLR stepSize 0", () => new StepLR(sgd(), { stepSize: 0 }), /StepLR: invalid stepSize: 0; it must be an integer >= 1/],
    ["StepLR gamma NaN", () => new StepLR(sgd(), { stepSize: 2, gamma: NaN }), /StepLR: invalid gamma: NaN/],
    ["MultiStepLR milestone -1", () => new MultiStepLR(sgd(), { milestones: [3, -1] }), /MultiStepLR: invalid milestones\[1\]: -1/],
    ["ExponentialLR without gamma", () => new ExponentialLR(sgd(), {} as never), /ExponentialLR: invalid gamma: undefined/],
    ["CosineAnnealingLR tMax 0", () => new CosineAnnealingLR(sgd(), { tMax: 0 }), /CosineAnnealingLR: invalid tMax: 0/],
    ["LinearLR startFactor 2", () => new LinearLR(sgd(), { startFactor: 2 }), /LinearLR: invalid startFactor: 2; it must be a number in \[0, 1\]/],
    ["LinearLR startFactor 0", () => new LinearLR(sgd(), { startFactor: 0 }), /LinearLR: invalid startFactor: 0; it must be in \(0, 1\]/],
    ["LinearLR totalIters 0", () => new LinearLR(sgd(), { totalIters: 0 }), /LinearLR: invalid totalIters: 0/],
    ["LambdaLR wrong count", () => new LambdaLR(sgd([1, 2]), { lrLambda: [() => 1] }), /LambdaLR: expected 2 lrLambda functions \(one per param group\), got 1/],
    ["LambdaLR not a function", () => new LambdaLR(sgd(), { lrLambda: 3 as never }), /LambdaLR: lrLambda must be a function/],
    ["OneCycleLR without steps", () => new OneCycleLR(sgd(), { maxLr: 1 }), /OneCycleLR: give either totalSteps, or both epochs and stepsPerEpoch/],
    ["OneCycleLR totalSteps 0", () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 0 }), /OneCycleLR: invalid totalSteps: 0/],
    ["OneCycleLR pctStart 1.5", () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, pctStart: 1.5 }), /OneCycleLR: invalid pctStart: 1\.5/],
    ["OneCycleLR anneal", () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, annealStrategy: "exp" as never }), /OneCycleLR: invalid annealStrategy: "exp"; it must be one of "cos", "linear"/],
    ["OneCycleLR maxLr per group", () => new OneCycleLR(sgd([1, 2]), { maxLr: [1], totalSteps: 10 }), /OneCycleLR: expected 2 values for maxLr \(one per param group\), got 1/],
    ["OneCycleLR momentum on Adagrad", () => new OneCycleLR(new Adagrad([param()]), { maxLr: 1, totalSteps: 10 }), /cycleMomentum needs an optimizer with momentum or betas/],
    ["ReduceLROnPlateau factor 1", () => new ReduceLROnPlateau(sgd(), { factor: 1 }), /ReduceLROnPlateau: invalid factor: 1; it must be a number in \[0, 1\)/],
    ["ReduceLROnPlateau mode", () => new ReduceLROnPlateau(sgd(), { mode: "median" as never }), /ReduceLROnPlateau: invalid mode: "median"; it must be one of "min", "max"/],
    ["ReduceLROnPlateau thresholdMode", () => new ReduceLROnPlateau(sgd(), { thresholdMode: "pct" as never }), /invalid thresholdMode: "pct"/],
    ["ReduceLROnPlateau patience -1", () => new ReduceLROnPlateau(sgd(), { patience: -1 }), /invalid patience: -1/],
    ["ReduceLROnPlateau minLr per group", () => new ReduceLROnPlateau(sgd([1, 2]), { minLr: [0, 0, 0] }), /expected 2 values for minLr \(one per param group\), got 3/],
    ["ReduceLROnPlateau tensor metric", () => new ReduceLROnPlateau(sgd()).step(zeros([]) as never), /pass the metric as a number, e.g\. scheduler\.step\(await loss\.item\(\)\)/],
    ["SequentialLR counts", () => { const o = sgd(); return new SequentialLR(o, { schedulers: [new StepLR(o, { stepSize: 1 })], milestones: [3] }); }, /expects one more scheduler than milestones, but got 1 schedulers and 1 milestones/],
    ["SequentialLR other optimizer", () => { const o = sgd(); return new SequentialLR(o, { schedulers: [new StepLR(o, { stepSize: 1 }), new StepLR(sgd(), { stepSize: 1 })], milestones: [3] }); }, /schedulers\[1\] wraps another optimizer/],
    ["SequentialLR milestones order", () => { const o = sgd(); const s = () => new StepLR(o, { stepSize: 1 }); return new SequentialLR(o, { schedulers: [s(), s(), s()], milestones: [5, 2] }); }, /milestones must increase, got \[5, 2\]/],
  ];
  for (const [name, make, message] of cases) {
    it(name, () => {
      expect(make).toThrow(OptimError);
      expect(make).toThrow(message);
    });
  }

  it("a constructor that throws leaves the optimizer's groups unchanged", () => {
    const opt = sgd();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow();
    expect(opt.paramGroups[0]!.initialLr).toBeUndefined();
  });
});
