/**
 * A pool of typed arrays keyed by dtype and exact length. Training loops allocate the same
 * sizes every step, so exact-length reuse hits almost always and small tensors allocate
 * nothing in the steady state (`new Float32Array(n)` costs as much as a whole small op).
 */
import { type DType, type TypedArray, type TypedArrayFor, allocTypedArray, itemSize } from "./dtype.js";

/** Options of {@link TypedArrayPool}. */
export interface TypedArrayPoolOptions {
  /** Most bytes kept for reuse; arrays released beyond it are left to the garbage collector. Default 256 MiB. */
  maxPooledBytes?: number;
}

/**
 * Recycles typed arrays. `acquire` may return an array with stale contents unless asked
 * for a zeroed one.
 *
 * @example
 * const pool = new TypedArrayPool();
 * const a = pool.acquire("float32", 100);
 * pool.release("float32", a);
 * pool.acquire("float32", 100) === a; // true
 */
export class TypedArrayPool {
  private readonly free: Record<DType, Map<number, TypedArray[]>> = {
    float32: new Map(),
    float64: new Map(),
    int32: new Map(),
    bool: new Map(),
  };
  private bytes = 0;
  private readonly maxPooledBytes: number;

  constructor(options: TypedArrayPoolOptions = {}) {
    this.maxPooledBytes = options.maxPooledBytes ?? 256 * 1024 * 1024;
  }

  /** An array of exactly `length` elements; zero-filled if `zeroed`, else contents are arbitrary. */
  acquire<D extends DType>(dtype: D, length: number, zeroed = false): TypedArrayFor[D] {
    const list = this.free[dtype].get(length);
    const reused = list?.pop();
    if (reused === undefined) return allocTypedArray(dtype, length);
    this.bytes -= reused.byteLength;
    if (zeroed) reused.fill(0);
    return reused as TypedArrayFor[D];
  }

  /** Returns an array for reuse. The caller must not touch it afterwards. */
  release(dtype: DType, array: TypedArray): void {
    if (this.bytes + array.byteLength > this.maxPooledBytes) return;
    let list = this.free[dtype].get(array.length);
    if (list === undefined) {
      list = [];
      this.free[dtype].set(array.length, list);
    }
    list.push(array);
    this.bytes += array.length * itemSize(dtype);
  }

  /** Bytes currently held for reuse. */
  get pooledBytes(): number {
    return this.bytes;
  }

  /** Drops every pooled array. */
  clear(): void {
    for (const map of Object.values(this.free)) map.clear();
    this.bytes = 0;
  }
}
