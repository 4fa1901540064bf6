/**
 * Memory accounting for the tiny backend: every buffer it hands out is recorded until it is
 * freed, so a test can ask "did anything leak?" of the device itself, not of the Tensor layer.
 */
import { type DType, type TypedArray, TesseraError, allocTypedArray, itemSize } from "@tessera/storage";

/**
 * What a {@link BufferLedger} knows about the buffers of one backend.
 *
 * @example
 * const { buffers, bytes } = tiny.stats(); // e.g. { buffers: 12, bytes: 3_456, peakBytes: 9_000, allocations: 80 }
 */
export interface MemoryStats {
  /** Buffers allocated and not yet freed. */
  readonly buffers: number;
  /** Bytes held by those buffers. */
  readonly bytes: number;
  /** The most bytes held at once since the backend was created. */
  readonly peakBytes: number;
  /** Buffers allocated since the backend was created (freed or not). */
  readonly allocations: number;
}

/**
 * Hands out typed arrays and remembers each one until it is given back. Freeing a buffer twice,
 * or one it never allocated, is an error: in a real device that would corrupt memory, so an
 * example backend should catch it loudly rather than let the counts drift.
 *
 * @example
 * const ledger = new BufferLedger("tiny");
 * const b = ledger.allocate("float32", 4);
 * ledger.stats().bytes; // 16
 * ledger.free(b);
 * ledger.stats().buffers; // 0
 */
export class BufferLedger {
  private readonly live = new Map<TypedArray, number>();
  private bytes = 0;
  private peakBytes = 0;
  private allocations = 0;

  /** @param owner the backend's name, used in error messages */
  constructor(private readonly owner: string) {}

  /** A new zero-filled buffer of `length` elements of `dtype`, recorded as live. */
  allocate(dtype: DType, length: number): TypedArray {
    const buffer = allocTypedArray(dtype, length);
    const bytes = length * itemSize(dtype);
    this.live.set(buffer, bytes);
    this.bytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    this.allocations++;
    return buffer;
  }

  /** Forgets `buffer`; throws if it is not live (a double free or a foreign buffer). */
  free(buffer: TypedArray): void {
    const bytes = this.live.get(buffer);
    if (bytes === undefined) {
      throw new TesseraError(
        `${this.owner}: free() was given a buffer (${buffer.constructor.name} of ${buffer.length} elements) that this backend did not allocate or has already freed. Each buffer from allocate() must be freed exactly once, by the backend that allocated it.`,
      );
    }
    this.live.delete(buffer);
    this.bytes -= bytes;
  }

  /** A snapshot of the counts. */
  stats(): MemoryStats {
    return { buffers: this.live.size, bytes: this.bytes, peakBytes: this.peakBytes, allocations: this.allocations };
  }
}
