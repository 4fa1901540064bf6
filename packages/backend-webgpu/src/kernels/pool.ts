/**
 * 2-D pooling and its gradients, all as gathers (one invocation per output element, no
 * atomics, a fixed summation order):
 *
 * - `maxPool2d`: each output scans its window (first maximum wins, NaN beats everything).
 * - `avgPool2d`: each output sums its clipped window and divides by PyTorch's divisor.
 * - `avgPool2dBackward`: each input position sums `gradOutput / divisor` over the windows
 *   that contain it (found arithmetically from kernel, stride and padding).
 * - `maxPool2dBackward`: its attributes carry only the input shape, so the windows are not
 *   known. A first pass finds, for every output row (column), the lowest and highest input
 *   row (column) any index of that row (column) points at — a min/max tree over the indices,
 *   deterministic. The second pass gives each input position the sum of the gradients whose
 *   index is that position, looking only at output rows and columns whose range covers it.
 *
 * Metadata of the window ops: `[n, N, C, H, W, Ho, Wo, kH, kW, sH, sW, pH, pW, dH, dW, flags,
 * divisor, inOffset, 4 strides, outOffset]`.
 */
import { numel } from "@tessera/storage";
import type { KernelTable } from "@tessera/backend";
import type { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import { elemType, program } from "../wgsl/program.js";
import { type View, WG, groups, requireContiguousOutput } from "./common.js";

type Pair = readonly [number, number];

/** PyTorch's pooling output size (as the catalog computes it). */
function outSize(size: number, k: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (k - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

const WINDOW_DECLS = `
fn pN() -> u32 { return mu(1u); }
fn pC() -> u32 { return mu(2u); }
fn pH() -> u32 { return mu(3u); }
fn pW() -> u32 { return mu(4u); }
fn pHo() -> u32 { return mu(5u); }
fn pWo() -> u32 { return mu(6u); }
fn pkH() -> i32 { return mi(7u); }
fn pkW() -> i32 { return mi(8u); }
fn psH() -> i32 { return mi(9u); }
fn psW() -> i32 { return mi(10u); }
fn ppH() -> i32 { return mi(11u); }
fn ppW() -> i32 { return mi(12u); }
fn pdH() -> i32 { return mi(13u); }
fn pdW() -> i32 { return mi(14u); }
fn inAt(n: u32, c: u32, h: u32, w: u32) -> i32 {
  return mi(17u) + i32(n) * mi(18u) + i32(c) * mi(19u) + i32(h) * mi(20u) + i32(w) * mi(21u);
}
// The average-pool window of output (oh, ow) clipped to the input, and its divisor.
struct Cell { h0: i32, h1: i32, w0: i32, w1: i32, divisor: f32 }
fn avg_cell(oh: i32, ow: i32) -> Cell {
  let H = i32(pH());
  let W = i32(pW());
  var h0 = oh * psH() - ppH();
  var w0 = ow * psW() - ppW();
  var h1 = min(h0 + pkH(), H + ppH());
  var w1 = min(w0 + pkW(), W + ppW());
  let padded = (h1 - h0) * (w1 - w0);
  h0 = max(h0, 0);
  w0 = max(w0, 0);
  h1 = min(h1, H);
  w1 = min(w1, W);
  let inside = (h1 - h0) * (w1 - w0);
  var divisor = f32(select(inside, padded, (mu(15u) & 1u) != 0u));
  if ((mu(15u) & 2u) != 0u) { divisor = f32(mi(16u)); }
  return Cell(h0, h1, w0, w1, divisor);
}
`;

/** Decodes linear `i` into (n, c, a, b) of an [N, C, A, B] tensor. */
const DECODE = (A: string, B: string) => `
  let b_ = i % ${B};
  let t1_ = i / ${B};
  let a_ = t1_ % ${A};
  let t2_ = t1_ / ${A};
  let c_ = t2_ % pC();
  let n_ = t2_ / pC();`;

interface WindowAttrs {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation?: Pair;
  readonly ceilMode: boolean;
  readonly countIncludePad?: boolean;
  readonly divisorOverride?: number | null;
}

/** Window metadata for an input of `inShape` (whose layout is `input`, when it is read). */
function windowMeta(n: number, inShape: readonly number[], attrs: WindowAttrs, input: View | null, outOffset: number): number[] {
  const [N, C, H, W] = inShape as [number, number, number, number];
  const [kH, kW] = attrs.kernelSize;
  const [sH, sW] = attrs.stride;
  const [pH, pW] = attrs.padding;
  const [dH, dW] = attrs.dilation ?? [1, 1];
  const Ho = outSize(H, kH, pH, sH, dH, attrs.ceilMode);
  const Wo = outSize(W, kW, pW, sW, dW, attrs.ceilMode);
  const flags = (attrs.countIncludePad ? 1 : 0) | (attrs.divisorOverride != null ? 2 : 0);
  const lin = input ? [input.layout.offset, ...input.layout.strides] : [0, 0, 0, 0, 0];
  return [n, N, C, H, W, Ho, Wo, kH, kW, sH, sW, pH, pW, dH, dW, flags, attrs.divisorOverride ?? 0, ...lin, outOffset];
}

/** The pool kernels of this runtime. */
export function poolKernels(rt: Runtime): KernelTable<WebGPUBuffer> {
  return {
    maxPool2d: ([x], [values, indices], attrs) => {
      requireContiguousOutput("maxPool2d", values!.layout);
      requireContiguousOutput("maxPool2d", indices!.layout);
      const n = numel(values!.layout.shape);
      if (n === 0) return;
      const t = elemType(x!.dtype);
      const key = `maxPool2d:${t}`;
      const isNaN = t === "f32" ? "is_nan(v)" : "false";
      const prog = program(key, () => ({
        key,
        inputs: [t],
        outputs: [t, "i32"],
        libs: ["math"],
        decls: WINDOW_DECLS,
        body: `
  let i = wg * ${WG}u + lid;
  if (i >= mu(0u)) { return; }
${DECODE("pHo()", "pWo()")}
  var best = ${t}(0);
  var bestIndex = -1;
  for (var kh = 0; kh < pkH(); kh = kh + 1) {
    let ih = i32(a_) * psH() - ppH() + kh * pdH();
    if (ih < 0 || ih >= i32(pH())) { continue; }
    for (var kw = 0; kw < pkW(); kw = kw + 1) {
      let iw = i32(b_) * psW() - ppW() + kw * pdW();
      if (iw < 0 || iw >= i32(pW())) { continue; }
      let v = in0[inAt(n_, c_, u32(ih), u32(iw))];
      if (bestIndex < 0 || v > best || ${isNaN}) {
        best = v;
        bestIndex = ih * i32(pW()) + iw;
      }
    }
  }
  out0[mi(22u) + i32(i)] = best;
  out1[mi(23u) + i32(i)] = bestIndex;`,
      }));
      const meta = [...windowMeta(n, x!.layout.shape, attrs, x!, values!.layout.offset), indices!.layout.offset];
      rt.dispatch(prog, [x!.buffer.gpuBuffer], [values!.buffer.gpuBuffer, indices!.buffer.gpuBuffer], meta, groups(n));
    },

    avgPool2d: ([x], [out], attrs) => {
      requireContiguousOutput("avgPool2d", out!.layout);
      const n = numel(out!.layout.shape);
      if (n === 0) return;
      const key = "avgPool2d:f32";
      const prog = program(key, () => ({
        key,
        inputs: ["f32"],
        outputs: ["f32"],
        decls: WINDOW_DECLS,
        body: `
  let i = wg * ${WG}u + lid;
  if (i >= mu(0u)) { return; }
${DECODE("pHo()", "pWo()")}
  let cell = avg_cell(i32(a_), i32(b_));
  var sum = 0.0;
  if (cell.h0 < cell.h1 && cell.w0 < cell.w1) {
    for (var ih = cell.h0; ih < cell.h1; ih = ih + 1) {
      for (var iw = cell.w0; iw < cell.w1; iw = iw + 1) {
        sum = sum + in0[inAt(n_, c_, u32(ih), u32(iw))];
      }
    }
    sum = sum / cell.divisor;
  }
  out0[mi(22u) + i32(i)] = sum;`,
      }));
      const meta = windowMeta(n, x!.layout.shape, attrs, x!, out!.layout.offset);
      rt.dispatch(prog, [x!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], meta, groups(n));
    },

    avgPool2dBackward: ([gy], [out], attrs) => {
      requireContiguousOutput("avgPool2dBackward", out!.layout);
      const n = numel(out!.layout.shape);
      if (n === 0) return;
      const key = "avgPool2dBackward:f32";
      const prog = program(key, () => ({
        key,
        inputs: ["f32"],
        outputs: ["f32"],
        decls: `${WINDOW_DECLS}
fn gyAt(n: u32, c: u32, h: u32, w: u32) -> i32 {
  return mi(23u) + i32(n) * mi(24u) + i32(c) * mi(25u) + i32(h) * mi(26u) + i32(w) * mi(27u);
}
// Outputs along one axis whose window [o*s - p, o*s - p + k) contains position x.
fn cover(x: i32, k: i32, s: i32, p: i32, count: u32) -> vec2i {
  let top = x + p;
  let lo = select(0, (top - k + s) / s, top - k + 1 > 0);
  let hi = min(top / s, i32(count) - 1);
  return vec2i(lo, hi);
}`,
        body: `
  let i = wg * ${WG}u + lid;
  if (i >= mu(0u)) { return; }
${DECODE("pH()", "pW()")}
  let rows = cover(i32(a_), pkH(), psH(), ppH(), pHo());
  let cols = cover(i32(b_), pkW(), psW(), ppW(), pWo());
  var sum = 0.0;
  for (var oh = rows.x; oh <= rows.y; oh = oh + 1) {
    for (var ow = cols.x; ow <= cols.y; ow = ow + 1) {
      let cell = avg_cell(oh, ow);
      sum = sum + in0[gyAt(n_, c_, u32(oh), u32(ow))] / cell.divisor;
    }
  }
  out0[mi(22u) + i32(i)] = sum;`,
      }));
      const meta = [...windowMeta(n, attrs.inputShape, attrs, null, out!.layout.offset), gy!.layout.offset, ...gy!.layout.strides];
      rt.dispatch(prog, [gy!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], meta, groups(n));
    },

    maxPool2dBackward: ([gy, idx], [out], attrs) => {
      requireContiguousOutput("maxPool2dBackward", out!.layout);
      const n = numel(out!.layout.shape);
      if (n === 0) return;
      const [N, C, H, W] = attrs.inputShape as [number, number, number, number];
      const [, , Ho, Wo] = gy!.layout.shape as [number, number, number, number];
      // [n, N, C, H, W, Ho, Wo, 0 (pad to word 8), idx offset + 4 strides (8…12), gy offset + 4 strides (13…17), out offset (18)]
      const meta = [n, N, C, H, W, Ho, Wo, 0, idx!.layout.offset, ...idx!.layout.strides, gy!.layout.offset, ...gy!.layout.strides, out!.layout.offset];
      const common = `
fn qN() -> u32 { return mu(1u); }
fn qC() -> u32 { return mu(2u); }
fn qH() -> u32 { return mu(3u); }
fn qW() -> u32 { return mu(4u); }
fn qHo() -> u32 { return mu(5u); }
fn qWo() -> u32 { return mu(6u); }
fn idxAt(n: u32, c: u32, h: u32, w: u32) -> i32 {
  return mi(8u) + i32(n) * mi(9u) + i32(c) * mi(10u) + i32(h) * mi(11u) + i32(w) * mi(12u);
}`;
      // Pass 1: ranges[2r], ranges[2r+1] = min, max input row over output row r (r < Ho), then
      // the same for columns (at 2·(Ho + c)); empty ranges are (0xffffffff, 0).
      const rangeKey = "maxPool2dBackward/ranges:i32";
      const ranges = program(rangeKey, () => ({
        key: rangeKey,
        inputs: ["i32"],
        outputs: ["u32"],
        decls: `${common}
var<workgroup> smin: array<u32, ${WG}>;
var<workgroup> smax: array<u32, ${WG}>;`,
        body: `
  let lines = qHo() + qWo();
  if (wg >= lines) { return; }
  let isRow = wg < qHo();
  let line = select(wg - qHo(), wg, isRow);
  let other = select(qHo(), qWo(), isRow);
  let count = qN() * qC() * other;
  var lo = 0xffffffffu;
  var hi = 0u;
  for (var j = lid; j < count; j = j + ${WG}u) {
    let q = j % other;
    let nc = j / other;
    let c = nc % qC();
    let n = nc / qC();
    var k: i32;
    if (isRow) { k = in0[idxAt(n, c, line, q)]; } else { k = in0[idxAt(n, c, q, line)]; }
    if (k >= 0 && u32(k) < qH() * qW()) {
      let pos = select(u32(k) % qW(), u32(k) / qW(), isRow);
      lo = min(lo, pos);
      hi = max(hi, pos);
    }
  }
  smin[lid] = lo;
  smax[lid] = hi;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s / 2u) {
    if (lid < s) {
      smin[lid] = min(smin[lid], smin[lid + s]);
      smax[lid] = max(smax[lid], smax[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out0[2u * wg] = smin[0];
    out0[2u * wg + 1u] = smax[0];
  }`,
      }));
      const scratch = rt.pool.acquire(2 * (Ho + Wo) * 4);
      try {
        rt.dispatch(ranges, [idx!.buffer.gpuBuffer], [scratch], meta, Ho + Wo);
        // Pass 2: the gather.
        const key = "maxPool2dBackward:f32";
        const prog = program(key, () => ({
          key,
          inputs: ["f32", "i32", "u32"],
          outputs: ["f32"],
          decls: `${common}
fn gyAt(n: u32, c: u32, h: u32, w: u32) -> i32 {
  return mi(13u) + i32(n) * mi(14u) + i32(c) * mi(15u) + i32(h) * mi(16u) + i32(w) * mi(17u);
}`,
          body: `
  let i = wg * ${WG}u + lid;
  if (i >= mu(0u)) { return; }
  let iw = i % qW();
  let t1 = i / qW();
  let ih = t1 % qH();
  let t2 = t1 / qH();
  let c = t2 % qC();
  let n = t2 / qC();
  let wanted = i32(ih * qW() + iw);
  var sum = 0.0;
  for (var oh = 0u; oh < qHo(); oh = oh + 1u) {
    if (ih < in2[2u * oh] || ih > in2[2u * oh + 1u]) { continue; }
    for (var ow = 0u; ow < qWo(); ow = ow + 1u) {
      let col = 2u * (qHo() + ow);
      if (iw < in2[col] || iw > in2[col + 1u]) { continue; }
      if (in1[idxAt(n, c, oh, ow)] == wanted) { sum = sum + in0[gyAt(n, c, oh, ow)]; }
    }
  }
  out0[mi(18u) + i32(i)] = sum;`,
        }));
        rt.dispatch(prog, [gy!.buffer.gpuBuffer, idx!.buffer.gpuBuffer, scratch], [out!.buffer.gpuBuffer], meta, groups(n));
      } finally {
        rt.pool.release(scratch);
      }
    },
  };
}
