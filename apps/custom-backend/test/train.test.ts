// Training on the tiny backend: the same seeded MLP and data on "cpu" and "tiny", compared
// step by step; the device's buffer count before, during and after; and the error a user
// meets on a backend that lacks an op.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ts from "tessera";
import { registerBackend, unregisterBackend } from "@tessera/backend";
import { createTinyBackend } from "../src/backend.js";
import { trainSpirals } from "../src/train.js";

/** 200 full-batch Adam steps (lr 0.01) on 300 spiral points, seed 0: about 2 s for both devices. */
const STEPS = 200;
const SEED = 0;

const tiny = createTinyBackend();
const noMatmul = createTinyBackend({ name: "tiny-no-matmul", omit: ["matmul"] });

beforeAll(() => {
  registerBackend(tiny);
  registerBackend(noMatmul);
});

afterAll(() => {
  unregisterBackend(tiny.name);
  unregisterBackend(noMatmul.name);
});

describe("training an MLP on the tiny backend", () => {
  let cpuLosses: number[] = [];
  let tinyLosses: number[] = [];
  let tinyAccuracy = 0;
  /** tiny's live buffers after each step, and what the Tensor layer's memory() says of them. */
  const buffersPerStep: number[] = [];
  const storagesPerStep: number[] = [];
  let buffersBefore = -1;

  beforeAll(async () => {
    cpuLosses = (await trainSpirals({ device: "cpu", steps: STEPS, seed: SEED })).losses;
    buffersBefore = tiny.stats().buffers;
    const result = await trainSpirals({
      device: "tiny",
      steps: STEPS,
      seed: SEED,
      onStep: () => {
        buffersPerStep.push(tiny.stats().buffers);
        storagesPerStep.push(ts.memory().devices[tiny.name]?.buffers ?? 0);
      },
    });
    tinyLosses = result.losses;
    tinyAccuracy = result.accuracy;
  });

  it("learns: the loss falls from chance to a small fraction of it", () => {
    expect(tinyLosses).toHaveLength(STEPS);
    // Three balanced classes: an untrained model sits near ln 3 ≈ 1.0986 (measured 1.1018).
    expect(tinyLosses[0]).toBeGreaterThan(1.05);
    expect(tinyLosses[0]).toBeLessThan(1.15);
    // Measured on seed 0: 0.2466 after 50 steps, 0.0527 after 100, 0.0228 after 200.
    expect(tinyLosses[49]).toBeLessThan(0.35);
    expect(tinyLosses[99]).toBeLessThan(0.08);
    expect(tinyLosses[STEPS - 1]).toBeLessThan(0.04);
    // Measured 0.9933 (298 of 300 points); a linear model cannot pass ~0.5 on the spirals.
    expect(tinyAccuracy).toBeGreaterThanOrEqual(0.97);
  });

  it("follows the CPU backend's losses step by step, within float32 rounding", () => {
    expect(cpuLosses).toHaveLength(STEPS);
    // The first forward pass agrees to the last bit or two (measured: identical).
    expect(Math.abs(tinyLosses[0]! - cpuLosses[0]!)).toBeLessThan(1e-6);
    // The CPU backend multiplies and runs the Adam update in float32 SIMD code with its own
    // summation order; tiny accumulates each dot product and sum in float64 and rounds once
    // (the reference's way). Each op therefore differs by a few float32 ulps (~1e-7 relative),
    // and 200 steps of Adam carry those differences forward. Measured: at most 2.3e-7 (step
    // 189). 1e-5 leaves ample room for other machines, yet a wrong kernel (a bad gradient,
    // a mishandled stride) moves the losses by 1e-2 or more within a few steps.
    let worst = 0;
    for (let i = 0; i < STEPS; i++) worst = Math.max(worst, Math.abs(tinyLosses[i]! - cpuLosses[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it("holds a steady number of buffers while training and none of its own afterwards", () => {
    // The optimizer's moment estimates appear in step 1; after that each step frees what it
    // allocates (measured: 26 live buffers at the end of every step: 6 parameters, 12 Adam
    // moments, 6 gradients, the inputs and the labels).
    expect(buffersPerStep).toHaveLength(STEPS);
    expect(new Set(buffersPerStep).size).toBe(1);
    expect(buffersPerStep[0]).toBe(buffersBefore + 26);
    // The backend's own ledger and the Tensor layer's Storage accounting agree.
    expect(storagesPerStep).toEqual(buffersPerStep);
    // trainSpirals disposes the model, the optimizer and the data: back to where we started.
    expect(tiny.stats().buffers).toBe(buffersBefore);
    expect(tiny.stats().bytes).toBe(0);
    expect(ts.memory().devices[tiny.name]?.buffers ?? 0).toBe(0);
  });
});

describe("a backend without an op", () => {
  it("fails with a BackendError naming the op, the backend and where the op exists", async () => {
    const error = await trainSpirals({ device: noMatmul.name, steps: 1, seed: SEED }).then(
      () => null,
      (e: unknown) => e,
    );
    if (!(error instanceof ts.BackendError)) throw new Error(`expected a BackendError, got ${String(error)}`);
    expect(error.message).toContain('Op "matmul" is not implemented by backend "tiny-no-matmul".');
    expect(error.message).toMatch(/Backends that have it: (.*, )?cpu(, |\.)/);
    expect(error.message).toMatch(/Backends that have it: (.*, )?tiny(, |\.)/);
    expect(error.message).toContain('Move the tensors there first, e.g. t.to("');
    // The failed step's tidy and trainSpirals' cleanup leave nothing behind on the device.
    expect(noMatmul.stats().buffers).toBe(0);
    expect(noMatmul.stats().allocations).toBeGreaterThan(0);
  });
});
