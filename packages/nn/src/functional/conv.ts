/**
 * Convolution and pooling over NCHW tensors: PyTorch's `F.conv2d`, `F.max_pool2d`,
 * `F.avg_pool2d` (wrapping autograd's kernels) and `F.adaptive_avg_pool2d` (composed from
 * reshapes, slices and means, so it has gradients of every order).
 */
import {
  type Tensor,
  avgPool2d as agAvgPool2d,
  cat,
  conv2d as agConv2d,
  maxPool2d as agMaxPool2d,
  pad as agPad,
  tidy,
} from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import { alias } from "./util.js";

/** A size given for both spatial dims at once, or as `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** Options of {@link conv2d}. Numbers apply to both height and width. */
export interface Conv2dOptions {
  /** Step of the window. Default 1. */
  stride?: Size2;
  /**
   * Zero padding on each side (default 0), or `"valid"` (no padding) or `"same"` (output as
   * large as the input; stride must be 1, and when the total padding of a dim is odd the extra
   * row/column goes at the bottom/right, as PyTorch).
   */
  padding?: Size2 | "valid" | "same";
  /** Spacing between kernel elements. Default 1. */
  dilation?: Size2;
  /** Split channels into this many independent groups. Default 1. */
  groups?: number;
}

function pair(v: Size2): [number, number] {
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of `input` [N, C, H, W] (or unbatched
 * [C, H, W]) with `weight` [O, C/groups, kH, kW], plus `bias` [O] when given.
 *
 * @example
 * const w = randn([8, 3, 3, 3]);
 * conv2d(randn([1, 3, 32, 32]), w, null, { padding: 1 }).shape; // [1, 8, 32, 32]
 * conv2d(x, w, b, { padding: "same" });
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const { padding = 0, ...rest } = options;
  if (padding === "valid") return agConv2d(input, weight, bias, { ...rest, padding: 0 });
  if (padding !== "same") {
    if (typeof padding === "string") {
      throw new TesseraError(`conv2d: padding must be a number, a pair, "valid" or "same", got ${JSON.stringify(padding)}.`);
    }
    return agConv2d(input, weight, bias, { ...rest, padding: pair(padding) });
  }
  const stride = pair(rest.stride ?? 1);
  if (stride[0] !== 1 || stride[1] !== 1) {
    throw new TesseraError(`conv2d: padding="same" is not supported for strided convolutions (stride ${formatShape(stride)}); use stride 1 or give the padding as numbers.`);
  }
  if (weight.ndim !== 4) {
    throw new ShapeError(`conv2d: expected a 4D weight [outChannels, inChannels / groups, kH, kW], got ${formatShape(weight.shape)}.`);
  }
  const dilation = pair(rest.dilation ?? 1);
  const total = [dilation[0] * (weight.shape[2]! - 1), dilation[1] * (weight.shape[3]! - 1)];
  const before = [Math.floor(total[0]! / 2), Math.floor(total[1]! / 2)] as [number, number];
  if (total[0]! % 2 === 0 && total[1]! % 2 === 0) return agConv2d(input, weight, bias, { ...rest, padding: before });
  // Odd total padding: pad the extra row/column at the end explicitly, the rest symmetrically.
  return tidy(() => {
    const padded = agPad(input, [0, total[1]! % 2, 0, total[0]! % 2]);
    return agConv2d(padded, weight, bias, { ...rest, padding: before });
  });
}

/** Options of {@link maxPool2d}. */
export interface MaxPool2dOptions {
  /** Window size. */
  kernelSize: Size2;
  /** Step of the window. Default: `kernelSize`. */
  stride?: Size2 | null;
  /** Implicit −∞ padding on each side, at most half the window. Default 0. */
  padding?: Size2;
  /** Spacing between window elements. Default 1. */
  dilation?: Size2;
  /** Use ceil instead of floor to compute the output size. Default false. */
  ceilMode?: boolean;
}

/**
 * Max pooling over [N, C, H, W] (or [C, H, W]) input.
 *
 * @example maxPool2d(x, { kernelSize: 2 }) // halves H and W
 */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor {
  const kernelSize = pair(options.kernelSize);
  return agMaxPool2d(x, {
    kernelSize,
    stride: pair(options.stride ?? kernelSize),
    padding: pair(options.padding ?? 0),
    dilation: pair(options.dilation ?? 1),
    ceilMode: options.ceilMode ?? false,
  });
}

/** Options of {@link avgPool2d}. */
export interface AvgPool2dOptions {
  /** Window size. */
  kernelSize: Size2;
  /** Step of the window. Default: `kernelSize`. */
  stride?: Size2 | null;
  /** Implicit zero padding on each side, at most half the window. Default 0. */
  padding?: Size2;
  /** Use ceil instead of floor to compute the output size. Default false. */
  ceilMode?: boolean;
  /** Count the padded zeros in the average. Default true. */
  countIncludePad?: boolean;
  /** Divide by this instead of the number of elements in the window. */
  divisorOverride?: number | null;
}

/**
 * Average pooling over [N, C, H, W] (or [C, H, W]) input.
 *
 * @example avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false })
 */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions): Tensor {
  const kernelSize = pair(options.kernelSize);
  if (options.divisorOverride !== undefined && options.divisorOverride !== null) {
    const d = options.divisorOverride;
    if (!Number.isInteger(d) || d === 0) {
      throw new TesseraError(`avgPool2d: divisorOverride must be a non-zero integer, got ${d}.`);
    }
  }
  return agAvgPool2d(x, {
    kernelSize,
    stride: pair(options.stride ?? kernelSize),
    padding: pair(options.padding ?? 0),
    ceilMode: options.ceilMode ?? false,
    countIncludePad: options.countIncludePad ?? true,
    divisorOverride: options.divisorOverride ?? null,
  });
}

/**
 * Average-pools one dim of `x` down to `out` bins with PyTorch's adaptive rule: bin `i`
 * covers `[⌊i·n/out⌋, ⌈(i+1)·n/out⌉)`. When `out` divides the size the bins tile the dim
 * and a reshape + mean does it at once.
 */
function adaptiveMeanDim(x: Tensor, dim: number, out: number): Tensor {
  const n = x.shape[dim]!;
  if (out === n) return x;
  if (n % out === 0) {
    const shape = x.shape.slice();
    shape.splice(dim, 1, out, n / out);
    return x.reshape(shape).mean({ dim: dim + 1 });
  }
  const bins: Tensor[] = [];
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out);
    const end = Math.ceil(((i + 1) * n) / out);
    bins.push(x.narrow(dim, start, end - start).mean({ dim, keepdim: true }));
  }
  return cat(bins, dim);
}

/**
 * Adaptive average pooling: [N, C, H, W] (or [C, H, W]) → [N, C, outH, outW], whatever H and
 * W are. Output cell (i, j) averages rows `⌊i·H/outH⌋ … ⌈(i+1)·H/outH⌉ − 1` and the
 * matching columns, as PyTorch. `null` in the pair keeps that dim's input size.
 *
 * @example
 * adaptiveAvgPool2d(randn([2, 512, 7, 7]), 1).shape;      // [2, 512, 1, 1]
 * adaptiveAvgPool2d(randn([1, 3, 10, 9]), [4, 4]).shape;  // [1, 3, 4, 4]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new ShapeError(`adaptiveAvgPool2d: expected a 3D [C, H, W] or 4D [N, C, H, W] input, got shape ${formatShape(x.shape)}.`);
  }
  const H = x.shape[x.ndim - 2]!;
  const W = x.shape[x.ndim - 1]!;
  const sizes = typeof outputSize === "number" ? [outputSize, outputSize] : [outputSize[0] ?? H, outputSize[1] ?? W];
  if (sizes.length !== 2 || !sizes.every((s) => Number.isInteger(s) && s >= 1)) {
    throw new ShapeError(`adaptiveAvgPool2d: outputSize must be a positive integer or a pair of them, got ${JSON.stringify(outputSize)}.`);
  }
  if (H === 0 || W === 0) {
    throw new ShapeError(`adaptiveAvgPool2d: input of shape ${formatShape(x.shape)} has an empty spatial dim; H and W must be at least 1.`);
  }
  const [oh, ow] = sizes as [number, number];
  // A rectangle's mean is the mean of its row means (every row of a bin has the same length),
  // so the two dims pool one after the other.
  return tidy(() => {
    const out = adaptiveMeanDim(adaptiveMeanDim(x, x.ndim - 2, oh), x.ndim - 1, ow);
    return out === x ? alias(x) : out;
  });
}
