/**
 * General matrix multiplication routines shared by `matmul` and the convolutions.
 *
 * Every routine adds `A·B` into `C` with each `C[i, j]` accumulated in `k` order starting from
 * its current value — the same sequence of float64 additions as the reference's dot product,
 * so contiguous float results match it bit for bit.
 *
 * - {@link gemmNN}: `B` is row-major (`B[k, j]` at `bo + k·ldb + j`). An i-k-j loop over four
 *   rows of `A` at once streams rows of `B` into four accumulator rows of `C`; `k` and `j`
 *   are tiled so the tile of `B` stays in cache across all rows.
 * - {@link gemmNT}: `B` is given transposed (`B[k, j]` at `bo + j·ldb + k`), as rows of length
 *   `K`; each `C[i, j]` is a dot product of two contiguous rows, two by two in registers.
 */
import type { TypedArray } from "@tessera/storage";

/** Columns of `C` per tile (accumulator rows of this many float64 stay in L1). */
const TILE_N = 512;
/** Depth per tile: `TILE_K` rows of a `B` tile (`TILE_K × TILE_N`) stay in L2. */
const TILE_K = 128;

/**
 * `C[i, j] += Σ_k A[i, k] · B[k, j]` for a float `C` (a Float64Array for exact float64
 * accumulation). `A[i, k]` is at `ao + i·ars + k·acs` (any strides); `B` row-major with row
 * stride `ldb`; `C` row-major with row stride `ldc`.
 */
export function gemmNN(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bo: number,
  ldb: number,
  C: Float64Array,
  co: number,
  ldc: number,
): void {
  if (M === 0 || N === 0 || K === 0) return;
  if (N === 1) {
    // Matrix × vector: one register accumulator per row.
    for (let i = 0; i < M; i++) {
      let s = C[co + i * ldc]!;
      let a = ao + i * ars;
      let b = bo;
      for (let k = 0; k < K; k++, a += acs, b += ldb) s += A[a] * B[b];
      C[co + i * ldc] = s;
    }
    return;
  }
  for (let j0 = 0; j0 < N; j0 += TILE_N) {
    const nj = Math.min(TILE_N, N - j0);
    for (let k0 = 0; k0 < K; k0 += TILE_K) {
      const k1 = Math.min(K, k0 + TILE_K);
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        const c0 = co + i * ldc + j0;
        const c1 = c0 + ldc;
        const c2 = c1 + ldc;
        const c3 = c2 + ldc;
        let a = ao + i * ars + k0 * acs;
        for (let k = k0; k < k1; k++, a += acs) {
          const a0 = A[a];
          const a1 = A[a + ars];
          const a2 = A[a + 2 * ars];
          const a3 = A[a + 3 * ars];
          const b = bo + k * ldb + j0;
          for (let j = 0; j < nj; j++) {
            const bv = B[b + j];
            C[c0 + j] += a0 * bv;
            C[c1 + j] += a1 * bv;
            C[c2 + j] += a2 * bv;
            C[c3 + j] += a3 * bv;
          }
        }
      }
      for (; i < M; i++) {
        const c0 = co + i * ldc + j0;
        let a = ao + i * ars + k0 * acs;
        for (let k = k0; k < k1; k++, a += acs) {
          const a0 = A[a];
          const b = bo + k * ldb + j0;
          for (let j = 0; j < nj; j++) C[c0 + j] += a0 * B[b + j];
        }
      }
    }
  }
}

/**
 * `C[i, j] += Σ_k A[i, k] · B[k, j]` with `A` in rows (`A[i, k]` at `ao + i·lda + k`) and `B`
 * given as its transpose in rows (`B[k, j]` at `bo + j·ldb + k`), `C` a Float64Array.
 */
export function gemmNT(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  lda: number,
  B: TypedArray,
  bo: number,
  ldb: number,
  C: Float64Array,
  co: number,
  ldc: number,
): void {
  if (M === 0 || N === 0 || K === 0) return;
  let i = 0;
  for (; i + 2 <= M; i += 2) {
    const a0 = ao + i * lda;
    const a1 = a0 + lda;
    const c0 = co + i * ldc;
    const c1 = c0 + ldc;
    let j = 0;
    for (; j + 2 <= N; j += 2) {
      const b0 = bo + j * ldb;
      const b1 = b0 + ldb;
      let s00 = C[c0 + j]!;
      let s01 = C[c0 + j + 1]!;
      let s10 = C[c1 + j]!;
      let s11 = C[c1 + j + 1]!;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a1 + k];
        const y0 = B[b0 + k];
        const y1 = B[b1 + k];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      C[c0 + j] = s00;
      C[c0 + j + 1] = s01;
      C[c1 + j] = s10;
      C[c1 + j + 1] = s11;
    }
    if (j < N) {
      const b0 = bo + j * ldb;
      let s0 = C[c0 + j]!;
      let s1 = C[c1 + j]!;
      for (let k = 0; k < K; k++) {
        const y = B[b0 + k];
        s0 += A[a0 + k] * y;
        s1 += A[a1 + k] * y;
      }
      C[c0 + j] = s0;
      C[c1 + j] = s1;
    }
  }
  if (i < M) {
    const a0 = ao + i * lda;
    const c0 = co + i * ldc;
    for (let j = 0; j < N; j++) {
      const b0 = bo + j * ldb;
      let s = C[c0 + j]!;
      for (let k = 0; k < K; k++) s += A[a0 + k] * B[b0 + k];
      C[c0 + j] = s;
    }
  }
}

/**
 * int32 `C[i, j] += Σ_k A[i, k] · B[k, j]`, products and sums wrapping modulo 2³² (as the
 * reference's `Math.imul` and `| 0`). Layouts as in {@link gemmNN}; `C` is an Int32Array.
 */
export function gemmInt(
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bo: number,
  ldb: number,
  C: TypedArray,
  co: number,
  ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    const c0 = co + i * ldc;
    let a = ao + i * ars;
    for (let k = 0; k < K; k++, a += acs) {
      const av = A[a];
      if (av === 0) continue;
      const b = bo + k * ldb;
      for (let j = 0; j < N; j++) C[c0 + j] = (C[c0 + j] + Math.imul(av, B[b + j])) | 0;
    }
  }
}
