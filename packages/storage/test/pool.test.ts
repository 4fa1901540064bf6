import { describe, expect, it } from "vitest";
import { TypedArrayPool } from "../src/index.js";

describe("TypedArrayPool", () => {
  it("reuses a released array of the same dtype and length", () => {
    const pool = new TypedArrayPool();
    const a = pool.acquire("float32", 100);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(100);
    pool.release("float32", a);
    expect(pool.pooledBytes).toBe(400);
    expect(pool.acquire("float32", 100)).toBe(a);
    expect(pool.pooledBytes).toBe(0);
    // the pool is empty again: a fresh array
    expect(pool.acquire("float32", 100)).not.toBe(a);
  });

  it("keys by dtype and exact length", () => {
    const pool = new TypedArrayPool();
    const a = pool.acquire("float32", 8);
    pool.release("float32", a);
    expect(pool.acquire("float32", 9)).not.toBe(a);
    const i = pool.acquire("int32", 8);
    expect(i).toBeInstanceOf(Int32Array);
    expect(i).not.toBe(a);
    expect(pool.acquire("float64", 8)).toBeInstanceOf(Float64Array);
    expect(pool.acquire("bool", 8)).toBeInstanceOf(Uint8Array);
    expect(pool.acquire("float32", 8)).toBe(a);
  });

  it("returns stale contents unless asked for a zeroed array", () => {
    const pool = new TypedArrayPool();
    const a = pool.acquire("int32", 3);
    expect(Array.from(a)).toEqual([0, 0, 0]); // fresh arrays are zero
    a.set([1, 2, 3]);
    pool.release("int32", a);
    const stale = pool.acquire("int32", 3);
    expect(stale).toBe(a);
    expect(Array.from(stale)).toEqual([1, 2, 3]);
    pool.release("int32", stale);
    const zeroed = pool.acquire("int32", 3, true);
    expect(zeroed).toBe(a);
    expect(Array.from(zeroed)).toEqual([0, 0, 0]);
    expect(Array.from(pool.acquire("float64", 2, true))).toEqual([0, 0]);
  });

  it("hands out several pooled arrays of one size, each once", () => {
    const pool = new TypedArrayPool();
    const a = pool.acquire("float64", 4);
    const b = pool.acquire("float64", 4);
    pool.release("float64", a);
    pool.release("float64", b);
    expect(pool.pooledBytes).toBe(64);
    const got = [pool.acquire("float64", 4), pool.acquire("float64", 4)];
    expect(new Set(got)).toEqual(new Set([a, b]));
    expect(pool.pooledBytes).toBe(0);
  });

  it("keeps at most maxPooledBytes; arrays beyond the cap are not pooled", () => {
    const pool = new TypedArrayPool({ maxPooledBytes: 100 });
    const a = pool.acquire("float32", 16); // 64 bytes
    const b = pool.acquire("float32", 16);
    const c = pool.acquire("bool", 36); // 36 bytes: exactly fills the cap
    pool.release("float32", a);
    expect(pool.pooledBytes).toBe(64);
    pool.release("float32", b); // 128 > 100: dropped
    expect(pool.pooledBytes).toBe(64);
    pool.release("bool", c);
    expect(pool.pooledBytes).toBe(100);
    expect(pool.acquire("float32", 16)).toBe(a);
    expect(pool.acquire("float32", 16)).not.toBe(b);
    expect(pool.acquire("bool", 36)).toBe(c);
    expect(pool.pooledBytes).toBe(0);
  });

  it("clear drops everything", () => {
    const pool = new TypedArrayPool();
    const a = pool.acquire("float32", 10);
    pool.release("float32", a);
    pool.release("int32", pool.acquire("int32", 5));
    expect(pool.pooledBytes).toBe(60);
    pool.clear();
    expect(pool.pooledBytes).toBe(0);
    expect(pool.acquire("float32", 10)).not.toBe(a);
  });
});
