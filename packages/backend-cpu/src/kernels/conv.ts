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
 * `WASM_GEMM_MIN_FLOPS` multiply-adds run their products in float32 there instead, one GEMM
 * per batch chunk of `B` images and group ({@link chunkImages}): a per-image product of a small
 * image (32×144·144×121 for the MNIST CNN's second conv) is too small for the threads, and
 * each GEMM call copies its operands in and out. A chunk's im2col matrix is `K × B·P` (image
 * `b`'s columns at `b·P …`, rows `B·P` apart), and
 *
 * - forward: `prod (Og × B·P) = weight[g] · cols`, its rows copied to the images' output
 *   planes (the output's `[B, Og, P]` layout is no single-stride matrix, so the GEMM cannot
 *   write it directly);
 * - input gradient: `colGrad (K × B·P) = weight[g]ᵀ · gradOut` (gathered into `Og × B·P`),
 *   then col2im per image reading rows `B·P` apart (in WebAssembly: summed in float64 per image
 *   and rounded once, written straight into the output);
 * - weight gradient: `prod (Og × K) = gradOut (Og × B·P) · colsᵀ`, whose inner dimension is
 *   the chunk's `B·P` positions, accumulated in float32 within the chunk (as PyTorch's GEMM
 *   does over the whole batch) and added into a float64 accumulator across chunks. The
 *   conformance suite's float32 tolerances and the MNIST app's accuracy, determinism and
 *   resume tests pass with it.
 *
 * Chunks hold at most {@link CONV_CHUNK_FLOATS} floats in their two matrices; products with
 * few multiply-adds per float moved ({@link CONV_CHUNK_MIN_INTENSITY}: conv 1→16 3×3) and
 * images whose product is large on its own keep one GEMM per image, written straight into the
 * output. Measured with `node bench/conv.mjs` (this package; MNIST CNN shapes, batch 64,
 * Node 20, before/after bundles alternated on the 2-vCPU EPYC VM while other jobs kept its
 * second core busy, so noisy): for conv 16→32 3×3 on 13×13 one GEMM per image swung from
 * 1.5–2.4 ms to 16–50 ms per call (each of its 64 threaded GEMMs waits for a worker), one per
 * chunk stayed at 1.4–2.5 ms; with one thread, forward 1.81 → 1.85–1.95 ms, input gradient
 * 2.12–2.26 → 2.22–2.28 ms, weight gradient 2.02–2.04 → 1.88–1.90 ms: the chunks' gain is the
 * threads', which that busy machine could not show.
 */
import type { TypedArray } from "@tessera/storage";
import type { Conv2dAttrs, Conv2dBackwardInputAttrs, Conv2dBackwardWeightAttrs } from "@tessera/kernels";
import { denseView } from "./elementwise.js";
import { gemmNN, gemmNT } from "./gemm.js";
import { type CpuView, SLOT, scratchF32, scratchF64, scratchFor } from "./iter.js";
import { WASM_GEMM_MIN_FLOPS, type WasmGemm } from "./wasm-gemm.js";
import { type ConvWindow, type WasmConvWindows, copyRows, wasmConvWindows } from "./wasm-unary.js";
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
 * Unrolls the `Cg` channels starting at `x[xo]` (each an `H × W` plane) into the `K × P`
 * matrix at `col[co]` whose rows are `ld` floats apart (default `P`: row-major), zero where a
 * tap falls on padding. A batch chunk's matrix holds image `b`'s columns at `b·P …` with
 * `ld = B·P`. Exported for the tests of the WebAssembly version.
 */
export function im2col(g: Geometry, x: TypedArray, xo: number, col: TypedArray, co = 0, ld = g.Ho * g.Wo): void {
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
        const base = co + row * ld;
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
 * {@link im2col} of `n` images (image `b`'s group at `x[xo + b·xStride]`) into columns `b·P …`
 * of the matrix at `col[co]` with rows `ld` apart: in WebAssembly when `windows` is given and
 * both arrays are float32 (the same values: it copies them); row copies for a pointwise
 * convolution.
 */
function unroll(
  g: Geometry, windows: WasmConvWindows | null, win: ConvWindow, x: TypedArray, xo: number, xStride: number, n: number, col: TypedArray, co: number, ld: number,
): void {
  const P = g.Ho * g.Wo;
  if (x instanceof Float32Array && col instanceof Float32Array) {
    if (isPointwise(g)) {
      for (let b = 0; b < n; b++) copyRows(x, xo + b * xStride, P, col, co + b * P, ld, g.Cg, P);
      return;
    }
    if (windows !== null && windows.im2col(win, x, xo, xStride, n, col, co, ld)) return;
  }
  for (let b = 0; b < n; b++) im2col(g, x, xo + b * xStride, col, co + b * P, ld);
}

/**
 * Adds the `K × P` matrix at `colGrad[co]` (rows `ld` apart, default `P`) back into the `Cg`
 * planes of `acc` starting at `ao` (col2im). Exported for the tests of the WebAssembly version.
 */
export function col2im(g: Geometry, colGrad: Float32Array | Float64Array, acc: Float64Array, ao: number, co = 0, ld = g.Ho * g.Wo): void {
  const { H, W, Ho, Wo, kH, kW, sH, sW, pH, pW, dH, dW } = g;
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
        const base = co + row * ld;
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

/**
 * Images per batch chunk of the float32 fast path: enough for a chunk's GEMM to reach about
 * {@link CONV_CHUNK_FLOPS} multiply-adds, within {@link CONV_CHUNK_FLOATS} floats for its two
 * matrices (`(K + Og) · P` per image), spread evenly over the chunks (100 images with room
 * for 64 run as two chunks of 50). 1 (one GEMM per image, written straight into the output)
 * when the product does fewer than {@link CONV_CHUNK_MIN_INTENSITY} multiply-adds per float
 * of its matrices: such products are bound by moving data, and a chunk's larger matrices and
 * extra copies cost more than its larger, threaded GEMM saves.
 */
function chunkImages(g: Geometry, K: number, P: number): number {
  if (chunkLimit === Infinity && (g.Og * K) / (g.Og + K) < CONV_CHUNK_MIN_INTENSITY) return 1;
  const perImage = Math.max(1, g.Og * K * P);
  const most = Math.min(g.N, chunkLimit, Math.ceil(CONV_CHUNK_FLOPS / perImage), Math.floor(CONV_CHUNK_FLOATS / ((K + g.Og) * P)));
  if (most <= 1) return 1;
  return Math.ceil(g.N / Math.ceil(g.N / most));
}

/** Multiply-adds a batch chunk's GEMM aims at (64 M). */
export const CONV_CHUNK_FLOPS = 1 << 26;

/** Most floats a batch chunk's im2col matrix and product (or gathered gradient) hold together (1 M: 4 MiB). */
export const CONV_CHUNK_FLOATS = 1 << 20;

/**
 * Least multiply-adds per float of the im2col matrix and product (`Og·K / (Og + K)`) for
 * batch chunks (measured: conv 1→16 3×3, 5.8, ran 15–40 % slower in chunks; conv 16→32 3×3,
 * 26, faster).
 */
export const CONV_CHUNK_MIN_INTENSITY = 16;

let chunkLimit = Infinity;

/**
 * Test seam: caps the images per batch chunk of the float32 convolutions (default `Infinity`:
 * no cap beyond {@link CONV_CHUNK_FLOPS} and {@link CONV_CHUNK_FLOATS}) and returns the previous
 * cap, so tests can cross chunk boundaries with small tensors. A finite cap also lifts
 * {@link CONV_CHUNK_MIN_INTENSITY}. `1` runs one GEMM per image.
 *
 * @example
 * const before = setConvChunkImages(3);
 * // … a batch of 8 runs as chunks of 3, 3 and 2 images …
 * setConvChunkImages(before);
 */
export function setConvChunkImages(images: number): number {
  const before = chunkLimit;
  chunkLimit = images;
  return before;
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
  const plane = g.H * g.W;
  const x = denseView(input, SLOT.dense1);
  const w = denseView(weight, SLOT.dense2);
  const ob = out.buffer;
  const oo = out.layout.offset;
  const pointwise = isPointwise(g);
  const win = convWindow(g);
  const fast = pickGemm(simd, g.Og * P * K, x.buffer, w.buffer, ob);
  const B = fast === null ? 1 : chunkImages(g, K, P);
  if (fast !== null && B > 1) {
    // One GEMM per chunk and group: weight[g] (Og × K) · cols (K × nb·P) into prod
    // (Og × nb·P), whose rows are then copied to the images' output planes.
    const x32 = x.buffer as Float32Array;
    const w32 = w.buffer as Float32Array;
    const cols = scratchF32(SLOT.col, K * B * P);
    const prod = scratchF32(SLOT.colGrad, g.Og * B * P);
    for (let n0 = 0; n0 < g.N; n0 += B) {
      const nb = Math.min(B, g.N - n0);
      const ld = nb * P;
      for (let gr = 0; gr < g.groups; gr++) {
        unroll(g, windows, win, x32, x.layout.offset + (n0 * g.C + gr * g.Cg) * plane, g.C * plane, nb, cols, 0, ld);
        fast(g.Og, ld, K, w32, w.layout.offset + gr * g.Og * K, K, 1, cols, 0, ld, 1, prod, 0);
        for (let b = 0; b < nb; b++) copyRows(prod, b * P, ld, ob as Float32Array, oo + ((n0 + b) * g.O + gr * g.Og) * P, P, g.Og, P);
      }
    }
    return;
  }
  const col = pointwise ? x.buffer : scratchFor(x.dtype, SLOT.col, K * P);
  if (fast !== null) {
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const xo = x.layout.offset + (n * g.C + gr * g.Cg) * plane;
        if (!pointwise) unroll(g, windows, win, x.buffer, xo, 0, 1, col, 0, P);
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
      const xo = x.layout.offset + (n * g.C + gr * g.Cg) * plane;
      if (!pointwise) unroll(g, windows, win, x.buffer, xo, 0, 1, col, 0, P);
      const dst = oo + (n * g.O + gr * g.Og) * P;
      const co = direct ? dst : 0;
      C.fill(0, co, co + g.Og * P);
      gemmNN(g.Og, P, K, w.buffer, w.layout.offset + gr * g.Og * K, K, 1, col, pointwise ? xo : 0, P, C, co, P);
      if (!direct) store(C, ob, dst, g.Og * P);
    }
  }
}

/**
 * Copies the gradient of images `n0 … n0+nb−1`, group `gr` (`Og` planes of `P` each) into
 * `dst` as an `Og × nb·P` matrix (image `b`'s columns at `b·P …`).
 */
function gatherGrad(g: Geometry, gy: Float32Array, gyo: number, n0: number, nb: number, gr: number, dst: Float32Array): void {
  const P = g.Ho * g.Wo;
  for (let b = 0; b < nb; b++) copyRows(gy, gyo + ((n0 + b) * g.O + gr * g.Og) * P, P, dst, b * P, nb * P, g.Og, P);
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
  const plane = g.H * g.W;
  const gy = denseView(gradOutput, SLOT.dense1);
  const w = denseView(weight, SLOT.dense2);
  const ob = out.buffer;
  const oo = out.layout.offset;
  const pointwise = isPointwise(g);
  const fast = pickGemm(simd, K * P * g.Og, gy.buffer, w.buffer, ob);
  const B = fast === null ? 1 : chunkImages(g, K, P);
  if (fast !== null && pointwise && B === 1) {
    // Each (image, group) writes its own planes of the input gradient, which they cover.
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const go = gy.layout.offset + (n * g.O + gr * g.Og) * P;
        const wo = w.layout.offset + gr * g.Og * K;
        const xo = oo + (n * g.C + gr * g.Cg) * plane;
        fast(K, P, g.Og, w.buffer as Float32Array, wo, 1, K, gy.buffer as Float32Array, go, P, 1, ob as Float32Array, xo);
      }
    }
    return;
  }
  // With the WebAssembly col2im each image group's planes are summed in the module (in
  // float64, rounded once) and written straight into the output: no accumulator here.
  const win = convWindow(g);
  const wasmCols = fast !== null && !pointwise && windows !== null && ob instanceof Float32Array && windows.reserve(win);
  const direct = ob instanceof Float64Array;
  const needAcc = !wasmCols && !(fast !== null && pointwise);
  const acc = direct ? ob : scratchF64(SLOT.acc, needAcc ? total : 0);
  const ao = direct ? oo : 0;
  if (needAcc) acc.fill(0, ao, ao + total);
  if (fast !== null && B > 1) {
    // One GEMM per chunk and group: weight[g]ᵀ (K × Og) · gradOut (Og × nb·P, gathered) into
    // colGrad (K × nb·P), then col2im per image (rows nb·P apart); a pointwise convolution's
    // colGrad rows are the input-gradient planes and are copied there.
    const gy32 = gy.buffer as Float32Array;
    const o32 = ob as Float32Array;
    const gath = scratchF32(SLOT.col, g.Og * B * P);
    const colGrad = scratchF32(SLOT.colGrad, K * B * P);
    for (let n0 = 0; n0 < g.N; n0 += B) {
      const nb = Math.min(B, g.N - n0);
      const ld = nb * P;
      for (let gr = 0; gr < g.groups; gr++) {
        gatherGrad(g, gy32, gy.layout.offset, n0, nb, gr, gath);
        fast(K, ld, g.Og, w.buffer as Float32Array, w.layout.offset + gr * g.Og * K, 1, K, gath, 0, ld, 1, colGrad, 0);
        const xo = (n0 * g.C + gr * g.Cg) * plane;
        if (pointwise) {
          for (let b = 0; b < nb; b++) copyRows(colGrad, b * P, ld, o32, oo + xo + b * g.C * plane, plane, g.Cg, P);
        } else if (wasmCols) {
          windows!.col2im(win, colGrad, 0, ld, nb, o32, oo + xo, g.C * plane);
        } else {
          for (let b = 0; b < nb; b++) col2im(g, colGrad, acc, ao + xo + b * g.C * plane, b * P, ld);
        }
      }
    }
    if (needAcc) store(acc, ob, oo, total);
    return;
  }
  if (fast !== null) {
    const colGrad32 = scratchF32(SLOT.colGrad, K * P);
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const go = gy.layout.offset + (n * g.O + gr * g.Og) * P;
        const wo = w.layout.offset + gr * g.Og * K;
        const xo = ao + (n * g.C + gr * g.Cg) * plane;
        fast(K, P, g.Og, w.buffer as Float32Array, wo, 1, K, gy.buffer as Float32Array, go, P, 1, colGrad32, 0);
        if (wasmCols) windows!.col2im(win, colGrad32, 0, P, 1, ob as Float32Array, oo + (n * g.C + gr * g.Cg) * plane, 0);
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
      const xo = ao + (n * g.C + gr * g.Cg) * plane;
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
  const plane = g.H * g.W;
  const x = denseView(input, SLOT.dense1);
  const gy = denseView(gradOutput, SLOT.dense2);
  const ob = out.buffer;
  const oo = out.layout.offset;
  const direct = ob instanceof Float64Array;
  const acc = direct ? ob : scratchF64(SLOT.acc, total);
  const ao = direct ? oo : 0;
  acc.fill(0, ao, ao + total);
  const pointwise = isPointwise(g);
  const win = convWindow(g);
  const fast = pickGemm(simd, g.Og * K * P, x.buffer, gy.buffer, ob);
  const B = fast === null ? 1 : chunkImages(g, K, P);
  if (fast !== null && B > 1) {
    // One GEMM per chunk and group, its inner dimension the chunk's nb·P positions:
    // gradOut (Og × nb·P, gathered) · colsᵀ (nb·P × K) into prod (Og × K, float32), added into
    // the float64 accumulator.
    const x32 = x.buffer as Float32Array;
    const cols = scratchF32(SLOT.col, K * B * P);
    const gath = scratchF32(SLOT.colGrad, g.Og * B * P);
    const prod = scratchF32(SLOT.acc, g.Og * K);
    for (let n0 = 0; n0 < g.N; n0 += B) {
      const nb = Math.min(B, g.N - n0);
      const ld = nb * P;
      for (let gr = 0; gr < g.groups; gr++) {
        unroll(g, windows, win, x32, x.layout.offset + (n0 * g.C + gr * g.Cg) * plane, g.C * plane, nb, cols, 0, ld);
        gatherGrad(g, gy.buffer as Float32Array, gy.layout.offset, n0, nb, gr, gath);
        // colsᵀ as the right operand: element (q, k) at k·ld + q.
        fast(g.Og, K, ld, gath, 0, ld, 1, cols, 0, 1, ld, prod, 0);
        const base = ao + gr * g.Og * K;
        for (let i = 0, m = g.Og * K; i < m; i++) acc[base + i] += prod[i]!;
      }
    }
    if (!direct) store(acc, ob, oo, total);
    return;
  }
  const col = pointwise ? x.buffer : scratchFor(x.dtype, SLOT.col, K * P);
  if (fast !== null) {
    // Each image's product (Og × K, float32) is added into the float64 accumulator.
    const prod = scratchF32(SLOT.colGrad, g.Og * K);
    for (let n = 0; n < g.N; n++) {
      for (let gr = 0; gr < g.groups; gr++) {
        const xo = x.layout.offset + (n * g.C + gr * g.Cg) * plane;
        if (!pointwise) unroll(g, windows, win, x.buffer, xo, 0, 1, col, 0, P);
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
      const xo = x.layout.offset + (n * g.C + gr * g.Cg) * plane;
      if (!pointwise) unroll(g, windows, win, x.buffer, xo, 0, 1, col, 0, P);
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
