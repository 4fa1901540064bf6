/**
 * Host-side helpers the kernels share: the view type, dim coalescing (so most dispatches
 * index a 1-D or 2-D problem whatever the tensor's rank), the strided-index WGSL snippet, and
 * the input/output aliasing guard.
 */
import { type Layout, TesseraError, numel, storageExtent } from "@tessera/storage";
import type { Kernel, TensorView } from "@tessera/backend";
import { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";

/** A tensor as a WebGPU kernel sees it. */
export type View = TensorView<WebGPUBuffer>;

/** Elements per invocation group of the 1-D kernels. */
export const WG = 64;

/**
 * Drops size-1 dims and merges neighbouring dims that every layout walks contiguously
 * (`stride[d] == stride[d+1] * shape[d+1]` in all of them), keeping row-major order. A
 * contiguous tensor becomes 1-D; a transposed matrix stays 2-D.
 *
 * @example
 * coalesce([2, 3], [[3, 1], [3, 1]]); // { shape: [6], strides: [[1], [1]] }
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * size)) {
      outShape[last] = outShape[last]! * size;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
      continue;
    }
    outShape.push(size);
    strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * WGSL that computes the storage offsets `o0 … o{count-1}` of linear (row-major) element
 * `idx` of a strided problem described in metadata: `nd` dims at word `shapeAt`, then one
 * block per operand of `[offset, stride × nd]`, starting right after the shape.
 */
export function offsetsWGSL(count: number, idx: string, shapeAt: string, nd: string): string {
  const lines: string[] = [];
  lines.push(`  let ob_ = ${nd} + 1u;`);
  lines.push(`  let so_ = ${shapeAt} + ${nd};`);
  for (let k = 0; k < count; k++) lines.push(`  var o${k} = mi(so_ + ${k}u * ob_);`);
  lines.push(`  var rem_ = ${idx};`);
  lines.push(`  for (var d_ = i32(${nd}) - 1; d_ >= 0; d_ = d_ - 1) {`);
  lines.push(`    let du_ = u32(d_);`);
  lines.push(`    let size_ = mu(${shapeAt} + du_);`);
  lines.push(`    let c_ = i32(rem_ % size_);`);
  lines.push(`    rem_ = rem_ / size_;`);
  for (let k = 0; k < count; k++) lines.push(`    o${k} = o${k} + c_ * mi(so_ + ${k}u * ob_ + 1u + du_);`);
  lines.push(`  }`);
  return lines.join("\n");
}

/** Metadata words of a strided problem: shape, then `[offset, ...strides]` per layout. */
export function stridedMeta(shape: readonly number[], layouts: readonly Layout[]): { nd: number; words: number[] } {
  const { shape: cs, strides } = coalesce(shape, layouts.map((l) => l.strides));
  const words: number[] = [...cs];
  layouts.forEach((l, k) => words.push(l.offset, ...strides[k]!));
  return { nd: cs.length, words };
}

/** Throws unless `layout` is contiguous row-major (any offset): what non-strided outputs are. */
export function requireContiguousOutput(op: string, layout: Layout): void {
  if (layout.shape.includes(0)) return;
  let expected = 1;
  for (let d = layout.shape.length - 1; d >= 0; d--) {
    const size = layout.shape[d]!;
    if (size !== 1 && layout.strides[d] !== expected) {
      throw new TesseraError(`webgpu ${op}: expected a contiguous output, but got strides [${layout.strides.join(", ")}] for shape [${layout.shape.join(", ")}].`);
    }
    expected *= size;
  }
}

/** Number of workgroups of `size` invocations that cover `n` items. */
export function groups(n: number, size = WG): number {
  return Math.ceil(n / size);
}

/**
 * Wraps a kernel so that no input shares its device buffer with an output: WebGPU cannot bind
 * one buffer as read-only and writable storage in the same dispatch, and an in-place op
 * (`x.add_(y)`, `x[1:].copy_(x[:-1])`) must read every input element before it is
 * overwritten. Such an input is first copied (the range its view spans) into a temporary
 * buffer, which goes back to the pool after the kernel has recorded its commands.
 */
export function guardAliasing<K extends Kernel<WebGPUBuffer, any>>(rt: Runtime, kernel: K): K {
  const guarded = ((inputs: readonly View[], outputs: readonly View[], attrs: unknown) => {
    let temps: WebGPUBuffer[] | null = null;
    let views = inputs;
    for (let i = 0; i < inputs.length; i++) {
      const view = inputs[i]!;
      if (!outputs.some((o) => o.buffer === view.buffer)) continue;
      const n = numel(view.layout.shape);
      if (n === 0) continue;
      const lo = view.layout.offset;
      const hi = storageExtent(view.layout);
      const bytes = (hi - lo) * 4;
      const gpu = rt.pool.acquire(bytes);
      const temp = new WebGPUBuffer(gpu, gpu.size);
      rt.copy(view.buffer.gpuBuffer, lo * 4, gpu, 0, bytes);
      temps ??= [];
      temps.push(temp);
      if (views === inputs) views = inputs.slice();
      (views as View[])[i] = { buffer: temp, dtype: view.dtype, layout: { ...view.layout, offset: 0 } };
    }
    try {
      (kernel as (i: readonly View[], o: readonly View[], a: unknown) => void)(views, outputs, attrs);
    } finally {
      if (temps !== null) for (const t of temps) rt.pool.release(t.gpuBuffer);
    }
  }) as unknown as K;
  return guarded;
}

/** Smallest power of two ≥ `n` (1 for n ≤ 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
