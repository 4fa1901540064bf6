// The tiny backend as an object: its kernel table (native + reference fallback), its options,
// and the buffer side of the contract with its memory accounting.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ts from "tessera";
import { registerBackend, unregisterBackend } from "@tessera/backend";
import { OP_NAMES } from "@tessera/kernels";
import { createTinyBackend } from "../src/backend.js";
import { tinyKernels } from "../src/kernels/index.js";
import { withCallCounts } from "../src/profile.js";
import { trainSpirals } from "../src/train.js";

const NATIVE = [
  "neg", "exp", "log", "sqrt", "relu",
  "add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "where",
  "copy", "cast", "fill",
  "sum", "max", "min", "matmul",
];

describe("kernel table", () => {
  it("has every catalog op: its own kernels where it has them, the reference elsewhere", () => {
    const tiny = createTinyBackend();
    expect([...tiny.nativeOps].sort()).toEqual([...NATIVE].sort());
    expect(Object.keys(tiny.kernels).sort()).toEqual([...OP_NAMES].sort());
    expect(tiny.kernels.matmul).toBe(tinyKernels.matmul);
    expect(tiny.kernels.gather).toBeTypeOf("function");
    expect(tiny.nativeOps).not.toContain("gather");
  });

  it("without the fallback holds only its own kernels", () => {
    const bare = createTinyBackend({ referenceFallback: false });
    expect(Object.keys(bare.kernels).sort()).toEqual([...NATIVE].sort());
  });

  it("leaves out the ops named in omit, native or not, and rejects names that are not ops", () => {
    const partial = createTinyBackend({ omit: ["matmul", "gather"] });
    expect(partial.kernels.matmul).toBeUndefined();
    expect(partial.kernels.gather).toBeUndefined();
    expect(partial.nativeOps).not.toContain("matmul");
    expect(Object.keys(partial.kernels)).toHaveLength(OP_NAMES.length - 2);
    expect(() => createTinyBackend({ omit: ["matmull" as "matmul"] })).toThrow(/Unknown op "matmull".*Known ops: .*matmul/);
  });

  it("takes its device name from the options", () => {
    expect(createTinyBackend().name).toBe("tiny");
    expect(createTinyBackend({ name: "tiny-2" }).name).toBe("tiny-2");
  });
});

describe("buffers and memory accounting", () => {
  it("counts live buffers, bytes, the peak and every allocation", () => {
    const tiny = createTinyBackend();
    const a = tiny.allocate("float32", 4); // 16 bytes
    const b = tiny.allocate("bool", 3); // 3 bytes: one per element
    const c = tiny.allocate("float64", 0);
    expect(a).toBeInstanceOf(Float32Array);
    expect(b).toBeInstanceOf(Uint8Array);
    expect(tiny.stats()).toEqual({ buffers: 3, bytes: 19, peakBytes: 19, allocations: 3 });
    tiny.free(a, "float32", 4);
    tiny.free(c, "float64", 0);
    expect(tiny.stats()).toEqual({ buffers: 1, bytes: 3, peakBytes: 19, allocations: 3 });
    tiny.free(b, "bool", 3);
    expect(tiny.stats()).toMatchObject({ buffers: 0, bytes: 0 });
  });

  it("refuses a double free and a buffer it did not allocate", () => {
    const tiny = createTinyBackend();
    const a = tiny.allocate("int32", 2);
    tiny.free(a, "int32", 2);
    expect(() => tiny.free(a, "int32", 2)).toThrow(/tiny: free\(\) was given a buffer \(Int32Array of 2 elements\).*already freed/);
    expect(() => tiny.free(new Float32Array(2), "float32", 2)).toThrow(/did not allocate/);
    expect(tiny.stats().buffers).toBe(0);
  });

  it("uploads and reads back, whole or from an offset, at once or awaited", async () => {
    const tiny = createTinyBackend();
    const buffer = tiny.allocate("int32", 5);
    tiny.upload(buffer, "int32", Int32Array.from([5, 6, 7, 8, 9]));
    expect(Array.from(tiny.readSync(buffer, "int32", 1, 3))).toEqual([6, 7, 8]);
    expect(Array.from(await tiny.read(buffer, "int32", 0, 5))).toEqual([5, 6, 7, 8, 9]);
    // A read is a copy: changing it leaves the device buffer alone.
    const copy = tiny.readSync(buffer, "int32", 0, 2);
    copy[0] = 100;
    expect(tiny.readSync(buffer, "int32", 0, 1)[0]).toBe(5);
    expect(() => tiny.readSync(buffer, "int32", 3, 4)).toThrow(/read of 4 int32 elements from element 3 is outside the buffer of 5 elements/);
    await tiny.sync();
    tiny.free(buffer, "int32", 5);
  });
});

describe("as a registered device", () => {
  const tiny = createTinyBackend({ name: "tiny-device-test" });
  beforeAll(() => registerBackend(tiny));
  afterAll(() => unregisterBackend(tiny.name));

  it("runs tensor ops, and disposing the tensors frees its buffers", () => {
    const x = ts.tensor([[1, 2], [3, 4]], { device: tiny.name });
    const y = x.matmul(x);
    expect(y.device).toBe(tiny.name);
    expect(y.tolistSync()).toEqual([[7, 10], [15, 22]]);
    expect(tiny.stats().buffers).toBe(2);
    x.dispose();
    y.dispose();
    expect(tiny.stats().buffers).toBe(0);
  });

  it("moves tensors to and from the CPU, gradients included", () => {
    ts.tidy(() => {
      const w = ts.tensor([1, -2, 3], { requiresGrad: true }); // on the CPU
      const loss = w.to(tiny.name).relu().mul(2).sum();
      expect(loss.device).toBe(tiny.name);
      loss.backward();
      // The gradient flows back through to() onto the CPU leaf: d/dw sum(2 relu(w)) = 2·[w > 0].
      expect(w.grad!.device).toBe("cpu");
      expect(w.grad!.tolistSync()).toEqual([2, 0, 2]);
    });
    expect(tiny.stats().buffers).toBe(0);
  });
});

describe("withCallCounts", () => {
  const counted = withCallCounts(createTinyBackend(), "tiny-counted");
  beforeAll(() => registerBackend(counted.backend));
  afterAll(() => unregisterBackend(counted.backend.name));

  it("counts the kernel calls of one training step (the README's table)", async () => {
    // Two runs that differ by one step: the difference is one steady-state step (the first
    // step also creates Adam's state; both runs share it, and the final accuracy pass).
    await trainSpirals({ device: counted.backend.name, steps: 2 });
    const two = new Map(counted.counts);
    counted.counts.clear();
    await trainSpirals({ device: counted.backend.name, steps: 3 });
    const perStep = Object.fromEntries([...counted.counts].map(([op, n]) => [op, n - (two.get(op) ?? 0)]).filter(([, n]) => n !== 0));
    expect(perStep).toEqual({
      matmul: 8, // 3 forward, 5 backward (the input of the first layer needs no gradient)
      sum: 7,
      add: 3, sub: 3, mul: 3, ne: 3, where: 3,
      relu: 2, exp: 2, neg: 2, div: 2, fill: 2,
      max: 1, log: 1, cast: 1,
      adamStep: 6, // one per parameter: reference fallback
      gather: 1, scatterAdd: 1, // reference fallback
    });
  });
});
