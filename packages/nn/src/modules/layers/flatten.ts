/** `Flatten`. */
import type { Tensor } from "@tessera/autograd";
import { Module } from "../module.js";
import { reprFields } from "./common.js";

/**
 * Merges dims `startDim … endDim` into one (default: all but the batch dim), as
 * PyTorch's `nn.Flatten`.
 *
 * @example new Flatten().forward(randn([32, 1, 28, 28])).shape; // [32, 784]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(options: { startDim?: number; endDim?: number } = {}) {
    super();
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return reprFields({ startDim: this.startDim, endDim: this.endDim });
  }
}
