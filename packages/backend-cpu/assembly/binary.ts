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

/** The first free byte address (16-byte aligned): callers' data goes there. */
export function scratch(): usize {
  return (__heap_base + 15) & ~15;
}
