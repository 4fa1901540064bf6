/**
 * adamStep_: the fused Adam update on tensors — in-place bookkeeping (version counters), the
 * grad-mode rule for in-place ops, and errors (shape, dtype, device, aliasing, missing
 * kernel) that leave every tensor untouched.
 */
import { describe, expect, it } from "vitest";
import { DTypeError, DeviceError, ShapeError } from "@tessera/storage";
import type { AdamStepAttrs } from "@tessera/kernels";
import { BackendError, getBackend, hasBackend, registerBackend } from "@tessera/backend";
import { createReferenceBackend } from "@tessera/backend/testing";
import { AutogradError, type Tensor, adamStep_, hasKernel, noGrad, tensor, zeros } from "../src/index.js";

const ATTRS: AdamStepAttrs = {
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupled: false,
  amsgrad: false,
  maximize: false,
  step: 1,
};

if (!hasBackend("ref-fused")) registerBackend(createReferenceBackend("ref-fused"));
if (!hasBackend("ref-unfused")) {
  const base = createReferenceBackend("ref-unfused");
  const { adamStep: _omitted, ...kernels } = base.kernels;
  registerBackend({ ...base, kernels });
}

const f64 = (values: number[], device = "cpu") => tensor(values, { dtype: "float64", device });
const snapshot = (...ts: Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe("adamStep_", () => {
  it("updates param and moments in place and bumps the version of each written tensor only", () => {
    const p = f64([1, -2, 3]);
    const g = f64([0.5, -4, 0]);
    const m = zeros([3], { dtype: "float64" });
    const v = zeros([3], { dtype: "float64" });
    const versions = [p, g, m, v].map((t) => t.version);
    noGrad(() => adamStep_(p, g, m, v, null, ATTRS));
    expect([p, g, m, v].map((t, i) => t.version - versions[i]!)).toEqual([1, 0, 1, 1]);
    expect(Array.from(m.dataSync())).toEqual([0.5 * (1 - 0.9), -4 * (1 - 0.9), 0]);
    expect(p.dataSync()[0]).toBeCloseTo(0.99, 6);
    expect(p.dataSync()[2]).toBe(3);
  });

  it("with amsgrad writes the running maximum too", () => {
    const p = f64([0, 0]);
    const vm = f64([1, 0]);
    const before = vm.version;
    noGrad(() => adamStep_(p, f64([1, 1]), f64([0, 0]), f64([0, 0]), vm, { ...ATTRS, amsgrad: true }));
    expect(vm.version).toBe(before + 1);
    expect(Array.from(vm.dataSync())).toEqual([1, 1 - 0.999]);
  });

  it("writes through strided views of the parameter and reads a gradient that shares its storage", () => {
    const base = f64([1, 2, 3, 4, 5, 6]);
    const p = base.reshape([2, 3]).t(); // [3, 2], transposed strides
    const expected = p.contiguous();
    const m = zeros([3, 2], { dtype: "float64" });
    const v = zeros([3, 2], { dtype: "float64" });
    noGrad(() => adamStep_(expected, expected.clone(), zeros([3, 2], { dtype: "float64" }), zeros([3, 2], { dtype: "float64" }), null, ATTRS));
    noGrad(() => adamStep_(p, p, m, v, null, ATTRS)); // grad is the parameter itself: read from a copy
    expect(p.tolist()).toEqual(expected.tolist());
    expect(base.version).toBe(p.version);
  });

  it("refuses a leaf that requires grad outside noGrad, as other in-place ops do", () => {
    const p = f64([1, 2]).requiresGrad_();
    const m = f64([0, 0]);
    expect(() => adamStep_(p, f64([1, 1]), m, f64([0, 0]), null, ATTRS)).toThrow(AutogradError);
    expect(() => adamStep_(p, f64([1, 1]), m, f64([0, 0]), null, ATTRS)).toThrow(/param \(shape \[2\]\) is a leaf Variable that requires grad.*noGrad/);
    expect(snapshot(p, m)).toEqual([[1, 2], [0, 0]]);
    expect(p.version).toBe(0);
    noGrad(() => adamStep_(p, f64([1, 1]), m, f64([0, 0]), null, ATTRS)); // fine under noGrad
    expect(p.version).toBe(1);
  });

  it("rejects shape and dtype mismatches with the op, the shapes or dtypes and the fix, changing nothing", () => {
    const p = f64([1, 2, 3]);
    const m = f64([0.5, 0.5, 0.5]);
    const v = f64([1, 1, 1]);
    noGrad(() => {
      expect(() => adamStep_(p, f64([1, 2]), m, v, null, ATTRS)).toThrow(ShapeError);
      expect(() => adamStep_(p, f64([1, 2]), m, v, null, ATTRS)).toThrow("adamStep: grad has shape [2] but param has shape [3]");
      const g32 = tensor([1, 2, 3], { dtype: "float32" });
      expect(() => adamStep_(p, g32, m, v, null, ATTRS)).toThrow(DTypeError);
      expect(() => adamStep_(p, g32, m, v, null, ATTRS)).toThrow(/grad has dtype float32 but param has dtype float64.*grad\.to\("float64"\)/);
      expect(() => adamStep_(p, f64([1, 2, 3]), m, v, null, { ...ATTRS, amsgrad: true })).toThrow(/Pass maxExpAvgSq/);
    });
    expect(snapshot(p, m, v)).toEqual([[1, 2, 3], [0.5, 0.5, 0.5], [1, 1, 1]]);
    expect([p, m, v].map((t) => t.version)).toEqual([0, 0, 0]);
  });

  it("rejects tensors on two devices, naming each tensor's device", () => {
    const p = f64([1, 2]);
    const m = f64([0, 0], "ref-fused");
    noGrad(() => {
      expect(() => adamStep_(p, f64([1, 1]), m, f64([0, 0]), null, ATTRS)).toThrow(DeviceError);
      expect(() => adamStep_(p, f64([1, 1]), m, f64([0, 0]), null, ATTRS)).toThrow(
        'adamStep_: expected every tensor on one device, but got param on cpu, grad on cpu, expAvg on ref-fused, expAvgSq on cpu. Move them with .to("cpu").',
      );
    });
    expect(snapshot(p, m)).toEqual([[1, 2], [0, 0]]);
  });

  it("rejects written tensors that share storage", () => {
    const m = f64([0, 0]);
    const p = f64([1, 2]);
    noGrad(() => expect(() => adamStep_(p, f64([1, 1]), m, m.view([2]), null, ATTRS)).toThrow(/expAvg and expAvgSq share storage/));
    expect(snapshot(p, m)).toEqual([[1, 2], [0, 0]]);
  });

  it("hasKernel says which backends have the fused op; without it adamStep_ names the backends that do", () => {
    expect(hasKernel(f64([1]), "adamStep")).toBe(true);
    expect(hasKernel(f64([1], "ref-unfused"), "adamStep")).toBe(false);
    expect(getBackend("ref-unfused").kernels.add).toBeDefined();
    const t = () => f64([1, 2], "ref-unfused");
    const p = t();
    noGrad(() => {
      expect(() => adamStep_(p, t(), t(), t(), null, ATTRS)).toThrow(BackendError);
      expect(() => adamStep_(p, t(), t(), t(), null, ATTRS)).toThrow(/Op "adamStep" is not implemented by backend "ref-unfused"\. Backends that have it: .*cpu/);
    });
    expect(Array.from(p.dataSync())).toEqual([1, 2]);
  });

  it("runs on a backend whose kernels are the catalog's references", () => {
    const run = (device: string) => {
      const p = f64([0.25, -1.5, 2], device);
      noGrad(() => adamStep_(p, f64([1, -2, 0.5], device), f64([0.1, 0.2, 0.3], device), f64([1, 2, 3], device), null, { ...ATTRS, step: 4, weightDecay: 0.1 }));
      return Array.from(p.dataSync());
    };
    expect(run("ref-fused")).toEqual(run("cpu"));
  });
});
