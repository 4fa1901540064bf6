import { afterEach, describe, expect, it } from "vitest";
import { DTypeError, TesseraError } from "@tessera/storage";
import {
  BackendError,
  type Backend,
  checkDTypeSupported,
  getKernel,
  listBackends,
  registerBackend,
  unregisterBackend,
} from "../src/index.js";
import { createReferenceBackend } from "../src/testing/index.js";

afterEach(() => {
  for (const name of listBackends()) unregisterBackend(name);
});

/** A reference backend reduced to some dtypes and without some kernels. */
function partial(name: string, dtypes: Backend["dtypes"], without: string[]): Backend<any> {
  const full = createReferenceBackend(name);
  const kernels = { ...full.kernels } as Record<string, unknown>;
  for (const op of without) delete kernels[op];
  return { ...full, dtypes, kernels: kernels as Backend<any>["kernels"] };
}

describe("getKernel", () => {
  it("returns the backend's kernel", () => {
    const ref = createReferenceBackend();
    expect(getKernel(ref, "add")).toBe(ref.kernels.add);
  });

  it("names the op, the backend and the backends that have it", () => {
    const cpu = createReferenceBackend("cpu");
    const gpu = partial("webgpu", ["float32", "int32", "bool"], ["conv2d"]);
    registerBackend(cpu);
    registerBackend(gpu);
    expect(() => getKernel(gpu, "conv2d")).toThrow(BackendError);
    expect(() => getKernel(gpu, "conv2d")).toThrow(
      /^Op "conv2d" is not implemented by backend "webgpu"\. Backends that have it: cpu\. Move the tensors there first, e\.g\. t\.to\("cpu"\)\.$/,
    );
  });

  it("says when no registered backend has the op", () => {
    const gpu = partial("webgpu", ["float32"], ["matmul"]);
    registerBackend(gpu);
    expect(() => getKernel(gpu, "matmul")).toThrow(/not implemented by backend "webgpu"\. No registered backend implements it\./);
  });

  it("BackendError is a TesseraError", () => {
    const e = new BackendError("x");
    expect(e).toBeInstanceOf(TesseraError);
    expect(e.name).toBe("BackendError");
  });

  it("rejects a name that is not a catalog op", () => {
    expect(() => getKernel(createReferenceBackend(), "notAnOp" as "add")).toThrow(/Unknown op "notAnOp"/);
  });
});

describe("checkDTypeSupported", () => {
  it("accepts declared dtypes", () => {
    expect(() => checkDTypeSupported(createReferenceBackend(), "float64", "add")).not.toThrow();
  });

  it("names the dtype, the device, what it supports and an alternative", () => {
    const cpu = createReferenceBackend("cpu");
    const gpu = partial("webgpu", ["float32", "int32", "bool"], []);
    registerBackend(cpu);
    registerBackend(gpu);
    let error: unknown;
    try {
      checkDTypeSupported(gpu, "float64", "tensor");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DTypeError);
    const message = (error as Error).message;
    expect(message).toMatch(/^tensor: webgpu does not support float64; use float32 instead \(x\.to\("float32"\)\)\./);
    expect(message).toContain("Dtypes webgpu supports: float32, int32, bool.");
    expect(message).toContain("Devices that support float64: cpu.");
  });

  it("works without an op name and suggests the closest supported dtype", () => {
    const tiny = partial("tiny", ["float64"], []);
    expect(() => checkDTypeSupported(tiny, "int32")).toThrow(/^tiny does not support int32; use float64 instead/);
  });
});
