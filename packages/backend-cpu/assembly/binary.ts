/**
 * float32 elementwise binary ops for WebAssembly SIMD (compiled by `asc` into a third module;
 * see ../scripts/build-wasm.mjs): `add`, `sub`, `mul`, `div`, `maximum`, `minimum`, selected
 * by `op` (0–5, in that order). Each export maps `n` floats to `dst` (which may be `a`'s or
 * `b`'s address), four lanes at a time; `n` is rounded up to a multiple of 4, so the caller
 * keeps that many bytes readable and writable.
 *
 * `f32x4.max`/`f32x4.min` are IEEE 754-2019 maximum/minimum: NaN propagates and −0 < +0, as
 * with `Math.max`/`Math.min` (not `pmax`/`pmin`, which return the first operand on NaN or ±0).
 */

// @ts-ignore: decorator
@inline
function apply(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case 0:
      return f32x4.add(x, y);
    case 1:
      return f32x4.sub(x, y);
    case 2:
      return f32x4.mul(x, y);
    case 3:
      return f32x4.div(x, y);
    case 4:
      return f32x4.max(x, y);
    default:
      return f32x4.min(x, y);
  }
}

/** `dst[i] = a[i] op b[i]`. */
export function vv(op: i32, a: usize, b: usize, dst: usize, n: i32): void {
  const end = a + ((<usize>n + 3) & ~3) * 4;
  switch (op) {
    case 0:
      for (; a < end; a += 16, b += 16, dst += 16) v128.store(dst, apply(0, v128.load(a), v128.load(b)));
      break;
    case 1:
      for (; a < end; a += 16, b += 16, dst += 16) v128.store(dst, apply(1, v128.load(a), v128.load(b)));
      break;
    case 2:
      for (; a < end; a += 16, b += 16, dst += 16) v128.store(dst, apply(2, v128.load(a), v128.load(b)));
      break;
    case 3:
      for (; a < end; a += 16, b += 16, dst += 16) v128.store(dst, apply(3, v128.load(a), v128.load(b)));
      break;
    case 4:
      for (; a < end; a += 16, b += 16, dst += 16) v128.store(dst, apply(4, v128.load(a), v128.load(b)));
      break;
    default:
      for (; a < end; a += 16, b += 16, dst += 16) v128.store(dst, apply(5, v128.load(a), v128.load(b)));
  }
}

/** `dst[i] = a[i] op s`. */
export function vs(op: i32, a: usize, s: f32, dst: usize, n: i32): void {
  const end = a + ((<usize>n + 3) & ~3) * 4;
  const y = f32x4.splat(s);
  switch (op) {
    case 0:
      for (; a < end; a += 16, dst += 16) v128.store(dst, apply(0, v128.load(a), y));
      break;
    case 1:
      for (; a < end; a += 16, dst += 16) v128.store(dst, apply(1, v128.load(a), y));
      break;
    case 2:
      for (; a < end; a += 16, dst += 16) v128.store(dst, apply(2, v128.load(a), y));
      break;
    case 3:
      for (; a < end; a += 16, dst += 16) v128.store(dst, apply(3, v128.load(a), y));
      break;
    case 4:
      for (; a < end; a += 16, dst += 16) v128.store(dst, apply(4, v128.load(a), y));
      break;
    default:
      for (; a < end; a += 16, dst += 16) v128.store(dst, apply(5, v128.load(a), y));
  }
}

/** `dst[i] = s op b[i]`. */
export function sv(op: i32, s: f32, b: usize, dst: usize, n: i32): void {
  const end = b + ((<usize>n + 3) & ~3) * 4;
  const x = f32x4.splat(s);
  switch (op) {
    case 0:
      for (; b < end; b += 16, dst += 16) v128.store(dst, apply(0, x, v128.load(b)));
      break;
    case 1:
      for (; b < end; b += 16, dst += 16) v128.store(dst, apply(1, x, v128.load(b)));
      break;
    case 2:
      for (; b < end; b += 16, dst += 16) v128.store(dst, apply(2, x, v128.load(b)));
      break;
    case 3:
      for (; b < end; b += 16, dst += 16) v128.store(dst, apply(3, x, v128.load(b)));
      break;
    case 4:
      for (; b < end; b += 16, dst += 16) v128.store(dst, apply(4, x, v128.load(b)));
      break;
    default:
      for (; b < end; b += 16, dst += 16) v128.store(dst, apply(5, x, v128.load(b)));
  }
}

// ---------------------------------------------------------------------------------------
// Comparisons into bool bytes, and `where`. These take 16 elements per step (16 bytes of
// bools, four f32x4 vectors), so `n` is rounded up to a multiple of 16.
// ---------------------------------------------------------------------------------------

/** Lane mask (all ones or zero) of comparison `op`: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge. */
// @ts-ignore: decorator
@inline
function compare(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case 0:
      return f32x4.eq(x, y);
    case 1:
      return f32x4.ne(x, y);
    case 2:
      return f32x4.lt(x, y);
    case 3:
      return f32x4.le(x, y);
    case 4:
      return f32x4.gt(x, y);
    default:
      return f32x4.ge(x, y);
  }
}

/** Four lane masks (16 lanes, in order) as 16 bytes of 0 or 1. */
// @ts-ignore: decorator
@inline
function bools(m0: v128, m1: v128, m2: v128, m3: v128): v128 {
  const b = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
  return v128.and(b, i8x16.splat(1));
}

/**
 * `dst[i] = a[i] op b[i]` as bytes (0/1); where `as`/`bs` is 0, that operand is the scalar `s`
 * instead (its address is ignored). `dst` may be `a`'s or `b`'s address (it trails the reads).
 */
export function cmp(op: i32, a: usize, as: i32, b: usize, bs: i32, s: f32, dst: usize, n: i32): void {
  const end = dst + ((<usize>n + 15) & ~15);
  const sv = f32x4.splat(s);
  const da: usize = as ? 64 : 0;
  const db: usize = bs ? 64 : 0;
  for (; dst < end; dst += 16) {
    const x0 = as ? v128.load(a) : sv;
    const y0 = bs ? v128.load(b) : sv;
    const x1 = as ? v128.load(a, 16) : sv;
    const y1 = bs ? v128.load(b, 16) : sv;
    const x2 = as ? v128.load(a, 32) : sv;
    const y2 = bs ? v128.load(b, 32) : sv;
    const x3 = as ? v128.load(a, 48) : sv;
    const y3 = bs ? v128.load(b, 48) : sv;
    a += da;
    b += db;
    v128.store(dst, bools(compare(op, x0, y0), compare(op, x1, y1), compare(op, x2, y2), compare(op, x3, y3)));
  }
}

/**
 * `dst[i] = c[i] ≠ 0 ? a[i] : b[i]` (float32 bits copied as they are); where `as`/`bs` is 0,
 * that operand is the scalar `s`. `dst` may be `a`'s or `b`'s address.
 */
export function where(c: usize, a: usize, as: i32, b: usize, bs: i32, s: f32, dst: usize, n: i32): void {
  const end = c + ((<usize>n + 15) & ~15);
  const sv = f32x4.splat(s);
  const da: usize = as ? 64 : 0;
  const db: usize = bs ? 64 : 0;
  const zero = i8x16.splat(0);
  for (; c < end; c += 16, dst += 64) {
    const m = v128.not(i8x16.eq(v128.load(c), zero));
    const lo = i16x8.extend_low_i8x16_s(m);
    const hi = i16x8.extend_high_i8x16_s(m);
    v128.store(dst, v128.bitselect(as ? v128.load(a) : sv, bs ? v128.load(b) : sv, i32x4.extend_low_i16x8_s(lo)));
    v128.store(dst, v128.bitselect(as ? v128.load(a, 16) : sv, bs ? v128.load(b, 16) : sv, i32x4.extend_high_i16x8_s(lo)), 16);
    v128.store(dst, v128.bitselect(as ? v128.load(a, 32) : sv, bs ? v128.load(b, 32) : sv, i32x4.extend_low_i16x8_s(hi)), 32);
    v128.store(dst, v128.bitselect(as ? v128.load(a, 48) : sv, bs ? v128.load(b, 48) : sv, i32x4.extend_high_i16x8_s(hi)), 48);
    a += da;
    b += db;
  }
}

/** The first free byte address (16-byte aligned): callers' data goes there. */
export function scratch(): usize {
  return (__heap_base + 15) & ~15;
}
