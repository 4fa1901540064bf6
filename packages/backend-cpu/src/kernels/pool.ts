/**
 * 2-D max and average pooling and their gradients, as direct loops over each input plane
 * (strided inputs are made contiguous first). Each window is clipped to the input once, so
 * the innermost loops never test bounds. Gradients accumulate in float64 and are stored once,
 * like the reference.
 */
import { ShapeError, type TypedArray } from "@tessera/storage";
import type { AvgPool2dAttrs, AvgPool2dBackwardAttrs, MaxPool2dAttrs, MaxPool2dBackwardAttrs } from "@tessera/kernels";
import { denseView } from "./elementwise.js";
import { type CpuView, SLOT, scratchF64 } from "./iter.js";
import { firstInside, firstPast } from "./window.js";
import { WASM_UNARY_CHUNK, type WasmMaxPool2x2, type WasmMaxUnpool } from "./wasm-unary.js";

/** Window column ranges of the last {@link runMaxPool2d}, reused between calls. */
let colLo = new Int32Array(64);
let colHi = new Int32Array(64);

/**
 * `maxPool2d(input)` into contiguous `values` and int32 `indices` (flat over each H×W plane).
 * With `fast` (the WebAssembly 2×2 kernel), float32 pooling with a 2×2 window, stride 2, no
 * padding or dilation and every window inside the plane runs there.
 */
function runMaxPool2d(input: CpuView, values: CpuView, indices: CpuView, attrs: MaxPool2dAttrs, fast: WasmMaxPool2x2 | null): void {
  const [N, C, H, W] = input.layout.shape as [number, number, number, number];
  const os = values.layout.shape;
  const Ho = os[2]!;
  const Wo = os[3]!;
  const planes = N * C;
  if (planes === 0 || Ho === 0 || Wo === 0) return;
  const [kH, kW] = attrs.kernelSize;
  const [sH, sW] = attrs.stride;
  const [pH, pW] = attrs.padding;
  const [dH, dW] = attrs.dilation;
  const x = denseView(input, SLOT.dense1);
  const xb = x.buffer;
  const vb = values.buffer;
  const ib = indices.buffer;
  const vo = values.layout.offset;
  const io = indices.layout.offset;
  if (
    fast !== null &&
    xb instanceof Float32Array &&
    vb instanceof Float32Array &&
    kH === 2 && kW === 2 && sH === 2 && sW === 2 && pH === 0 && pW === 0 && dH === 1 && dW === 1 &&
    2 * Ho <= H &&
    2 * Wo <= W &&
    H * W <= WASM_UNARY_CHUNK
  ) {
    fast(xb, x.layout.offset, planes, H, W, Ho, Wo, vb, vo, ib as Int32Array, io);
    return;
  }
  // Each output column's window columns, clipped once per call.
  if (colLo.length < Wo) {
    colLo = new Int32Array(Wo);
    colHi = new Int32Array(Wo);
  }
  for (let ow = 0; ow < Wo; ow++) {
    const w0 = ow * sW - pW;
    const lo = firstInside(w0, dW, kW);
    colLo[ow] = w0 + lo * dW;
    colHi[ow] = w0 + Math.max(lo, firstPast(w0, dW, W, kW)) * dW;
  }
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xo = x.layout.offset + p * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sH - pH;
      const khLo = firstInside(h0, dH, kH);
      const khHi = Math.max(khLo, firstPast(h0, dH, H, kH));
      const rowLo = (h0 + khLo * dH) * W;
      const rowHi = (h0 + khHi * dH) * W;
      const rowStep = dH * W;
      for (let ow = 0; ow < Wo; ow++, o++) {
        const cLo = colLo[ow]!;
        const cHi = colHi[ow]!;
        let best = -Infinity;
        let bestIndex = -1;
        for (let r = rowLo; r < rowHi; r += rowStep) {
          for (let k = r + cLo, e = r + cHi; k < e; k += dW) {
            const v = xb[xo + k];
            // The first in-bounds position is the default; a later NaN replaces an earlier one.
            if (bestIndex < 0 || v > best || v !== v) {
              best = v;
              bestIndex = k;
            }
          }
        }
        vb[vo + o] = best;
        ib[io + o] = bestIndex;
      }
    }
  }
}

/** Throws for the index `k` when it is not a position in an `H × W` plane. */
function checkIndex(k: number, H: number, W: number): void {
  if (!(k >= 0 && k < H * W)) {
    throw new ShapeError(`maxPool2dBackward: Found an invalid max index: ${k} (output volumes are of size ${H}x${W})`);
  }
}

/**
 * `maxPool2dBackward(gradOutput, indices)` into the contiguous `out` of `attrs.inputShape`.
 * Gradients sum in float64 and are stored once, like the reference. With `fast` (the
 * WebAssembly kernel), float32 gradients run there: only the positions some index names are
 * touched in its float64 accumulator, and the rest of the output is zeroed.
 */
function runMaxPool2dBackward(
  gradOutput: CpuView,
  indices: CpuView,
  out: CpuView,
  attrs: MaxPool2dBackwardAttrs,
  fast: WasmMaxUnpool | null,
): void {
  const [N, C, H, W] = attrs.inputShape as [number, number, number, number];
  const total = N * C * H * W;
  const gs = gradOutput.layout.shape;
  const count = gs[2]! * gs[3]!;
  const planes = gs[0]! * gs[1]!;
  const gy = denseView(gradOutput, SLOT.dense1);
  const idx = denseView(indices, SLOT.dense2);
  const ob = out.buffer;
  const oo = out.layout.offset;
  const plane = H * W;
  const gb = gy.buffer;
  const ib = idx.buffer;
  if (fast !== null && gb instanceof Float32Array && ob instanceof Float32Array && plane <= WASM_UNARY_CHUNK) {
    const bad = fast(gb, gy.layout.offset, ib as Int32Array, idx.layout.offset, planes, count, plane, ob, oo);
    if (bad >= 0) checkIndex(ib[idx.layout.offset + bad]!, H, W);
    if (bad !== -2) return;
  }
  const direct = ob instanceof Float64Array;
  const acc = direct ? ob : scratchF64(SLOT.acc, total);
  const ao = direct ? oo : 0;
  acc.fill(0, ao, ao + total);
  let g = gy.layout.offset;
  let i = idx.layout.offset;
  for (let p = 0; p < planes; p++) {
    const base = ao + p * plane;
    for (let j = 0; j < count; j++, g++, i++) {
      const k = ib[i];
      if (!(k >= 0 && k < plane)) checkIndex(k, H, W);
      acc[base + k] += gb[g];
    }
  }
  if (!direct) for (let t = 0; t < total; t++) ob[oo + t] = acc[t]!;
}

/**
 * Average pooling's window rows/cols `[lo, hi)` clipped to the input, and its divisor, by
 * PyTorch's rules (see the reference): the padded count stops at the right/bottom padding.
 * Written into `CELL` to avoid allocating.
 */
const CELL = { h0: 0, h1: 0, w0: 0, w1: 0, divisor: 1 };

function avgCell(H: number, W: number, attrs: AvgPool2dAttrs, oh: number, ow: number): void {
  const [kH, kW] = attrs.kernelSize;
  const [sH, sW] = attrs.stride;
  const [pH, pW] = attrs.padding;
  let h0 = oh * sH - pH;
  let w0 = ow * sW - pW;
  let h1 = Math.min(h0 + kH, H + pH);
  let w1 = Math.min(w0 + kW, W + pW);
  const paddedCount = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, H);
  w1 = Math.min(w1, W);
  CELL.h0 = h0;
  CELL.h1 = h1;
  CELL.w0 = w0;
  CELL.w1 = w1;
  CELL.divisor = attrs.divisorOverride ?? (attrs.countIncludePad ? paddedCount : (h1 - h0) * (w1 - w0));
}

/** `avgPool2d(input)` into the contiguous `out`. */
function runAvgPool2d(input: CpuView, out: CpuView, attrs: AvgPool2dAttrs): void {
  const [N, C, H, W] = input.layout.shape as [number, number, number, number];
  const os = out.layout.shape;
  const Ho = os[2]!;
  const Wo = os[3]!;
  const planes = N * C;
  if (planes === 0) return;
  const x = denseView(input, SLOT.dense1);
  const xb: TypedArray = x.buffer;
  const ob = out.buffer;
  let o = out.layout.offset;
  for (let p = 0; p < planes; p++) {
    const xo = x.layout.offset + p * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++, o++) {
        avgCell(H, W, attrs, oh, ow);
        const { h0, h1, w0, w1 } = CELL;
        if (h0 >= h1 || w0 >= w1) {
          ob[o] = 0;
          continue;
        }
        let sum = 0;
        for (let ih = h0; ih < h1; ih++) {
          const r = xo + ih * W;
          for (let iw = w0; iw < w1; iw++) sum += xb[r + iw];
        }
        ob[o] = sum / CELL.divisor;
      }
    }
  }
}

/** `avgPool2dBackward(gradOutput)` into the contiguous `out` of `attrs.inputShape`. */
function runAvgPool2dBackward(gradOutput: CpuView, out: CpuView, attrs: AvgPool2dBackwardAttrs): void {
  const [N, C, H, W] = attrs.inputShape as [number, number, number, number];
  const total = N * C * H * W;
  const gs = gradOutput.layout.shape;
  const Ho = gs[2]!;
  const Wo = gs[3]!;
  const planes = N * C;
  const gy = denseView(gradOutput, SLOT.dense1);
  const gb = gy.buffer;
  const ob = out.buffer;
  const oo = out.layout.offset;
  const direct = ob instanceof Float64Array;
  const acc = direct ? ob : scratchF64(SLOT.acc, total);
  const ao = direct ? oo : 0;
  acc.fill(0, ao, ao + total);
  let g = gy.layout.offset;
  for (let p = 0; p < planes; p++) {
    const base = ao + p * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++, g++) {
        avgCell(H, W, attrs, oh, ow);
        const { h0, h1, w0, w1 } = CELL;
        if (h0 >= h1 || w0 >= w1) continue;
        const share = gb[g] / CELL.divisor;
        for (let ih = h0; ih < h1; ih++) {
          const r = base + ih * W;
          for (let iw = w0; iw < w1; iw++) acc[r + iw] += share;
        }
      }
    }
  }
  if (!direct) for (let t = 0; t < total; t++) ob[oo + t] = acc[t]!;
}

type Ins = readonly CpuView[];

/**
 * `maxPool2d` using `fast` (the WebAssembly 2×2, stride-2 kernel) where it applies and the
 * TypeScript loop otherwise.
 */
export function makeMaxPoolKernel(fast: WasmMaxPool2x2 | null) {
  return (inputs: Ins, outputs: Ins, attrs: MaxPool2dAttrs): void =>
    runMaxPool2d(inputs[0]!, outputs[0]!, outputs[1]!, attrs, fast);
}

/**
 * `maxPool2dBackward` using `fast` (the WebAssembly kernel) for float32 planes of at most
 * `WASM_UNARY_CHUNK` elements and the TypeScript loops otherwise.
 */
export function makeMaxPoolBackwardKernel(fast: WasmMaxUnpool | null) {
  return (inputs: Ins, outputs: Ins, attrs: MaxPool2dBackwardAttrs): void =>
    runMaxPool2dBackward(inputs[0]!, inputs[1]!, outputs[0]!, attrs, fast);
}

/** The pooling kernels, keyed by catalog name. */
export const poolKernels = {
  maxPool2d: makeMaxPoolKernel(null),
  maxPool2dBackward: makeMaxPoolBackwardKernel(null),
  avgPool2d: (inputs: Ins, outputs: Ins, attrs: AvgPool2dAttrs): void => runAvgPool2d(inputs[0]!, outputs[0]!, attrs),
  avgPool2dBackward: (inputs: Ins, outputs: Ins, attrs: AvgPool2dBackwardAttrs): void =>
    runAvgPool2dBackward(inputs[0]!, outputs[0]!, attrs),
};
