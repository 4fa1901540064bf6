/**
 * Iteration plans for strided operands, and reusable scratch memory.
 *
 * An elementwise kernel walks the output's shape once and reads/writes up to four operands,
 * each with its own strides (stride 0 on broadcast dims). {@link planIteration} drops size-1
 * dims and merges adjacent dims that every operand can walk as one (so a contiguous tensor,
 * or a contiguous tensor plus a broadcast scalar, becomes a single flat dim), and leaves the
 * result in module-level arrays that the kernels read right away. The kernels then run an
 * "odometer" over the outer dims and a tight loop over the innermost one. Nothing here
 * allocates per element, and in the steady state nothing allocates per call either.
 */
import type { DType, Layout, TypedArray, TypedArrayFor } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";

/** A tensor as the CPU kernels see it: a typed array and a layout in it. */
export type CpuView = TensorView<TypedArray>;

/** Sizes of the coalesced dims of the last plan, outermost first. */
export const PLAN_SHAPE: number[] = [];
/** Strides of operand 0 along the coalesced dims of the last plan. */
export const PLAN_S0: number[] = [];
/** Strides of operand 1 along the coalesced dims of the last plan. */
export const PLAN_S1: number[] = [];
/** Strides of operand 2 along the coalesced dims of the last plan. */
export const PLAN_S2: number[] = [];
/** Strides of operand 3 along the coalesced dims of the last plan. */
export const PLAN_S3: number[] = [];
/** The odometer's position in the outer dims; kernels reset the entries they use. */
export const PLAN_INDEX: number[] = [];

/**
 * The stride with which an operand of layout `l` (right-aligned against an iteration of
 * `ndim` dims, NumPy style) advances along iteration dim `d`: 0 for dims it lacks or has as
 * size 1 (broadcast).
 */
export function broadcastStride(l: Layout, d: number, ndim: number): number {
  const j = d - (ndim - l.shape.length);
  if (j < 0) return 0;
  return l.shape[j] === 1 ? 0 : l.strides[j]!;
}

/**
 * Plans a walk over `shape` for `count` (1–4) operands with layouts `l0 … l3` (each
 * broadcastable to `shape`; unused ones may be `null`). Returns the number of coalesced dims
 * (0 means a single element) and fills {@link PLAN_SHAPE} and `PLAN_S0 … PLAN_S3`, or
 * returns -1 when `shape` has no elements.
 */
export function planIteration(
  shape: readonly number[],
  count: number,
  l0: Layout,
  l1: Layout | null,
  l2: Layout | null,
  l3: Layout | null,
): number {
  const ndim = shape.length;
  let nd = 0;
  for (let d = 0; d < ndim; d++) {
    const size = shape[d]!;
    if (size === 0) return -1;
    if (size === 1) continue;
    const s0 = broadcastStride(l0, d, ndim);
    const s1 = count > 1 ? broadcastStride(l1!, d, ndim) : 0;
    const s2 = count > 2 ? broadcastStride(l2!, d, ndim) : 0;
    const s3 = count > 3 ? broadcastStride(l3!, d, ndim) : 0;
    const p = nd - 1;
    if (
      p >= 0 &&
      PLAN_S0[p] === s0 * size &&
      PLAN_S1[p] === s1 * size &&
      PLAN_S2[p] === s2 * size &&
      PLAN_S3[p] === s3 * size
    ) {
      PLAN_SHAPE[p] = PLAN_SHAPE[p]! * size;
      PLAN_S0[p] = s0;
      PLAN_S1[p] = s1;
      PLAN_S2[p] = s2;
      PLAN_S3[p] = s3;
    } else {
      PLAN_SHAPE[nd] = size;
      PLAN_S0[nd] = s0;
      PLAN_S1[nd] = s1;
      PLAN_S2[nd] = s2;
      PLAN_S3[nd] = s3;
      nd++;
    }
  }
  return nd;
}

/** Number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** True if two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * True if the layout's elements are `storage[offset … offset + numel)` in row-major order
 * (size-1 dims may have any stride).
 */
export function isDense(l: Layout): boolean {
  const { shape, strides } = l;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    if (size === 1) continue;
    if (size === 0) return true;
    if (strides[i] !== expected) return false;
    expected *= size;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Scratch memory.
// ---------------------------------------------------------------------------------------

/**
 * Scratch slots: buffers that one kernel uses at the same time get different slots. Kernels
 * never run inside each other, so different kernels may share a slot.
 */
export const SLOT = {
  /** float64 accumulator of a reduction. */
  reduceAcc: 0,
  /** Contiguous copy of a strided first operand. */
  dense1: 1,
  /** Best values of argmax/argmin along a dim. */
  argBest: 2,
  /** float64 accumulator of matmul. */
  gemmAcc: 3,
  /** Packed (row-major) right operand of matmul. */
  packB: 4,
  /** Contiguous copy of a strided second operand. */
  dense2: 5,
  /** im2col matrix of a convolution. */
  col: 6,
  /** Input of a copy whose output overlaps it. */
  copyOverlap: 7,
  /** float64 accumulator of a convolution, pooling or scatter. */
  acc: 8,
  /** float64 column gradient of conv2dBackwardInput. */
  colGrad: 9,
  /** Contiguous copy of a strided third operand. */
  dense3: 10,
} as const;

/** Scratch arrays larger than this many bytes are not kept after use. */
const MAX_KEPT_SCRATCH_BYTES = 64 * 1024 * 1024;

const f64Slots: Float64Array[] = [];
const f32Slots: Float32Array[] = [];
const i32Slots: Int32Array[] = [];
const u8Slots: Uint8Array[] = [];

/** The length to allocate for a slot that must grow from `current` to hold `length`. */
function grownLength(current: number, length: number): number {
  return Math.ceil(Math.max(length, 64, Math.min(current * 1.5, length * 2)));
}

/**
 * A Float64Array of at least `length` elements, reused between calls for the same `slot`
 * (contents are stale). Kernels use distinct slots (see {@link SLOT}) for buffers that are
 * live at once.
 */
export function scratchF64(slot: number, length: number): Float64Array {
  const cur = f64Slots[slot];
  if (cur !== undefined && cur.length >= length) return cur;
  const next = new Float64Array(grownLength(cur?.length ?? 0, length));
  if (next.byteLength <= MAX_KEPT_SCRATCH_BYTES) f64Slots[slot] = next;
  return next;
}

/** Like {@link scratchF64}, for Float32Array. */
export function scratchF32(slot: number, length: number): Float32Array {
  const cur = f32Slots[slot];
  if (cur !== undefined && cur.length >= length) return cur;
  const next = new Float32Array(grownLength(cur?.length ?? 0, length));
  if (next.byteLength <= MAX_KEPT_SCRATCH_BYTES) f32Slots[slot] = next;
  return next;
}

/** Like {@link scratchF64}, for Int32Array. */
export function scratchI32(slot: number, length: number): Int32Array {
  const cur = i32Slots[slot];
  if (cur !== undefined && cur.length >= length) return cur;
  const next = new Int32Array(grownLength(cur?.length ?? 0, length));
  if (next.byteLength <= MAX_KEPT_SCRATCH_BYTES) i32Slots[slot] = next;
  return next;
}

/** Like {@link scratchF64}, for Uint8Array (bool). */
export function scratchU8(slot: number, length: number): Uint8Array {
  const cur = u8Slots[slot];
  if (cur !== undefined && cur.length >= length) return cur;
  const next = new Uint8Array(grownLength(cur?.length ?? 0, length));
  if (next.byteLength <= MAX_KEPT_SCRATCH_BYTES) u8Slots[slot] = next;
  return next;
}

/** A scratch array of `dtype`'s element type with at least `length` elements. */
export function scratchFor<D extends DType>(dtype: D, slot: number, length: number): TypedArrayFor[D] {
  switch (dtype) {
    case "float64":
      return scratchF64(slot, length) as TypedArrayFor[D];
    case "float32":
      return scratchF32(slot, length) as TypedArrayFor[D];
    case "int32":
      return scratchI32(slot, length) as TypedArrayFor[D];
    default:
      return scratchU8(slot, length) as TypedArrayFor[D];
  }
}
