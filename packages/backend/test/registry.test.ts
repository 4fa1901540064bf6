import { afterEach, describe, expect, it } from "vitest";
import { DeviceError, TesseraError } from "@tessera/storage";
import { getBackend, hasBackend, listBackends, registerBackend, unregisterBackend } from "../src/index.js";
import { createReferenceBackend } from "../src/testing/index.js";

afterEach(() => {
  for (const name of listBackends()) unregisterBackend(name);
});

describe("registry", () => {
  it("registers, lists, finds and removes backends", () => {
    const a = createReferenceBackend("a");
    const b = createReferenceBackend("b");
    registerBackend(a);
    registerBackend(b);
    expect(listBackends()).toEqual(["a", "b"]);
    expect(hasBackend("a")).toBe(true);
    expect(getBackend("b")).toBe(b);
    expect(unregisterBackend("a")).toBe(true);
    expect(unregisterBackend("a")).toBe(false);
    expect(hasBackend("a")).toBe(false);
    expect(listBackends()).toEqual(["b"]);
  });

  it("refuses a taken name unless replace is set", () => {
    const first = createReferenceBackend("dev");
    const second = createReferenceBackend("dev");
    registerBackend(first);
    registerBackend(first); // the same object again is harmless
    expect(() => registerBackend(second)).toThrow(TesseraError);
    expect(() => registerBackend(second)).toThrow(/"dev" is already registered.*\{ replace: true \}/);
    expect(getBackend("dev")).toBe(first);
    registerBackend(second, { replace: true });
    expect(getBackend("dev")).toBe(second);
  });

  it("rejects a backend without a name", () => {
    expect(() => registerBackend({ ...createReferenceBackend(), name: "" })).toThrow(/non-empty string `name`/);
  });

  it("explains an unknown device, listing the registered ones", () => {
    registerBackend(createReferenceBackend("cpu"));
    registerBackend(createReferenceBackend("mine"));
    let error: unknown;
    try {
      getBackend("tpu");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeviceError);
    const message = (error as Error).message;
    expect(message).toContain('Device "tpu" is not available');
    expect(message).toContain('Registered backends: "cpu", "mine".');
    expect(message).toContain("registerBackend(backend)");
  });

  it("says how to start webgpu", () => {
    registerBackend(createReferenceBackend("cpu"));
    expect(() => getBackend("webgpu")).toThrow(DeviceError);
    expect(() => getBackend("webgpu")).toThrow(/await initWebGPU\(\)/);
    expect(() => getBackend("webgpu")).toThrow(/"@tessera\/backend-webgpu"/);
    expect(() => getBackend("webgpu")).toThrow(/Registered backends: "cpu"/);
  });

  it("says how to get cpu, and when nothing is registered", () => {
    expect(() => getBackend("cpu")).toThrow(/No backends are registered yet\..*@tessera\/backend-cpu/);
  });

  it("shares one registry between copies of the package (globalThis)", () => {
    registerBackend(createReferenceBackend("shared"));
    const map = (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for("@tessera/backend/registry")];
    expect(map?.has("shared")).toBe(true);
  });
});
