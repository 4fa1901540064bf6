/** `Conv2d`. */
import type { Tensor } from "@tessera/autograd";
import { TesseraError } from "@tessera/storage";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { type FactoryOptions, checkInt, newParameter, reprFields } from "./common.js";

/** A size for both spatial dims, or `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** How `Conv2d` pads: with zeros (the default) or by `F.pad`'s other modes. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions extends FactoryOptions {
  /** Step of the window. Default 1. */
  stride?: Size2;
  /** Padding on each side (default 0), or `"valid"` (none) or `"same"` (stride 1 only). */
  padding?: Size2 | "valid" | "same";
  /** Spacing between kernel elements. Default 1. */
  dilation?: Size2;
  /** Independent channel groups; both channel counts must divide by it. Default 1. */
  groups?: number;
  /** Learn an additive bias per output channel. Default true. */
  bias?: boolean;
  /** What the padding holds. Default `"zeros"`. */
  paddingMode?: PaddingMode;
}

function pair(layer: string, name: string, v: Size2, min: number): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  for (const x of p) checkInt(layer, name, x, min);
  return p;
}

/**
 * 2-D convolution over [N, C, H, W] (or [C, H, W]) input: PyTorch's `nn.Conv2d`. Parameters
 * `weight` [outChannels, inChannels / groups, kH, kW] and `bias` [outChannels], initialized as
 * PyTorch: weight by `kaimingUniform_(w, { a: √5 })`, bias by U(−1/√fanIn, 1/√fanIn) with
 * fanIn = inChannels / groups · kH · kW.
 *
 * @example
 * const conv = new Conv2d(3, 16, 3, { padding: 1 });
 * conv.forward(randn([8, 3, 32, 32])).shape; // [8, 16, 32, 32]
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "valid" | "same";
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** [outChannels, inChannels / groups, kH, kW]. */
  weight: Parameter;
  /** [outChannels], or null with `bias: false`. */
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dLayerOptions = {}) {
    super();
    this.inChannels = checkInt("Conv2d", "inChannels", inChannels, 1);
    this.outChannels = checkInt("Conv2d", "outChannels", outChannels, 1);
    this.kernelSize = pair("Conv2d", "kernelSize", kernelSize, 1);
    this.stride = pair("Conv2d", "stride", options.stride ?? 1, 1);
    this.dilation = pair("Conv2d", "dilation", options.dilation ?? 1, 1);
    this.groups = checkInt("Conv2d", "groups", options.groups ?? 1, 1);
    this.paddingMode = options.paddingMode ?? "zeros";
    const padding = options.padding ?? 0;
    if (padding === "same" || padding === "valid") {
      if (padding === "same" && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new TesseraError(`Conv2d: padding "same" is not supported for strided convolutions (stride ${JSON.stringify(this.stride)}); use a number.`);
      }
      this.padding = padding;
    } else if (typeof padding === "string") {
      throw new TesseraError(`Conv2d: padding must be a number, a pair, "valid" or "same", got ${JSON.stringify(padding)}.`);
    } else {
      this.padding = pair("Conv2d", "padding", padding, 0);
    }
    if (!["zeros", "reflect", "replicate", "circular"].includes(this.paddingMode)) {
      throw new TesseraError(`Conv2d: paddingMode must be one of "zeros", "reflect", "replicate", "circular", got ${JSON.stringify(this.paddingMode)}.`);
    }
    if (this.paddingMode !== "zeros" && typeof this.padding === "string") {
      throw new TesseraError(`Conv2d: paddingMode "${this.paddingMode}" needs a numeric padding, got "${this.padding}".`);
    }
    if (inChannels % this.groups !== 0) throw new TesseraError(`Conv2d: inChannels (${inChannels}) must be divisible by groups (${this.groups}).`);
    if (outChannels % this.groups !== 0) throw new TesseraError(`Conv2d: outChannels (${outChannels}) must be divisible by groups (${this.groups}).`);
    this.weight = newParameter([outChannels, inChannels / this.groups, ...this.kernelSize], options);
    this.bias = (options.bias ?? true) ? newParameter([outChannels], options) : null;
    this.resetParameters();
  }

  /** Re-draws the parameters with the default initialization. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const { fanIn } = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    const common = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === "zeros") return F.conv2d(input, this.weight, this.bias, { ...common, padding: this.padding });
    const [ph, pw] = this.padding as [number, number];
    const padded = F.pad(input, [pw, pw, ph, ph], { mode: this.paddingMode });
    const out = F.conv2d(padded, this.weight, this.bias, { ...common, padding: 0 });
    padded.dispose();
    return out;
  }

  override extraRepr(): string {
    const s = [`${this.inChannels}, ${this.outChannels}`, reprFields({ kernelSize: this.kernelSize, stride: this.stride })];
    const p = this.padding;
    if (typeof p === "string" || p[0] !== 0 || p[1] !== 0) s.push(reprFields({ padding: p }));
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s.push(reprFields({ dilation: this.dilation }));
    if (this.groups !== 1) s.push(reprFields({ groups: this.groups }));
    if (this.bias === null) s.push("bias=false");
    if (this.paddingMode !== "zeros") s.push(reprFields({ paddingMode: this.paddingMode }));
    return s.join(", ");
  }
}
