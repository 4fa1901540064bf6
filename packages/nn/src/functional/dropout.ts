/** Dropout: PyTorch's `F.dropout` (inverted dropout). */
import { type Tensor, bernoulli, tidy } from "@tessera/autograd";
import { TesseraError } from "@tessera/storage";
import { alias, requireFloat } from "./util.js";

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** Probability of zeroing each element. Default 0.5. */
  p?: number;
  /** Apply dropout (true, the default) or return the input unchanged (evaluation). */
  training?: boolean;
}

/**
 * Zeroes each element with probability `p` and scales the others by `1 / (1 − p)`, so the
 * expected value is unchanged. The mask comes from the global generator (`manualSeed`).
 * With `training: false` or `p = 0` the result equals the input (a new view of it, so
 * disposing the result never disposes `x`); with `p = 1` it is all zeros.
 *
 * @example
 * const y = dropout(x, { p: 0.1 });                    // training
 * const z = dropout(x, { p: 0.1, training: false });   // identity
 */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const p = options.p ?? 0.5;
  const training = options.training ?? true;
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new TesseraError(`dropout: probability has to be between 0 and 1, but got ${String(p)}.`);
  }
  requireFloat("dropout", "x", x);
  if (!training || p === 0 || x.numel() === 0) return alias(x);
  if (p === 1) return x.mul(0);
  return tidy(() => {
    const mask = bernoulli(x.shape, 1 - p, { dtype: x.dtype, device: x.device });
    return x.mul(mask.mul(1 / (1 - p)));
  });
}
