/**
 * The backend through `@tessera/autograd`: moving tensors between devices, the errors users
 * meet (mixed devices, float64, lost device, too-large buffers), Philox streams equal to the
 * CPU's, sign's special values, in-place ops on aliased views, dispatches split over a 2-D grid, the pipeline cache
 * and the buffer pool.
 */
import { describe, expect, it } from "vitest";
import { DTypeError, DeviceError, TesseraError } from "@tessera/storage";
import { getBackend, hasBackend, registerBackend, unregisterBackend } from "@tessera/backend";
import {
  conv2d,
  manualSeed,
  maxPool2d,
  rand,
  randn,
  tensor,
  tidy,
  zeros,
} from "@tessera/autograd";
import { createWebGPUBackend, initWebGPU, sizeClass } from "../src/index.js";
import { expectClose, values, wavy } from "./helpers.js";
import { webgpu } from "./setup-device.js";

describe("initWebGPU", () => {
  it("registers the backend as \"webgpu\" and returns the same one when called again", async () => {
    expect(hasBackend("webgpu")).toBe(true);
    expect(getBackend("webgpu")).toBe(webgpu);
    expect(await initWebGPU()).toBe(webgpu);
    expect(webgpu.dtypes).toEqual(["float32", "int32", "bool"]);
    expect(webgpu.readSync).toBeUndefined();
  });

  it("concurrent calls share one device", async () => {
    const [a, b] = await Promise.all([initWebGPU({ name: "webgpu-twice" }), initWebGPU({ name: "webgpu-twice" })]);
    expect(a).toBe(b);
    unregisterBackend("webgpu-twice");
    a.device.destroy();
  });
});

describe("special values", () => {
  it("sign as PyTorch's: NaN gives 0, -0 gives +0, infinities give ±1", async () => {
    const x = tensor([Number.NaN, -0, 0, -Infinity, Infinity, -2.5]).to("webgpu");
    const s = await x.sign().toAsync("cpu");
    expect(Array.from(s.dataSync())).toEqual([0, 0, 0, -1, 1, -1]);
    expect(Object.is(s.dataSync()[1], 0)).toBe(true);
  });
});

describe("cumsum and multinomial", () => {
  it("give the CPU's sums, and the CPU's indices for the same seed", async () => {
    const w = tensor([[0.1, 0.4, 0, 0.5], [3, 1, 0, 2], [0, 0, 0, 1]]);
    expect(await w.to("webgpu").cumsum(1).tolist()).toEqual(w.cumsum(1).tolistSync());
    manualSeed(11);
    const cpu = w.multinomial(40, { replacement: true }).tolistSync();
    manualSeed(11);
    const gpu = await w.to("webgpu").multinomial(40, { replacement: true }).tolist();
    expect(gpu).toEqual(cpu);
    expect((gpu as number[][]).flat().every((i, k) => i !== 2 && (k < 80 || i === 3))).toBe(true);
  });
});

describe("moving tensors between devices", () => {
  it("round-trips float32, int32 and bool through to / toAsync", async () => {
    const cases: [unknown, "float32" | "int32" | "bool"][] = [
      [[[1.5, -2.25, 3], [0, 1e-7, -1e30]], "float32"],
      [[[2147483647, -2147483648, 0], [7, -8, 9]], "int32"],
      [[[true, false, true], [false, false, true]], "bool"],
    ];
    for (const [data, dtype] of cases) {
      const cpu = tensor(data as number[][], { dtype });
      const gpu = cpu.to("webgpu");
      expect(gpu.device).toBe("webgpu");
      expect(gpu.dtype).toBe(dtype);
      expect(gpu.shape).toEqual([2, 3]);
      const back = await gpu.toAsync("cpu");
      expect(back.device).toBe("cpu");
      expect(Array.from(back.dataSync())).toEqual(Array.from(cpu.dataSync()));
      expect(await gpu.tolist()).toEqual(await cpu.tolist());
    }
  });

  it("reads strided views, single items and empty tensors", async () => {
    const x = tensor(wavy(12), { device: "webgpu" }).reshape(3, 4);
    const cpu = tensor(wavy(12)).reshape(3, 4);
    expect(await values(x.t())).toEqual(Array.from(cpu.t().contiguous().dataSync()));
    expect(await values(x.slice(1, 1, 4, 2))).toEqual(Array.from(cpu.slice(1, 1, 4, 2).contiguous().dataSync()));
    expect(await x.sum().item()).toBeCloseTo(cpu.sum().itemSync(), 5);
    expect(Array.from(await tensor([], { device: "webgpu" }).data())).toEqual([]);
  });

  it("keeps gradients flowing across a device move", async () => {
    const x = tensor([1, 2, 3], { device: "webgpu", requiresGrad: true });
    const y = (await x.toAsync("cpu")).mul(2).sum();
    y.backward();
    expect(x.grad!.device).toBe("webgpu");
    expect(await values(x.grad!)).toEqual([2, 2, 2]);
  });

  it("says to use await where the device reads asynchronously", () => {
    const x = tensor([1, 2], { device: "webgpu" });
    expect(() => x.dataSync()).toThrow(/await t\.data\(\)/);
    expect(() => x.to("cpu")).toThrow(/toAsync/);
  });
});

describe("errors", () => {
  it("ops mixing devices name both devices", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 2, 3], { device: "webgpu" });
    expect(() => a.add(b)).toThrow(DeviceError);
    expect(() => a.add(b)).toThrow(/cpu and webgpu/);
    expect(() => b.matmul(a.reshape(3, 1))).toThrow(/webgpu and cpu/);
  });

  it("float64 on webgpu is a clear error", () => {
    expect(() => tensor([1, 2], { dtype: "float64", device: "webgpu" })).toThrow(DTypeError);
    expect(() => tensor([1, 2], { dtype: "float64", device: "webgpu" })).toThrow(/webgpu does not support float64; use float32/);
    expect(() => tensor([1, 2], { dtype: "float64" }).to("webgpu")).toThrow(/float64/);
    expect(() => tensor([1, 2], { device: "webgpu" }).to("float64")).toThrow(/float64/);
    expect(() => webgpu.allocate("float64", 4)).toThrow(/float64/);
  });

  it("a buffer beyond the device's limits names the size and the limit", () => {
    const limit = Math.min(webgpu.device.limits.maxBufferSize, webgpu.device.limits.maxStorageBufferBindingSize);
    const length = limit / 4 + 1;
    expect(() => webgpu.allocate("float32", length)).toThrow(TesseraError);
    expect(() => webgpu.allocate("float32", length)).toThrow(new RegExp(`${length} float32 elements .*(maxStorageBufferBindingSize|maxBufferSize)`));
    expect(() => zeros([length], { device: "webgpu" })).toThrow(/cannot allocate .*Use smaller tensors/);
  });

  it("a lost device makes the next op throw instead of hanging", async () => {
    const doomed = await initWebGPU({ name: "webgpu-doomed", forceNew: true });
    try {
      const x = tensor([1, 2, 3], { device: "webgpu-doomed" });
      const y = x.mul(2);
      expect(Array.from(await y.data())).toEqual([2, 4, 6]);
      const pending = x.add(1).data(); // a read in flight when the device goes
      doomed.device.destroy();
      await expect(pending).rejects.toThrow(/lost|destroyed/);
      const info = await doomed.lost;
      expect(info.reason).toBe("destroyed");
      expect(() => x.mul(3)).toThrow(/was lost: it was destroyed .*initWebGPU/);
      await expect(y.data()).rejects.toThrow(DeviceError);
      await expect(doomed.sync()).rejects.toThrow(/lost/);
      expect(() => tensor([1], { device: "webgpu-doomed" })).toThrow(/lost/);
      x.dispose(); // freeing tensors of a lost device is harmless
      y.dispose();
      // initWebGPU starts a fresh device in place of the lost one.
      const again = await initWebGPU({ name: "webgpu-doomed" });
      expect(again).not.toBe(doomed);
      expect(getBackend("webgpu-doomed")).toBe(again);
      expect(await values(tensor([1, 2], { device: "webgpu-doomed" }).mul(3))).toEqual([3, 6]);
      again.device.destroy();
    } finally {
      unregisterBackend("webgpu-doomed");
    }
    // The shared device is unaffected.
    expect(await values(tensor([1, 2], { device: "webgpu" }).add(1))).toEqual([2, 3]);
  });
});

describe("random numbers", () => {
  it("manualSeed gives the same Philox stream on webgpu as on the CPU", async () => {
    for (const shape of [[7], [3, 5], [2, 3, 33]]) {
      manualSeed(1234);
      const cpuNormal = randn(shape);
      const cpuUniform = rand(shape);
      manualSeed(1234);
      const gpuNormal = randn(shape, { device: "webgpu" });
      const gpuUniform = rand(shape, { device: "webgpu" });
      expectClose(await values(gpuNormal), Array.from(cpuNormal.dataSync()), `randn ${shape}`, 1e-5, 1e-6);
      expectClose(await values(gpuUniform), Array.from(cpuUniform.dataSync()), `rand ${shape}`, 1e-6, 1e-7);
    }
  });

  it("fills strided views in place (uniform_, normal_) as the CPU does", async () => {
    manualSeed(99);
    const cpu = zeros([4, 6]);
    cpu.t().slice(0, 1, 6, 2).normal_(1, 2);
    manualSeed(99);
    const gpu = zeros([4, 6], { device: "webgpu" });
    gpu.t().slice(0, 1, 6, 2).normal_(1, 2);
    expectClose(await values(gpu), Array.from(cpu.dataSync()), "normal_ on a view", 1e-5, 1e-6);
  });
});

describe("in-place ops on aliased views", () => {
  it("copy_ and add_ between overlapping views of one tensor read before they write", async () => {
    // The catalog's semantics: every input element is read before any output element is written.
    const x = tensor([0, 1, 2, 3, 4, 5, 6, 7], { device: "webgpu" });
    x.slice(0, 1, 8).copy_(x.slice(0, 0, 7));
    expect(await values(x)).toEqual([0, 0, 1, 2, 3, 4, 5, 6]);
    const m = tensor([[0, 1, 2, 3], [4, 5, 6, 7]], { device: "webgpu" });
    m.slice(1, 1, 4).add_(m.slice(1, 0, 3));
    expect(await values(m)).toEqual([0, 1, 3, 5, 4, 9, 11, 13]);
    m.mul_(m);
    expect(await values(m)).toEqual([0, 1, 9, 25, 16, 81, 121, 169]);
    const t = tensor([[1, 2], [3, 4]], { device: "webgpu" });
    t.copy_(t.t());
    expect(await values(t)).toEqual([1, 3, 2, 4]);
  });
});

describe("determinism", () => {
  it("scatters and gradients give the same bits on every run", async () => {
    const run = async () => {
      manualSeed(3);
      const x = randn([2, 3, 9, 9], { device: "webgpu", requiresGrad: true });
      const w = randn([4, 3, 3, 3], { device: "webgpu", requiresGrad: true });
      const y = maxPool2d(conv2d(x, w, null, { stride: 2, padding: 1 }), { kernelSize: 2, stride: 1 });
      y.sum().backward();
      const index = tensor([[0, 1, 0, 0], [1, 1, 0, 1], [0, 0, 0, 1]], { dtype: "int32", device: "webgpu" });
      const s = zeros([2, 4], { device: "webgpu" }).scatterAdd(0, index, randn([3, 4], { device: "webgpu" }));
      return [...(await values(x.grad!)), ...(await values(w.grad!)), ...(await values(s))];
    };
    const first = await run();
    for (let i = 0; i < 3; i++) expect(await run()).toEqual(first);
  });
});

describe("dispatch limits", () => {
  it("splits more workgroups than the per-dimension limit over a 2-D grid", async () => {
    const capped = createWebGPUBackend(webgpu.device, { name: "webgpu-2d", maxWorkgroupsPerDimension: 16 });
    registerBackend(capped);
    try {
      const run = async (device: string) => {
        manualSeed(5);
        const a = randn([3, 700], { device });
        const b = randn([700], { device });
        const s = a.add(b).exp().sum({ dim: 0 }); // 2,100 elements: 33 workgroups
        const w = randn([20, 40, 33], { device }).matmul(randn([33, 40], { device })); // 80 tiles
        const r = randn([600, 3], { device }).max({ dim: 1 }); // 600 outputs of 3
        const c = conv2d(randn([2, 3, 20, 20], { device }), randn([4, 3, 3, 3], { device }), null, { padding: 1 });
        const p = maxPool2d(c, { kernelSize: 2 });
        return [s, w, r, c, p];
      };
      const cpu = await run("cpu");
      const gpu = await run("webgpu-2d");
      for (let i = 0; i < cpu.length; i++) expectClose(await values(gpu[i]!), Array.from(cpu[i]!.dataSync()), `result ${i}`, 1e-4, 1e-4);
    } finally {
      unregisterBackend("webgpu-2d");
    }
  });
});

describe("caches and pools", () => {
  it("one pipeline serves every shape of an op", async () => {
    const x = tensor(wavy(6), { device: "webgpu" });
    await x.neg().data(); // warm: the neg pipeline exists now
    const before = webgpu.stats().pipelines;
    for (const shape of [[7], [3, 5], [2, 3, 4], [1, 1, 1, 9]]) {
      const t = tensor(wavy(shape.reduce((a, b) => a * b)), { device: "webgpu" }).reshape(shape);
      await t.neg().data();
      await t.transpose(0, -1).neg().data();
    }
    expect(webgpu.stats().pipelines).toBe(before);
  });

  it("freed buffers are reused: the same allocation sizes create no new device buffers", async () => {
    const step = () => tidy(() => tensor(wavy(1000), { device: "webgpu" }).mul(2).add(1).exp().sum());
    step().dispose();
    await webgpu.sync();
    const created = webgpu.memory().createdBuffers;
    for (let i = 0; i < 20; i++) step().dispose();
    await webgpu.sync();
    expect(webgpu.memory().createdBuffers).toBe(created);
  });

  it("kernels leak no device buffers (temporaries go back to the pool)", async () => {
    await webgpu.sync();
    const before = webgpu.memory().inUseBytes;
    const x = tensor(wavy(2 * 3 * 8 * 8), { device: "webgpu", requiresGrad: true });
    tidy(() => {
      const y = maxPool2d(x.reshape(2, 3, 8, 8), { kernelSize: 3, stride: 2, padding: 1 });
      y.sum().backward(); // maxPool2dBackward uses a scratch buffer
      const z = tensor(wavy(10), { device: "webgpu" });
      z.slice(0, 1, 10).copy_(z.slice(0, 0, 9)); // aliased in-place: a temporary copy
    });
    x.grad!.dispose(); // (assigning null would leave it to the garbage collector)
    x.grad = null;
    x.dispose();
    await webgpu.sync();
    // At most what was in use before: tensors earlier tests left to the garbage collector may
    // be finalized meanwhile (shrinking the figure), but a leak here would grow it.
    expect(webgpu.memory().inUseBytes).toBeLessThanOrEqual(before);
  });

  it("size classes waste at most a quarter", () => {
    expect(sizeClass(0)).toBe(16);
    expect(sizeClass(100)).toBe(112);
    expect(sizeClass(4096)).toBe(4096);
    for (const bytes of [17, 1000, 4097, 123_456, 10_000_000]) {
      expect(sizeClass(bytes)).toBeGreaterThanOrEqual(bytes);
      expect(sizeClass(bytes)).toBeLessThanOrEqual(bytes * 1.25 + 4);
      expect(sizeClass(bytes) % 4).toBe(0);
    }
  });

  it("batches dispatches: a read submits once, not once per op", async () => {
    let x = tensor(wavy(64), { device: "webgpu" });
    await x.data();
    const before = webgpu.stats();
    for (let i = 0; i < 20; i++) x = x.mul(1.01);
    await x.data();
    const after = webgpu.stats();
    expect(after.dispatches - before.dispatches).toBe(20);
    expect(after.submits - before.submits).toBe(1);
  });
});
