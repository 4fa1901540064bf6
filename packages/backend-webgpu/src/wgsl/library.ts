/**
 * WGSL helper functions shared by the kernels: IEEE special values and checks that do not
 * rely on the compiler keeping NaN semantics, float functions accurate to a few float32 ulps
 * where the built-ins are not (sin, cos and log are allowed errors of about 2⁻¹¹ by the WGSL
 * spec, and SwiftShader uses that freedom), float → int32 conversion with the catalog's
 * wrap-around rule, and the Philox 4x32-10 generator.
 *
 * Each group is a string; a shader includes only the groups it names.
 */

/** NaN and infinity without const-expressions (a const that evaluates to ±∞/NaN is an error in WGSL). */
const SPECIAL = /* wgsl */ `
var<private> F32_INF_BITS: u32 = 0x7f800000u;
fn f32_inf() -> f32 { return bitcast<f32>(F32_INF_BITS); }
fn f32_nan() -> f32 { return bitcast<f32>(F32_INF_BITS | 0x00400000u); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn not_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u; }
fn truthy_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
`;

/** Float math beyond the built-ins. */
const MATH = /* wgsl */ `
// sin and cos of r in [-pi/4, pi/4] (minimax polynomials of Cephes' sinf/cosf).
fn sincos_small(r: f32) -> vec2f {
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
  let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
  return vec2f(s, c);
}
// (sin x, cos x) after reducing x by multiples of pi/2 (three-part Cody-Waite constants).
fn sincos_acc(x: f32) -> vec2f {
  if (not_finite(x)) { return vec2f(f32_nan(), f32_nan()); }
  let k = round(x * 0.636619772367581343);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.54978995489188216e-8;
  let q = i32(k) & 3;
  let sc = sincos_small(r);
  if (q == 0) { return vec2f(sc.x, sc.y); }
  if (q == 1) { return vec2f(sc.y, -sc.x); }
  if (q == 2) { return vec2f(-sc.x, -sc.y); }
  return vec2f(-sc.y, sc.x);
}
// (sin, cos) of 2*pi*t for t in [0, 1), reduced exactly in turns.
fn sincos_turns(t: f32) -> vec2f {
  let q4 = t * 4.0;
  let k = round(q4);
  let r = (q4 - k) * 1.57079632679489662;
  let q = i32(k) & 3;
  let sc = sincos_small(r);
  if (q == 0) { return vec2f(sc.x, sc.y); }
  if (q == 1) { return vec2f(sc.y, -sc.x); }
  if (q == 2) { return vec2f(-sc.x, -sc.y); }
  return vec2f(-sc.y, sc.x);
}
// Natural logarithm: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(f / (2 + f)).
fn log_acc(x0: f32) -> f32 {
  if (is_nan(x0) || x0 < 0.0) { return f32_nan(); }
  if (x0 == 0.0) { return -f32_inf(); }
  if (is_inf(x0)) { return x0; }
  var x = x0;
  var e = 0.0;
  if (x < 1.17549435e-38) { x = x * 16777216.0; e = -24.0; }
  let bits = bitcast<u32>(x);
  e = e + f32(i32((bits >> 23u) & 0xffu) - 127);
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421356) { m = m * 0.5; e = e + 1.0; }
  let f = m - 1.0;
  let s = f / (2.0 + f);
  let z = s * s;
  let lnm = 2.0 * s + 2.0 * s * z * (0.333333333333 + z * (0.2 + z * (0.142857142857 + z * 0.111111111111)));
  return e * 0.693145751953125 + (e * 1.428606765330187e-6 + lnm);
}
fn tanh_acc(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let ax = abs(x);
  var r: f32;
  if (ax < 0.125) {
    let z = ax * ax;
    r = ax + ax * z * (-0.333333333333 + z * (0.133333333333 + z * (-0.053968253968 + z * 0.021869488536)));
  } else if (ax > 20.0) {
    r = 1.0;
  } else {
    let t = exp(-2.0 * ax);
    r = (1.0 - t) / (1.0 + t);
  }
  return select(r, -r, x < 0.0);
}
fn sigmoid_acc(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
// erf: a positive-term series below 2.5, 1 - erfc (continued fraction, modified Lentz) above.
fn erf_acc(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let ax = abs(x);
  var r: f32;
  if (ax < 2.5) {
    let x2 = 2.0 * ax * ax;
    var term = ax;
    var sum = ax;
    for (var n = 1; n < 80; n++) {
      term = term * x2 / f32(2 * n + 1);
      sum = sum + term;
      if (term < sum * 3e-8) { break; }
    }
    r = 1.12837916709551257 * exp(-ax * ax) * sum;
  } else if (ax > 10.0) {
    r = 1.0;
  } else {
    let tiny = 1e-30;
    var f = ax;
    var c = ax;
    var d = 0.0;
    for (var n = 1; n < 100; n++) {
      let a = f32(n) * 0.5;
      d = ax + a * d;
      if (d == 0.0) { d = tiny; }
      c = ax + a / c;
      if (c == 0.0) { c = tiny; }
      d = 1.0 / d;
      let delta = c * d;
      f = f * delta;
      if (abs(delta - 1.0) < 1e-7) { break; }
    }
    r = 1.0 - 0.564189583547756287 * exp(-ax * ax) / f;
  }
  return select(r, -r, x < 0.0);
}
// Math.pow's rules for zeros, infinities, NaN and negative bases with integer exponents.
fn pow_acc(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return f32_nan(); }
  let ab = abs(a);
  var r: f32;
  if (ab == 0.0) {
    r = select(0.0, f32_inf(), b < 0.0);
  } else if (is_inf(ab)) {
    r = select(0.0, f32_inf(), b > 0.0);
  } else if (is_inf(b)) {
    if (ab == 1.0) { return f32_nan(); }
    r = select(0.0, f32_inf(), (ab > 1.0) == (b > 0.0));
    return r;
  } else {
    r = pow(ab, b);
  }
  let negative = (bitcast<u32>(a) >> 31u) != 0u;
  if (negative) {
    if (floor(b) != b) { return f32_nan(); }
    let odd = abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
    if (odd) { return -r; }
  }
  return r;
}
// PyTorch's (0 < x) - (x < 0): NaN gives 0 and -0 gives +0.
fn sign_f32(x: f32) -> f32 { return select(0.0, 1.0, x > 0.0) - select(0.0, 1.0, x < 0.0); }
fn relu_f32(x: f32) -> f32 { return select(0.0, x, x > 0.0 || is_nan(x)); }
fn max_f32(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a > b);
}
fn min_f32(a: f32, b: f32) -> f32 {
  if (is_nan(a)) { return a; }
  if (is_nan(b)) { return b; }
  return select(b, a, a < b);
}
// float32 -> int32: truncate toward zero; NaN and infinities give 0; values outside the int32
// range wrap modulo 2^32 (what storing into an Int32Array does).
fn f32_to_i32(x: f32) -> i32 {
  let bits = bitcast<u32>(x);
  let ex = (bits >> 23u) & 0xffu;
  if (ex == 0xffu) { return 0; }
  if (ex < 158u) { return i32(trunc(x)); }
  let shift = ex - 150u;
  if (shift >= 32u) { return 0; }
  let v = bitcast<i32>(((bits & 0x007fffffu) | 0x00800000u) << shift);
  return select(v, -v, (bits >> 31u) != 0u);
}
`;

/** Philox 4x32-10 (see `@tessera/kernels`' philox.ts for the stream). */
const PHILOX = /* wgsl */ `
// (hi, lo) of the 64-bit product of two u32, the high word through 16-bit halves.
fn mulhilo32(a: u32, b: u32) -> vec2u {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2u(hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);
}
fn philox4x32(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) { k = k + vec2u(0x9e3779b9u, 0xbb67ae85u); }
    let p0 = mulhilo32(0xd2511f53u, c.x);
    let p1 = mulhilo32(0xcd9e8d57u, c.z);
    c = vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
  }
  return c;
}
// The block at 64-bit counter (lo, hi) + j.
fn philox_block(key: vec2u, lo: u32, hi: u32, j: u32) -> vec4u {
  let clo = lo + j;
  let chi = hi + select(0u, 1u, clo < lo);
  return philox4x32(vec4u(clo, chi, 0u, 0u), key);
}
`;

/** The helper groups a shader may include. */
export type Library = "math" | "philox";

/** WGSL of the helper groups (the special-value helpers always come with "math"). */
export function librarySource(libs: readonly Library[]): string {
  let out = "";
  if (libs.includes("math")) out += SPECIAL + MATH;
  if (libs.includes("philox")) out += PHILOX;
  return out;
}
