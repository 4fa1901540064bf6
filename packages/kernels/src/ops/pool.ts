/**
 * 2-D max and average pooling over NCHW tensors and their gradients, with PyTorch's
 * semantics: output sizes (including `ceilMode`), padding limits, argmax indices flat over
 * each input plane, and the average's divisor rules.
 */
import { type Layout, DTypeError, ShapeError, formatShape, numel, shapesEqual } from "@tessera/storage";
import { requireFloat, requireNumeric } from "../dtypes.js";
import { forEachIndex, offsetOf } from "../strided.js";
import type {
  AvgPool2dAttrs,
  AvgPool2dBackwardAttrs,
  MaxPool2dAttrs,
  MaxPool2dBackwardAttrs,
  Pair,
} from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** Sizes of one pooling problem, checked. */
interface PoolGeometry {
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly Ho: number;
  readonly Wo: number;
}

/** The window parameters shared by max and average pooling. */
interface Window {
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
}

/** Throws unless `pair` is two integers. */
function checkIntPair(op: string, name: string, pair: Pair): void {
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v))) {
    throw new ShapeError(`${op}: ${name} must be a pair of integers (height, width), but got ${JSON.stringify(pair)}`);
  }
}

/**
 * PyTorch's pooling output size along one dim: `floor` (or `ceil` with `ceilMode`) of
 * `(size + 2·pad − dilation·(kernel − 1) − 1) / stride`, plus one; in ceil mode the last
 * window must start inside the input or its left padding, else it is dropped.
 */
function poolOutputSize(size: number, kernel: number, pad: number, stride: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
  let out = Math.floor(span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** Throws unless `shape` is 4-D with non-zero C, H, W (N may be 0), as PyTorch requires. */
function checkPoolInput(op: string, shape: readonly number[], what = "input"): void {
  if (
    shape.length !== 4 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0) ||
    shape[1] === 0 ||
    shape[2] === 0 ||
    shape[3] === 0
  ) {
    throw new ShapeError(
      `${op}: Expected a 4D (batch mode) ${what} [N, C, H, W] with non-zero C, H and W (optional 0 dim batch size), but got: ${formatShape(shape)}`,
    );
  }
}

/**
 * Checks the window attributes and input shape in PyTorch's order and returns the sizes.
 * `op` names the caller in every message.
 */
function poolGeometry(op: string, shape: readonly number[], win: Window, what = "input"): PoolGeometry {
  checkIntPair(op, "kernelSize", win.kernelSize);
  checkIntPair(op, "stride", win.stride);
  checkIntPair(op, "padding", win.padding);
  checkIntPair(op, "dilation", win.dilation);
  const [kH, kW] = win.kernelSize;
  const [sH, sW] = win.stride;
  const [pH, pW] = win.padding;
  const [dH, dW] = win.dilation;
  if (kH <= 0 || kW <= 0) {
    throw new ShapeError(`${op}: kernel size should be greater than zero, but got kH: ${kH} kW: ${kW}`);
  }
  if (sH <= 0 || sW <= 0) {
    throw new ShapeError(`${op}: stride should be greater than zero, but got dH: ${sH} dW: ${sW}`);
  }
  if (dH <= 0 || dW <= 0) {
    throw new ShapeError(`${op}: dilation should be greater than zero, but got dilationH: ${dH} dilationW: ${dW}`);
  }
  for (const [pad, k, d] of [
    [pH, kH, dH],
    [pW, kW, dW],
  ] as const) {
    if (pad < 0) throw new ShapeError(`${op}: pad must be non-negative, but got pad: ${pad}`);
    const effective = (k - 1) * d + 1;
    if (pad > Math.floor(effective / 2)) {
      throw new ShapeError(
        `${op}: pad should be at most half of effective kernel size, but got pad=${pad}, kernel_size=${k} and dilation=${d}. Use padding <= ${Math.floor(effective / 2)}.`,
      );
    }
  }
  checkPoolInput(op, shape, what);
  if (Math.floor(kW / 2) < pW || Math.floor(kH / 2) < pH) {
    throw new ShapeError(
      `${op}: pad should be smaller than or equal to half of kernel size, but got padW = ${pW}, padH = ${pH}, kW = ${kW}, kH = ${kH}`,
    );
  }
  const [N, C, H, W] = shape as [number, number, number, number];
  const Ho = poolOutputSize(H, kH, pH, sH, dH, win.ceilMode);
  const Wo = poolOutputSize(W, kW, pW, sW, dW, win.ceilMode);
  if (Ho < 1 || Wo < 1) {
    throw new ShapeError(
      `${op}: Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${Ho}x${Wo}). Output size is too small. Use a smaller kernel, stride or dilation, or more padding.`,
    );
  }
  return { N, C, H, W, Ho, Wo };
}

/** The window of average pooling (which has no dilation). */
function avgWindow(attrs: AvgPool2dAttrs): Window {
  return { ...attrs, dilation: [1, 1] };
}

/** Throws unless `divisorOverride` is null or a non-zero integer. */
function checkDivisor(op: string, attrs: AvgPool2dAttrs): void {
  const d = attrs.divisorOverride;
  if (d !== null && (!Number.isInteger(d) || d === 0)) {
    throw new ShapeError(`${op}: divisor must be not zero (and an integer), but got divisorOverride=${d}. Use null for the default divisor.`);
  }
}

/** Throws unless `shape` is a valid 4-D shape attribute. */
function checkShapeAttr(op: string, name: string, shape: readonly number[] | undefined): void {
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: attribute ${name} must be a 4D shape of non-negative integers, but got ${JSON.stringify(shape)}`);
  }
}

/** Throws unless the output view has `shape`. */
function checkOut(op: string, out: StridedArray, shape: readonly number[]): void {
  if (!shapesEqual(out.layout.shape, shape)) {
    throw new ShapeError(`${op}: output has shape ${formatShape(out.layout.shape)} but the op computes shape ${formatShape(shape)}`);
  }
}

/** Storage offset of the 4-D index `[a, b, c, d]` under `l`. */
function at4(l: Layout, a: number, b: number, c: number, d: number): number {
  return l.offset + a * l.strides[0]! + b * l.strides[1]! + c * l.strides[2]! + d * l.strides[3]!;
}

/** Writes the contiguous row-major accumulator `acc` into `out` (any layout). */
function writeOut(out: StridedArray, acc: ArrayLike<number>): void {
  const dst = out.data;
  forEachIndex(out.layout.shape, (index, linear) => {
    dst[offsetOf(out.layout, index)] = acc[linear]!;
  });
}

/**
 * Average pooling's window at output `(oh, ow)`, clipped to the input, and its divisor —
 * PyTorch's rules: with `countIncludePad` the divisor counts the window's positions inside
 * the padded input (padding included, but not positions past the right/bottom padding that
 * a `ceilMode` window reaches); without it, only positions inside the input;
 * `divisorOverride` replaces both.
 */
function avgCell(g: PoolGeometry, attrs: AvgPool2dAttrs, oh: number, ow: number) {
  const [kH, kW] = attrs.kernelSize;
  const [sH, sW] = attrs.stride;
  const [pH, pW] = attrs.padding;
  let h0 = oh * sH - pH;
  let w0 = ow * sW - pW;
  let h1 = Math.min(h0 + kH, g.H + pH);
  let w1 = Math.min(w0 + kW, g.W + pW);
  const paddedCount = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, g.H);
  w1 = Math.min(w1, g.W);
  const inputCount = (h1 - h0) * (w1 - w0);
  const divisor = attrs.divisorOverride ?? (attrs.countIncludePad ? paddedCount : inputCount);
  return { h0, h1, w0, w1, divisor, empty: h0 >= h1 || w0 >= w1 };
}

/**
 * `maxPool2d(input)`: the maximum of each (dilated) window of an NCHW input. Two outputs:
 * the values `[N, C, Ho, Wo]` (input dtype) and int32 indices of each maximum, flat over the
 * input plane (`h·W + w`), as PyTorch's `return_indices=True`. Padding is −∞ and never
 * chosen; ties keep the first maximum in row-major window order; NaN counts as larger than
 * everything (as in PyTorch, a later NaN in the window replaces an earlier one). Padding
 * may be at most half the kernel size.
 *
 * @example
 * maxPool2d.infer([{ shape: [1, 1, 4, 4], dtype: "float32" }],
 *   { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false });
 * // [{ shape: [1, 1, 2, 2], dtype: "float32" }, { shape: [1, 1, 2, 2], dtype: "int32" }]
 */
const maxPool2d: OpSchema<MaxPool2dAttrs> = {
  name: "maxPool2d",
  family: "pool",
  inputs: ["input"],
  outputs: 2,
  stridedOutput: false,
  infer([x]: readonly TensorMeta[], attrs: MaxPool2dAttrs): TensorMeta[] {
    requireNumeric("maxPool2d", x!);
    const g = poolGeometry("maxPool2d", x!.shape, attrs);
    const shape = [g.N, g.C, g.Ho, g.Wo];
    return [
      { shape, dtype: x!.dtype },
      { shape: shape.slice(), dtype: "int32" },
    ];
  },
  reference([x]: readonly StridedArray[], [values, indices]: readonly StridedArray[], attrs: MaxPool2dAttrs): void {
    const g = poolGeometry("maxPool2d", x!.layout.shape, attrs);
    const shape = [g.N, g.C, g.Ho, g.Wo];
    checkOut("maxPool2d", values!, shape);
    checkOut("maxPool2d", indices!, shape);
    const [kH, kW] = attrs.kernelSize;
    const [sH, sW] = attrs.stride;
    const [pH, pW] = attrs.padding;
    const [dH, dW] = attrs.dilation;
    const src = x!.data;
    const maxValues = new Float64Array(numel(shape));
    const maxIndices = new Int32Array(numel(shape));
    let i = 0;
    for (let n = 0; n < g.N; n++) {
      for (let c = 0; c < g.C; c++) {
        for (let oh = 0; oh < g.Ho; oh++) {
          for (let ow = 0; ow < g.Wo; ow++, i++) {
            let best = -Infinity;
            let bestIndex = -1;
            for (let kh = 0; kh < kH; kh++) {
              const ih = oh * sH - pH + kh * dH;
              if (ih < 0 || ih >= g.H) continue;
              for (let kw = 0; kw < kW; kw++) {
                const iw = ow * sW - pW + kw * dW;
                if (iw < 0 || iw >= g.W) continue;
                const v = src[at4(x!.layout, n, c, ih, iw)]!;
                // The first in-bounds position is the default (it is PyTorch's too, e.g. for an all −∞ window).
                if (bestIndex < 0 || v > best || Number.isNaN(v)) {
                  best = v;
                  bestIndex = ih * g.W + iw;
                }
              }
            }
            maxValues[i] = best;
            maxIndices[i] = bestIndex;
          }
        }
      }
    }
    writeOut(values!, maxValues);
    writeOut(indices!, maxIndices);
  },
};

/**
 * `maxPool2dBackward(gradOutput, indices)`: the gradient of `maxPool2d` with respect to its
 * input, of shape `attrs.inputShape`: each output gradient is added at its argmax position
 * (overlapping windows that share a maximum accumulate). Indices out of the plane throw.
 *
 * @example
 * maxPool2dBackward.infer(
 *   [{ shape: [1, 1, 2, 2], dtype: "float32" }, { shape: [1, 1, 2, 2], dtype: "int32" }],
 *   { inputShape: [1, 1, 4, 4] },
 * ); // [{ shape: [1, 1, 4, 4], dtype: "float32" }]
 */
const maxPool2dBackward: OpSchema<MaxPool2dBackwardAttrs> = {
  name: "maxPool2dBackward",
  family: "pool",
  inputs: ["gradOutput", "indices"],
  outputs: 1,
  stridedOutput: false,
  infer([gy, idx]: readonly TensorMeta[], attrs: MaxPool2dBackwardAttrs): TensorMeta[] {
    const op = "maxPool2dBackward";
    requireFloat(op, gy!, "gradOutput");
    if (idx!.dtype !== "int32") {
      throw new DTypeError(`${op}: expected indices of dtype int32 (as maxPool2d returns them), but got ${idx!.dtype}`);
    }
    checkMaxBackwardShapes(op, gy!.shape, idx!.shape, attrs);
    return [{ shape: attrs.inputShape.slice(), dtype: gy!.dtype }];
  },
  reference([gy, idx]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: MaxPool2dBackwardAttrs): void {
    const op = "maxPool2dBackward";
    const shape = gy!.layout.shape;
    checkMaxBackwardShapes(op, shape, idx!.layout.shape, attrs);
    checkOut(op, out!, attrs.inputShape);
    const [, C, H, W] = attrs.inputShape as [number, number, number, number];
    const plane = H * W;
    const acc = new Float64Array(numel(attrs.inputShape));
    forEachIndex(shape, (i) => {
      const [n, c, oh, ow] = i as [number, number, number, number];
      const k = idx!.data[at4(idx!.layout, n, c, oh, ow)]!;
      if (!Number.isInteger(k) || k < 0 || k >= plane) {
        throw new ShapeError(`${op}: Found an invalid max index: ${k} (output volumes are of size ${H}x${W})`);
      }
      acc[(n * C + c) * plane + k] += gy!.data[at4(gy!.layout, n, c, oh, ow)]!;
    });
    writeOut(out!, acc);
  },
};

/** Checks gradOutput, indices and inputShape of `maxPool2dBackward` against each other. */
function checkMaxBackwardShapes(op: string, gyShape: readonly number[], idxShape: readonly number[], attrs: MaxPool2dBackwardAttrs): void {
  checkShapeAttr(op, "inputShape", attrs.inputShape);
  if (gyShape.length !== 4) {
    throw new ShapeError(`${op}: expected a 4D gradOutput [N, C, Ho, Wo], but got ${formatShape(gyShape)}`);
  }
  if (!shapesEqual(gyShape, idxShape)) {
    throw new ShapeError(`${op}: gradOutput ${formatShape(gyShape)} and indices ${formatShape(idxShape)} must have the same shape (both as maxPool2d returned them)`);
  }
  const s = attrs.inputShape;
  if (s[0] !== gyShape[0] || s[1] !== gyShape[1]) {
    throw new ShapeError(
      `${op}: gradOutput ${formatShape(gyShape)} must have the batch size and channels of inputShape ${formatShape(s)}`,
    );
  }
}

/**
 * `avgPool2d(input)`: the mean of each window of an NCHW input, with PyTorch's divisor
 * rules: by default the divisor is the window's size within the zero-padded input
 * (`countIncludePad: true`; positions past the padding that a `ceilMode` window reaches are
 * not counted); with `countIncludePad: false`, the number of real input positions;
 * `divisorOverride` replaces either. Float only. Padding may be at most half the kernel.
 *
 * @example
 * avgPool2d.infer([{ shape: [1, 1, 4, 4], dtype: "float32" }],
 *   { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false, countIncludePad: true, divisorOverride: null });
 * // [{ shape: [1, 1, 2, 2], dtype: "float32" }]
 */
const avgPool2d: OpSchema<AvgPool2dAttrs> = {
  name: "avgPool2d",
  family: "pool",
  inputs: ["input"],
  outputs: 1,
  stridedOutput: false,
  infer([x]: readonly TensorMeta[], attrs: AvgPool2dAttrs): TensorMeta[] {
    requireFloat("avgPool2d", x!);
    checkDivisor("avgPool2d", attrs);
    const g = poolGeometry("avgPool2d", x!.shape, avgWindow(attrs));
    return [{ shape: [g.N, g.C, g.Ho, g.Wo], dtype: x!.dtype }];
  },
  reference([x]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: AvgPool2dAttrs): void {
    checkDivisor("avgPool2d", attrs);
    const g = poolGeometry("avgPool2d", x!.layout.shape, avgWindow(attrs));
    const shape = [g.N, g.C, g.Ho, g.Wo];
    checkOut("avgPool2d", out!, shape);
    const acc = new Float64Array(numel(shape));
    forEachIndex(shape, ([n, c, oh, ow], i) => {
      const cell = avgCell(g, attrs, oh!, ow!);
      if (cell.empty) return; // stays 0, as in PyTorch
      let sum = 0;
      for (let ih = cell.h0; ih < cell.h1; ih++) {
        for (let iw = cell.w0; iw < cell.w1; iw++) sum += x!.data[at4(x!.layout, n!, c!, ih, iw)]!;
      }
      acc[i] = sum / cell.divisor;
    });
    writeOut(out!, acc);
  },
};

/**
 * `avgPool2dBackward(gradOutput)`: the gradient of `avgPool2d` with respect to its input, of
 * shape `attrs.inputShape`: each output gradient divided by its window's divisor is added to
 * every input position of the window.
 *
 * @example
 * avgPool2dBackward.infer([{ shape: [1, 1, 2, 2], dtype: "float32" }],
 *   { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false, countIncludePad: true,
 *     divisorOverride: null, inputShape: [1, 1, 4, 4] });
 * // [{ shape: [1, 1, 4, 4], dtype: "float32" }]
 */
const avgPool2dBackward: OpSchema<AvgPool2dBackwardAttrs> = {
  name: "avgPool2dBackward",
  family: "pool",
  inputs: ["gradOutput"],
  outputs: 1,
  stridedOutput: false,
  infer([gy]: readonly TensorMeta[], attrs: AvgPool2dBackwardAttrs): TensorMeta[] {
    const op = "avgPool2dBackward";
    requireFloat(op, gy!, "gradOutput");
    checkAvgBackward(op, gy!.shape, attrs);
    return [{ shape: attrs.inputShape.slice(), dtype: gy!.dtype }];
  },
  reference([gy]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: AvgPool2dBackwardAttrs): void {
    const op = "avgPool2dBackward";
    const g = checkAvgBackward(op, gy!.layout.shape, attrs);
    checkOut(op, out!, attrs.inputShape);
    const acc = new Float64Array(numel(attrs.inputShape));
    forEachIndex(gy!.layout.shape, ([n, c, oh, ow]) => {
      const cell = avgCell(g, attrs, oh!, ow!);
      if (cell.empty) return;
      const share = gy!.data[at4(gy!.layout, n!, c!, oh!, ow!)]! / cell.divisor;
      for (let ih = cell.h0; ih < cell.h1; ih++) {
        for (let iw = cell.w0; iw < cell.w1; iw++) acc[((n! * g.C + c!) * g.H + ih) * g.W + iw] += share;
      }
    });
    writeOut(out!, acc);
  },
};

/** Checks `avgPool2dBackward`'s attributes and that gradOutput has avgPool2d's output shape. */
function checkAvgBackward(op: string, gyShape: readonly number[], attrs: AvgPool2dBackwardAttrs): PoolGeometry {
  checkDivisor(op, attrs);
  checkShapeAttr(op, "inputShape", attrs.inputShape);
  const g = poolGeometry(op, attrs.inputShape, avgWindow(attrs), "inputShape");
  const expected = [g.N, g.C, g.Ho, g.Wo];
  if (!shapesEqual(gyShape, expected)) {
    throw new ShapeError(
      `${op}: expected gradOutput of size ${formatShape(expected)} (the avgPool2d output for input ${formatShape(attrs.inputShape)}), but got ${formatShape(gyShape)}`,
    );
  }
  return g;
}

/**
 * The pool family: max and average 2-D pooling and their gradients.
 *
 * @example
 * const [values, indices] = poolOps.maxPool2d.infer([{ shape: [8, 16, 32, 32], dtype: "float32" }],
 *   { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false });
 * // values.shape = indices.shape = [8, 16, 16, 16]
 */
export const poolOps = {
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
} satisfies Record<string, OpSchema<any>>;
