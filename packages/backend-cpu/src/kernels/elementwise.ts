/**
 * Elementwise kernels: unary and binary math, `where`, `copy`, `cast`, and the creation ops
 * `fill` and `arange`.
 *
 * Every op has one "row" routine per arity that runs a tight loop over `n` elements with a
 * stride per operand; the op is chosen by a `switch` outside the loop, so each loop body is
 * the op's own code (no per-element calls through closures). Three paths call it:
 *
 * - all operands contiguous with the output's shape: one call over every element;
 * - an operand with a single element (a scalar): one call with stride 0 for it;
 * - anything else (strided, transposed, broadcast views, strided outputs): the shape is
 *   coalesced by {@link planIteration} and an odometer over the outer dims calls the row
 *   routine once per innermost row.
 */
import type { TypedArray } from "@tessera/storage";
import type { ArangeAttrs, CastAttrs, FillAttrs } from "@tessera/kernels";
import { erf, roundHalfEven, sigmoid } from "@tessera/kernels";
import { erfFloat32 } from "./erf-float32.js";
import {
  type CpuView,
  SLOT,
  PLAN_INDEX,
  PLAN_S0,
  PLAN_S1,
  PLAN_S2,
  PLAN_S3,
  PLAN_SHAPE,
  isDense,
  planIteration,
  sameShape,
  scratchFor,
  sizeOf,
} from "./iter.js";

// ---------------------------------------------------------------------------------------
// Unary
// ---------------------------------------------------------------------------------------

/** Op codes of the one-input row routine (literal values so the switch is a jump table). */
const enum U {
  Neg = 0,
  Abs = 1,
  Sign = 2,
  Exp = 3,
  Log = 4,
  Sqrt = 5,
  Rsqrt = 6,
  Sin = 7,
  Cos = 8,
  Tanh = 9,
  Sigmoid = 10,
  Relu = 11,
  Erf = 12,
  Reciprocal = 13,
  Floor = 14,
  Ceil = 15,
  Round = 16,
  LogicalNot = 17,
  /** Store as is (the output array's element type converts: copy and most casts). */
  Identity = 18,
  /** `x != 0` as 0/1 (casts to bool; NaN is true). */
  ToBool = 19,
}

/** `o[oi + i·os] = f(x[xi + i·xs])` for `i < n`. */
function unaryRow(op: U, x: TypedArray, xi: number, xs: number, o: TypedArray, oi: number, os: number, n: number): void {
  let i = 0;
  switch (op) {
    case U.Neg:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = -x[xi];
      return;
    case U.Abs:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.abs(x[xi]);
      return;
    case U.Sign:
      // PyTorch's (0 < x) − (x < 0): NaN gives 0 and −0 gives +0.
      for (; i < n; i++, xi += xs, oi += os) o[oi] = +(x[xi] > 0) - +(x[xi] < 0);
      return;
    case U.Exp:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.exp(x[xi]);
      return;
    case U.Log:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.log(x[xi]);
      return;
    case U.Sqrt:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.sqrt(x[xi]);
      return;
    case U.Rsqrt:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = 1 / Math.sqrt(x[xi]);
      return;
    case U.Sin:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.sin(x[xi]);
      return;
    case U.Cos:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.cos(x[xi]);
      return;
    case U.Tanh:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.tanh(x[xi]);
      return;
    case U.Sigmoid:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = sigmoid(x[xi]);
      return;
    case U.Relu:
      for (; i < n; i++, xi += xs, oi += os) {
        const v = x[xi];
        o[oi] = v > 0 || v !== v ? v : 0;
      }
      return;
    case U.Erf:
      // float32 results need far fewer terms than the reference's float64-exact series.
      if (o instanceof Float32Array) for (; i < n; i++, xi += xs, oi += os) o[oi] = erfFloat32(x[xi]);
      else for (; i < n; i++, xi += xs, oi += os) o[oi] = erf(x[xi]);
      return;
    case U.Reciprocal:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = 1 / x[xi];
      return;
    case U.Floor:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.floor(x[xi]);
      return;
    case U.Ceil:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = Math.ceil(x[xi]);
      return;
    case U.Round:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = roundHalfEven(x[xi]);
      return;
    case U.LogicalNot:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = +(x[xi] === 0);
      return;
    case U.Identity:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = x[xi];
      return;
    case U.ToBool:
      for (; i < n; i++, xi += xs, oi += os) o[oi] = +(x[xi] !== 0);
      return;
  }
}

/** Below this many elements the bitwise relu ({@link reluBits}) does not pay for its views. */
const RELU_BITS_MIN = 64;

/**
 * `relu` of `n` dense float32 (`words` 1) or float64 (`words` 2) values on their bits, as
 * int32 words (little-endian: the sign and exponent are in the last word of each value):
 * cleared when the sign bit is set (negatives and −0, giving +0) unless the value is NaN, else
 * kept. The same results as the `v > 0 || v !== v ? v : 0` loop without its branch, which
 * mispredicts on data of mixed signs (measured on float32: 4.4 vs 0.7 ns per element).
 */
function reluBits(x: Int32Array, xi: number, o: Int32Array, oi: number, n: number, words: 1 | 2): void {
  if (words === 1) {
    for (let i = 0; i < n; i++) {
      const b = x[xi + i]!;
      const nan = (0x7f800000 - (b & 0x7fffffff)) >> 31;
      o[oi + i] = b & (~(b >> 31) | nan);
    }
    return;
  }
  for (let i = 0, e = 2 * n; i < e; i += 2) {
    const lo = x[xi + i]!;
    const hi = x[xi + i + 1]!;
    const nan = (0x7ff00000 - (hi & 0x7fffffff) - +(lo !== 0)) >> 31;
    const keep = ~(hi >> 31) | nan;
    o[oi + i] = lo & keep;
    o[oi + i + 1] = hi & keep;
  }
}

/** Runs unary op `op` from `x` into `out` (same shape, or `x` broadcastable to it). */
function runUnary(op: U, x: CpuView, out: CpuView): void {
  const xl = x.layout;
  const ol = out.layout;
  const shape = ol.shape;
  const xb = x.buffer;
  const ob = out.buffer;
  if (sameShape(xl.shape, shape) && isDense(xl) && isDense(ol)) {
    const n = sizeOf(shape);
    if (op === U.Relu && n >= RELU_BITS_MIN) {
      const words = xb instanceof Float32Array && ob instanceof Float32Array ? 1 : xb instanceof Float64Array && ob instanceof Float64Array ? 2 : 0;
      if (words !== 0) {
        const xw = new Int32Array(xb.buffer, xb.byteOffset, xb.length * words);
        const ow = new Int32Array(ob.buffer, ob.byteOffset, ob.length * words);
        reluBits(xw, xl.offset * words, ow, ol.offset * words, n, words);
        return;
      }
    }
    unaryRow(op, xb, xl.offset, 1, ob, ol.offset, 1, n);
    return;
  }
  const nd = planIteration(shape, 2, xl, ol, null, null);
  if (nd <= 1) {
    if (nd === 0) unaryRow(op, xb, xl.offset, 0, ob, ol.offset, 0, 1);
    else if (nd === 1) unaryRow(op, xb, xl.offset, PLAN_S0[0]!, ob, ol.offset, PLAN_S1[0]!, PLAN_SHAPE[0]!);
    return;
  }
  const inner = nd - 1;
  const n = PLAN_SHAPE[inner]!;
  const xs = PLAN_S0[inner]!;
  const os = PLAN_S1[inner]!;
  let xo = xl.offset;
  let oo = ol.offset;
  for (let d = 0; d < inner; d++) PLAN_INDEX[d] = 0;
  for (;;) {
    unaryRow(op, xb, xo, xs, ob, oo, os, n);
    let d = inner - 1;
    for (; d >= 0; d--) {
      xo += PLAN_S0[d]!;
      oo += PLAN_S1[d]!;
      if (++PLAN_INDEX[d]! < PLAN_SHAPE[d]!) break;
      PLAN_INDEX[d] = 0;
      xo -= PLAN_S0[d]! * PLAN_SHAPE[d]!;
      oo -= PLAN_S1[d]! * PLAN_SHAPE[d]!;
    }
    if (d < 0) return;
  }
}

// ---------------------------------------------------------------------------------------
// Binary
// ---------------------------------------------------------------------------------------

/** Op codes of the two-input row routine. */
const enum B {
  Add = 0,
  Sub = 1,
  Mul = 2,
  /** int32 multiplication, wrapping modulo 2³² like the reference (`Math.imul`). */
  MulInt = 3,
  Div = 4,
  Pow = 5,
  Maximum = 6,
  Minimum = 7,
  Eq = 8,
  Ne = 9,
  Lt = 10,
  Le = 11,
  Gt = 12,
  Ge = 13,
  LogicalAnd = 14,
  LogicalOr = 15,
}

/** `o[oi + i·os] = f(a[ai + i·as], b[bi + i·bs])` for `i < n`. */
function binaryRow(
  op: B,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  o: TypedArray,
  oi: number,
  os: number,
  n: number,
): void {
  let i = 0;
  switch (op) {
    case B.Add:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = a[ai] + b[bi];
      return;
    case B.Sub:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = a[ai] - b[bi];
      return;
    case B.Mul:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = a[ai] * b[bi];
      return;
    case B.MulInt:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = Math.imul(a[ai], b[bi]);
      return;
    case B.Div:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = a[ai] / b[bi];
      return;
    case B.Pow:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = Math.pow(a[ai], b[bi]);
      return;
    case B.Maximum:
      // Math.max propagates NaN, as the reference does.
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = Math.max(a[ai], b[bi]);
      return;
    case B.Minimum:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = Math.min(a[ai], b[bi]);
      return;
    // Comparisons and logical ops store `+(bool)`: branch-free, where `c ? 1 : 0` mispredicts
    // on random data (measured 4.6 vs 0.35 ns per element).
    case B.Eq:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] === b[bi]);
      return;
    case B.Ne:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] !== b[bi]);
      return;
    case B.Lt:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] < b[bi]);
      return;
    case B.Le:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] <= b[bi]);
      return;
    case B.Gt:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] > b[bi]);
      return;
    case B.Ge:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] >= b[bi]);
      return;
    case B.LogicalAnd:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] !== 0) & +(b[bi] !== 0);
      return;
    case B.LogicalOr:
      for (; i < n; i++, ai += as, bi += bs, oi += os) o[oi] = +(a[ai] !== 0) | +(b[bi] !== 0);
      return;
  }
}

/**
 * True if `part` (leading 1s ignored) equals the trailing dims of `shape` and has elements,
 * so a contiguous `part` repeats as whole rows of a contiguous `shape`.
 */
function isTrailing(part: readonly number[], shape: readonly number[]): boolean {
  let i = 0;
  while (i < part.length && part[i] === 1) i++;
  const k = part.length - i;
  if (k > shape.length) return false;
  const lead = shape.length - k;
  for (let j = 0; j < k; j++) if (part[i + j] !== shape[lead + j]) return false;
  return sizeOf(part) > 0;
}

/** Runs binary op `op` on `a` and `b` (broadcast to `out`'s shape) into `out`. */
function runBinary(op: B, a: CpuView, b: CpuView, out: CpuView): void {
  const al = a.layout;
  const bl = b.layout;
  const ol = out.layout;
  const shape = ol.shape;
  const ab = a.buffer;
  const bb = b.buffer;
  const ob = out.buffer;
  if (isDense(ol)) {
    const aSame = sameShape(al.shape, shape);
    const bSame = sameShape(bl.shape, shape);
    if (aSame && bSame) {
      if (isDense(al) && isDense(bl)) {
        binaryRow(op, ab, al.offset, 1, bb, bl.offset, 1, ob, ol.offset, 1, sizeOf(shape));
        return;
      }
    } else if (aSame && isDense(al) && sizeOf(bl.shape) === 1) {
      binaryRow(op, ab, al.offset, 1, bb, bl.offset, 0, ob, ol.offset, 1, sizeOf(shape));
      return;
    } else if (bSame && isDense(bl) && sizeOf(al.shape) === 1) {
      binaryRow(op, ab, al.offset, 0, bb, bl.offset, 1, ob, ol.offset, 1, sizeOf(shape));
      return;
    } else if (aSame && isDense(al) && isDense(bl) && isTrailing(bl.shape, shape)) {
      // A contiguous row (e.g. a bias) repeated over the leading dims.
      const inner = sizeOf(bl.shape);
      const total = sizeOf(shape);
      for (let r = 0; r < total; r += inner) binaryRow(op, ab, al.offset + r, 1, bb, bl.offset, 1, ob, ol.offset + r, 1, inner);
      return;
    } else if (bSame && isDense(bl) && isDense(al) && isTrailing(al.shape, shape)) {
      const inner = sizeOf(al.shape);
      const total = sizeOf(shape);
      for (let r = 0; r < total; r += inner) binaryRow(op, ab, al.offset, 1, bb, bl.offset + r, 1, ob, ol.offset + r, 1, inner);
      return;
    }
  }
  const nd = planIteration(shape, 3, al, bl, ol, null);
  if (nd <= 1) {
    if (nd === 0) binaryRow(op, ab, al.offset, 0, bb, bl.offset, 0, ob, ol.offset, 0, 1);
    else if (nd === 1) {
      binaryRow(op, ab, al.offset, PLAN_S0[0]!, bb, bl.offset, PLAN_S1[0]!, ob, ol.offset, PLAN_S2[0]!, PLAN_SHAPE[0]!);
    }
    return;
  }
  const inner = nd - 1;
  const n = PLAN_SHAPE[inner]!;
  const as = PLAN_S0[inner]!;
  const bs = PLAN_S1[inner]!;
  const os = PLAN_S2[inner]!;
  let ao = al.offset;
  let bo = bl.offset;
  let oo = ol.offset;
  for (let d = 0; d < inner; d++) PLAN_INDEX[d] = 0;
  for (;;) {
    binaryRow(op, ab, ao, as, bb, bo, bs, ob, oo, os, n);
    let d = inner - 1;
    for (; d >= 0; d--) {
      ao += PLAN_S0[d]!;
      bo += PLAN_S1[d]!;
      oo += PLAN_S2[d]!;
      if (++PLAN_INDEX[d]! < PLAN_SHAPE[d]!) break;
      const size = PLAN_SHAPE[d]!;
      PLAN_INDEX[d] = 0;
      ao -= PLAN_S0[d]! * size;
      bo -= PLAN_S1[d]! * size;
      oo -= PLAN_S2[d]! * size;
    }
    if (d < 0) return;
  }
}

// ---------------------------------------------------------------------------------------
// where
// ---------------------------------------------------------------------------------------

/** `o = c ? a : b` along one row. */
function whereRow(
  c: TypedArray,
  ci: number,
  cs: number,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  o: TypedArray,
  oi: number,
  os: number,
  n: number,
): void {
  for (let i = 0; i < n; i++, ci += cs, ai += as, bi += bs, oi += os) o[oi] = c[ci] !== 0 ? a[ai] : b[bi];
}

/**
 * `where` on the bits of `words`-word values (int32 views of float32 or int32 arrays, words 1,
 * or float64, words 2): `o = (a & m) | (b & ~m)` with `m` all ones where `c ≠ 0`. The values
 * are those of the ternary, without its branch (mispredicted on mixed conditions: 3.6 ns per
 * element measured). `as`/`bs` are 1 for a dense operand, 0 for a single element.
 */
function whereBits(
  c: TypedArray,
  ci: number,
  a: Int32Array,
  ai: number,
  as: number,
  b: Int32Array,
  bi: number,
  bs: number,
  o: Int32Array,
  oi: number,
  n: number,
  words: number,
): void {
  // `(k | -k) >> 31` is all ones when the bool byte k is not 0: integer ops only, no compare.
  if (words === 1 && as === 1) {
    if (bs === 1) {
      for (let i = 0; i < n; i++) {
        const k = c[ci + i]!;
        const m = (k | -k) >> 31;
        o[oi + i] = (a[ai + i]! & m) | (b[bi + i]! & ~m);
      }
    } else {
      const y = b[bi]!;
      for (let i = 0; i < n; i++) {
        const k = c[ci + i]!;
        const m = (k | -k) >> 31;
        o[oi + i] = (a[ai + i]! & m) | (y & ~m);
      }
    }
    return;
  }
  const da = as * words;
  const db = bs * words;
  for (let i = 0; i < n; i++, ai += da, bi += db, oi += words) {
    const k = c[ci + i]!;
    const m = (k | -k) >> 31;
    o[oi] = (a[ai]! & m) | (b[bi]! & ~m);
    if (words === 2) o[oi + 1] = (a[ai + 1]! & m) | (b[bi + 1]! & ~m);
  }
}

/** Below this many elements the bitwise `where` does not pay for its views. */
const WHERE_BITS_MIN = 64;

/** Words per element of `x` when it is float32, int32 (1) or float64 (2), else 0. */
function wordsOf(x: TypedArray): number {
  return x instanceof Float32Array || x instanceof Int32Array ? 1 : x instanceof Float64Array ? 2 : 0;
}

/** An int32 view of all of `x`'s elements. */
function int32Words(x: TypedArray, words: number): Int32Array {
  return x instanceof Int32Array ? x : new Int32Array(x.buffer, x.byteOffset, x.length * words);
}

/** `where(condition, input, other)` into `out`, all broadcast to `out`'s shape. */
function runWhere(c: CpuView, a: CpuView, b: CpuView, out: CpuView): void {
  const cl = c.layout;
  const al = a.layout;
  const bl = b.layout;
  const ol = out.layout;
  const shape = ol.shape;
  const total = sizeOf(shape);
  if (total >= WHERE_BITS_MIN && sameShape(cl.shape, shape) && isDense(cl) && isDense(ol)) {
    const words = wordsOf(out.buffer);
    const as = sameShape(al.shape, shape) && isDense(al) ? 1 : sizeOf(al.shape) === 1 ? 0 : -1;
    const bs = sameShape(bl.shape, shape) && isDense(bl) ? 1 : sizeOf(bl.shape) === 1 ? 0 : -1;
    const sameKind = (x: TypedArray) => x.constructor === out.buffer.constructor;
    if (words !== 0 && as >= 0 && bs >= 0 && sameKind(a.buffer) && sameKind(b.buffer)) {
      const aw = int32Words(a.buffer, words);
      const bw = int32Words(b.buffer, words);
      const ow = int32Words(out.buffer, words);
      whereBits(c.buffer, cl.offset, aw, al.offset * words, as, bw, bl.offset * words, bs, ow, ol.offset * words, total, words);
      return;
    }
  }
  if (
    sameShape(cl.shape, shape) &&
    sameShape(al.shape, shape) &&
    sameShape(bl.shape, shape) &&
    isDense(cl) &&
    isDense(al) &&
    isDense(bl) &&
    isDense(ol)
  ) {
    whereRow(c.buffer, cl.offset, 1, a.buffer, al.offset, 1, b.buffer, bl.offset, 1, out.buffer, ol.offset, 1, sizeOf(shape));
    return;
  }
  const nd = planIteration(shape, 4, cl, al, bl, ol);
  if (nd < 0) return;
  if (nd === 0) {
    whereRow(c.buffer, cl.offset, 0, a.buffer, al.offset, 0, b.buffer, bl.offset, 0, out.buffer, ol.offset, 0, 1);
    return;
  }
  const inner = nd - 1;
  const n = PLAN_SHAPE[inner]!;
  const cs = PLAN_S0[inner]!;
  const as = PLAN_S1[inner]!;
  const bs = PLAN_S2[inner]!;
  const os = PLAN_S3[inner]!;
  let co = cl.offset;
  let ao = al.offset;
  let bo = bl.offset;
  let oo = ol.offset;
  for (let d = 0; d < inner; d++) PLAN_INDEX[d] = 0;
  for (;;) {
    whereRow(c.buffer, co, cs, a.buffer, ao, as, b.buffer, bo, bs, out.buffer, oo, os, n);
    let d = inner - 1;
    for (; d >= 0; d--) {
      co += PLAN_S0[d]!;
      ao += PLAN_S1[d]!;
      bo += PLAN_S2[d]!;
      oo += PLAN_S3[d]!;
      if (++PLAN_INDEX[d]! < PLAN_SHAPE[d]!) break;
      const size = PLAN_SHAPE[d]!;
      PLAN_INDEX[d] = 0;
      co -= PLAN_S0[d]! * size;
      ao -= PLAN_S1[d]! * size;
      bo -= PLAN_S2[d]! * size;
      oo -= PLAN_S3[d]! * size;
    }
    if (d < 0) return;
  }
}

// ---------------------------------------------------------------------------------------
// copy, cast
// ---------------------------------------------------------------------------------------

/** Below this many elements a plain loop beats `TypedArray.prototype.set` on a subarray. */
const SET_THRESHOLD = 128;

/**
 * Copies `x` into `out` converting element types with `op` (Identity or ToBool). When the
 * output's storage overlaps the input's (`copy_` from a view of itself), the input is read
 * into scratch first so no element is overwritten before it is read.
 */
function runCopy(op: U, x: CpuView, out: CpuView): void {
  const xl = x.layout;
  const ol = out.layout;
  const shape = ol.shape;
  if (op === U.Identity && sameShape(xl.shape, shape) && isDense(xl) && isDense(ol)) {
    const n = sizeOf(shape);
    if (n >= SET_THRESHOLD) {
      out.buffer.set(x.buffer.subarray(xl.offset, xl.offset + n), ol.offset);
    } else {
      unaryRow(U.Identity, x.buffer, xl.offset, 1, out.buffer, ol.offset, 1, n);
    }
    return;
  }
  if (x.buffer === out.buffer && !(xl.offset === ol.offset && sameShape(xl.strides, ol.strides))) {
    const n = sizeOf(xl.shape);
    const tmp = scratchFor(x.dtype, SLOT.copyOverlap, n);
    runUnary(U.Identity, x, { buffer: tmp, dtype: x.dtype, layout: { shape: xl.shape, strides: denseStrides(xl.shape), offset: 0 } });
    runUnary(op, { buffer: tmp, dtype: x.dtype, layout: { shape: xl.shape, strides: denseStrides(xl.shape), offset: 0 } }, out);
    return;
  }
  runUnary(op, x, out);
}

/** Row-major strides of `shape`. */
export function denseStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

// ---------------------------------------------------------------------------------------
// fill, arange
// ---------------------------------------------------------------------------------------

/** The value `fill` stores for `value` in an array of `dtype` (bool is `value != 0`). */
function fillValue(value: number, dtype: string): number {
  return dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
}

/** Sets every element of `out` (any strided view) to `value`. */
function runFill(out: CpuView, value: number): void {
  const ol = out.layout;
  const ob = out.buffer;
  const v = fillValue(value, out.dtype);
  if (isDense(ol)) {
    ob.fill(v, ol.offset, ol.offset + sizeOf(ol.shape));
    return;
  }
  const nd = planIteration(ol.shape, 1, ol, null, null, null);
  if (nd < 0) return;
  if (nd === 0) {
    ob[ol.offset] = v;
    return;
  }
  const inner = nd - 1;
  const n = PLAN_SHAPE[inner]!;
  const os = PLAN_S0[inner]!;
  let oo = ol.offset;
  for (let d = 0; d < inner; d++) PLAN_INDEX[d] = 0;
  for (;;) {
    if (os === 1) ob.fill(v, oo, oo + n);
    else for (let i = 0, j = oo; i < n; i++, j += os) ob[j] = v;
    let d = inner - 1;
    for (; d >= 0; d--) {
      oo += PLAN_S0[d]!;
      if (++PLAN_INDEX[d]! < PLAN_SHAPE[d]!) break;
      PLAN_INDEX[d] = 0;
      oo -= PLAN_S0[d]! * PLAN_SHAPE[d]!;
    }
    if (d < 0) return;
  }
}

/** `out[i] = start + i·step`, computed in float64 and stored (int32 truncates). */
function runArange(out: CpuView, attrs: ArangeAttrs): void {
  const ol = out.layout;
  const ob = out.buffer;
  const n = ol.shape[0] ?? 1;
  const s = ol.strides[0] ?? 1;
  const { start, step } = attrs;
  for (let i = 0, j = ol.offset; i < n; i++, j += s) ob[j] = start + i * step;
}

// ---------------------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------------------

type Ins = readonly CpuView[];

/** Makes the kernel of a unary op. */
const unary =
  (op: U) =>
  (inputs: Ins, outputs: Ins): void =>
    runUnary(op, inputs[0]!, outputs[0]!);

/** Makes the kernel of a binary op. */
const binary =
  (op: B) =>
  (inputs: Ins, outputs: Ins): void =>
    runBinary(op, inputs[0]!, inputs[1]!, outputs[0]!);

/** The unary kernels, keyed by catalog name. */
export const unaryKernels = {
  neg: unary(U.Neg),
  abs: unary(U.Abs),
  sign: unary(U.Sign),
  exp: unary(U.Exp),
  log: unary(U.Log),
  sqrt: unary(U.Sqrt),
  rsqrt: unary(U.Rsqrt),
  sin: unary(U.Sin),
  cos: unary(U.Cos),
  tanh: unary(U.Tanh),
  sigmoid: unary(U.Sigmoid),
  relu: unary(U.Relu),
  erf: unary(U.Erf),
  reciprocal: unary(U.Reciprocal),
  floor: unary(U.Floor),
  ceil: unary(U.Ceil),
  round: unary(U.Round),
  logicalNot: unary(U.LogicalNot),
};

/** The binary kernels, keyed by catalog name. */
export const binaryKernels = {
  add: binary(B.Add),
  sub: binary(B.Sub),
  mul: (inputs: Ins, outputs: Ins): void =>
    runBinary(inputs[0]!.dtype === "int32" ? B.MulInt : B.Mul, inputs[0]!, inputs[1]!, outputs[0]!),
  div: binary(B.Div),
  pow: binary(B.Pow),
  maximum: binary(B.Maximum),
  minimum: binary(B.Minimum),
  eq: binary(B.Eq),
  ne: binary(B.Ne),
  lt: binary(B.Lt),
  le: binary(B.Le),
  gt: binary(B.Gt),
  ge: binary(B.Ge),
  logicalAnd: binary(B.LogicalAnd),
  logicalOr: binary(B.LogicalOr),
};

/** `where`, `copy`, `cast`, `fill` and `arange`, keyed by catalog name. */
export const otherElementwiseKernels = {
  where: (inputs: Ins, outputs: Ins): void => runWhere(inputs[0]!, inputs[1]!, inputs[2]!, outputs[0]!),
  copy: (inputs: Ins, outputs: Ins): void => runCopy(U.Identity, inputs[0]!, outputs[0]!),
  cast: (inputs: Ins, outputs: Ins, attrs: CastAttrs): void =>
    runCopy(attrs.dtype === "bool" && inputs[0]!.dtype !== "bool" ? U.ToBool : U.Identity, inputs[0]!, outputs[0]!),
  fill: (_inputs: Ins, outputs: Ins, attrs: FillAttrs): void => runFill(outputs[0]!, attrs.value),
  arange: (_inputs: Ins, outputs: Ins, attrs: ArangeAttrs): void => runArange(outputs[0]!, attrs),
};

/** Copies `x` into `out` (any layouts of one shape, one dtype); used by other kernels. */
export function copyInto(x: CpuView, out: CpuView): void {
  runCopy(U.Identity, x, out);
}

/**
 * `x` itself when its elements are contiguous, else a contiguous copy of it in scratch slot
 * `slot` (valid until the next use of that slot).
 */
export function denseView(x: CpuView, slot: number): CpuView {
  if (isDense(x.layout)) return x;
  const shape = x.layout.shape;
  const view: CpuView = {
    buffer: scratchFor(x.dtype, slot, sizeOf(shape)),
    dtype: x.dtype,
    layout: { shape, strides: denseStrides(shape), offset: 0 },
  };
  runUnary(U.Identity, x, view);
  return view;
}
