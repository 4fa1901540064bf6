/** Shared test helpers: float64 tensors from flat values, and a relative-tolerance check. */
import { type Tensor, tensor } from "@tessera/autograd";
import { expect } from "vitest";

type Nested = number | Nested[];

/** Flat row-major values as nested arrays of `shape`. */
export function nest(values: readonly number[], shape: readonly number[]): Nested {
  if (shape.length === 0) return values[0]!;
  const [n, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n! }, (_, i) => nest(values.slice(i * size, (i + 1) * size), rest));
}

/** A float64 tensor of `shape` holding `values` exactly. */
export function f64(values: readonly number[], shape: readonly number[], requiresGrad = false): Tensor {
  return tensor(nest(values, shape) as never, { dtype: "float64", requiresGrad });
}

/** The largest |a - b| / max(|b|, floor) over the elements. */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (a === b) continue;
    const err = Math.abs(a - b) / Math.max(Math.abs(b), floor);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

/**
 * Expects `actual` to equal `expected` elementwise within `rtol` relative error
 * (`|a - b| <= rtol * max(|b|, floor)`), with a message naming the first element that fails.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, label: string, floor = 0): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (a === b) continue;
    const ok = Math.abs(a - b) <= rtol * Math.max(Math.abs(b), floor);
    if (!ok) expect.fail(`${label}: element ${i} is ${a}, expected ${b} (relative error ${Math.abs(a - b) / Math.abs(b)}, rtol ${rtol})`);
  }
}
