/** `Linear` and `Identity`. */
import type { Tensor } from "@tessera/autograd";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import type { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { type FactoryOptions, checkInt, newParameter, reprFields } from "./common.js";

/**
 * Returns its input (a placeholder that keeps a model's structure, as `nn.Identity`).
 *
 * @example new Identity().forward(x) === x; // true
 */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

/** Options of {@link Linear}. */
export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias. Default true. */
  bias?: boolean;
}

/**
 * `y = x Wᵀ + b` over the last dim: input [*, inFeatures] → output [*, outFeatures].
 * Parameters `weight` [outFeatures, inFeatures] and `bias` [outFeatures] are initialized as
 * PyTorch: weight by `kaimingUniform_(w, { a: √5 })` (U(−1/√inFeatures, 1/√inFeatures)), bias
 * by U(−1/√inFeatures, 1/√inFeatures).
 *
 * @example
 * const fc = new Linear(784, 256);
 * fc.forward(randn([32, 784])).shape; // [32, 256]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [outFeatures, inFeatures]. */
  weight: Parameter;
  /** [outFeatures], or null with `bias: false`. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkInt("Linear", "inFeatures", inFeatures, 0);
    this.outFeatures = checkInt("Linear", "outFeatures", outFeatures, 0);
    this.weight = newParameter([outFeatures, inFeatures], options);
    this.bias = (options.bias ?? true) ? newParameter([outFeatures], options) : null;
    this.resetParameters();
  }

  /** Re-draws the parameters with the default initialization. */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return reprFields({ inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null });
  }
}
