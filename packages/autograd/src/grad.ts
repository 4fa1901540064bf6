/** `grad()`: gradients of outputs with respect to chosen inputs, without touching `.grad`. */
import { AutogradError } from "./errors.js";
import { captureGradients } from "./graph/engine.js";
import type { Tensor } from "./tensor.js";

/** Options of {@link grad}. */
export interface GradOptions {
  /** The vector in the vector–Jacobian product, one per output (required for non-scalar outputs). */
  gradOutputs?: Tensor[];
  /** Keep the graph for another backward. Default: `createGraph`. */
  retainGraph?: boolean;
  /** Record the computation of the gradients, for higher-order derivatives. Default false. */
  createGraph?: boolean;
  /** Return null (instead of throwing) for inputs the outputs do not depend on. Default false. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned in input order.
 *
 * @example
 * const x = tensor([3], { requiresGrad: true });
 * const [dx] = grad([x.pow(2).sum()], [x]); // [6]
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const createGraph = options.createGraph ?? false;
  const results = captureGradients(outs, options.gradOutputs, ins, options.retainGraph ?? createGraph, createGraph);
  if (!options.allowUnused) {
    const unused = results.findIndex((r) => r === null);
    if (unused >= 0) {
      throw new AutogradError(
        `grad: one of the differentiated Tensors (input ${unused}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`,
      );
    }
  }
  return results;
}
