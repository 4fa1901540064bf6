/**
 * `multinomial`: indices drawn from categorical distributions, from the global Philox stream
 * (see `manualSeed`). Built from catalog ops every backend has: a uniform draw scaled by each
 * row's total is located in the row's cumulative sum (a comparison against every category,
 * counted), so it runs on any device without a sampling kernel. Same seed, same indices, on
 * every backend that computes the cumulative sums alike.
 */
import { DTypeError, ShapeError, TesseraError, formatShape, isFloatingPoint } from "@tessera/storage";
import type { Tensor } from "../tensor.js";
import { noGrad } from "../grad-mode.js";
import { rand } from "../creation/random.js";
import { arange } from "../creation/factories.js";
import { cat } from "./join.js";
import { tidyInternal } from "./scope.js";
import { cumsum } from "./scan.js";
import { where } from "./where.js";

/** Options of {@link multinomial}. */
export interface MultinomialOptions {
  /** Draw with replacement (default false: every index at most once per row, as PyTorch). */
  replacement?: boolean;
}

/**
 * Throws PyTorch's errors for weights that are negative, not finite, or all zero in a row.
 * Only where the values can be read synchronously (the CPU): on an asynchronous device such
 * as WebGPU the weights are not checked, and invalid ones give unspecified indices.
 */
function checkWeights(rows: Tensor, numSamples: number, replacement: boolean): void {
  if (rows._backend.readSync === undefined) return;
  const values = rows.contiguous();
  const data = values.dataSync();
  values.dispose();
  const [R, C] = rows.shape as [number, number];
  for (let r = 0; r < R; r++) {
    let total = 0;
    let positive = 0;
    for (let c = 0; c < C; c++) {
      const v = Number(data[r * C + c]);
      if (!(v >= 0) || v === Infinity) {
        throw new TesseraError(`multinomial: probability tensor contains either inf, nan or element < 0 (row ${r}, category ${c}: ${v}).`);
      }
      total += v;
      if (v > 0) positive++;
    }
    if (total === 0) throw new TesseraError(`multinomial: invalid multinomial distribution (sum of probabilities <= 0) in row ${r}.`);
    if (!replacement && positive < numSamples) {
      throw new TesseraError(
        `multinomial: invalid multinomial distribution (with replacement=False, not enough non-negative category to sample): row ${r} has ${positive} categories with weight > 0 for ${numSamples} samples.`,
      );
    }
  }
}

/** `samples` indices per row of `weights` ([R, C]), with replacement: int32 [R, samples]. */
function drawWithReplacement(weights: Tensor, samples: number): Tensor {
  const [R, C] = weights.shape as [number, number];
  const cumulative = cumsum(weights, 1);
  const total = cumulative.narrow(1, C - 1, 1);
  const u = rand([R, samples], { device: weights.device, dtype: weights.dtype }).mul(total);
  // Index = how many categories' cumulative sums lie at or below u: the first one above u wins,
  // so a zero-weight category (no width) is never drawn...
  const drawn = cumulative.unsqueeze(1).le(u.unsqueeze(2)).sum({ dim: 2 });
  // ...except where rounding puts u at the total: then the last category with weight wins.
  const lastWithWeight = cumulative.lt(total).sum({ dim: 1, keepdim: true });
  return drawn.minimum(lastWithWeight).to("int32");
}

/**
 * Draws `numSamples` category indices per row of `weights` (1-D: one distribution; 2-D: one
 * per row), each with probability proportional to its weight; weights need not sum to 1.
 * Returns int32 indices (PyTorch: int64) of shape `[numSamples]` or `[rows, numSamples]`.
 * Without replacement, an index appears at most once per row, so `numSamples` may not exceed
 * the number of categories. Never recorded in the graph.
 *
 * @example
 * manualSeed(0);
 * multinomial(tensor([0.1, 0.0, 0.9]), 4, { replacement: true }); // e.g. [2, 2, 0, 2]
 * multinomial(logits.softmax(-1), 1); // sample the next token of each sequence
 */
export function multinomial(weights: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  const replacement = options.replacement ?? false;
  if (weights.ndim !== 1 && weights.ndim !== 2) {
    throw new ShapeError(`multinomial: prob_dist must be 1 or 2 dim, got shape ${formatShape(weights.shape)}.`);
  }
  if (!isFloatingPoint(weights.dtype)) {
    throw new DTypeError(`multinomial: only floating point weights are supported, got ${weights.dtype}; cast them first: w.to("float32").`);
  }
  const categories = weights.shape[weights.ndim - 1]!;
  if (categories === 0) throw new ShapeError(`multinomial: the weights (shape ${formatShape(weights.shape)}) have no categories.`);
  if (!Number.isInteger(numSamples) || numSamples <= 0) {
    throw new ShapeError(`multinomial: numSamples must be a positive integer, got ${numSamples}.`);
  }
  if (!replacement && numSamples > categories) {
    throw new ShapeError(
      `multinomial: cannot sample numSamples (${numSamples}) > prob_dist.size(-1) (${categories}) samples without replacement; pass { replacement: true }.`,
    );
  }
  return noGrad(() =>
    tidyInternal(() => {
      const rows = weights.ndim === 1 ? weights.unsqueeze(0) : weights;
      checkWeights(rows, numSamples, replacement);
      let drawn: Tensor;
      if (replacement || numSamples === 1) {
        drawn = drawWithReplacement(rows, numSamples);
      } else {
        // One draw at a time, each index's weight zeroed once drawn.
        const picks: Tensor[] = [];
        const ids = arange(0, categories, 1, { device: weights.device, dtype: "int32" });
        let left = rows;
        for (let s = 0; s < numSamples; s++) {
          const pick = drawWithReplacement(left, 1);
          picks.push(pick);
          left = where(ids.eq(pick), 0, left);
        }
        drawn = cat(picks, 1);
      }
      return weights.ndim === 1 ? drawn.squeeze(0) : drawn;
    }),
  );
}
