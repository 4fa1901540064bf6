import { describe, expect, it, vi } from "vitest";
import { DisposedError, Storage, storageStats } from "../src/index.js";

let deviceCounter = 0;
/** A fresh device name per test, so the global per-device stats start at zero. */
const freshDevice = () => `test-device-${++deviceCounter}`;

describe("Storage", () => {
  it("starts with one reference and reports its size", () => {
    const s = new Storage(new Float64Array(5), "float64", 5, freshDevice(), () => {});
    expect(s.refCount).toBe(1);
    expect(s.isFreed).toBe(false);
    expect(s.byteLength).toBe(40);
    expect(s.version).toBe(0);
  });

  it("calls free exactly once, with the buffer, when the last reference is released", () => {
    const buffer = new Float32Array(4);
    const free = vi.fn();
    const s = new Storage(buffer, "float32", 4, freshDevice(), free);
    expect(s.retain()).toBe(s);
    expect(s.refCount).toBe(2);
    s.release();
    expect(free).not.toHaveBeenCalled();
    expect(s.refCount).toBe(1);
    s.release();
    expect(free).toHaveBeenCalledTimes(1);
    expect(free).toHaveBeenCalledWith(buffer);
    expect(s.isFreed).toBe(true);
    expect(s.refCount).toBe(0);
    s.release(); // extra releases are ignored
    s.release();
    expect(free).toHaveBeenCalledTimes(1);
  });

  it("retain after free throws DisposedError", () => {
    const s = new Storage(new Int32Array(1), "int32", 1, freshDevice(), () => {});
    s.release();
    expect(() => s.retain()).toThrow(DisposedError);
    expect(() => s.retain()).toThrow("Storage.retain: the storage was already freed.");
    expect(s.refCount).toBe(0);
  });

  it("storageStats counts live bytes and buffers per device, up and down", () => {
    const dev = freshDevice();
    const other = freshDevice();
    expect(storageStats()[dev]).toBeUndefined();
    const a = new Storage(new Float32Array(10), "float32", 10, dev, () => {});
    expect(storageStats()[dev]).toEqual({ bytes: 40, buffers: 1 });
    const b = new Storage(new Uint8Array(3), "bool", 3, dev, () => {});
    const c = new Storage(new Float64Array(2), "float64", 2, other, () => {});
    expect(storageStats()[dev]).toEqual({ bytes: 43, buffers: 2 });
    expect(storageStats()[other]).toEqual({ bytes: 16, buffers: 1 });
    a.retain();
    a.release();
    expect(storageStats()[dev]).toEqual({ bytes: 43, buffers: 2 });
    a.release();
    expect(storageStats()[dev]).toEqual({ bytes: 3, buffers: 1 });
    a.release(); // ignored: must not count down twice
    expect(storageStats()[dev]).toEqual({ bytes: 3, buffers: 1 });
    b.release();
    c.release();
    expect(storageStats()[dev]).toEqual({ bytes: 0, buffers: 0 });
    expect(storageStats()[other]).toEqual({ bytes: 0, buffers: 0 });
  });

  it("holds any buffer type (a device handle)", () => {
    const handle = { id: 7 };
    const free = vi.fn();
    const s = new Storage(handle, "float32", 256, freshDevice(), free);
    expect(s.buffer).toBe(handle);
    expect(s.byteLength).toBe(1024);
    s.release();
    expect(free).toHaveBeenCalledWith(handle);
  });

  it("the version counter is a plain mutable counter shared by whoever holds the storage", () => {
    const s = new Storage(new Float32Array(1), "float32", 1, freshDevice(), () => {});
    s.version++;
    s.version++;
    expect(s.version).toBe(2);
  });
});
