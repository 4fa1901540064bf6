/**
 * `conv2d` and its two gradients by im2col and the gemm routines.
 *
 * For each image and group the input patches are unrolled into a `K × P` matrix
 * (`K = C/groups · kH · kW` rows in (channel, kh, kw) order, `P = Ho · Wo` columns); a 1×1
 * convolution with stride 1 and no padding uses the input plane itself. Then
 *
 * - forward: `out[n, g] (Og × P) = weight[g] (Og × K) · col (K × P)`;
 * - gradient of the input: `colGrad (K × P) = weight[g]ᵀ · gradOut[n, g]`, scattered back
 *   (col2im) into the input's shape;
 * - gradient of the weight: `gradW[g] (Og × K) += gradOut[n, g] (Og × P) · colᵀ`, dot products
 *   of contiguous rows, accumulated over the batch.
 *
 * Sums are in float64 (float32 results are stored once at the end), in the same order as the
 * reference's for the forward op and the weight gradient. With the WebAssembly SIMD GEMM
 * ({@link makeConvKernels}), float32 convolutions whose per-image product has at least
 * `WASM_GEMM_MIN_FLOPS` multiply-adds run each product in float32 there instead: the forward
 * op writes the output directly, the input gradient's `colGrad` is float32 (scattered into a
 * float64 accumulator), and the weight gradient adds each image's float32 product into a
 * float64 accumulator.
 */
import type { TypedArray } from "@tessera/storage";
import type { Conv2dAttrs, Conv2dBackwardInputAttrs, Conv2dBackwardWeightAttrs } from "@tessera/kernels";
import { denseView } from "./elementwise.js";
import { gemmNN, gemmNT } from "./gemm.js";
import { type CpuView, SLOT, scratchF32, scratchF64, scratchFor } from "./iter.js";
import { WASM_GEMM_MIN_FLOPS, type WasmGemm } from "./wasm-gemm.js";
import { type ConvWindow, type WasmConvWindows, wasmConvWindows } from "./wasm-unary.js";
import { firstInside, firstPast } from "./window.js";

/** The sizes and window parameters of one convolution. */
export interface Geometry {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  Cg: number;
  Og: number;
  groups: number;
  kH: number;
  kW: number;
  Ho: number;
  Wo: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
}

/** Geometry from the input, weight and output shapes (already checked by the schema). */
function geometry(inShape: readonly number[], wShape: readonly number[], outHW: readonly number[], attrs: Conv2dAttrs): Geometry {
  const groups = attrs.groups;
  const O = wShape[0]!;
  return {
    N: inShape[0]!,
    C: inShape[1]!,
    H: inShape[2]!,
    W: inShape[3]!,
    O,
    Cg: wShape[1]!,
    Og: O / groups,
    groups,
    kH: wShape[2]!,
    kW: wShape[3]!,
    Ho: outHW[0]!,
    Wo: outHW[1]!,
    sH: attrs.stride[0],
    sW: attrs.stride[1],
    pH: attrs.padding[0],
    pW: attrs.padding[1],
    dH: attrs.dilation[0],
    dW: attrs.dilation[1],
  };
}

/** True when the im2col matrix of an image group is just its input planes. */
function isPointwise(g: Geometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.pH === 0 && g.pW === 0;
}

/**
 * Unrolls the `Cg` channels starting at `x[xo]` (each an `H × W` plane) into `col`
 * (`K × P`, row-major), zero where a tap falls on padding. Exported for the tests of the
 * WebAssembly version.
 */
export function im2col(g: Geometry, x: TypedArray, xo: number, col: TypedArray): void {
  const { H, W, Ho, Wo, kH, kW, sH, sW, pH, pW, dH, dW } = g;
  const P = Ho * Wo;
  const plane = H * W;
  let row = 0;
  for (let c = 0; c < g.Cg; c++) {
    const xc = xo + c * plane;
    for (let kh = 0; kh < kH; kh++) {
      const hOff = kh * dH - pH;
      const ohLo = firstInside(hOff, sH, Ho);
      const ohHi = Math.max(ohLo, firstPast(hOff, sH, H, Ho));
      for (let kw = 0; kw < kW; kw++, row++) {
        const wOff = kw * dW - pW;
        const owLo = firstInside(wOff, sW, Wo);
        const owHi = Math.max(owLo, firstPast(wOff, sW, W, Wo));
        const base = row * P;
        col.fill(0, base, base + ohLo * Wo);
        for (let oh = ohLo; oh < ohHi; oh++) {
          const d = base + oh * Wo;
          // Padding runs are a few elements: plain loops beat `fill` calls here.
          for (let ow = 0; ow < owLo; ow++) col[d + ow] = 0;
          const src = xc + (oh * sH + hOff) * W + wOff;
          if (sW === 1) {
            for (let ow = owLo; ow < owHi; ow++) col[d + ow] = x[src + ow];
          } else {
            for (let ow = owLo; ow < owHi; ow++) col[d + ow] = x[src + ow * sW];
          }
          for (let ow = owHi; ow < Wo; ow++) col[d + ow] = 0;
        }
        col.fill(0, base + ohHi * Wo, base + P);
      }
    }
  }
}

/** The window of `g` per image group, as the WebAssembly im2col/col2im take it. */
function convWindow(g: Geometry): ConvWindow {
  const { Cg: C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, Ho, Wo } = g;
  return { C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, Ho, Wo };
}

/**
 * {@link im2col}, in WebAssembly when `windows` is given and both arrays are float32 (the same
 * values: it copies them).
 */
function unroll(g: Geometry, windows: WasmConvWindows | null, win: ConvWindow, x: TypedArray, xo: number, col: TypedArray): void {
  if (windows !== null && x instanceof Float32Array && col instanceof Float32Array && windows.im2col(win, x, xo, col)) return;
  im2col(g, x, xo, col);
}

/**
 * Adds the `K × P` matrix `colGrad` back into the `Cg` planes of `acc` starting at `ao`
 * (col2im). Exported for the tests of the WebAssembly version.
 */
export function col2im(g: Geometry, colGrad: Float32Array | Float64Array, acc: Float64Array, ao: number): void {
  const { H, W, Ho, Wo, kH, kW, sH, sW, pH, pW, dH, dW } = g;
  const P = Ho * Wo;
  const plane = H * W;
  let row = 0;
  for (let c = 0; c < g.Cg; c++) {
    const ac = ao + c * plane;
    for (let kh = 0; kh < kH; kh++) {
      const hOff = kh * dH - pH;
      const ohLo = firstInside(hOff, sH, Ho);
      const ohHi = Math.max(ohLo, firstPast(hOff, sH, H, Ho));
      for (let kw = 0; kw < kW; kw++, row++) {
        const wOff = kw * dW - pW;
        const owLo = firstInside(wOff, sW, Wo);
        const owHi = Math.max(owLo, firstPast(wOff, sW, W, Wo));
        const base = row * P;
        for (let oh = ohLo; oh < ohHi; oh++) {
          const s = base + oh * Wo;
          const dst = ac + (oh * sH + hOff) * W + wOff;
          for (let ow = owLo; ow < owHi; ow++) acc[dst + ow * sW] += colGrad[s + ow]!;
        }
      }
    }
  }
}

/** Stores `n` float64 values into `out` at `oo` (rounding to float32 if `out` is). */
function store(acc: Float64Array, out: TypedArray, oo: number, n: number): void {
  for (let i = 0; i < n; i++) out[oo + i] = acc[i]!;
}

/** `simd` when it is not `null`, all three buffers are float32 and the product has at least `flops` multiply-adds. */
function pickGemm(simd: WasmGemm | null, flops: number, a: TypedArray, b: TypedArray, out: TypedArray): WasmGemm | null {
  return simd !== null &&
    flops >= WASM_GEMM_MIN_FLOPS &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    out instanceof Float32Array
    ? simd
    : null;
}

/** `conv2d(input, weight)` into the contiguous `out`. */
function runConv2d(
  input: CpuView,
  weight: CpuView,
  out: CpuView,
  attrs: Conv2dAttrs,
  simd: WasmGemm | null,
  windows: WasmConvWindows | null,
): void {
  const os = out.layout.shape;
  const g = geometry(input.layout.shape, weight.layout.shape, [os[2]!, os[3]!], attrs);
  const total = g.N * g.O * g.Ho * g.Wo;
  if (total === 0) return;
  const P = g.Ho * g.Wo;
  const K = g.Cg * g.kH * g.kW;
  const x = denseView(input, SLOT.dense1);
  const w = denseView(weight, SLOT.dense2);
  const ob = out.buffer;
  const oo = out.layout.offset;
  const pointwise = isPointwise(g);
  const col = pointwise ? x.buffer : scratchFor(x.dtype, SLOT.col, K * P);
  const win = convWindow(g);
  const fast = pickGemm(simd, g.Og * P * K, x.buffer, w.buffer, ob);
  if (fast !== null) {
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const xo = x.layout.offset + (n * g.C + gr * g.Cg) * g.H * g.W;
        if (!pointwise) unroll(g, windows, win, x.buffer, xo, col);
        const dst = oo + (n * g.O + gr * g.Og) * P;
        fast(g.Og, P, K, w.buffer as Float32Array, w.layout.offset + gr * g.Og * K, K, 1, col as Float32Array, pointwise ? xo : 0, P, 1, ob as Float32Array, dst);
      }
    }
    return;
  }
  const direct = ob instanceof Float64Array;
  const C = direct ? ob : scratchF64(SLOT.acc, g.Og * P);
  for (let n = 0; n < g.N; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const xo = x.layout.offset + (n * g.C + gr * g.Cg) * g.H * g.W;
      if (!pointwise) unroll(g, windows, win, x.buffer, xo, col);
      const dst = oo + (n * g.O + gr * g.Og) * P;
      const co = direct ? dst : 0;
      C.fill(0, co, co + g.Og * P);
      gemmNN(g.Og, P, K, w.buffer, w.layout.offset + gr * g.Og * K, K, 1, col, pointwise ? xo : 0, P, C, co, P);
      if (!direct) store(C, ob, dst, g.Og * P);
    }
  }
}

/** `conv2dBackwardInput(gradOutput, weight)` into the contiguous `out` (the input's shape). */
function runConv2dBackwardInput(
  gradOutput: CpuView,
  weight: CpuView,
  out: CpuView,
  attrs: Conv2dBackwardInputAttrs,
  simd: WasmGemm | null,
  windows: WasmConvWindows | null,
): void {
  const gs = gradOutput.layout.shape;
  const g = geometry(attrs.inputShape, weight.layout.shape, [gs[2]!, gs[3]!], attrs);
  const total = g.N * g.C * g.H * g.W;
  if (total === 0) return;
  const P = g.Ho * g.Wo;
  const K = g.Cg * g.kH * g.kW;
  const gy = denseView(gradOutput, SLOT.dense1);
  const w = denseView(weight, SLOT.dense2);
  const ob = out.buffer;
  const oo = out.layout.offset;
  const pointwise = isPointwise(g);
  const fast = pickGemm(simd, K * P * g.Og, gy.buffer, w.buffer, ob);
  if (fast !== null && pointwise) {
    // Each (image, group) writes its own planes of the input gradient, which they cover.
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const go = gy.layout.offset + (n * g.O + gr * g.Og) * P;
        const wo = w.layout.offset + gr * g.Og * K;
        const xo = oo + (n * g.C + gr * g.Cg) * g.H * g.W;
        fast(K, P, g.Og, w.buffer as Float32Array, wo, 1, K, gy.buffer as Float32Array, go, P, 1, ob as Float32Array, xo);
      }
    }
    return;
  }
  // With the WebAssembly col2im each image group's planes are summed in the module (in
  // float64, rounded once) and written straight into the output: no accumulator here.
  const win = convWindow(g);
  const wasmCols = fast !== null && windows !== null && ob instanceof Float32Array && windows.reserve(win);
  const direct = ob instanceof Float64Array;
  const acc = direct ? ob : scratchF64(SLOT.acc, wasmCols ? 0 : total);
  const ao = direct ? oo : 0;
  if (!wasmCols) acc.fill(0, ao, ao + total);
  if (fast !== null) {
    const colGrad32 = scratchF32(SLOT.colGrad, K * P);
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const go = gy.layout.offset + (n * g.O + gr * g.Og) * P;
        const wo = w.layout.offset + gr * g.Og * K;
        const xo = ao + (n * g.C + gr * g.Cg) * g.H * g.W;
        fast(K, P, g.Og, w.buffer as Float32Array, wo, 1, K, gy.buffer as Float32Array, go, P, 1, colGrad32, 0);
        if (wasmCols) windows!.col2im(win, colGrad32, ob as Float32Array, oo + (n * g.C + gr * g.Cg) * g.H * g.W);
        else col2im(g, colGrad32, acc, xo);
      }
    }
    if (!wasmCols) store(acc, ob, oo, total);
    return;
  }
  const colGrad = scratchF64(SLOT.colGrad, K * P);
  for (let n = 0; n < g.N; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const go = gy.layout.offset + (n * g.O + gr * g.Og) * P;
      const wo = w.layout.offset + gr * g.Og * K;
      const xo = ao + (n * g.C + gr * g.Cg) * g.H * g.W;
      if (pointwise) {
        // colGrad is the input-gradient plane itself: add weightᵀ · gradOut straight into it.
        gemmNN(K, P, g.Og, w.buffer, wo, 1, K, gy.buffer, go, P, acc, xo, P);
      } else {
        colGrad.fill(0, 0, K * P);
        gemmNN(K, P, g.Og, w.buffer, wo, 1, K, gy.buffer, go, P, colGrad, 0, P);
        col2im(g, colGrad, acc, xo);
      }
    }
  }
  if (!direct) store(acc, ob, oo, total);
}

/** `conv2dBackwardWeight(input, gradOutput)` into the contiguous `out` (the weight's shape). */
function runConv2dBackwardWeight(
  input: CpuView,
  gradOutput: CpuView,
  out: CpuView,
  attrs: Conv2dBackwardWeightAttrs,
  simd: WasmGemm | null,
  windows: WasmConvWindows | null,
): void {
  const gs = gradOutput.layout.shape;
  const g = geometry(input.layout.shape, attrs.weightShape, [gs[2]!, gs[3]!], attrs);
  const K = g.Cg * g.kH * g.kW;
  const total = g.O * K;
  if (total === 0) return;
  const P = g.Ho * g.Wo;
  const x = denseView(input, SLOT.dense1);
  const gy = denseView(gradOutput, SLOT.dense2);
  const ob = out.buffer;
  const oo = out.layout.offset;
  const direct = ob instanceof Float64Array;
  const acc = direct ? ob : scratchF64(SLOT.acc, total);
  const ao = direct ? oo : 0;
  acc.fill(0, ao, ao + total);
  const pointwise = isPointwise(g);
  const col = pointwise ? x.buffer : scratchFor(x.dtype, SLOT.col, K * P);
  const win = convWindow(g);
  const fast = pickGemm(simd, g.Og * K * P, x.buffer, gy.buffer, ob);
  if (fast !== null) {
    // Each image's product (Og × K, float32) is added into the float64 accumulator.
    const prod = scratchF32(SLOT.colGrad, g.Og * K);
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const xo = x.layout.offset + (n * g.C + gr * g.Cg) * g.H * g.W;
        if (!pointwise) unroll(g, windows, win, x.buffer, xo, col);
        const go = gy.layout.offset + (n * g.O + gr * g.Og) * P;
        // colᵀ as the right operand: element (p, k) at k·P + p.
        fast(g.Og, K, P, gy.buffer as Float32Array, go, P, 1, col as Float32Array, pointwise ? xo : 0, 1, P, prod, 0);
        const base = ao + gr * g.Og * K;
        for (let i = 0, m = g.Og * K; i < m; i++) acc[base + i] += prod[i]!;
      }
    }
    if (!direct) store(acc, ob, oo, total);
    return;
  }
  for (let n = 0; n < g.N; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const xo = x.layout.offset + (n * g.C + gr * g.Cg) * g.H * g.W;
      if (!pointwise) unroll(g, windows, win, x.buffer, xo, col);
      const go = gy.layout.offset + (n * g.O + gr * g.Og) * P;
      gemmNT(g.Og, K, P, gy.buffer, go, P, col, pointwise ? xo : 0, P, acc, ao + gr * g.Og * K, K);
    }
  }
  if (!direct) store(acc, ob, oo, total);
}

type Ins = readonly CpuView[];

/**
 * The convolution kernels, keyed by catalog name, using `simd` (the WebAssembly SIMD GEMM) for
 * float32 convolutions above the size threshold when it is not `null`.
 */
export function makeConvKernels(simd: WasmGemm | null) {
  // The WebAssembly im2col/col2im come with the SIMD GEMM (the same engine feature).
  const windows = simd === null ? null : wasmConvWindows();
  return {
    conv2d: (inputs: Ins, outputs: Ins, attrs: Conv2dAttrs): void => runConv2d(inputs[0]!, inputs[1]!, outputs[0]!, attrs, simd, windows),
    conv2dBackwardInput: (inputs: Ins, outputs: Ins, attrs: Conv2dBackwardInputAttrs): void =>
      runConv2dBackwardInput(inputs[0]!, inputs[1]!, outputs[0]!, attrs, simd, windows),
    conv2dBackwardWeight: (inputs: Ins, outputs: Ins, attrs: Conv2dBackwardWeightAttrs): void =>
      runConv2dBackwardWeight(inputs[0]!, inputs[1]!, outputs[0]!, attrs, simd, windows),
  };
}

/** The convolution kernels with the TypeScript gemm routines only, keyed by catalog name. */
export const convKernels = makeConvKernels(null);
