/**
 * A small MLP trained with plain tensors on WebGPU: 1,000 steps of forward, backward and
 * in-place SGD must keep device memory flat (tidy frees each step's intermediates, the pool
 * recycles their buffers), and the run must track the CPU's step for step.
 */
import { describe, expect, it } from "vitest";
import { type Tensor, manualSeed, memory, noGrad, randn, tensor, tidy, zeros } from "@tessera/autograd";
import { wavy } from "./helpers.js";
import { webgpu } from "./setup-device.js";

/** An MLP 4 → 16 → 1 with its data, on `device`, from seed 0. */
function setup(device: string) {
  manualSeed(0);
  const x = randn([32, 4], { device });
  const target = tensor(wavy(32, 3), { device }).reshape(32, 1);
  const params = noGrad(() => [randn([4, 16], { device }).mul(0.5), zeros([16], { device }), randn([16, 1], { device }).mul(0.3), zeros([1], { device })]).map(
    (p: Tensor) => p.requiresGrad_(),
  );
  const step = (lr: number): Tensor => {
    const [w1, b1, w2, b2] = params as [Tensor, Tensor, Tensor, Tensor];
    const loss = tidy(() => {
      const hidden = x.matmul(w1).add(b1).relu();
      const l = hidden.matmul(w2).add(b2).sub(target).square().mean();
      l.backward();
      return l;
    });
    tidy(() =>
      noGrad(() => {
        for (const p of params) {
          p.sub_(p.grad!.mul(lr));
          p.grad!.zero_();
        }
      }),
    );
    return loss;
  };
  return { step };
}

describe("training on webgpu", () => {
  it("1,000 MLP steps keep device memory flat and follow the CPU run", async () => {
    const cpu = setup("cpu");
    const cpuLosses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const loss = cpu.step(0.05);
      cpuLosses.push(loss.itemSync());
      loss.dispose();
    }

    const gpu = setup("webgpu");
    let steady: { bytes: number; tensors: number; inUse: number; created: number } | null = null;
    let first = 0;
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const loss = gpu.step(0.05);
      if (i < 20) {
        const value = await loss.item();
        expect(value, `loss at step ${i}`).toBeCloseTo(cpuLosses[i]!, 4);
        if (i === 0) first = value;
      } else if (i % 100 === 0) {
        await loss.item(); // lets the GPU catch up now and then
      }
      if (i === 999) last = await loss.item();
      loss.dispose();
      if (i === 20) {
        await webgpu.sync();
        steady = { bytes: memory().devices.webgpu!.bytes, tensors: memory().tensors, inUse: webgpu.memory().inUseBytes, created: webgpu.memory().createdBuffers };
      }
    }
    await webgpu.sync();
    expect(memory().devices.webgpu!.bytes).toBe(steady!.bytes);
    expect(memory().tensors).toBe(steady!.tensors);
    expect(webgpu.memory().inUseBytes).toBe(steady!.inUse);
    expect(webgpu.memory().createdBuffers).toBe(steady!.created);
    expect(last).toBeLessThan(first * 0.5);
  });
});
