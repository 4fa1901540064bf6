/**
 * float32 GEMM for WebAssembly SIMD (compiled by `asc`; see ../scripts/build-wasm.mjs).
 *
 * `C = A·B` (or `C += A·B`) with `A[i, k]` at `a + 4·(i·ars + k·acs)`, `B[k, j]` at
 * `b + 4·(k·brs + j·bcs)` (any non-negative element strides, so NN, NT, TN and TT are the same
 * call) and `C` row-major with row stride `ldc` elements. Blocks of `A` (`MC × KC`) and `B`
 * (`KC × NC`) are packed into contiguous panels (4 rows of `A`, 8 columns of `B`, zero-padded
 * at the edges), and one 4×8 micro-kernel of eight f32x4 accumulators runs over every pair of
 * panels. All memory belongs to the caller: `work` must have {@link workBytes} free bytes.
 * Accumulation is in float32 (products and sums rounded to float32, in `k` order per block).
 */

const MR: i32 = 4;
const NR: i32 = 8;
const MC: i32 = 64;
const KC: i32 = 256;
const NC: i32 = 512;

/** Bytes of scratch the caller reserves at `work`: packed A, packed B and one edge tile. */
export function workBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

/** Packs rows `[i0, i0+mc)` × depth `[k0, k0+kc)` of A into panels of MR rows. */
function packA(mc: i32, kc: i32, a: usize, ars: i32, acs: i32, i0: i32, k0: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    let src = a + (<usize>(i0 + ir) * <usize>ars + <usize>k0 * <usize>acs) * 4;
    const step = <usize>acs * 4;
    const rs = <usize>ars * 4;
    if (rows == MR) {
      for (let k = 0; k < kc; k++) {
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, load<f32>(src + rs), 4);
        store<f32>(dst, load<f32>(src + 2 * rs), 8);
        store<f32>(dst, load<f32>(src + 3 * rs), 12);
        src += step;
        dst += 16;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + <usize>r * 4, r < rows ? load<f32>(src + <usize>r * rs) : 0);
        }
        src += step;
        dst += 16;
      }
    }
  }
}

/** Packs depth `[k0, k0+kc)` × columns `[j0, j0+nc)` of B into panels of NR columns. */
function packB(kc: i32, nc: i32, b: usize, brs: i32, bcs: i32, k0: i32, j0: i32, dst: usize): void {
  const rs = <usize>brs * 4;
  const cs = <usize>bcs * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    let src = b + (<usize>k0 * <usize>brs + <usize>(j0 + jr) * <usize>bcs) * 4;
    if (cols == NR && bcs == 1) {
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += rs;
        dst += 32;
      }
    } else if (cols == NR) {
      for (let k = 0; k < kc; k++) {
        store<f32>(dst, load<f32>(src));
        store<f32>(dst, load<f32>(src + cs), 4);
        store<f32>(dst, load<f32>(src + 2 * cs), 8);
        store<f32>(dst, load<f32>(src + 3 * cs), 12);
        store<f32>(dst, load<f32>(src + 4 * cs), 16);
        store<f32>(dst, load<f32>(src + 5 * cs), 20);
        store<f32>(dst, load<f32>(src + 6 * cs), 24);
        store<f32>(dst, load<f32>(src + 7 * cs), 28);
        src += rs;
        dst += 32;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let c = 0; c < NR; c++) {
          store<f32>(dst + <usize>c * 4, c < cols ? load<f32>(src + <usize>c * cs) : 0);
        }
        src += rs;
        dst += 32;
      }
    }
  }
}

/** The 4×8 micro-kernel: `C[0:4, 0:8] (+)= Ap · Bp` over `kc` steps; `ldc` in bytes. */
// @ts-ignore: decorator
@inline
function micro(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16;
    bp += 32;
  }
  if (add) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + ldc), c10);
    c11 = f32x4.add(v128.load(c + ldc, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * ldc), c20);
    c21 = f32x4.add(v128.load(c + 2 * ldc, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * ldc), c30);
    c31 = f32x4.add(v128.load(c + 3 * ldc, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * `C (+)= A·B` for `M × K` by `K × N` float32 matrices (see the file comment for the layouts).
 * `accumulate` nonzero adds into `C`; zero overwrites it. `K == 0` leaves or zeroes `C`.
 */
export function gemm(
  M: i32,
  N: i32,
  K: i32,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  brs: i32,
  bcs: i32,
  c: usize,
  ldc: i32,
  accumulate: i32,
  work: usize,
): void {
  const pa = work;
  const pb = work + <usize>(MC * KC) * 4;
  const tile = pb + <usize>(KC * NC) * 4;
  const ldcb = <usize>ldc * 4;
  if (K == 0) {
    if (accumulate == 0) {
      for (let i = 0; i < M; i++) memory.fill(c + <usize>i * ldcb, 0, <usize>N * 4);
    }
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const add = accumulate != 0 || pc > 0;
      packB(kc, nc, b, brs, bcs, pc, jc, pb);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packA(mc, kc, a, ars, acs, ic, pc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const bp = pb + <usize>jr * <usize>kc * 4;
          const cols = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const ap = pa + <usize>ir * <usize>kc * 4;
            const rows = min(MR, mc - ir);
            const cp = c + <usize>(ic + ir) * ldcb + <usize>(jc + jr) * 4;
            if (rows == MR && cols == NR) {
              if (add) micro(kc, ap, bp, cp, ldcb, true);
              else micro(kc, ap, bp, cp, ldcb, false);
            } else {
              micro(kc, ap, bp, tile, <usize>NR * 4, false);
              for (let r = 0; r < rows; r++) {
                const crow = cp + <usize>r * ldcb;
                const trow = tile + <usize>(r * NR) * 4;
                for (let q = 0; q < cols; q++) {
                  const v = load<f32>(trow + <usize>q * 4);
                  const dst = crow + <usize>q * 4;
                  store<f32>(dst, add ? load<f32>(dst) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}
