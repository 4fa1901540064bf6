/**
 * float32 GEMM for WebAssembly SIMD (compiled by `asc`; see ../scripts/build-wasm.mjs).
 *
 * One source, four builds: with or without relaxed SIMD (`--enable relaxed-simd` sets
 * `ASC_FEATURE_RELAXED_SIMD`, which picks the fused 6×8 micro-kernel below at compile time),
 * each with its own memory or with an imported shared memory (for worker threads, each of
 * which runs `gemm` on its own rows of `C` with its own `work` area).
 *
 * `C = A·B` (or `C += A·B`) with `A[i, k]` at `a + 4·(i·ars + k·acs)`, `B[k, j]` at
 * `b + 4·(k·brs + j·bcs)` (any non-negative element strides, so NN, NT, TN and TT are the same
 * call) and `C` row-major with row stride `ldc` elements. Blocks of `A` (`MC × KC`) and `B`
 * (`KC × NC`) are packed into contiguous panels (`MR` rows of `A`, 8 columns of `B`, zero-padded
 * at the edges), and one micro-kernel runs over every pair of panels: 4×8 with eight f32x4
 * accumulators and `f32x4.mul` + `f32x4.add` (more accumulators spill), or, with relaxed
 * SIMD, 6×8 with twelve accumulators and `f32x4.relaxed_madd` (fused where the CPU has FMA). All memory belongs to the caller: `work` must have {@link workBytes} free bytes.
 * Accumulation is in float32 (products and sums rounded to float32, in `k` order per block).
 */

/** Whether this build uses `f32x4.relaxed_madd` (a compile-time constant: one kernel per build). */
const FMA: bool = ASC_FEATURE_RELAXED_SIMD;
const MR: i32 = FMA ? 3 : 4;
const NR: i32 = FMA ? 12 : 8;
const MC: i32 = FMA ? 63 : 64; // multiples of MR
const KC: i32 = 256;
const NC: i32 = FMA ? 504 : 512; // multiples of NR: packB fills whole panels

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
        if (MR == 4) store<f32>(dst, load<f32>(src + 3 * rs), 12);
        src += step;
        dst += <usize>MR * 4;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + <usize>r * 4, r < rows ? load<f32>(src + <usize>r * rs) : 0);
        }
        src += step;
        dst += <usize>MR * 4;
      }
    }
  }
}

/**
 * Four columns of B at `src` (column `c` at `src + c·cs` bytes, four consecutive k each) into
 * four rows of a B panel at `dst` (row `k` at `dst + k·NR·4` bytes): a 4×4 transpose.
 */
// @ts-ignore: decorator
@inline
function packTransposed4(src: usize, cs: usize, dst: usize): void {
  const c0 = v128.load(src);
  const c1 = v128.load(src + cs);
  const c2 = v128.load(src + 2 * cs);
  const c3 = v128.load(src + 3 * cs);
  const lo01 = v128.shuffle<i32>(c0, c1, 0, 4, 1, 5);
  const lo23 = v128.shuffle<i32>(c2, c3, 0, 4, 1, 5);
  const hi01 = v128.shuffle<i32>(c0, c1, 2, 6, 3, 7);
  const hi23 = v128.shuffle<i32>(c2, c3, 2, 6, 3, 7);
  const row = <usize>NR * 4;
  v128.store(dst, v128.shuffle<i32>(lo01, lo23, 0, 1, 4, 5));
  v128.store(dst + row, v128.shuffle<i32>(lo01, lo23, 2, 3, 6, 7));
  v128.store(dst + 2 * row, v128.shuffle<i32>(hi01, hi23, 0, 1, 4, 5));
  v128.store(dst + 3 * row, v128.shuffle<i32>(hi01, hi23, 2, 3, 6, 7));
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
        if (NR == 12) v128.store(dst, v128.load(src, 32), 32);
        src += rs;
        dst += <usize>NR * 4;
      }
    } else if (cols == NR && brs == 1) {
      // B transposed (each column contiguous in k, as `weight.t()`): four k at a time, each
      // group of four columns loaded as four vectors and transposed in registers.
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        for (let g = 0; g < NR; g += 4) packTransposed4(src + <usize>g * cs, cs, dst + <usize>g * 4);
        src += 16;
        dst += <usize>NR * 16;
      }
      for (; k < kc; k++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + <usize>c * 4, load<f32>(src + <usize>c * cs));
        src += 4;
        dst += <usize>NR * 4;
      }
    } else if (cols == NR && NR == 12) {
      for (let k = 0; k < kc; k++) {
        for (let c = 0; c < NR; c++) store<f32>(dst + <usize>c * 4, load<f32>(src + <usize>c * cs));
        src += rs;
        dst += <usize>NR * 4;
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
        dst += <usize>NR * 4;
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
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
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
 * The 3×12 fused micro-kernel of relaxed-SIMD builds: `C[0:3, 0:12] (+)= Ap · Bp` with nine
 * accumulators. V8 issues every load of an iteration before its arithmetic, so the kernel
 * keeps accumulators + B vectors + A splats within x64's 15 usable vector registers
 * (9 + 3 + 3): a 6×8 kernel (12 + 2 + 6) spills and runs at half speed.
 */
// @ts-ignore: decorator
@inline
function micro3(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, add: bool): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c22 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const b2 = v128.load(bp, 32);
    let a = v128.load32_splat(ap);
    c00 = f32x4.relaxed_madd(a, b0, c00);
    c01 = f32x4.relaxed_madd(a, b1, c01);
    c02 = f32x4.relaxed_madd(a, b2, c02);
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.relaxed_madd(a, b0, c10);
    c11 = f32x4.relaxed_madd(a, b1, c11);
    c12 = f32x4.relaxed_madd(a, b2, c12);
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.relaxed_madd(a, b0, c20);
    c21 = f32x4.relaxed_madd(a, b1, c21);
    c22 = f32x4.relaxed_madd(a, b2, c22);
    ap += 12;
    bp += 48;
  }
  if (add) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c02 = f32x4.add(v128.load(c, 32), c02);
    c10 = f32x4.add(v128.load(c + ldc), c10);
    c11 = f32x4.add(v128.load(c + ldc, 16), c11);
    c12 = f32x4.add(v128.load(c + ldc, 32), c12);
    c20 = f32x4.add(v128.load(c + 2 * ldc), c20);
    c21 = f32x4.add(v128.load(c + 2 * ldc, 16), c21);
    c22 = f32x4.add(v128.load(c + 2 * ldc, 32), c22);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c, c02, 32);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + ldc, c12, 32);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 2 * ldc, c22, 32);
}

/** The build's micro-kernel: {@link micro3} with relaxed SIMD, else {@link micro}. */
// @ts-ignore: decorator
@inline
function kernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, add: bool): void {
  if (FMA) micro3(kc, ap, bp, c, ldc, add);
  else micro(kc, ap, bp, c, ldc, add);
}

/** `c + a·b`: `f32x4.relaxed_madd` in relaxed-SIMD builds (fused where the CPU has FMA), else `f32x4.mul` then `f32x4.add`. */
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  return FMA ? f32x4.relaxed_madd(a, b, c) : f32x4.add(c, f32x4.mul(a, b));
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
              if (add) kernel(kc, ap, bp, cp, ldcb, true);
              else kernel(kc, ap, bp, cp, ldcb, false);
            } else {
              kernel(kc, ap, bp, tile, <usize>NR * 4, false);
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
