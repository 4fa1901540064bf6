import { describe, expect, it } from "vitest";
import * as ts from "../src/index.js";

describe("tessera umbrella", () => {
  it("registers the CPU backend on import", () => {
    expect(ts.hasBackend("cpu")).toBe(true);
    expect(ts.listBackends()).toContain("cpu");
    expect(ts.tensor([1]).device).toBe("cpu");
  });

  it("registers and unregisters a backend of your own (the reference backend, from @tessera/backend)", async () => {
    const { createReferenceBackend } = await import("@tessera/backend");
    ts.registerBackend(createReferenceBackend("umbrella-ref"));
    try {
      expect(ts.tensor([1, 2], { device: "umbrella-ref" }).mul(3).tolistSync()).toEqual([3, 6]);
    } finally {
      ts.unregisterBackend("umbrella-ref");
    }
    expect(ts.hasBackend("umbrella-ref")).toBe(false);
  });

  it("re-exports the autograd API end to end", () => {
    const x = ts.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(x.grad!.tolistSync()).toEqual([[2, 4], [6, 8]]);
    expect(y.gradFn!.name).toBe("SumBackward1");
  });

  it("re-exports the error classes users catch", () => {
    expect(() => ts.tensor([1, 2]).add(ts.tensor([1, 2, 3]))).toThrow(ts.ShapeError);
    expect(() => ts.tensor([1], { dtype: "int32", requiresGrad: true })).toThrow(ts.DTypeError);
    expect(() => ts.tensor([1], { device: "nowhere" })).toThrow(ts.DeviceError);
  });

  it("trains a linear model: the loss falls", () => {
    ts.manualSeed(1);
    const x = ts.randn([64, 3]);
    const y = x.matmul(ts.tensor([[1], [-2], [0.5]]));
    const w = ts.zeros([3, 1], { requiresGrad: true });
    const lossAt = () => ts.tidy(() => x.matmul(w).sub(y).pow(2).mean().itemSync());
    const first = lossAt();
    for (let i = 0; i < 100; i++) {
      ts.tidy(() => {
        x.matmul(w).sub(y).pow(2).mean().backward();
        ts.noGrad(() => w.sub_(w.grad!.mul(0.1)));
        w.grad!.zero_();
      });
    }
    expect(lossAt()).toBeLessThan(first * 1e-3);
    expect(w.tolistSync() as number[][]).toEqual([[expect.closeTo(1, 2)], [expect.closeTo(-2, 2)], [expect.closeTo(0.5, 2)]]);
  });
});
