/**
 * The command side of the backend: one shared command encoder that kernels record compute
 * dispatches and copies into, submitted in batches; a per-batch metadata arena; staged
 * uploads that keep queue order; readback through MAP_READ staging buffers; the pipeline
 * cache; and device-loss handling.
 */
import { DeviceError, TesseraError } from "@tessera/storage";
import { BufferPool } from "./buffer-pool.js";
import type { Program } from "./wgsl/program.js";

/** Bytes of the metadata arena: every dispatch of a batch gets a 256-byte aligned slice. */
const META_BYTES = 256 * 1024;
/** Bytes of the upload arena used for uploads recorded between commands of a batch. */
const UPLOAD_BYTES = 4 * 1024 * 1024;

/** Options of the runtime (see `WebGPUBackendOptions`). */
export interface RuntimeOptions {
  readonly flushEvery: number;
  readonly maxPooledBytes: number;
  readonly name: string;
  /** Cap on workgroups per dispatch dimension (below the device's limit, to test 2-D dispatch). */
  readonly maxWorkgroupsPerDimension?: number;
}

/**
 * Counters of what the backend did, for tests and tuning (`WebGPUBackend.stats()`).
 *
 * @example
 * const before = webgpu.stats().submits;
 * await x.mul(2).data();
 * webgpu.stats().submits - before; // 1: the read submitted the batch once
 */
export interface RuntimeStats {
  /** Compute dispatches recorded. */
  dispatches: number;
  /** Command buffers submitted. */
  submits: number;
  /** Compute pipelines created (the cache holds them). */
  pipelines: number;
}

const align = (x: number, a: number) => Math.ceil(x / a) * a;

/**
 * The WebGPU flag values (fixed by the spec), so the backend needs no `GPUBufferUsage`
 * globals — in Node the `webgpu` package does not install them.
 */
const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, STORAGE: 0x80 } as const;
const MAP_READ = 0x1;
const COMPUTE_STAGE = 0x4;

/** The GPU-side engine a backend's kernels record into. */
export class Runtime {
  readonly pool: BufferPool;
  private readonly staging: BufferPool;
  readonly maxBufferSize: number;
  readonly maxBindingSize: number;
  readonly maxWorkgroupsPerDim: number;
  private readonly metaAlign: number;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatchesInBatch = 0;
  private readonly metaCpu = new Uint32Array(META_BYTES / 4);
  private metaWords = 0;
  private readonly metaGpu: GPUBuffer;
  private uploadArena: GPUBuffer | null = null;
  private uploadUsed = 0;
  private destroyQueue: GPUBuffer[] = [];

  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private readonly bindGroupLayouts = new Map<string, GPUBindGroupLayout>();

  /** Set once the device is lost (or destroyed): every later call throws it. */
  private lostError: DeviceError | null = null;
  /** Rejects with the lost-device error once the device is lost; raced against every wait. */
  private readonly lostRejection: Promise<never>;
  /** The first validation or out-of-memory error the device reported, not yet thrown. */
  private deviceError: string | null = null;

  readonly stats: RuntimeStats = { dispatches: 0, submits: 0, pipelines: 0 };

  constructor(
    readonly device: GPUDevice,
    private readonly options: RuntimeOptions,
  ) {
    const limits = device.limits;
    this.maxBufferSize = limits.maxBufferSize;
    this.maxBindingSize = limits.maxStorageBufferBindingSize;
    this.maxWorkgroupsPerDim = Math.min(limits.maxComputeWorkgroupsPerDimension, options.maxWorkgroupsPerDimension ?? Infinity);
    this.metaAlign = Math.max(limits.minStorageBufferOffsetAlignment, 16);
    const destroyLater = (b: GPUBuffer) => this.destroyLater(b);
    this.pool = new BufferPool(
      device,
      USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST,
      options.maxPooledBytes,
      destroyLater,
      `${options.name} tensor`,
    );
    this.staging = new BufferPool(device, USAGE.MAP_READ | USAGE.COPY_DST, 16 * 1024 * 1024, destroyLater, `${options.name} readback`);
    this.metaGpu = device.createBuffer({
      size: META_BYTES,
      usage: USAGE.STORAGE | USAGE.COPY_DST,
      label: `${options.name} metadata`,
    });
    this.lostRejection = device.lost.then((info) => {
      this.lostError = lostDeviceError(options.name, info);
      throw this.lostError;
    });
    this.lostRejection.catch(() => {});
    device.addEventListener("uncapturederror", (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      this.deviceError ??= error.message;
    });
  }

  /** True once the device was lost. */
  get isLost(): boolean {
    return this.lostError !== null;
  }

  /** Throws the lost-device error, if the device was lost. `what` names the caller. */
  checkAlive(what: string): void {
    if (this.lostError !== null) {
      throw new DeviceError(`${what}: ${this.lostError.message}`);
    }
  }

  /** The pipeline of `program`, built on first use and cached by its key. */
  private pipelineFor(program: Program): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    let entry = this.pipelines.get(program.key);
    if (entry === undefined) {
      const layout = this.bindGroupLayout(program.inputs.length, program.outputs.length);
      const module = this.device.createShaderModule({ code: program.source(), label: program.key });
      // A shader that does not compile is a bug of this package: say which and why at the next read.
      void module.getCompilationInfo().then((info) => {
        const errors = info.messages.filter((m) => m.type === "error");
        if (errors.length > 0) {
          const text = errors.map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}`).join("; ");
          this.deviceError = `the WGSL of "${program.key}" does not compile: ${text}`;
        }
      });
      const pipeline = this.device.createComputePipeline({
        label: program.key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: "main" },
      });
      entry = { pipeline, layout };
      this.pipelines.set(program.key, entry);
      this.stats.pipelines++;
    }
    return entry;
  }

  private bindGroupLayout(inputs: number, outputs: number): GPUBindGroupLayout {
    const key = `${inputs}:${outputs}`;
    let layout = this.bindGroupLayouts.get(key);
    if (layout === undefined) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      for (let i = 0; i < inputs + outputs + 1; i++) {
        const writable = i >= inputs && i < inputs + outputs;
        entries.push({ binding: i, visibility: COMPUTE_STAGE, buffer: { type: writable ? "storage" : "read-only-storage" } });
      }
      layout = this.device.createBindGroupLayout({ entries, label: `${this.options.name} ${key}` });
      this.bindGroupLayouts.set(key, layout);
    }
    return layout;
  }

  private ensureEncoder(): GPUCommandEncoder {
    if (this.encoder === null) this.encoder = this.device.createCommandEncoder({ label: `${this.options.name} batch` });
    return this.encoder;
  }

  private endPass(): void {
    if (this.pass !== null) {
      this.pass.end();
      this.pass = null;
    }
  }

  /**
   * Records one dispatch of `program` over `workgroups` workgroups (split over x and y when
   * there are more than the per-dimension limit) with the given buffers and metadata words.
   * Submits the batch when it holds `flushEvery` dispatches.
   */
  dispatch(program: Program, inputs: readonly GPUBuffer[], outputs: readonly GPUBuffer[], meta: readonly number[], workgroups: number): void {
    this.checkAlive(program.key.split(":")[0]!);
    if (workgroups <= 0) return;
    const max = this.maxWorkgroupsPerDim;
    let x = workgroups;
    let y = 1;
    if (workgroups > max) {
      y = Math.ceil(workgroups / max);
      x = Math.ceil(workgroups / y);
      if (y > max) {
        throw new TesseraError(
          `webgpu: ${program.key.split(":")[0]} needs ${workgroups} workgroups, more than this device can dispatch (${max}²). Split the work into smaller tensors.`,
        );
      }
    }
    const { pipeline, layout } = this.pipelineFor(program);
    const metaBytes = Math.max(meta.length, 1) * 4;
    const slot = align(metaBytes, this.metaAlign);
    if (slot > META_BYTES) throw new TesseraError(`webgpu: ${program.key} needs ${metaBytes} bytes of metadata, more than ${META_BYTES}.`);
    if (this.metaWords * 4 + slot > META_BYTES) this.flush();
    const offsetBytes = this.metaWords * 4;
    this.metaCpu.set(meta, this.metaWords);
    this.metaWords += slot / 4;

    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    for (const buffer of inputs) entries.push({ binding: binding++, resource: { buffer } });
    for (const buffer of outputs) entries.push({ binding: binding++, resource: { buffer } });
    entries.push({ binding, resource: { buffer: this.metaGpu, offset: offsetBytes, size: metaBytes } });
    const bindGroup = this.device.createBindGroup({ layout, entries });

    this.ensureEncoder();
    if (this.pass === null) this.pass = this.encoder!.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(x, y);
    this.stats.dispatches++;
    if (++this.dispatchesInBatch >= this.options.flushEvery) this.flush();
  }

  /** Records a buffer-to-buffer copy (offsets and size in bytes, multiples of 4). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes <= 0) return;
    const encoder = this.ensureEncoder();
    this.endPass();
    encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /**
   * Writes `data` to the start of `dst`, in order with the commands recorded so far: directly
   * when the batch is empty, else through the upload arena and a recorded copy (a plain
   * `writeBuffer` would land before the batch's commands that still read the old contents).
   */
  upload(dst: GPUBuffer, data: ArrayBufferView): void {
    const bytes = data.byteLength;
    if (bytes === 0) return;
    if (this.encoder !== null) {
      if (bytes > UPLOAD_BYTES || this.uploadUsed + bytes > UPLOAD_BYTES) {
        this.flush();
      } else {
        this.uploadArena ??= this.device.createBuffer({
          size: UPLOAD_BYTES,
          usage: USAGE.COPY_SRC | USAGE.COPY_DST,
          label: `${this.options.name} upload arena`,
        });
        const offset = this.uploadUsed;
        this.device.queue.writeBuffer(this.uploadArena, offset, data.buffer, data.byteOffset, bytes);
        this.uploadUsed = align(offset + bytes, 16);
        this.copy(this.uploadArena, offset, dst, 0, bytes);
        return;
      }
    }
    this.device.queue.writeBuffer(dst, 0, data.buffer, data.byteOffset, bytes);
  }

  /** Submits the recorded commands (the metadata arena is written just before). */
  flush(): void {
    if (this.encoder === null) return;
    this.endPass();
    if (this.metaWords > 0) this.device.queue.writeBuffer(this.metaGpu, 0, this.metaCpu.buffer, 0, this.metaWords * 4);
    this.device.queue.submit([this.encoder.finish()]);
    this.stats.submits++;
    this.encoder = null;
    this.metaWords = 0;
    this.uploadUsed = 0;
    this.dispatchesInBatch = 0;
    const doomed = this.destroyQueue;
    this.destroyQueue = [];
    for (const b of doomed) b.destroy();
  }

  /** Destroys `buffer` now if nothing recorded can use it, else after the next submit. */
  private destroyLater(buffer: GPUBuffer): void {
    if (this.encoder === null) buffer.destroy();
    else this.destroyQueue.push(buffer);
  }

  /** Waits for `promise`, or throws the lost-device error if the device is lost first. */
  private async guard<T>(promise: Promise<T>, what: string): Promise<T> {
    try {
      return await Promise.race([promise, this.lostRejection]);
    } catch (error) {
      if (this.lostError !== null) throw new DeviceError(`${what}: ${this.lostError.message}`);
      throw error;
    }
  }

  /** Throws (once) the first error the device reported asynchronously. */
  private throwDeviceError(what: string): void {
    const message = this.deviceError;
    if (message !== null) {
      this.deviceError = null;
      throw new TesseraError(`${what}: the WebGPU device reported an error: ${message}`);
    }
  }

  /** Copies `bytes` bytes at `offset` of `src` back to the host (flushes the batch first). */
  async read(src: GPUBuffer, offset: number, bytes: number, what: string): Promise<ArrayBuffer> {
    this.checkAlive(what);
    const staging = this.staging.acquire(bytes);
    this.copy(src, offset, staging, 0, bytes);
    this.flush();
    try {
      await this.guard(staging.mapAsync(MAP_READ, 0, bytes), what);
    } catch (error) {
      if (this.lostError === null) {
        // A map that failed for another reason: make sure it is not a lost device still on its way.
        await this.guard(new Promise((r) => setTimeout(r, 20)), what);
      }
      throw error;
    }
    const out = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    this.staging.release(staging);
    this.throwDeviceError(what);
    return out;
  }

  /** Resolves when every recorded command has run on the device. */
  async sync(what: string): Promise<void> {
    this.checkAlive(what);
    this.flush();
    await this.guard(this.device.queue.onSubmittedWorkDone(), what);
    this.throwDeviceError(what);
  }

}

/** The error every call throws after the device is lost. */
function lostDeviceError(name: string, info: GPUDeviceLostInfo): DeviceError {
  const why = info.reason === "destroyed" ? "it was destroyed (device.destroy())" : `reason: ${info.reason}`;
  const detail = info.message ? ` (${info.message.trim()})` : "";
  return new DeviceError(
    `the WebGPU device of backend "${name}" was lost: ${why}${detail}. Its tensors are gone; start a new device with await initWebGPU() and recreate them.`,
  );
}
