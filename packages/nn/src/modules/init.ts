/**
 * Parameter initialization, as `torch.nn.init`: every function fills its tensor in place
 * under `noGrad` (so it works on parameters that require grad) and returns it. Random fills
 * use autograd's Philox generator, so `manualSeed(s)` makes them reproducible (the numbers are
 * not PyTorch's; see docs/semantics.md).
 */
import { type Tensor, empty, noGrad, tidy, uniform_ as fillUniform, normal_ as fillNormal } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import { inverseNormalCdf, normalCdf } from "./normal-cdf.js";

/** Activation names for {@link calculateGain} (PyTorch's, in camelCase). */
export type Nonlinearity =
  | "linear"
  | "identity"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "convTranspose1d"
  | "convTranspose2d"
  | "convTranspose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leakyRelu"
  | "selu";

/** Which fan the Kaiming functions preserve: `fanIn` (forward pass, the default) or `fanOut` (backward). */
export type FanMode = "fanIn" | "fanOut";

/** Options of {@link kaimingUniform_} and {@link kaimingNormal_}. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (only with `leakyRelu`). Default 0. */
  a?: number;
  /** Default `"fanIn"`. */
  mode?: FanMode;
  /** Default `"leakyRelu"` (with `a = 0` that is ReLU's gain √2), as PyTorch. */
  nonlinearity?: Nonlinearity;
}

/** Options of {@link truncNormal_}. */
export interface TruncNormalOptions {
  /** Mean of the normal distribution. Default 0. */
  mean?: number;
  /** Standard deviation of the normal distribution. Default 1. */
  std?: number;
  /** Lower cut-off (an absolute value, not in units of std). Default -2. */
  a?: number;
  /** Upper cut-off. Default 2. */
  b?: number;
}

/**
 * The recommended gain for an activation (PyTorch's `calculate_gain`): 1 for linear,
 * convolutions and sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + slope²)) for leaky ReLU
 * (`param` is the slope, default 0.01), 3/4 for SELU.
 *
 * @example calculateGain("leakyRelu", 0.2); // 1.3867…
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "identity":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "convTranspose1d":
    case "convTranspose2d":
    case "convTranspose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope)) {
        throw new TesseraError(`calculateGain: negative_slope ${String(param)} is not a valid number.`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new TesseraError(
        `calculateGain: unsupported nonlinearity "${String(nonlinearity)}". Use one of linear, conv1d, conv2d, conv3d, convTranspose1d/2d/3d, sigmoid, tanh, relu, leakyRelu, selu.`,
      );
  }
}

/**
 * `fanIn` and `fanOut` of a weight as PyTorch computes them: for shape
 * `[out, in, ...kernel]`, fanIn = in · ∏kernel and fanOut = out · ∏kernel.
 *
 * @example calculateFanInAndFanOut(zeros([16, 3, 5, 5])); // { fanIn: 75, fanOut: 400 }
 */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new ShapeError(
      `Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape ${formatShape(t.shape)}). Use uniform_ or normal_ with an explicit range for biases.`,
    );
  }
  let receptive = 1;
  for (let i = 2; i < t.ndim; i++) receptive *= t.shape[i]!;
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

function fan(t: Tensor, mode: FanMode): number {
  if (mode !== "fanIn" && mode !== "fanOut") {
    throw new TesseraError(`Mode ${String(mode)} not supported, please use one of "fanIn", "fanOut".`);
  }
  const f = calculateFanInAndFanOut(t);
  return mode === "fanIn" ? f.fanIn : f.fanOut;
}

/**
 * Fills with U(a, b).
 *
 * @example uniform_(linear.bias!, -0.1, 0.1);
 */
export function uniform_<T extends Tensor>(t: T, a = 0, b = 1): T {
  return noGrad(() => fillUniform(t, a, b));
}

/**
 * Fills with N(mean, std²).
 *
 * @example normal_(embedding.weight, 0, 0.02);
 */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1): T {
  return noGrad(() => fillNormal(t, mean, std));
}

/** Fills with `value`. @example constant_(bias, 0.1); */
export function constant_<T extends Tensor>(t: T, value: number): T {
  return noGrad(() => t.fill_(value));
}

/** Fills with zeros. @example zeros_(linear.bias!); */
export function zeros_<T extends Tensor>(t: T): T {
  return noGrad(() => t.zero_());
}

/** Fills with ones. @example ones_(norm.weight!); */
export function ones_<T extends Tensor>(t: T): T {
  return noGrad(() => t.fill_(1));
}

/**
 * Glorot/Xavier uniform: U(−r, r) with r = gain · √(6 / (fanIn + fanOut)).
 *
 * @example xavierUniform_(w, calculateGain("tanh"));
 */
export function xavierUniform_<T extends Tensor>(t: T, gain = 1): T {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound);
}

/**
 * Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)).
 *
 * @example xavierNormal_(w);
 */
export function xavierNormal_<T extends Tensor>(t: T, gain = 1): T {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/**
 * He/Kaiming uniform: U(−r, r) with r = gain · √(3 / fan), gain from `nonlinearity` and `a`.
 * `Linear` and `Conv2d` use `{ a: √5 }`, which gives r = 1/√fanIn.
 *
 * @example kaimingUniform_(w, { a: Math.sqrt(5) });
 * kaimingUniform_(w, { mode: "fanOut", nonlinearity: "relu" });
 */
export function kaimingUniform_<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  if (t.numel() === 0) return t;
  const f = fan(t, options.mode ?? "fanIn");
  const gain = calculateGain(options.nonlinearity ?? "leakyRelu", options.a ?? 0);
  const bound = f === 0 ? 0 : Math.sqrt(3) * (gain / Math.sqrt(f));
  return uniform_(t, -bound, bound);
}

/**
 * He/Kaiming normal: N(0, std²) with std = gain / √fan.
 *
 * @example kaimingNormal_(w, { mode: "fanOut", nonlinearity: "relu" });
 */
export function kaimingNormal_<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  if (t.numel() === 0) return t;
  const f = fan(t, options.mode ?? "fanIn");
  const gain = calculateGain(options.nonlinearity ?? "leakyRelu", options.a ?? 0);
  return normal_(t, 0, f === 0 ? 0 : gain / Math.sqrt(f));
}

/**
 * Fills with a normal distribution N(mean, std²) truncated to [a, b] (PyTorch's
 * `trunc_normal_`; `a`, `b` are absolute bounds).
 *
 * Method (inverse transform, no rejection loop): u is drawn uniformly in [Φ(α), Φ(β)] with
 * α = (a − mean)/std, β = (b − mean)/std, and mapped through Φ⁻¹, the inverse of the standard
 * normal CDF, computed with tensor ops by Acklam's rational approximation (relative error
 * below 1.2·10⁻⁹) in float64 where the device has it. Φ at the bounds is computed in float64
 * on the host. When the whole interval lies above the mean the draw is mirrored into the
 * lower tail, where float64 resolves probabilities finely. The result is clamped to [a, b].
 *
 * @example truncNormal_(w, { std: 0.02 }); // ViT-style init, cut at ±2 (absolute)
 */
export function truncNormal_<T extends Tensor>(t: T, options: TruncNormalOptions = {}): T {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const a = options.a ?? -2;
  const b = options.b ?? 2;
  if (!(a < b)) throw new TesseraError(`truncNormal_: expected a < b, got a=${a}, b=${b}.`);
  if (!(std >= 0)) throw new TesseraError(`truncNormal_: std must be >= 0, got ${std}.`);
  if (t.numel() === 0) return t;
  if (std === 0) return constant_(t, Math.min(Math.max(mean, a), b));
  let alpha = (a - mean) / std;
  let beta = (b - mean) / std;
  // Mirror an interval above the mean into the lower tail: Φ near 0 is exact in floating point.
  const mirror = alpha > 0;
  if (mirror) [alpha, beta] = [-beta, -alpha];
  const lo = normalCdf(alpha);
  const hi = normalCdf(beta);
  const work = t._backend.dtypes.includes("float64") ? "float64" : "float32";
  noGrad(() => {
    tidy(() => {
      const u = fillUniform(empty(t.shape, { dtype: work, device: t.device }), lo, hi);
      // Keep u inside (0, 1) so the logs below stay finite.
      const p = u.clamp(work === "float64" ? { min: 1e-300, max: 1 - 2 ** -53 } : { min: 1e-30, max: 1 - 2 ** -24 });
      const z = inverseNormalCdf(p);
      const x = (mirror ? z.neg() : z).mul(std).add(mean).clamp({ min: a, max: b });
      t.copy_(x);
    });
  });
  return t;
}
