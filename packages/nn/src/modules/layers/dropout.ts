/** `Dropout`. */
import type { Tensor } from "@tessera/autograd";
import { TesseraError } from "@tessera/storage";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import { reprFields } from "./common.js";

/**
 * Zeroes each element with probability `p` in training mode and scales the rest by
 * 1 / (1 − p); the identity in evaluation mode (`eval()`). PyTorch's `nn.Dropout`.
 *
 * @example
 * const drop = new Dropout(0.1);
 * drop.forward(x);        // training: some zeros
 * drop.eval().forward(x); // same values as x
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new TesseraError(`Dropout: dropout probability has to be between 0 and 1, but got ${String(p)}.`);
    }
    this.p = p;
  }

  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return reprFields({ p: this.p });
  }
}
