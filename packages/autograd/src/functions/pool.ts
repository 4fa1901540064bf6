/** 2-D max and average pooling over NCHW tensors, with their gradients (first order). */
import { ShapeError, formatShape } from "@tessera/storage";
import type { Pair } from "@tessera/kernels";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import type { Tensor } from "../tensor.js";
import { attach, execute, execute1, needsGrad } from "./helpers.js";
import { requireFirstOrder, toPair } from "./conv.js";

/** Options of {@link maxPool2d}. */
export interface MaxPool2dOptions {
  /** Window size. */
  kernelSize: number | Pair;
  /** Step of the window. Default: `kernelSize`. */
  stride?: number | Pair;
  /** Implicit -∞ padding on each side. Default 0. */
  padding?: number | Pair;
  /** Spacing between window elements. Default 1. */
  dilation?: number | Pair;
  /** Use ceil instead of floor for the output size. Default false. */
  ceilMode?: boolean;
}

/** Options of {@link avgPool2d}. */
export interface AvgPool2dOptions {
  /** Window size. */
  kernelSize: number | Pair;
  /** Step of the window. Default: `kernelSize`. */
  stride?: number | Pair;
  /** Implicit zero padding on each side. Default 0. */
  padding?: number | Pair;
  /** Use ceil instead of floor for the output size. Default false. */
  ceilMode?: boolean;
  /** Count padded zeros in the average. Default true. */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}

function batched(op: string, input: Tensor): { x: Tensor; unbatched: boolean } {
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`${op}: expected 3D or 4D (batch mode) tensor for input, but got ${formatShape(input.shape)}`);
  }
  return input.ndim === 3 ? { x: input.unsqueeze(0), unbatched: true } : { x: input, unbatched: false };
}

class MaxPool2dBackward extends Node {
  readonly name = "MaxPool2DWithIndicesBackward0";
  private readonly indices: SavedTensor;
  constructor(x: Tensor, indices: Tensor) {
    super([x]);
    this.indices = new SavedTensor(indices);
  }
  backward([g]: readonly (Tensor | null)[]) {
    requireFirstOrder(this.name);
    return [execute1("maxPool2dBackward", [g!, this.indices.unpack(this.name)], { inputShape: this.inputShapes[0]! })];
  }
  override releaseSaved(): void {
    this.indices.release();
  }
}

/**
 * Max pooling; returns the values and the int32 indices of each maximum (flat over H×W).
 *
 * @example const [y, idx] = maxPool2dWithIndices(x, { kernelSize: 2 });
 */
export function maxPool2dWithIndices(input: Tensor, options: MaxPool2dOptions): [Tensor, Tensor] {
  const kernelSize = toPair("maxPool2d", "kernelSize", options.kernelSize, 1);
  const attrs = {
    kernelSize,
    stride: toPair("maxPool2d", "stride", options.stride ?? kernelSize, 1),
    padding: toPair("maxPool2d", "padding", options.padding ?? 0, 0),
    dilation: toPair("maxPool2d", "dilation", options.dilation ?? 1, 1),
    ceilMode: options.ceilMode ?? false,
  };
  const { x, unbatched } = batched("maxPool2d", input);
  let values: Tensor, indices: Tensor;
  try {
    [values, indices] = execute("maxPool2d", [x], attrs) as [Tensor, Tensor];
    if (needsGrad(x)) attach(values, new MaxPool2dBackward(x, indices));
  } finally {
    if (x !== input) x.dispose();
  }
  if (!unbatched) return [values, indices];
  const v = values.squeeze(0);
  const i = indices.squeeze(0);
  values.dispose();
  indices.dispose();
  return [v, i];
}

/** Max pooling over NCHW (or CHW) input. */
export function maxPool2d(input: Tensor, options: MaxPool2dOptions): Tensor {
  const [values, indices] = maxPool2dWithIndices(input, options);
  indices.dispose();
  return values;
}

class AvgPool2dBackward extends Node {
  readonly name = "AvgPool2DBackward0";
  constructor(x: Tensor, private readonly attrs: Parameters<typeof execute1<"avgPool2d">>[2]) {
    super([x]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    requireFirstOrder(this.name);
    return [execute1("avgPool2dBackward", [g!], { ...this.attrs, inputShape: this.inputShapes[0]! })];
  }
}

/** Average pooling over NCHW (or CHW) input. */
export function avgPool2d(input: Tensor, options: AvgPool2dOptions): Tensor {
  const kernelSize = toPair("avgPool2d", "kernelSize", options.kernelSize, 1);
  const attrs = {
    kernelSize,
    stride: toPair("avgPool2d", "stride", options.stride ?? kernelSize, 1),
    padding: toPair("avgPool2d", "padding", options.padding ?? 0, 0),
    ceilMode: options.ceilMode ?? false,
    countIncludePad: options.countIncludePad ?? true,
    divisorOverride: options.divisorOverride ?? null,
  };
  const { x, unbatched } = batched("avgPool2d", input);
  let out: Tensor;
  try {
    out = execute1("avgPool2d", [x], attrs);
    if (needsGrad(x)) attach(out, new AvgPool2dBackward(x, attrs));
  } finally {
    if (x !== input) x.dispose();
  }
  if (!unbatched) return out;
  const o = out.squeeze(0);
  out.dispose();
  return o;
}
