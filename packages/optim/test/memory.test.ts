/**
 * Memory reaches a steady state: over 1,000 steps the live tensor count and bytes stop growing,
 * for every optimizer with every buffer switched on, in both zeroGrad modes.
 */
import { describe, expect, it } from "vitest";
import { type Tensor, memory, randn, tensor, tidy } from "@tessera/autograd";
import { Adagrad, Adam, AdamW, CosineAnnealingLR, type Optimizer, RMSprop, SGD } from "../src/index.js";

const STEPS = 1000;

const OPTIMIZERS: [string, (params: Tensor[]) => Optimizer][] = [
  ["SGD", (p) => new SGD(p, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4, maximize: true })],
  ["Adam", (p) => new Adam(p, { lr: 1e-3, amsgrad: true, weightDecay: 1e-4, maximize: true })],
  ["AdamW", (p) => new AdamW(p, { lr: 1e-3, amsgrad: true })],
  ["RMSprop", (p) => new RMSprop(p, { lr: 1e-3, momentum: 0.9, centered: true, weightDecay: 1e-4, maximize: true })],
  ["Adagrad", (p) => new Adagrad(p, { lr: 1e-2, lrDecay: 1e-3, weightDecay: 1e-4, maximize: true })],
];

function snapshot(): { tensors: number; bytes: number } {
  const m = memory();
  return { tensors: m.tensors, bytes: m.bytes };
}

describe("memory stays flat over 1,000 steps", () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: step() with a fixed gradient allocates nothing that outlives it`, () => {
      const params = [randn([8, 4], { requiresGrad: true }), randn([4], { requiresGrad: true })];
      for (const p of params) p.grad = randn(p.shape as number[]);
      const optimizer = make(params);
      optimizer.step(); // creates the state
      const after1 = snapshot();
      for (let i = 1; i < STEPS; i++) optimizer.step();
      expect(snapshot()).toEqual(after1);
      optimizer.dispose();
      for (const p of params) {
        p.grad!.dispose();
        p.dispose();
      }
    });

    for (const setToNone of [true, false]) {
      it(`${name}: a training loop (zeroGrad({ setToNone: ${setToNone} }), backward, step, scheduler)`, () => {
        const w = randn([3, 2], { requiresGrad: true });
        const b = randn([2], { requiresGrad: true });
        const x = randn([5, 3]);
        const y = randn([5, 2]);
        const optimizer = make([w, b]);
        const scheduler = new CosineAnnealingLR(optimizer, { tMax: 100 });
        const trainStep = () => {
          optimizer.zeroGrad({ setToNone });
          const loss = tidy(() => x.matmul(w).add(b).sub(y).square().mean());
          loss.backward();
          loss.dispose();
          optimizer.step();
          scheduler.step();
        };
        trainStep();
        trainStep();
        const steady = snapshot();
        for (let i = 2; i < STEPS; i++) trainStep();
        expect(snapshot()).toEqual(steady);
        optimizer.zeroGrad();
        optimizer.dispose();
        for (const t of [w, b, x, y]) t.dispose();
      });
    }
  }

  it("the loop above trains: the loss falls", () => {
    const w = tensor([[0.5], [-0.5]], { requiresGrad: true });
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    const y = tensor([[1], [2], [3]]);
    const optimizer = new Adam([w], { lr: 0.05 });
    const lossAt = () => tidy(() => x.matmul(w).sub(y).square().mean().itemSync());
    const first = lossAt();
    for (let i = 0; i < 200; i++) {
      optimizer.zeroGrad();
      const loss = tidy(() => x.matmul(w).sub(y).square().mean());
      loss.backward();
      loss.dispose();
      optimizer.step();
    }
    expect(lossAt()).toBeLessThan(first / 100);
  });
});
