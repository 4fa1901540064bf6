/** 2-D convolution over NCHW tensors, with its gradients (first order). */
import { DTypeError, ShapeError, formatShape } from "@tessera/storage";
import type { Pair } from "@tessera/kernels";
import { isGradEnabled } from "../grad-mode.js";
import { AutogradError } from "../errors.js";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import type { Tensor } from "../tensor.js";
import { anyNeedsGrad, attach, execute1 } from "./helpers.js";
import { tidyInternal } from "./scope.js";

/** Options of {@link conv2d}. Numbers apply to both height and width. */
export interface Conv2dOptions {
  /** Step of the window. Default 1. */
  stride?: number | Pair;
  /** Zero padding on each side. Default 0. */
  padding?: number | Pair;
  /** Spacing between kernel elements. Default 1. */
  dilation?: number | Pair;
  /** Split channels into this many independent groups. Default 1. */
  groups?: number;
}

/** A `[h, w]` pair from a number or a pair, checked to be integers ≥ `min`. */
export function toPair(op: string, name: string, v: number | Pair, min: number): Pair {
  const p: Pair = typeof v === "number" ? [v, v] : v;
  if (p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new ShapeError(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Throws inside a createGraph backward: these gradients are first order only. */
export function requireFirstOrder(name: string): void {
  if (isGradEnabled()) {
    throw new AutogradError(`${name}: double backward (createGraph: true) through this op is not supported yet. Use createGraph only through the other ops, or compute this gradient with gradcheck-style finite differences.`);
  }
}

class Conv2dBackward extends Node {
  readonly name = "ConvolutionBackward0";
  private readonly input: SavedTensor;
  private readonly weight: SavedTensor;
  constructor(input: Tensor, weight: Tensor, private readonly attrs: { stride: Pair; padding: Pair; dilation: Pair; groups: number }) {
    super([input, weight]);
    this.input = new SavedTensor(input);
    this.weight = new SavedTensor(weight);
  }
  backward([g]: readonly (Tensor | null)[]) {
    requireFirstOrder(this.name);
    const input = this.input.unpack(this.name);
    const weight = this.weight.unpack(this.name);
    return [
      this.needsInputGrad(0) ? execute1("conv2dBackwardInput", [g!, weight], { ...this.attrs, inputShape: input.shape }) : null,
      this.needsInputGrad(1) ? execute1("conv2dBackwardWeight", [input, g!], { ...this.attrs, weightShape: weight.shape }) : null,
    ];
  }
  override releaseSaved(): void {
    this.input.release();
    this.weight.release();
  }
}

/**
 * 2-D convolution (cross-correlation, as PyTorch) of `input` [N, C, H, W] (or [C, H, W]) with
 * `weight` [O, C/groups, kH, kW], plus `bias` [O] when given.
 *
 * @example conv2d(x, w, b, { padding: 1 })
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const unbatched = input.ndim === 3;
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(`conv2d: expected 3D (unbatched) or 4D (batched) input, but got input of size: ${formatShape(input.shape)}`);
  }
  if (input.dtype !== weight.dtype) {
    throw new DTypeError(`conv2d: input type (${input.dtype}) and weight type (${weight.dtype}) should be the same; cast one of them.`);
  }
  const attrs = {
    stride: toPair("conv2d", "stride", options.stride ?? 1, 1),
    padding: toPair("conv2d", "padding", options.padding ?? 0, 0),
    dilation: toPair("conv2d", "dilation", options.dilation ?? 1, 1),
    groups: options.groups ?? 1,
  };
  return tidyInternal(() => {
    const x = unbatched ? input.unsqueeze(0) : input;
    let out = execute1("conv2d", [x, weight], attrs);
    if (anyNeedsGrad([x, weight])) attach(out, new Conv2dBackward(x, weight, attrs));
    if (bias !== undefined && bias !== null) {
      if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
        throw new ShapeError(`conv2d: bias must have shape [${weight.shape[0]}] (one per output channel), got ${formatShape(bias.shape)}`);
      }
      out = out.add(bias.reshape([1, bias.shape[0]!, 1, 1]));
    }
    return unbatched ? out.squeeze(0) : out;
  });
}
