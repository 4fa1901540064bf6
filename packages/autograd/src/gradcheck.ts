/**
 * Finite-difference gradient checking: compares the gradients backward computes with central
 * differences, element by element. Use float64 inputs.
 */
import { formatShape, TesseraError } from "@tessera/storage";
import { noGrad } from "./grad-mode.js";
import { grad } from "./grad.js";
import type { Tensor } from "./tensor.js";
import { tensor } from "./creation/from-data.js";
import { tidy } from "./memory.js";

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-3. */
  rtol?: number;
  /** Throw a descriptive error on mismatch (default) instead of returning false. */
  raiseException?: boolean;
}

/** A gradient that disagrees with finite differences. */
export class GradcheckError extends TesseraError {
  override name = "GradcheckError";
}

function outputsOf(result: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(result) ? result : [result];
}

/**
 * Checks the gradients of `fn` at `inputs` against central finite differences for every
 * input that requires grad. Returns true, or throws (or returns false) on a mismatch.
 *
 * @example
 * const x = randn([3], { dtype: "float64", requiresGrad: true });
 * gradcheck((x) => x.exp().sum(), [x]); // true
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[], options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const raise = options.raiseException ?? true;
  const checked = inputs.filter((t) => t.requiresGrad);
  if (checked.length === 0) throw new GradcheckError("gradcheck: no input requires grad; set requiresGrad: true on the inputs to check.");

  return tidy(() => {
    const outputs = outputsOf(fn(...inputs));
    const outValues = outputs.map((o) => o.dataSync());
    for (let oi = 0; oi < outputs.length; oi++) {
      const out = outputs[oi]!;
      if (!out.requiresGrad) continue;
      const n = out.numel();
      // Analytical: one backward per output element gives a row of the Jacobian.
      const analytical: Float64Array[] = checked.map((x) => new Float64Array(n * x.numel()));
      for (let i = 0; i < n; i++) {
        const seed = new Float64Array(n);
        seed[i] = 1;
        const gOut = tensor(seed, { dtype: out.dtype, device: out.device }).reshape(out.shape);
        const grads = grad([out], checked, { gradOutputs: [gOut], retainGraph: true, allowUnused: true });
        grads.forEach((g, k) => {
          if (g === null) return;
          const values = g.dataSync();
          analytical[k]!.set(values, i * values.length);
        });
      }
      // Numerical: perturb each input element in place (outside the graph).
      for (let k = 0; k < checked.length; k++) {
        const x = checked[k]!;
        const base = Float64Array.from(x.dataSync());
        for (let j = 0; j < base.length; j++) {
          const evalAt = (v: number) =>
            noGrad(() => {
              const values = base.slice();
              values[j] = v;
              x.copy_(tensor(values, { dtype: x.dtype, device: x.device }).reshape(x.shape));
              return outputsOf(fn(...inputs))[oi]!.dataSync();
            });
          const plus = evalAt(base[j]! + eps);
          const minus = evalAt(base[j]! - eps);
          for (let i = 0; i < n; i++) {
            const numerical = (plus[i]! - minus[i]!) / (2 * eps);
            const a = analytical[k]![i * base.length + j]!;
            if (!(Math.abs(a - numerical) <= atol + rtol * Math.abs(numerical))) {
              noGrad(() => x.copy_(tensor(base, { dtype: x.dtype, device: x.device }).reshape(x.shape)));
              const message = `gradcheck: Jacobian mismatch for output ${oi} with respect to input ${inputs.indexOf(x)} (shape ${formatShape(x.shape)}), output element ${i}, input element ${j}: numerical ${numerical}, analytical ${a} (atol ${atol}, rtol ${rtol}).`;
              if (raise) throw new GradcheckError(message);
              return false;
            }
          }
        }
        noGrad(() => x.copy_(tensor(base, { dtype: x.dtype, device: x.device }).reshape(x.shape)));
      }
    }
    void outValues;
    return true;
  });
}
