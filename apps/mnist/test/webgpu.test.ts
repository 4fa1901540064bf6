// The MNIST trainer on WebGPU follows the CPU run from the same seed: the Philox generator
// gives both devices the same initial weights, dropout masks and augmentation, so the losses
// agree step by step up to float32 rounding. On machines without a GPU this runs on
// SwiftShader (Debian's chromium), which is slow: a few dozen small steps.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initWebGPU } from "@tessera/backend-webgpu";
import { loadMnist } from "../src/data.js";
import { parseOptions, type TrainOptions } from "../src/options.js";
import { train } from "../src/train.js";
import { main } from "../src/main.js";

const data = loadMnist();
const STEPS = 30;
const options = (device: string): TrainOptions =>
  parseOptions(["--device", device, "--batch-size", "16", "--max-steps", String(STEPS), "--quiet", "--out", mkdtempSync(join(tmpdir(), "mnist-gpu-"))]) as TrainOptions;

describe("MNIST on WebGPU", () => {
  it("follows the CPU run step by step for the MLP", async () => {
    await initWebGPU();
    const cpu = await train(options("cpu"), data, () => {});
    const gpu = await train(options("webgpu"), data, () => {});
    expect(gpu.history.loss).toHaveLength(STEPS);
    for (let i = 0; i < STEPS; i++) {
      const [step, gpuLoss] = gpu.history.loss[i]!;
      const cpuLoss = cpu.history.loss[i]![1];
      expect(step).toBe(i + 1);
      expect(Math.abs(gpuLoss - cpuLoss), `step ${i + 1}: webgpu ${gpuLoss}, cpu ${cpuLoss}`).toBeLessThanOrEqual(2e-3 * Math.abs(cpuLoss));
    }
    expect(gpu.history.loss.at(-1)![1]).toBeLessThan(gpu.history.loss[0]![1]);
    expect(Math.abs(gpu.testAccuracy - cpu.testAccuracy)).toBeLessThanOrEqual(0.005);
  });

  it("the command runs with --device webgpu", async () => {
    const out: string[] = [];
    const code = await main(["--device", "webgpu", "--batch-size", "16", "--max-steps", "5", "--quiet", "--out", mkdtempSync(join(tmpdir(), "mnist-gpu-"))], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(0);
    expect(out.at(-1)).toMatch(/^test accuracy: 0\.\d{4}$/);
  });
});
