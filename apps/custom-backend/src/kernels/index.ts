/**
 * The kernels the tiny backend writes itself: the ops a small MLP trained with
 * cross-entropy runs every step (plus their obvious siblings). Every other catalog op comes
 * from the reference fallback (`withReferenceFallback` of `@tessera/backend`).
 */
import type { TypedArray } from "@tessera/storage";
import type { KernelTable } from "@tessera/backend";
import { binaryKernel, castKernel, copyKernel, fillKernel, unaryKernel, whereKernel } from "./elementwise.js";
import { maxKernel, minKernel, sumKernel } from "./reduction.js";
import { matmulKernel } from "./matmul.js";

/** Comparisons store 1/0 into the bool (`Uint8Array`) output. */
const compare = (test: (a: number, b: number) => boolean) => binaryKernel((a, b) => (test(a, b) ? 1 : 0));

/**
 * The tiny backend's own kernels, keyed by catalog op name. `satisfies KernelTable` makes
 * TypeScript check each entry's attributes against the catalog (e.g. `sum` gets `ReduceAttrs`)
 * and rejects names that are not catalog ops.
 *
 * @example
 * Object.keys(tinyKernels); // ["neg", "exp", "log", "sqrt", "relu", "add", …, "matmul"]
 */
export const tinyKernels = {
  // Unary. `relu` keeps NaN (PyTorch does); `x > 0 ? x : 0` alone would turn NaN into 0.
  neg: unaryKernel((x) => -x),
  exp: unaryKernel(Math.exp),
  log: unaryKernel(Math.log),
  sqrt: unaryKernel(Math.sqrt),
  relu: unaryKernel((x) => (x > 0 || Number.isNaN(x) ? x : 0)),

  // Binary, broadcasting. Math.max/min already return NaN when either side is NaN.
  add: binaryKernel((a, b) => a + b),
  sub: binaryKernel((a, b) => a - b),
  mul: binaryKernel((a, b) => a * b, Math.imul),
  div: binaryKernel((a, b) => a / b),
  maximum: binaryKernel(Math.max),
  minimum: binaryKernel(Math.min),
  eq: compare((a, b) => a === b),
  ne: compare((a, b) => a !== b),
  lt: compare((a, b) => a < b),
  le: compare((a, b) => a <= b),
  gt: compare((a, b) => a > b),
  ge: compare((a, b) => a >= b),
  where: whereKernel,

  // Copies and creation.
  copy: copyKernel,
  cast: castKernel,
  fill: fillKernel,

  // Reductions and matmul.
  sum: sumKernel,
  max: maxKernel,
  min: minKernel,
  matmul: matmulKernel,
} satisfies KernelTable<TypedArray>;
