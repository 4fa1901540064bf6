/** Activation modules: `ReLU`, `LeakyReLU`, `GELU`, `SiLU`, `Sigmoid`, `Tanh`, `Softmax`, `LogSoftmax`. */
import type { Tensor } from "@tessera/autograd";
import * as F from "../../functional/index.js";
import { Module } from "../module.js";
import { reprFields } from "./common.js";

/** max(x, 0). @example new ReLU().forward(tensor([-1, 2])); // [0, 2] */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/**
 * x for x ≥ 0, `negativeSlope`·x otherwise (default slope 0.01).
 *
 * @example new LeakyReLU(0.2).forward(tensor([-1, 2])); // [-0.2, 2]
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return reprFields({ negativeSlope: this.negativeSlope });
  }
}

/**
 * Gaussian error linear unit, x·Φ(x); `{ approximate: "tanh" }` uses the tanh approximation.
 *
 * @example new GELU({ approximate: "tanh" }).forward(x);
 */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = options.approximate ?? "none";
  }

  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return reprFields({ approximate: this.approximate });
  }
}

/** x·sigmoid(x) (swish). @example new SiLU().forward(x); */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

/** 1 / (1 + e^−x). @example new Sigmoid().forward(x); */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** Hyperbolic tangent. @example new Tanh().forward(x); */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/**
 * Softmax along `dim` (required: PyTorch's implicit-dim choice is deprecated).
 *
 * @example new Softmax(-1).forward(logits);
 */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }

  override extraRepr(): string {
    return reprFields({ dim: this.dim });
  }
}

/**
 * log(softmax(x)) along `dim`, computed stably.
 *
 * @example new LogSoftmax(1).forward(logits);
 */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return reprFields({ dim: this.dim });
  }
}
