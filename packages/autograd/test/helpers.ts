/** Small helpers shared by the autograd test files. */
import { expect } from "vitest";
import { noGrad, randn, type Tensor } from "../src/index.js";

/** The elements of `t` as a plain array of numbers (row-major). */
export function values(t: Tensor): number[] {
  return Array.from(t.dataSync(), Number);
}

/** Asserts `t` has `shape` and elements close to `expected` (flat, row-major). */
export function expectValues(t: Tensor, expected: readonly number[], digits = 5, shape?: readonly number[]): void {
  if (shape !== undefined) expect(t.shape).toEqual(shape);
  const got = values(t);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => {
    if (Number.isNaN(expected[i]!)) expect(v).toBeNaN();
    else if (!Number.isFinite(expected[i]!)) expect(v).toBe(expected[i]);
    else expect(v, `element ${i}`).toBeCloseTo(expected[i]!, digits);
  });
}

export interface LeafOptions {
  /** Make the leaf a non-contiguous view (reversed dims permuted back, or a stride-2 slice for 1-D). */
  strided?: boolean;
  /** Elementwise transform of the random values (e.g. keep them positive). */
  map?: (x: Tensor) => Tensor;
  /** Default float64. */
  dtype?: "float32" | "float64";
}

/**
 * A float64 leaf of `shape` with standard normal values (through `map`), requiring grad;
 * with `strided`, its layout is not contiguous.
 */
export function leaf(shape: readonly number[], options: LeafOptions = {}): Tensor {
  const dtype = options.dtype ?? "float64";
  const map = options.map ?? ((x: Tensor) => x);
  const t = noGrad(() => {
    if (!options.strided || shape.length === 0) return map(randn(shape, { dtype }));
    if (shape.length >= 2) {
      // Dims stored in reverse order, permuted back.
      const reversed = [...shape].reverse();
      const dims = reversed.map((_, i) => reversed.length - 1 - i);
      const permuted = map(randn(reversed, { dtype })).permute(dims);
      if (!permuted.isContiguous()) return permuted;
    }
    // Every other element of a last dim twice as long.
    const doubled = [...shape.slice(0, -1), shape[shape.length - 1]! * 2];
    return map(randn(doubled, { dtype })).slice(-1, 0, undefined, 2);
  });
  const out = t.detach().requiresGrad_();
  if (options.strided && out.numel() > 1) expect(out.isContiguous()).toBe(false);
  return out;
}

/** Values bounded away from 0: sign(x) * (|x| + 0.5). */
export const awayFromZero = (x: Tensor) => x.sign().mul(x.abs().add(0.5));
/** Positive values in [0.5, …). */
export const positive = (x: Tensor) => x.abs().add(0.5);
