/**
 * Activation functions: PyTorch's `F.relu`, `F.leaky_relu`, `F.gelu`, `F.silu`, `F.sigmoid`,
 * `F.tanh`, `F.softmax`, `F.log_softmax`, composed from autograd's elementwise ops so that
 * their gradients (of any order) come from autograd.
 */
import { type Tensor, logSoftmax as agLogSoftmax, softmax as agSoftmax, tidy, where } from "@tessera/autograd";
import { TesseraError, formatShape } from "@tessera/storage";
import { requireFloat } from "./util.js";

/**
 * `max(x, 0)`, elementwise. The gradient at 0 is 0, as PyTorch.
 *
 * @example relu(tensor([-1, 0, 2])) // [0, 0, 2]
 */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/**
 * `x` where `x > 0`, else `negativeSlope · x` (PyTorch's `F.leaky_relu`).
 *
 * @example leakyRelu(tensor([-2, 3]), 0.1) // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  requireFloat("leakyRelu", "x", x);
  if (typeof negativeSlope !== "number" || !Number.isFinite(negativeSlope)) {
    throw new TesseraError(`leakyRelu: negativeSlope must be a finite number, got ${String(negativeSlope)}.`);
  }
  return tidy(() => where(x.gt(0), x, x.mul(negativeSlope)));
}

/** Options of {@link gelu}. */
export interface GeluOptions {
  /**
   * `"none"` (default): the exact `x · Φ(x)` with the normal CDF written with `erf`.
   * `"tanh"`: PyTorch's tanh approximation `½x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
   */
  approximate?: "none" | "tanh";
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian Error Linear Unit: `x · ½(1 + erf(x/√2))`, or its tanh approximation.
 *
 * @example
 * gelu(x);                             // exact
 * gelu(x, { approximate: "tanh" });    // as GPT-2
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  requireFloat("gelu", "x", x);
  const approximate = options.approximate ?? "none";
  if (approximate === "none") {
    return tidy(() => x.mul(x.mul(SQRT1_2).erf().add(1)).mul(0.5));
  }
  if (approximate === "tanh") {
    return tidy(() => {
      const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
      return x.mul(0.5).mul(inner.tanh().add(1));
    });
  }
  throw new TesseraError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}.`);
}

/**
 * Sigmoid Linear Unit (swish): `x · sigmoid(x)`.
 *
 * @example silu(tensor([0, 1])) // [0, 0.7311]
 */
export function silu(x: Tensor): Tensor {
  requireFloat("silu", "x", x);
  return tidy(() => x.mul(x.sigmoid()));
}

/**
 * Logistic sigmoid `1 / (1 + e^(−x))`, elementwise.
 *
 * @example sigmoid(tensor([0])) // [0.5]
 */
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

/**
 * Hyperbolic tangent, elementwise.
 *
 * @example tanh(tensor([0])) // [0]
 */
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

function checkDim(op: string, x: Tensor, dim: unknown): void {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TesseraError(
      `${op}: dim must be an integer (the dim to normalize over), got ${String(dim)} for input of shape ${formatShape(x.shape)}. PyTorch's implicit dim is not supported; pass it, e.g. ${op}(x, -1).`,
    );
  }
}

/**
 * Softmax along `dim`: `exp(x) / Σ exp(x)`, computed stably.
 *
 * @example softmax(logits, -1) // each row sums to 1
 */
export function softmax(x: Tensor, dim: number): Tensor {
  checkDim("softmax", x, dim);
  return agSoftmax(x, dim);
}

/**
 * `log(softmax(x))` along `dim`, computed stably (use it with {@link nllLoss}).
 *
 * @example logSoftmax(logits, 1)
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkDim("logSoftmax", x, dim);
  return agLogSoftmax(x, dim);
}
