/**
 * Reference-counted storage: one device buffer shared by a tensor and all of its views.
 * The buffer is released deterministically when the last reference is dropped.
 */
import type { DType } from "./dtype.js";
import { itemSize } from "./dtype.js";
import { DisposedError } from "./errors.js";

const liveBytesByDevice = new Map<string, number>();
const liveStoragesByDevice = new Map<string, number>();

/**
 * A device buffer with a reference count and a version counter. Views of one tensor share
 * one `Storage`, so they share its version counter too (in-place ops bump it).
 *
 * @example
 * const s = new Storage(new Float32Array(4), "float32", 4, "cpu", () => {});
 * s.retain(); s.release(); s.release(); // freed now
 */
export class Storage<Buffer = unknown> {
  /** Bumped by every in-place write; saved tensors compare against it. */
  version = 0;
  private refs = 1;

  /**
   * @param buffer the device's buffer object (a typed array on the CPU)
   * @param dtype element type
   * @param length number of elements the buffer holds
   * @param device name of the backend that owns the buffer
   * @param free called once, with the buffer, when the last reference is released
   */
  constructor(
    readonly buffer: Buffer,
    readonly dtype: DType,
    readonly length: number,
    readonly device: string,
    private readonly free: (buffer: Buffer) => void,
  ) {
    const bytes = length * itemSize(dtype);
    liveBytesByDevice.set(device, (liveBytesByDevice.get(device) ?? 0) + bytes);
    liveStoragesByDevice.set(device, (liveStoragesByDevice.get(device) ?? 0) + 1);
  }

  /** Size of the buffer in bytes. */
  get byteLength(): number {
    return this.length * itemSize(this.dtype);
  }

  /** Current number of references; 0 once freed. */
  get refCount(): number {
    return this.refs;
  }

  /** True once the last reference was released. */
  get isFreed(): boolean {
    return this.refs === 0;
  }

  /** Adds a reference (a new view or a saved tensor). */
  retain(): this {
    if (this.refs === 0) throw new DisposedError("Storage.retain: the storage was already freed.");
    this.refs++;
    return this;
  }

  /** Drops a reference; the buffer is freed when none remain. Extra releases are ignored. */
  release(): void {
    if (this.refs === 0) return;
    if (--this.refs === 0) {
      liveBytesByDevice.set(this.device, liveBytesByDevice.get(this.device)! - this.byteLength);
      liveStoragesByDevice.set(this.device, liveStoragesByDevice.get(this.device)! - 1);
      this.free(this.buffer);
    }
  }
}

/** Live (not yet freed) storage bytes and buffer count on each device. */
export function storageStats(): Record<string, { bytes: number; buffers: number }> {
  const out: Record<string, { bytes: number; buffers: number }> = {};
  for (const [device, bytes] of liveBytesByDevice) {
    out[device] = { bytes, buffers: liveStoragesByDevice.get(device) ?? 0 };
  }
  return out;
}
