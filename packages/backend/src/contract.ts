/**
 * The contract a compute device implements. It is deliberately thin — buffers, transfers,
 * and a kernel table keyed by the catalog's op names; all math lives in the kernels.
 */
import type { DType, Layout, TypedArray } from "@tessera/storage";
import type { AttrsOf, OpName } from "@tessera/kernels";

/**
 * A tensor as a kernel sees it: a device buffer and the layout of its elements in it.
 *
 * @example
 * // The transpose of a contiguous 2×3 float32 buffer, as a kernel input:
 * const view: TensorView<Float32Array> = {
 *   buffer: new Float32Array(6), dtype: "float32", layout: { shape: [3, 2], strides: [1, 3], offset: 0 },
 * };
 */
export interface TensorView<Buffer = unknown> {
  readonly buffer: Buffer;
  readonly dtype: DType;
  readonly layout: Layout;
}

/**
 * A backend's implementation of catalog op `K`. It reads `inputs` (any strided layout,
 * including stride-0 broadcast dims) and writes every element of `outputs`, which have the
 * shapes and dtypes the op's `infer` returned. Outputs are contiguous unless the op's schema
 * says `stridedOutput`. The kernel may queue the work; it must not block.
 *
 * Inputs keep their own shapes: a broadcasting op (binary ops, `where`) gets `[2, 3]` and `[3]`
 * for a `[2, 3]` output, and broadcasts them itself, e.g. by expanding each input's layout to
 * the output shape with `expand` from `@tessera/storage` (stride 0 on the new dims). An output
 * may be the very same view as an input (in-place ops such as `x.add_(y)` pass `x` as both), so
 * an elementwise kernel must read an element before it writes it; an input that overlaps the
 * output any other way is copied by the caller first.
 *
 * @example
 * const neg: Kernel<Float32Array, "neg"> = ([x], [out]) => {
 *   forEachOffset(out.layout.shape, [x.layout, out.layout], (o) => { out.buffer[o[1]] = -x.buffer[o[0]]; });
 * };
 */
export type Kernel<Buffer, K extends OpName = OpName> = (
  inputs: readonly TensorView<Buffer>[],
  outputs: readonly TensorView<Buffer>[],
  attrs: AttrsOf<K>,
) => void;

/**
 * A backend's kernels, keyed by catalog op name. A missing entry means "not supported".
 *
 * @example
 * const kernels: KernelTable<Float32Array> = { neg, add };
 */
export type KernelTable<Buffer> = { readonly [K in OpName]?: Kernel<Buffer, K> };

/**
 * A compute device.
 *
 * @example
 * const cpu: Backend<TypedArray> = {
 *   name: "cpu", dtypes: ["float32", "float64", "int32", "bool"], kernels: { add: … },
 *   allocate: (dtype, n) => …, free: () => {}, upload: …, read: async … , sync: async () => {},
 * };
 */
export interface Backend<Buffer = unknown> {
  /** Device name users pass as `device` (`"cpu"`, `"webgpu"`, or a custom one). */
  readonly name: string;
  /** Dtypes this device can hold and compute with. */
  readonly dtypes: readonly DType[];
  /** The kernels this device implements. */
  readonly kernels: KernelTable<Buffer>;
  /** Allocates a buffer of `length` elements of `dtype`; contents are unspecified. */
  allocate(dtype: DType, length: number): Buffer;
  /** Gives a buffer back (to a pool or to the device). It is never used again. */
  free(buffer: Buffer, dtype: DType, length: number): void;
  /** Copies `data` into the buffer, starting at element 0. */
  upload(buffer: Buffer, dtype: DType, data: TypedArray): void;
  /** Reads `length` elements starting at element `start` into a new typed array. */
  read(buffer: Buffer, dtype: DType, start: number, length: number): Promise<TypedArray>;
  /** Synchronous {@link read}, for devices that can answer at once (the CPU). */
  readSync?(buffer: Buffer, dtype: DType, start: number, length: number): TypedArray;
  /** Resolves when all queued work has finished. */
  sync(): Promise<void>;
}
