/**
 * `matmul`: `[...batchA, M, K] × [...batchB, K, N] → [...batch, M, N]` with broadcast batch
 * dims. Floats accumulate in float64 (for float32 in a scratch accumulator, stored once);
 * int32 wraps like the reference.
 *
 * Operand handling: `A` is read with any strides (four scalars per step of `k`); `B` is used
 * in place when its rows are contiguous (i-k-j loop) or when it is a transposed contiguous
 * matrix such as `w.t()` (dot products of contiguous rows); otherwise it is packed into a
 * contiguous scratch block once per distinct batch matrix. When `B` is the same matrix for
 * every batch (a 2-D weight) and `A`'s batches are evenly strided rows, the batch is folded
 * into `M` and the whole product is one call.
 *
 * float32 products of at least {@link WASM_GEMM_MIN_FLOPS} multiply-adds go to the
 * WebAssembly SIMD GEMM when the backend has it ({@link makeMatmulKernels}); they accumulate
 * in float32 there.
 */
import type { DType, TypedArray } from "@tessera/storage";
import { gemmInt, gemmNN, gemmNT } from "./gemm.js";
import { type CpuView, SLOT, broadcastStride, scratchF64, scratchFor, sizeOf } from "./iter.js";
import { WASM_GEMM_MIN_FLOPS, type WasmGemm } from "./wasm-gemm.js";

/** Copies the `K × N` matrix at `B[bo + k·brs + j·bcs]` into `dst` row-major. */
function packRows(B: TypedArray, bo: number, brs: number, bcs: number, K: number, N: number, dst: TypedArray): void {
  // Walk the source in its memory order (along whichever stride is smaller) for locality.
  if (brs <= bcs) {
    for (let j = 0; j < N; j++) {
      let s = bo + j * bcs;
      for (let k = 0, d = j; k < K; k++, s += brs, d += N) dst[d] = B[s];
    }
  } else {
    for (let k = 0; k < K; k++) {
      let s = bo + k * brs;
      for (let j = 0, d = k * N; j < N; j++, s += bcs, d++) dst[d] = B[s];
    }
  }
}

/** Computes `out = a × b` (out contiguous `[...batch, M, N]`). */
function runMatmul(a: CpuView, b: CpuView, out: CpuView, simd: WasmGemm | null): void {
  const al = a.layout;
  const bl = b.layout;
  const os = out.layout.shape;
  const nd = os.length;
  const M = os[nd - 2]!;
  const N = os[nd - 1]!;
  const K = al.shape[al.shape.length - 1]!;
  const total = sizeOf(os);
  if (total === 0) return;
  const batchNd = nd - 2;
  const batches = total / (M * N);
  const integer = out.dtype === "int32";
  const ob = out.buffer;
  const oo = out.layout.offset;
  const ars = al.strides[al.shape.length - 2]!;
  const acs = al.strides[al.shape.length - 1]!;
  const brs = bl.strides[bl.shape.length - 2]!;
  const bcs = bl.strides[bl.shape.length - 1]!;
  const fast =
    simd !== null &&
    M * N * K >= WASM_GEMM_MIN_FLOPS &&
    out.buffer instanceof Float32Array &&
    a.buffer instanceof Float32Array &&
    b.buffer instanceof Float32Array
      ? simd
      : null;

  // Fold the batch into M when b is shared by all batches and a's rows are evenly strided.
  let rows = M;
  let rowStride = M > 1 ? ars : -1;
  let fold = true;
  let expected = rowStride * M;
  for (let d = batchNd - 1; d >= 0 && fold; d--) {
    const size = os[d]!;
    if (size === 1) continue;
    if (broadcastStride(bl, d, nd) !== 0) fold = false;
    const s = broadcastStride(al, d, nd);
    if (rowStride < 0) {
      rowStride = s;
      expected = s * size;
    } else if (s !== expected) fold = false;
    else expected *= size;
    rows *= size;
  }
  if (fold && fast) {
    fast(rows, N, K, a.buffer as Float32Array, al.offset, rowStride < 0 ? 0 : rowStride, acs, b.buffer as Float32Array, bl.offset, brs, bcs, ob as Float32Array, oo);
    return;
  }
  if (fold) {
    multiply(integer, rows, N, K, a.buffer, al.offset, rowStride < 0 ? 0 : rowStride, acs, b.buffer, bl.offset, brs, bcs, ob, oo, out.dtype);
    return;
  }
  let packedFor = -1;
  for (let t = 0; t < batches; t++) {
    let ao = al.offset;
    let bo = bl.offset;
    let rest = t;
    for (let d = batchNd - 1; d >= 0; d--) {
      const size = os[d]!;
      const i = rest % size;
      rest = (rest - i) / size;
      ao += i * broadcastStride(al, d, nd);
      bo += i * broadcastStride(bl, d, nd);
    }
    if (fast) {
      fast(M, N, K, a.buffer as Float32Array, ao, ars, acs, b.buffer as Float32Array, bo, brs, bcs, ob as Float32Array, oo + t * M * N);
    } else if (needsPack(integer, N, K, acs, brs, bcs)) {
      const packed = scratchFor(b.dtype, SLOT.packB, K * N);
      if (bo !== packedFor) {
        packRows(b.buffer, bo, brs, bcs, K, N, packed);
        packedFor = bo;
      }
      multiply(integer, M, N, K, a.buffer, ao, ars, acs, packed, 0, N, 1, ob, oo + t * M * N, out.dtype);
    } else {
      multiply(integer, M, N, K, a.buffer, ao, ars, acs, b.buffer, bo, brs, bcs, ob, oo + t * M * N, out.dtype);
    }
  }
}

/** True when `B` can be used in place by neither gemm routine. */
function needsPack(integer: boolean, N: number, K: number, acs: number, brs: number, bcs: number): boolean {
  if (bcs === 1 || N === 1) return false;
  if (integer) return true;
  return !((brs === 1 || K === 1) && (acs === 1 || K === 1));
}

/**
 * One `M × K` by `K × N` product into the contiguous `out` at `oo`. Packs `B` when
 * {@link needsPack} says so (the folded path; the batched path packs before calling).
 */
function multiply(
  integer: boolean,
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bo: number,
  brs: number,
  bcs: number,
  out: TypedArray,
  oo: number,
  dtype: DType,
): void {
  const size = M * N;
  if (needsPack(integer, N, K, acs, brs, bcs)) {
    const packed = scratchFor(dtype, SLOT.packB, K * N);
    packRows(B, bo, brs, bcs, K, N, packed);
    B = packed;
    bo = 0;
    brs = N;
    bcs = 1;
  }
  if (integer) {
    out.fill(0, oo, oo + size);
    gemmInt(M, N, K, A, ao, ars, acs, B, bo, brs, out, oo, N);
    return;
  }
  const direct = out instanceof Float64Array;
  const C = direct ? out : scratchF64(SLOT.gemmAcc, size);
  const co = direct ? oo : 0;
  C.fill(0, co, co + size);
  if (bcs === 1 || N === 1) gemmNN(M, N, K, A, ao, ars, acs, B, bo, brs, C, co, N);
  else gemmNT(M, N, K, A, ao, ars, B, bo, bcs, C, co, N);
  if (!direct) for (let i = 0; i < size; i++) out[oo + i] = C[i]!;
}

type Ins = readonly CpuView[];

/**
 * The matmul kernel, keyed by catalog name, using `simd` (the WebAssembly SIMD GEMM) for
 * float32 products above the size threshold when it is not `null`.
 */
export function makeMatmulKernels(simd: WasmGemm | null) {
  return {
    matmul: (inputs: Ins, outputs: Ins): void => runMatmul(inputs[0]!, inputs[1]!, outputs[0]!, simd),
  };
}

/** The matmul kernel in plain TypeScript (float64 accumulation), keyed by catalog name. */
export const matmulKernels = makeMatmulKernels(null);
