/**
 * float32 transcendental unary ops for WebAssembly SIMD (compiled by `asc` into a second
 * module; see ../scripts/build-wasm.mjs). Each export maps `n` floats at byte address `src`
 * to `dst` (the two may be the same), four lanes at a time; `n` is rounded up to a multiple
 * of 4, so the caller keeps that many bytes readable and writable.
 *
 * - `exp`: `x = n·ln2 + r` with `n = round(x·log₂e)` and a two-part (Cody–Waite) `ln2`, so
 *   `|r| ≤ ln2/2`; `eʳ` by a degree-6 polynomial (weighted least-squares fit of
 *   relative error on Chebyshev nodes, within 0.07 ulp before rounding); `2ⁿ` applied as two factors
 *   `2^⌊n/2⌋ · 2^(n-⌊n/2⌋)` so that overflow to ∞ and gradual underflow round once. The input
 *   is clamped to [-104, 89] first (results beyond round to 0 / ∞); NaN passes through.
 *   `n` comes from adding 1.5·2²³ (no float→int conversion, which is slow on x64).
 * - `log`: `x = 2ᵉ·m` with `m ∈ [√½, √2)` (subnormals scaled by 2²³ first), `f = m − 1`,
 *   `s = f/(2+f)`, `log(1+f) = f − f²/2 + s·(f²/2 + R(s²))` with `R` the series of `2·atanh`.
 * - `sigmoid`: `1/(1 + e⁻ˣ)` for `x ≥ 0` and `eˣ/(1 + eˣ)` below, with `exp` above.
 * - `maxpool2`: 2×2, stride-2 max pooling with the position of each maximum.
 * - `unpool`: max pooling's gradient, scattered to the positions of the maxima.
 * - `im2col`, `col2im`: the convolutions' unrolling of image groups into a matrix with any
 *   row stride, and its adjoint.
 * - `relu`: a mask of `x ≤ 0` cleared from `x` (NaN passes, ±0 → +0).
 * - `tanh`: an odd polynomial (least-squares fit on Chebyshev nodes) below |x| = 0.625, and
 *   `1 − 2/(e²ˣ + 1)` above, saturating to ±1 past |x| = 9.1; the sign is copied back.
 */

/** tanh(a) ≈ a + a³·(TC1 + TC2·a² + … + TC5·a⁸) on [0, 0.625]: within 0.08 ulp before rounding. */
const TC1: f32 = -0.3333328068256378;
const TC2: f32 = 0.13331441581249237;
const TC3: f32 = -0.05373971536755562;
const TC4: f32 = 0.0206390880048275;
const TC5: f32 = -0.005704987328499556;

/**
 * Every constant the kernels use, splatted from memory by {@link k}: V8 builds a `v128.const`
 * from immediates with several instructions each time, a splatting load is one.
 */
const K = memory.data<f32>([
  -104.0, // 0
  89.0, // 1
  1.44269504, // 2
  12582912.0, // 3
  0.693359375, // 4
  -2.12194440e-4, // 5
  0.0013814539415761828, // 6: eʳ ≈ 1 + r + r²·(k10 + k9·r + k8·r² + k7·r³ + k6·r⁴)
  0.00836874544620514, // 7
  0.04166838899254799, // 8
  0.1666652113199234, // 9
  0.4999999403953552, // 10
  1.0, // 11
  1.17549435e-38, // 12
  8388608.0, // 13
  2.0, // 14
  2.0 / 11.0, // 15
  2.0 / 9.0, // 16
  2.0 / 7.0, // 17
  2.0 / 5.0, // 18
  2.0 / 3.0, // 19
  -Infinity, // 20
  0.0, // 21
  Infinity, // 22
  NaN, // 23
  9.1, // 24
  TC5, // 25
  TC4, // 26
  TC3, // 27
  TC2, // 28
  TC1, // 29
  0.625, // 30
]);

/** The integer constants (bit patterns, shifts, masks), splatted by {@link ki}. */
const KI = memory.data<i32>([
  0x4b400000, // 0
  127, // 1
  0x3f3504f3, // 2
  23, // 3
  0x7fffff, // 4
  0x80000000, // 5
]);

/** Indices into {@link K}. */
const EXP_MIN = 0;
const EXP_MAX = 1;
const LOG2E = 2;
const ROUND_MAGIC = 3;
const LN2_HI = 4;
const LN2_LO = 5;
const E6 = 6;
const E5 = 7;
const E4 = 8;
const E3 = 9;
const E2 = 10;
const ONE = 11;
const FLT_MIN = 12;
const TWO23 = 13;
const TWO = 14;
const L5 = 15;
const L4 = 16;
const L3 = 17;
const L2 = 18;
const L1 = 19;
const NEG_INF = 20;
const ZERO = 21;
const POS_INF = 22;
const NAN = 23;
const TANH_SAT = 24;
const T5 = 25;
const T4 = 26;
const T3 = 27;
const T2 = 28;
const T1 = 29;
const TANH_SPLIT = 30;
/** Indices into {@link KI}. */
const ROUND_MAGIC_BITS = 0;
const EXP_BIAS = 1;
const SQRT_HALF_BITS = 2;
const SUBNORMAL_SHIFT = 3;
const MANTISSA_MASK = 4;
const SIGN_MASK = 5;

// @ts-ignore: decorator
@inline
function k(i: i32): v128 {
  return v128.load32_splat(K + <usize>i * 4);
}

// @ts-ignore: decorator
@inline
function ki(i: i32): v128 {
  return v128.load32_splat(KI + <usize>i * 4);
}

// @ts-ignore: decorator
@inline
function exp4(x: v128): v128 {
  // pmin/pmax (one instruction each on x64) keep NaN: it compares false and stays x.
  x = f32x4.pmin(f32x4.pmax(x, k(EXP_MIN)), k(EXP_MAX));
  // n = round(x·log₂e) by adding 1.5·2²³: the sum's low mantissa bits are n (|n| ≤ 150).
  const t = f32x4.add(f32x4.mul(x, k(LOG2E)), k(ROUND_MAGIC));
  const nf = f32x4.sub(t, k(ROUND_MAGIC));
  // ln2 = 0.693359375 − 2.12194440e-4: the first part has 9 bits, so n·hi is exact.
  let r = f32x4.sub(x, f32x4.mul(nf, k(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(nf, k(LN2_LO)));
  let p = k(E6);
  p = f32x4.add(f32x4.mul(p, r), k(E5));
  p = f32x4.add(f32x4.mul(p, r), k(E4));
  p = f32x4.add(f32x4.mul(p, r), k(E3));
  p = f32x4.add(f32x4.mul(p, r), k(E2));
  p = f32x4.add(f32x4.mul(p, r), k(ONE));
  p = f32x4.add(f32x4.mul(p, r), k(ONE));
  const n = i32x4.sub(t, ki(ROUND_MAGIC_BITS));
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, ki(EXP_BIAS)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, ki(EXP_BIAS)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

export function exp(src: usize, dst: usize, n: i32): void {
  const end = src + ((<usize>n + 3) & ~3) * 4;
  for (; src < end; src += 16, dst += 16) v128.store(dst, exp4(v128.load(src)));
}

export function log(src: usize, dst: usize, n: i32): void {
  const end = src + ((<usize>n + 3) & ~3) * 4;
  for (; src < end; src += 16, dst += 16) {
    const x = v128.load(src);
    const tiny = f32x4.lt(x, k(FLT_MIN));
    const xs = v128.bitselect(f32x4.mul(x, k(TWO23)), x, tiny);
    const i = i32x4.sub(xs, ki(SQRT_HALF_BITS));
    const e = i32x4.sub(i32x4.shr_s(i, 23), v128.and(tiny, ki(SUBNORMAL_SHIFT)));
    const m = i32x4.add(v128.and(i, ki(MANTISSA_MASK)), ki(SQRT_HALF_BITS));
    const f = f32x4.sub(m, k(ONE));
    const s = f32x4.div(f, f32x4.add(f, k(TWO)));
    const z = f32x4.mul(s, s);
    let R = k(L5);
    R = f32x4.add(f32x4.mul(R, z), k(L4));
    R = f32x4.add(f32x4.mul(R, z), k(L3));
    R = f32x4.add(f32x4.mul(R, z), k(L2));
    R = f32x4.add(f32x4.mul(R, z), k(L1));
    R = f32x4.mul(R, z);
    const hfsq = f32x4.mul(f32x4.mul(f, f), k(E2));
    const ef = f32x4.convert_i32x4_s(e);
    let y = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, R)), f32x4.mul(ef, k(LN2_LO)));
    y = f32x4.add(f32x4.sub(y, hfsq), f);
    y = f32x4.add(y, f32x4.mul(ef, k(LN2_HI)));
    // x = 0 → −∞; x = +∞ → +∞; x < 0 or NaN → NaN.
    y = v128.bitselect(k(NEG_INF), y, f32x4.eq(x, k(ZERO)));
    y = v128.bitselect(x, y, f32x4.eq(x, k(POS_INF)));
    y = v128.bitselect(k(NAN), y, v128.not(f32x4.ge(x, k(ZERO))));
    v128.store(dst, y);
  }
}

export function sigmoid(src: usize, dst: usize, n: i32): void {
  const end = src + ((<usize>n + 3) & ~3) * 4;
  for (; src < end; src += 16, dst += 16) {
    const x = v128.load(src);
    const neg = f32x4.lt(x, k(ZERO));
    // e = e^(−|x|) ∈ (0, 1]; σ = 1/(1+e) for x ≥ 0, e/(1+e) for x < 0.
    const e = exp4(f32x4.neg(f32x4.abs(x)));
    const num = v128.bitselect(e, k(ONE), neg);
    v128.store(dst, f32x4.div(num, f32x4.add(e, k(ONE))));
  }
}

export function tanh(src: usize, dst: usize, n: i32): void {
  const end = src + ((<usize>n + 3) & ~3) * 4;
  for (; src < end; src += 16, dst += 16) {
    const x = v128.load(src);
    const a = f32x4.abs(x);
    // Large: 1 − 2/(e^{2a} + 1), with a clamped so e^{2a} stays finite (tanh(9.1) rounds to 1).
    const E = exp4(f32x4.add(f32x4.pmin(a, k(TANH_SAT)), f32x4.pmin(a, k(TANH_SAT))));
    const big = f32x4.sub(k(ONE), f32x4.div(k(TWO), f32x4.add(E, k(ONE))));
    // Small: a + a·z·P(z), z = a².
    const z = f32x4.mul(a, a);
    let p = k(T5);
    p = f32x4.add(f32x4.mul(p, z), k(T4));
    p = f32x4.add(f32x4.mul(p, z), k(T3));
    p = f32x4.add(f32x4.mul(p, z), k(T2));
    p = f32x4.add(f32x4.mul(p, z), k(T1));
    const small = f32x4.add(a, f32x4.mul(f32x4.mul(a, z), p));
    let y = v128.bitselect(small, big, f32x4.lt(a, k(TANH_SPLIT)));
    // Copy the sign of x (tanh is odd; −0 stays −0; NaN stays NaN through both branches).
    y = v128.or(y, v128.and(x, ki(SIGN_MASK)));
    v128.store(dst, y);
  }
}

/**
 * `relu`: `x & ~(x ≤ 0)`, so ±0 and negatives become +0 and NaN (which compares false) passes
 * through, exactly the TypeScript kernel's `v > 0 || v !== v ? v : 0`.
 */
export function relu(src: usize, dst: usize, n: i32): void {
  const end = src + ((<usize>n + 3) & ~3) * 4;
  const zero = f32x4.splat(0);
  for (; src < end; src += 16, dst += 16) {
    const x = v128.load(src);
    v128.store(dst, v128.andnot(x, f32x4.le(x, zero)));
  }
}

/**
 * Max pooling with a 2×2 window and stride 2 over `planes` planes of `H × W` floats at `src`,
 * every window inside the plane (`2·Ho ≤ H`, `2·Wo ≤ W`): the `Ho × Wo` maxima of each plane go
 * to `dst` and their flat positions in the plane (`ih·W + iw`, int32) to `idx`. The window is
 * read in row-major order, `(0,0) (0,1) (1,0) (1,1)`, and a later value wins when it is
 * greater or NaN, exactly the TypeScript kernel's rule. Four outputs at a time: each row's last
 * step may read up to 8 floats past the row (the caller pads the input by 32 bytes) and write
 * up to 3 outputs past it (into the next row, rewritten next, or into 12 bytes of padding).
 */
export function maxpool2(src: usize, H: i32, W: i32, Ho: i32, Wo: i32, planes: i32, dst: usize, idx: usize): void {
  const rowBytes = <usize>W * 4;
  const one = i32x4.splat(1);
  const down = i32x4.splat(W);
  const eight = i32x4.splat(8);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const plane = src + <usize>(p * H) * rowBytes;
    for (let oh = 0; oh < Ho; oh++) {
      let r0 = plane + <usize>(2 * oh) * rowBytes;
      let at = i32x4.add(i32x4.splat(2 * oh * W), i32x4(0, 2, 4, 6));
      let d = dst + o * 4;
      let q = idx + o * 4;
      for (let ow = 0; ow < Wo; ow += 4, r0 += 32, d += 16, q += 16) {
        const a0 = v128.load(r0);
        const a1 = v128.load(r0, 16);
        const b0 = v128.load(r0 + rowBytes);
        const b1 = v128.load(r0 + rowBytes, 16);
        const v00 = i8x16.shuffle(a0, a1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
        const v01 = i8x16.shuffle(a0, a1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
        const v10 = i8x16.shuffle(b0, b1, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
        const v11 = i8x16.shuffle(b0, b1, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
        let best = v00;
        let bi = at;
        let m = v128.or(f32x4.gt(v01, best), f32x4.ne(v01, v01));
        best = v128.bitselect(v01, best, m);
        bi = v128.bitselect(i32x4.add(at, one), bi, m);
        const at1 = i32x4.add(at, down);
        m = v128.or(f32x4.gt(v10, best), f32x4.ne(v10, v10));
        best = v128.bitselect(v10, best, m);
        bi = v128.bitselect(at1, bi, m);
        m = v128.or(f32x4.gt(v11, best), f32x4.ne(v11, v11));
        best = v128.bitselect(v11, best, m);
        bi = v128.bitselect(i32x4.add(at1, one), bi, m);
        v128.store(d, best);
        v128.store(q, bi);
        at = i32x4.add(at, eight);
      }
      o += <usize>Wo;
    }
  }
}

// @ts-ignore: decorator
@inline
function firstInside(off: i32, step: i32, limit: i32): i32 {
  return off >= 0 ? 0 : min(limit, (step - 1 - off) / step);
}

// @ts-ignore: decorator
@inline
function firstPast(off: i32, step: i32, size: i32, limit: i32): i32 {
  return off >= size ? 0 : min(limit, (size - off + step - 1) / step);
}

// @ts-ignore: decorator
@inline
function zeros(p: usize, n: i32): usize {
  for (; n > 0; n--, p += 4) store<f32>(p, 0);
  return p;
}

/**
 * im2col of `n` image groups: the `C` planes of `H × W` floats of image `b` (at
 * `x + b·C·H·W` floats) unrolled into columns `b·Ho·Wo …` of the `(C·kH·kW)`-row matrix at
 * `col` whose rows are `ld` floats apart (zero where a tap falls on padding), in the order of
 * the TypeScript `im2col`. With stride 1 the inside of each output row is copied four floats
 * at a time, so it may read 12 bytes past the input and write 12 past the matrix (the caller
 * pads both). Within the matrix the overrun is rewritten: the images of a row are written in
 * order, then the next row's.
 */
export function im2col(x: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32, Ho: i32, Wo: i32, col: usize, n: i32, ld: i32): void {
  const P = Ho * Wo;
  const image = <usize>(C * H * W) * 4;
  let r = col;
  for (let c = 0; c < C; c++) {
    const xc = x + <usize>(c * H * W) * 4;
    for (let kh = 0; kh < kH; kh++) {
      const hOff = kh * dH - pH;
      const ohLo = firstInside(hOff, sH, Ho);
      const ohHi = max(ohLo, firstPast(hOff, sH, H, Ho));
      for (let kw = 0; kw < kW; kw++, r += <usize>ld * 4) {
        const wOff = kw * dW - pW;
        const owLo = firstInside(wOff, sW, Wo);
        const owHi = max(owLo, firstPast(wOff, sW, W, Wo));
        const inside = owHi - owLo;
        for (let b = 0; b < n; b++) {
          const xb = xc + <usize>b * image;
          let d = zeros(r + <usize>(b * P) * 4, ohLo * Wo);
          for (let oh = ohLo; oh < ohHi; oh++) {
            d = zeros(d, owLo);
            const src = xb + <usize>((oh * sH + hOff) * W + wOff + owLo * sW) * 4;
            if (sW == 1) {
              for (let j = 0; j < inside; j += 4) v128.store(d + <usize>j * 4, v128.load(src + <usize>j * 4));
            } else {
              for (let j = 0; j < inside; j++) store<f32>(d + <usize>j * 4, load<f32>(src + <usize>(j * sW) * 4));
            }
            d = zeros(d + <usize>inside * 4, Wo - owHi);
          }
          zeros(d, (Ho - ohHi) * Wo);
        }
      }
    }
  }
}

/**
 * col2im of `n` image groups: columns `b·Ho·Wo …` of the `(C·kH·kW)`-row float32 matrix at
 * `col` (rows `ld` floats apart) summed back into image `b`'s `C` planes of `H × W` in float64
 * at `acc` (zeroed first), in the order of the TypeScript `col2im`, then rounded once into
 * float32 at `out` (image `b` at `out + b·C·H·W` floats).
 */
export function col2im(col: usize, C: i32, H: i32, W: i32, kH: i32, kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32, Ho: i32, Wo: i32, acc: usize, out: usize, n: i32, ld: i32): void {
  const total = C * H * W * n;
  memory.fill(acc, 0, <usize>total * 8);
  const step = <usize>sW * 8;
  for (let b = 0; b < n; b++) {
    let s = col + <usize>(b * Ho * Wo) * 4;
    for (let c = 0; c < C; c++) {
      const ac = acc + <usize>((b * C + c) * H * W) * 8;
      for (let kh = 0; kh < kH; kh++) {
        const hOff = kh * dH - pH;
        const ohLo = firstInside(hOff, sH, Ho);
        const ohHi = max(ohLo, firstPast(hOff, sH, H, Ho));
        for (let kw = 0; kw < kW; kw++) {
          const wOff = kw * dW - pW;
          const owLo = firstInside(wOff, sW, Wo);
          const owHi = max(owLo, firstPast(wOff, sW, W, Wo));
          for (let oh = ohLo; oh < ohHi; oh++) {
            let q = s + <usize>(oh * Wo + owLo) * 4;
            const e = s + <usize>(oh * Wo + owHi) * 4;
            let a = ac + <usize>((oh * sH + hOff) * W + wOff + owLo * sW) * 8;
            for (; q < e; q += 4, a += step) store<f64>(a, load<f64>(a) + <f64>load<f32>(q));
          }
          s += <usize>ld * 4;
        }
      }
    }
  }
  for (let i = 0; i < total; i++) store<f32>(out + <usize>i * 4, <f32>load<f64>(acc + <usize>i * 8));
}

/**
 * Max pooling's gradient for `planes` planes: `count` int32 positions at `idx` and float32
 * gradients at `g` per plane, summed in float64 at `acc` (only the positions named are
 * touched) and stored once as float32 into the zeroed planes of `plane` floats at `out`.
 * Returns the number of the first position outside `[0, plane)` (nothing is stored then),
 * or -1.
 */
export function unpool(idx: usize, g: usize, count: i32, planes: i32, plane: i32, acc: usize, out: usize): i32 {
  const n = count * planes;
  for (let i = 0; i < n; i++) if (<u32>load<i32>(idx + <usize>i * 4) >= <u32>plane) return i;
  memory.fill(out, 0, <usize>(planes * plane) * 4);
  for (let p = 0, i = 0; p < planes; p++) {
    const base = acc + <usize>(p * plane) * 8;
    for (let e = i + count; i < e; i++) store<f64>(base + <usize>load<i32>(idx + <usize>i * 4) * 8, 0);
  }
  for (let p = 0, i = 0; p < planes; p++) {
    const base = acc + <usize>(p * plane) * 8;
    for (let e = i + count; i < e; i++) {
      const a = base + <usize>load<i32>(idx + <usize>i * 4) * 8;
      store<f64>(a, load<f64>(a) + <f64>load<f32>(g + <usize>i * 4));
    }
  }
  for (let p = 0, i = 0; p < planes; p++) {
    const k = <usize>(p * plane);
    for (let e = i + count; i < e; i++) {
      const j = k + <usize>load<i32>(idx + <usize>i * 4);
      store<f32>(out + j * 4, <f32>load<f64>(acc + j * 8));
    }
  }
  return -1;
}

/** The first free byte address above the constant tables (16-byte aligned): callers' data goes there. */
export function scratch(): usize {
  return (__heap_base + 15) & ~15;
}
