/** `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`. */
import type { Tensor } from "@tessera/autograd";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import { reprFields } from "./common.js";
import type { Size2 } from "./conv.js";

/** Options of {@link MaxPool2d}. */
export interface MaxPool2dLayerOptions {
  /** Step of the window. Default: `kernelSize`. */
  stride?: Size2 | null;
  /** Implicit −∞ padding on each side. Default 0. */
  padding?: Size2;
  /** Spacing between window elements. Default 1. */
  dilation?: Size2;
  /** Ceil instead of floor for the output size. Default false. */
  ceilMode?: boolean;
}

/**
 * 2-D max pooling over [N, C, H, W] (or [C, H, W]): PyTorch's `nn.MaxPool2d`.
 *
 * @example new MaxPool2d(2).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly ceilMode: boolean;

  constructor(kernelSize: Size2, options: MaxPool2dLayerOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.ceilMode = options.ceilMode ?? false;
  }

  forward(input: Tensor): Tensor {
    return F.maxPool2d(input, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return reprFields({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
}

/** Options of {@link AvgPool2d}. */
export interface AvgPool2dLayerOptions {
  /** Step of the window. Default: `kernelSize`. */
  stride?: Size2 | null;
  /** Implicit zero padding on each side. Default 0. */
  padding?: Size2;
  /** Ceil instead of floor for the output size. Default false. */
  ceilMode?: boolean;
  /** Count the padded zeros in the average. Default true. */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}

/**
 * 2-D average pooling over [N, C, H, W] (or [C, H, W]): PyTorch's `nn.AvgPool2d`.
 *
 * @example new AvgPool2d(2).forward(randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Size2, options: AvgPool2dLayerOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    return F.avgPool2d(input, {
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return reprFields({ kernelSize: this.kernelSize, stride: this.stride, padding: this.padding });
  }
}

/**
 * Average pooling to a fixed output size whatever the input size: PyTorch's
 * `nn.AdaptiveAvgPool2d`. `null` in the pair keeps that dim's input size.
 *
 * @example new AdaptiveAvgPool2d(1).forward(randn([2, 512, 7, 7])).shape; // [2, 512, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: number | readonly [number | null, number | null];

  constructor(outputSize: number | readonly [number | null, number | null]) {
    super();
    this.outputSize = outputSize;
  }

  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return reprFields({ outputSize: this.outputSize });
  }
}
