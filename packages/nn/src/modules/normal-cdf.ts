/**
 * The standard normal CDF Φ (host float64) and its inverse Φ⁻¹ (tensor ops, and a host
 * version), for `truncNormal_`. Internal: not exported from the package.
 */
import { type Tensor, where } from "@tessera/autograd";

/**
 * Φ(x), the standard normal CDF, in float64: 0.5·erfc(−x/√2), with erfc from a series
 * (|x| < 2) or a continued fraction (tails), so small tail probabilities keep their relative
 * precision.
 */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)): all terms positive.
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated bottom-up.
  let f = x;
  for (let k = 120; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

// Acklam's coefficients for Φ⁻¹ (P. J. Acklam, "An algorithm for computing the inverse normal
// cumulative distribution function").
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Horner's rule on a tensor: c[0]·xⁿ + … + c[n]. */
function poly(x: Tensor, c: readonly number[]): Tensor {
  let acc = x.mul(c[0]!).add(c[1]!);
  for (let i = 2; i < c.length; i++) acc = acc.mul(x).add(c[i]!);
  return acc;
}

/** Φ⁻¹(p) elementwise for p in (0, 1), by Acklam's algorithm (three regions). */
export function inverseNormalCdf(p: Tensor): Tensor {
  // Central region.
  const q = p.sub(0.5);
  const r = q.mul(q);
  const central = poly(r, A).mul(q).div(poly(r, B).mul(r).add(1));
  // Tails: the lower tail formula applied to min(p, 1 − p), with the sign of p − 0.5.
  const tailP = p.minimum(p.neg().add(1));
  const s = tailP.log().mul(-2).sqrt();
  const lower = poly(s, C).div(poly(s, D).mul(s).add(1));
  const tail = where(p.lt(0.5), lower, lower.neg());
  return where(tailP.lt(P_LOW), tail, central);
}

/** Φ⁻¹ for one number (host float64), by the same algorithm. For tests and bounds. */
export function inverseNormalCdf1(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const horner = (x: number, c: readonly number[]): number => c.reduce((acc, ci) => acc * x + ci, 0);
  if (p < P_LOW || p > 1 - P_LOW) {
    const s = Math.sqrt(-2 * Math.log(Math.min(p, 1 - p)));
    const x = horner(s, C) / (horner(s, D) * s + 1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (horner(r, A) * q) / (horner(r, B) * r + 1);
}
