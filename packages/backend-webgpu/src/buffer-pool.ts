/**
 * Device buffers and the pool that recycles them. Every tensor buffer has the same usage
 * (STORAGE | COPY_SRC | COPY_DST), so the pool is keyed by size class only; staging buffers
 * for readback (MAP_READ | COPY_DST) have a pool of their own.
 */

/** Smallest buffer the pool hands out, in bytes (also what a zero-length tensor gets). */
export const MIN_BUFFER_BYTES = 16;

/**
 * The size class a request of `bytes` is served from: the next multiple of a quarter of the
 * enclosing power of two (at most 25 % waste), and at least {@link MIN_BUFFER_BYTES}.
 *
 * @example
 * sizeClass(100); // 112
 * sizeClass(4096); // 4096
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_BUFFER_BYTES) return MIN_BUFFER_BYTES;
  const pow = 2 ** Math.floor(Math.log2(bytes - 1));
  const step = Math.max(pow / 4, 4);
  return Math.ceil(bytes / step) * step;
}

let nextId = 1;

/**
 * A tensor's device buffer as kernels see it (`TensorView<WebGPUBuffer>`): a `GPUBuffer` of
 * at least the requested size, 4 bytes per element for every dtype (bool is stored as one
 * u32 per element, 0 or 1).
 *
 * @example
 * const buf: WebGPUBuffer = webgpu.allocate("float32", 10);
 * buf.gpuBuffer.size; // 48: the size class of 40 bytes
 */
export class WebGPUBuffer {
  /** A number unique among the buffers of this process (for debugging). */
  readonly id = nextId++;
  /** True once the backend freed it: its `GPUBuffer` went back to the pool and may serve another tensor. */
  freed = false;
  constructor(
    /** The device buffer. */
    readonly gpuBuffer: GPUBuffer,
    /** Its size in bytes (a size class). */
    readonly byteSize: number,
  ) {}
}

/**
 * Byte and buffer counts of the device-buffer pool (what `WebGPUBackend.memory()` returns).
 *
 * @example
 * const { inUseBytes, pooledBytes, createdBuffers }: BufferPoolStats = webgpu.memory();
 */
export interface BufferPoolStats {
  /** Bytes of every live device buffer the pool created (in use or pooled). */
  allocatedBytes: number;
  /** Number of those buffers. */
  allocatedBuffers: number;
  /** Bytes of buffers handed out and not yet freed. */
  inUseBytes: number;
  /** Bytes of free buffers kept for reuse. */
  pooledBytes: number;
  /** Buffers created over the pool's lifetime (a steady state stops this from growing). */
  createdBuffers: number;
}

/**
 * A pool of same-usage device buffers keyed by size class. `release` keeps a buffer for reuse
 * unless the pool already holds `maxPooledBytes`, in which case the buffer is destroyed — but
 * only through `destroyLater`, because commands recorded and not yet submitted may still
 * use it.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private allocatedBytes = 0;
  private allocatedBuffers = 0;
  private inUseBytes = 0;
  private pooledBytes = 0;
  private createdBuffers = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly maxPooledBytes: number,
    private readonly destroyLater: (buffer: GPUBuffer) => void,
    private readonly label: string,
  ) {}

  /** A buffer of at least `bytes` bytes (its size is `sizeClass(bytes)`). */
  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (buffer !== undefined) {
      this.pooledBytes -= size;
    } else {
      buffer = this.device.createBuffer({ size, usage: this.usage, label: `${this.label} ${size}` });
      this.allocatedBytes += size;
      this.allocatedBuffers++;
      this.createdBuffers++;
    }
    this.inUseBytes += size;
    return buffer;
  }

  /** Gives a buffer from {@link acquire} back. */
  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.inUseBytes -= size;
    if (this.pooledBytes + size > this.maxPooledBytes) {
      this.allocatedBytes -= size;
      this.allocatedBuffers--;
      this.destroyLater(buffer);
      return;
    }
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buffer);
    this.pooledBytes += size;
  }

  /** Destroys every pooled buffer (through `destroyLater`). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.allocatedBytes -= buffer.size;
        this.allocatedBuffers--;
        this.destroyLater(buffer);
      }
    }
    this.free.clear();
    this.pooledBytes = 0;
  }

  /** Byte and buffer counts. */
  stats(): BufferPoolStats {
    return {
      allocatedBytes: this.allocatedBytes,
      allocatedBuffers: this.allocatedBuffers,
      inUseBytes: this.inUseBytes,
      pooledBytes: this.pooledBytes,
      createdBuffers: this.createdBuffers,
    };
  }
}
