/**
 * 2-D convolution over NCHW tensors and its two gradients, with PyTorch's semantics: stride,
 * zero padding, dilation and groups; no bias (the caller adds it). Float32/float64 only, and
 * every sum is accumulated in float64.
 *
 * The three reference kernels walk the same set of "taps" — every (output element, weight
 * element, input element) triple that conv2d multiplies together — so the two gradients are
 * exact adjoints of the forward op by construction.
 */
import { type DType, type Layout, ShapeError, formatShape, numel, shapesEqual } from "@tessera/storage";
import { requireFloat, requireSameDType } from "../dtypes.js";
import { forEachIndex, offsetOf } from "../strided.js";
import type { Conv2dAttrs, Conv2dBackwardInputAttrs, Conv2dBackwardWeightAttrs, Pair } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** Sizes of one conv2d problem, checked. */
interface ConvGeometry {
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  /** Output channels. */
  readonly O: number;
  /** Input channels per group (the weight's dim 1). */
  readonly Cg: number;
  /** Output channels per group. */
  readonly Og: number;
  readonly kH: number;
  readonly kW: number;
  readonly Ho: number;
  readonly Wo: number;
}

const fmtPair = (p: Pair) => `(${p[0]}, ${p[1]})`;

/** Throws unless `pair` is two integers, each at least `min`. */
function checkPair(op: string, name: string, pair: Pair, min: number, what: string): void {
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => Number.isInteger(v))) {
    throw new ShapeError(`${op}: ${name} must be a pair of integers (height, width), but got ${JSON.stringify(pair)}`);
  }
  if (pair[0] < min || pair[1] < min) {
    throw new ShapeError(`${op}: ${what}, but got ${name}=${fmtPair(pair)}. Use ${name} values of at least ${min}.`);
  }
}

/** Throws unless `shape` is a valid 4-D shape; `what` names the tensor in the message. */
function check4d(op: string, shape: readonly number[], what: string, expected: string): void {
  if (shape.length !== 4) {
    throw new ShapeError(
      `${op}: expected a 4D ${what} ${expected}, but got ${what} of size ${formatShape(shape)} (${shape.length}D)`,
    );
  }
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: invalid ${what} size ${formatShape(shape)}: every size must be a non-negative integer.`);
  }
}

/**
 * Checks the attributes and the input/weight shapes the way PyTorch's conv2d does and
 * returns the problem's sizes. `op` names the caller in every message.
 */
function convGeometry(op: string, inShape: readonly number[], wShape: readonly number[], attrs: Conv2dAttrs): ConvGeometry {
  checkPair(op, "stride", attrs.stride, 1, "non-positive stride is not supported");
  checkPair(op, "padding", attrs.padding, 0, "negative padding is not supported");
  checkPair(op, "dilation", attrs.dilation, 1, "dilation should be greater than zero");
  const groups = attrs.groups;
  if (!Number.isInteger(groups) || groups < 1) {
    throw new ShapeError(`${op}: non-positive groups is not supported, but got groups=${groups}. Use groups >= 1.`);
  }
  check4d(op, wShape, "weight", "[outChannels, inChannels / groups, kH, kW]");
  check4d(op, inShape, "input", `[N, C, H, W] for 4-dimensional weight ${formatShape(wShape)}`);
  const [N, C, H, W] = inShape as [number, number, number, number];
  const [O, Cg, kH, kW] = wShape as [number, number, number, number];
  if (O % groups !== 0) {
    throw new ShapeError(
      `${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${formatShape(wShape)} instead`,
    );
  }
  if (Cg * groups !== C) {
    throw new ShapeError(
      `${op}: Given groups=${groups}, weight of size ${formatShape(wShape)}, expected input${formatShape(inShape)} to have ${Cg * groups} channels, but got ${C} channels instead`,
    );
  }
  const [sH, sW] = attrs.stride;
  const [pH, pW] = attrs.padding;
  const [dH, dW] = attrs.dilation;
  const ekH = dH * (kH - 1) + 1;
  const ekW = dW * (kW - 1) + 1;
  const Ho = Math.floor((H + 2 * pH - ekH) / sH) + 1;
  const Wo = Math.floor((W + 2 * pW - ekW) / sW) + 1;
  if (kH === 0 || kW === 0 || Ho < 1 || Wo < 1) {
    throw new ShapeError(
      `${op}: Calculated padded input size per channel: (${H + 2 * pH} x ${W + 2 * pW}). Kernel size: (${ekH} x ${ekW}). ` +
        `Kernel size can't be greater than actual input size. Calculated output size: (${Math.max(Ho, 0)} x ${Math.max(Wo, 0)}). ` +
        `Output size is too small. Pad the input or use a smaller kernel or dilation.`,
    );
  }
  return { N, C, H, W, O, Cg, Og: O / groups, kH, kW, Ho, Wo };
}

/** Throws unless input and weight are float tensors of one dtype; returns that dtype. */
function convDType(op: string, a: TensorMeta, b: TensorMeta, names: readonly [string, string]): DType {
  requireFloat(op, a, names[0]);
  requireFloat(op, b, names[1]);
  return requireSameDType(op, [a, b], names);
}

/** Throws unless `shape` is a valid 4-D shape attribute. */
function checkShapeAttr(op: string, name: string, shape: readonly number[] | undefined): void {
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: attribute ${name} must be a 4D shape of non-negative integers, but got ${JSON.stringify(shape)}`);
  }
}

/** Throws unless gradOutput has the shape conv2d produces for this problem. */
function checkGradOutput(op: string, gradShape: readonly number[], g: ConvGeometry, inShape: readonly number[], wShape: readonly number[]): void {
  const expected = [g.N, g.O, g.Ho, g.Wo];
  if (!shapesEqual(gradShape, expected)) {
    throw new ShapeError(
      `${op}: expected gradOutput of size ${formatShape(expected)} (the conv2d output for input ${formatShape(inShape)} and weight ${formatShape(wShape)}), but got ${formatShape(gradShape)}`,
    );
  }
}

/** One product conv2d forms: output `[n, o, oh, ow]` += input `[n, c, ih, iw]` · weight `[o, kc, kh, kw]`. */
interface Tap {
  n: number;
  o: number;
  oh: number;
  ow: number;
  /** Input channel (absolute). */
  c: number;
  /** Weight channel: the input channel within its group. */
  kc: number;
  kh: number;
  kw: number;
  ih: number;
  iw: number;
}

/**
 * Visits every tap of the convolution whose input position lies inside the input (taps on
 * padding contribute zero and are skipped). The `tap` object is reused between calls.
 */
function forEachTap(g: ConvGeometry, attrs: Conv2dAttrs, visit: (tap: Readonly<Tap>) => void): void {
  const [sH, sW] = attrs.stride;
  const [pH, pW] = attrs.padding;
  const [dH, dW] = attrs.dilation;
  const tap: Tap = { n: 0, o: 0, oh: 0, ow: 0, c: 0, kc: 0, kh: 0, kw: 0, ih: 0, iw: 0 };
  for (let n = 0; n < g.N; n++) {
    for (let o = 0; o < g.O; o++) {
      const group = Math.floor(o / g.Og);
      for (let oh = 0; oh < g.Ho; oh++) {
        for (let ow = 0; ow < g.Wo; ow++) {
          for (let kc = 0; kc < g.Cg; kc++) {
            for (let kh = 0; kh < g.kH; kh++) {
              const ih = oh * sH - pH + kh * dH;
              if (ih < 0 || ih >= g.H) continue;
              for (let kw = 0; kw < g.kW; kw++) {
                const iw = ow * sW - pW + kw * dW;
                if (iw < 0 || iw >= g.W) continue;
                tap.n = n;
                tap.o = o;
                tap.oh = oh;
                tap.ow = ow;
                tap.c = group * g.Cg + kc;
                tap.kc = kc;
                tap.kh = kh;
                tap.kw = kw;
                tap.ih = ih;
                tap.iw = iw;
                visit(tap);
              }
            }
          }
        }
      }
    }
  }
}

/** Storage offset of the 4-D index `[a, b, c, d]` under `l`. */
function at4(l: Layout, a: number, b: number, c: number, d: number): number {
  return l.offset + a * l.strides[0]! + b * l.strides[1]! + c * l.strides[2]! + d * l.strides[3]!;
}

/** Writes the contiguous row-major float64 accumulator `acc` into `out` (any layout). */
function writeOut(out: StridedArray, acc: Float64Array): void {
  const dst = out.data;
  forEachIndex(out.layout.shape, (index, linear) => {
    dst[offsetOf(out.layout, index)] = acc[linear]!;
  });
}

/** Throws unless the output view has `shape`. */
function checkOut(op: string, out: StridedArray, shape: readonly number[]): void {
  if (!shapesEqual(out.layout.shape, shape)) {
    throw new ShapeError(`${op}: output has shape ${formatShape(out.layout.shape)} but the op computes shape ${formatShape(shape)}`);
  }
}

/**
 * `conv2d(input, weight)`: 2-D cross-correlation of an NCHW `input` `[N, C, H, W]` with
 * `weight` `[O, C / groups, kH, kW]`, giving `[N, O, Ho, Wo]` with
 * `Ho = floor((H + 2·padding[0] − dilation[0]·(kH − 1) − 1) / stride[0]) + 1` (likewise `Wo`).
 * Output channel `o` sees only the input channels of its group `floor(o / (O / groups))`.
 *
 * @example
 * // 1×1×4×4 input, 1×1×2×2 weight of ones, stride 2: each output sums one 2×2 block.
 * const [meta] = conv2d.infer(
 *   [{ shape: [1, 1, 4, 4], dtype: "float32" }, { shape: [1, 1, 2, 2], dtype: "float32" }],
 *   { stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1 },
 * ); // meta.shape = [1, 1, 2, 2]
 */
const conv2d: OpSchema<Conv2dAttrs> = {
  name: "conv2d",
  family: "conv",
  inputs: ["input", "weight"],
  outputs: 1,
  stridedOutput: false,
  infer([x, w]: readonly TensorMeta[], attrs: Conv2dAttrs): TensorMeta[] {
    const dtype = convDType("conv2d", x!, w!, ["input", "weight"]);
    const g = convGeometry("conv2d", x!.shape, w!.shape, attrs);
    return [{ shape: [g.N, g.O, g.Ho, g.Wo], dtype }];
  },
  reference([x, w]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: Conv2dAttrs): void {
    const g = convGeometry("conv2d", x!.layout.shape, w!.layout.shape, attrs);
    const shape = [g.N, g.O, g.Ho, g.Wo];
    checkOut("conv2d", out!, shape);
    const acc = new Float64Array(numel(shape));
    const xd = x!.data;
    const wd = w!.data;
    forEachTap(g, attrs, (t) => {
      const i = ((t.n * g.O + t.o) * g.Ho + t.oh) * g.Wo + t.ow;
      acc[i] += xd[at4(x!.layout, t.n, t.c, t.ih, t.iw)]! * wd[at4(w!.layout, t.o, t.kc, t.kh, t.kw)]!;
    });
    writeOut(out!, acc);
  },
};

/**
 * `conv2dBackwardInput(gradOutput, weight)`: the gradient of `conv2d` with respect to its
 * input (a transposed convolution), of shape `attrs.inputShape`. The input shape is an
 * attribute because with stride > 1 several input sizes give the same output size.
 *
 * @example
 * conv2dBackwardInput.infer(
 *   [{ shape: [1, 1, 2, 2], dtype: "float64" }, { shape: [1, 1, 2, 2], dtype: "float64" }],
 *   { stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1, inputShape: [1, 1, 5, 5] },
 * ); // [{ shape: [1, 1, 5, 5], dtype: "float64" }]
 */
const conv2dBackwardInput: OpSchema<Conv2dBackwardInputAttrs> = {
  name: "conv2dBackwardInput",
  family: "conv",
  inputs: ["gradOutput", "weight"],
  outputs: 1,
  stridedOutput: false,
  infer([gy, w]: readonly TensorMeta[], attrs: Conv2dBackwardInputAttrs): TensorMeta[] {
    const op = "conv2dBackwardInput";
    const dtype = convDType(op, gy!, w!, ["gradOutput", "weight"]);
    checkShapeAttr(op, "inputShape", attrs.inputShape);
    const g = convGeometry(op, attrs.inputShape, w!.shape, attrs);
    checkGradOutput(op, gy!.shape, g, attrs.inputShape, w!.shape);
    return [{ shape: attrs.inputShape.slice(), dtype }];
  },
  reference([gy, w]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: Conv2dBackwardInputAttrs): void {
    const op = "conv2dBackwardInput";
    checkShapeAttr(op, "inputShape", attrs.inputShape);
    const g = convGeometry(op, attrs.inputShape, w!.layout.shape, attrs);
    checkGradOutput(op, gy!.layout.shape, g, attrs.inputShape, w!.layout.shape);
    checkOut(op, out!, attrs.inputShape);
    const acc = new Float64Array(numel(attrs.inputShape));
    const gd = gy!.data;
    const wd = w!.data;
    forEachTap(g, attrs, (t) => {
      const i = ((t.n * g.C + t.c) * g.H + t.ih) * g.W + t.iw;
      acc[i] += gd[at4(gy!.layout, t.n, t.o, t.oh, t.ow)]! * wd[at4(w!.layout, t.o, t.kc, t.kh, t.kw)]!;
    });
    writeOut(out!, acc);
  },
};

/**
 * `conv2dBackwardWeight(input, gradOutput)`: the gradient of `conv2d` with respect to its
 * weight, of shape `attrs.weightShape` (`[O, C / groups, kH, kW]`).
 *
 * @example
 * conv2dBackwardWeight.infer(
 *   [{ shape: [2, 4, 5, 5], dtype: "float32" }, { shape: [2, 6, 3, 3], dtype: "float32" }],
 *   { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 2, weightShape: [6, 2, 3, 3] },
 * ); // [{ shape: [6, 2, 3, 3], dtype: "float32" }]
 */
const conv2dBackwardWeight: OpSchema<Conv2dBackwardWeightAttrs> = {
  name: "conv2dBackwardWeight",
  family: "conv",
  inputs: ["input", "gradOutput"],
  outputs: 1,
  stridedOutput: false,
  infer([x, gy]: readonly TensorMeta[], attrs: Conv2dBackwardWeightAttrs): TensorMeta[] {
    const op = "conv2dBackwardWeight";
    const dtype = convDType(op, x!, gy!, ["input", "gradOutput"]);
    checkShapeAttr(op, "weightShape", attrs.weightShape);
    const g = convGeometry(op, x!.shape, attrs.weightShape, attrs);
    checkGradOutput(op, gy!.shape, g, x!.shape, attrs.weightShape);
    return [{ shape: attrs.weightShape.slice(), dtype }];
  },
  reference([x, gy]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: Conv2dBackwardWeightAttrs): void {
    const op = "conv2dBackwardWeight";
    checkShapeAttr(op, "weightShape", attrs.weightShape);
    const g = convGeometry(op, x!.layout.shape, attrs.weightShape, attrs);
    checkGradOutput(op, gy!.layout.shape, g, x!.layout.shape, attrs.weightShape);
    checkOut(op, out!, attrs.weightShape);
    const acc = new Float64Array(numel(attrs.weightShape));
    const xd = x!.data;
    const gd = gy!.data;
    forEachTap(g, attrs, (t) => {
      const i = ((t.o * g.Cg + t.kc) * g.kH + t.kh) * g.kW + t.kw;
      acc[i] += gd[at4(gy!.layout, t.n, t.o, t.oh, t.ow)]! * xd[at4(x!.layout, t.n, t.c, t.ih, t.iw)]!;
    });
    writeOut(out!, acc);
  },
};

/**
 * The conv family: `conv2d` and its gradients with respect to input and weight.
 *
 * @example
 * const schema = convOps.conv2d;
 * schema.infer([{ shape: [8, 3, 32, 32], dtype: "float32" }, { shape: [16, 3, 3, 3], dtype: "float32" }],
 *   { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }); // [{ shape: [8, 16, 32, 32], … }]
 */
export const convOps = {
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
} satisfies Record<string, OpSchema<any>>;
