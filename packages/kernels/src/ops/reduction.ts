/**
 * Reductions: `sum`, `prod`, `max`, `min` over a set of dims, and `argmax`, `argmin` along
 * one dim (or over all elements). Outputs are contiguous.
 */
import { type DType, ShapeError, formatShape } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { forEachIndex, offsetOf } from "../strided.js";
import type { ArgReduceAttrs, ReduceAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/**
 * Checks `dims` against a tensor of `shape` and returns them as a set of reduced dims. Dims
 * are already normalized (non-negative); a 0-d tensor accepts dim 0 (which reduces nothing),
 * as PyTorch accepts `dim=0` and `dim=-1` on a scalar.
 */
function checkReduceDims(op: string, shape: readonly number[], dims: readonly number[]): Set<number> {
  const ndim = shape.length;
  const limit = Math.max(ndim, 1);
  const reduced = new Set<number>();
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d >= limit) {
      throw new ShapeError(
        `${op}: dimension ${d} is out of range for a tensor of shape ${formatShape(shape)} (expected dims in [0, ${limit - 1}]); pass normalized dims, e.g. -1 → ${limit - 1}.`,
      );
    }
    if (reduced.has(d)) {
      throw new ShapeError(
        `${op}: dim ${d} appears more than once in dims ${formatShape(dims)} (input shape ${formatShape(shape)}); list each dim once.`,
      );
    }
    reduced.add(d);
  }
  if (ndim === 0) reduced.clear();
  return reduced;
}

/** Output shape of a reduction of `shape` over `reduced`. */
function reducedShape(shape: readonly number[], reduced: ReadonlySet<number>, keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (!reduced.has(d)) out.push(shape[d]!);
    else if (keepdim) out.push(1);
  }
  return out;
}

/** Throws the "no identity" error of max/min/argmax/argmin when a reduced dim is empty. */
function requireNonEmpty(op: string, shape: readonly number[], reduced: ReadonlySet<number>): void {
  for (const d of reduced) {
    if (shape[d] === 0) {
      throw new ShapeError(
        `${op}(): cannot reduce over a zero-size dimension: input shape ${formatShape(shape)}, dim ${d} has size 0, and ${op} has no identity value. Reduce over non-empty dims only, or check the input is not empty first.`,
      );
    }
  }
}

/**
 * Calls `visit` once per output element (row-major) with the input values reduced into it,
 * in row-major order of the reduced dims, and the output element's storage offset.
 */
function forEachReduction(
  x: StridedArray,
  out: StridedArray,
  reduced: ReadonlySet<number>,
  keepdim: boolean,
  visit: (values: readonly number[], outOffset: number) => void,
): void {
  const shape = x.layout.shape;
  const ndim = shape.length;
  // The output element an input index reduces into, as an index of shape `kept`
  // (reduced dims set to size 1), and the reduced sub-space walked for each of them.
  const kept = shape.map((s, d) => (reduced.has(d) ? 1 : s));
  const inner = shape.map((s, d) => (reduced.has(d) ? s : 1));
  const values: number[] = [];
  const full = new Array<number>(ndim).fill(0);
  const outIndex: number[] = [];
  forEachIndex(kept, (k) => {
    values.length = 0;
    forEachIndex(inner, (r) => {
      for (let d = 0; d < ndim; d++) full[d] = k[d]! + r[d]!;
      values.push(x.data[offsetOf(x.layout, full)]!);
    });
    outIndex.length = 0;
    for (let d = 0; d < ndim; d++) if (keepdim || !reduced.has(d)) outIndex.push(k[d]!);
    visit(values, offsetOf(out.layout, outIndex));
  });
}

/** The kinds of reduction over a set of dims. */
type ReduceKind = "sum" | "prod" | "max" | "min";

/** Output dtype of `kind` for an input of `dtype`: sum/prod of bool or int32 give int32. */
function reduceDType(kind: ReduceKind, dtype: DType): DType {
  if ((kind === "sum" || kind === "prod") && dtype === "bool") return "int32";
  return dtype;
}

/** Combines the values reduced into one output element. */
function combine(kind: ReduceKind, values: readonly number[], integer: boolean): number {
  switch (kind) {
    case "sum": {
      // int32 wraps modulo 2³² at every step (exact, order-independent); floats add in float64.
      let s = 0;
      for (const v of values) s = integer ? (s + v) | 0 : s + v;
      return s;
    }
    case "prod": {
      let p = 1;
      for (const v of values) p = integer ? Math.imul(p, v) : p * v;
      return p;
    }
    case "max":
    case "min": {
      let best = values[0]!;
      for (const v of values) {
        if (Number.isNaN(v)) return NaN;
        if (kind === "max" ? v > best : v < best) best = v;
      }
      return best;
    }
  }
}

function reduce(kind: ReduceKind): OpSchema<ReduceAttrs> {
  const name = kind;
  const hasIdentity = kind === "sum" || kind === "prod";
  return {
    name,
    family: "reduction",
    inputs: ["input"],
    outputs: 1,
    stridedOutput: false,
    infer([x]: readonly TensorMeta[], attrs: ReduceAttrs): TensorMeta[] {
      const reduced = checkReduceDims(name, x!.shape, attrs.dims);
      if (!hasIdentity) requireNonEmpty(name, x!.shape, reduced);
      return [{ shape: reducedShape(x!.shape, reduced, attrs.keepdim), dtype: reduceDType(kind, x!.dtype) }];
    },
    reference([x]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: ReduceAttrs): void {
      const shape = x!.layout.shape;
      const reduced = checkReduceDims(name, shape, attrs.dims);
      if (!hasIdentity) requireNonEmpty(name, shape, reduced);
      checkElementwiseOutput(name, out!, reducedShape(shape, reduced, attrs.keepdim));
      const integer = out!.dtype === "int32";
      const dst = out!.data;
      forEachReduction(x!, out!, reduced, attrs.keepdim, (values, o) => {
        dst[o] = combine(kind, values, integer);
      });
    },
  };
}

/** The kinds of reduction to an index. */
type ArgKind = "argmax" | "argmin";

/** The dims an arg-reduction reduces over (all of them when `dim` is null). */
function argReducedDims(op: string, shape: readonly number[], dim: number | null): Set<number> {
  if (dim === null) return new Set(shape.map((_, d) => d));
  return checkReduceDims(op, shape, [dim]);
}

/** Output shape of an arg-reduction. */
function argShape(shape: readonly number[], reduced: ReadonlySet<number>, keepdim: boolean): number[] {
  return reducedShape(shape, reduced, keepdim);
}

/**
 * Position of the winner among `values`: the largest (argmax) or smallest (argmin); the
 * first occurrence wins ties, and the first NaN beats everything (as in PyTorch, where NaN
 * propagates through max and min).
 */
function argBest(kind: ArgKind, values: readonly number[]): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return i;
    if (kind === "argmax" ? v > values[best]! : v < values[best]!) best = i;
  }
  return best;
}

function argReduce(kind: ArgKind): OpSchema<ArgReduceAttrs> {
  const name = kind;
  return {
    name,
    family: "reduction",
    inputs: ["input"],
    outputs: 1,
    stridedOutput: false,
    infer([x]: readonly TensorMeta[], attrs: ArgReduceAttrs): TensorMeta[] {
      const reduced = argReducedDims(name, x!.shape, attrs.dim);
      requireArgNonEmpty(name, x!.shape, reduced, attrs.dim);
      return [{ shape: argShape(x!.shape, reduced, attrs.keepdim), dtype: "int32" }];
    },
    reference([x]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: ArgReduceAttrs): void {
      const shape = x!.layout.shape;
      const reduced = argReducedDims(name, shape, attrs.dim);
      requireArgNonEmpty(name, shape, reduced, attrs.dim);
      checkElementwiseOutput(name, out!, argShape(shape, reduced, attrs.keepdim));
      const dst = out!.data;
      // Values arrive in row-major order of the reduced dims, so with one dim (or all dims,
      // flattened) the position in `values` is the index PyTorch returns.
      forEachReduction(x!, out!, reduced, attrs.keepdim, (values, o) => {
        dst[o] = argBest(kind, values);
      });
    },
  };
}

/** The zero-size error of argmax/argmin, whose message says which reduction was asked. */
function requireArgNonEmpty(op: string, shape: readonly number[], reduced: ReadonlySet<number>, dim: number | null): void {
  if (dim === null) {
    if (shape.some((s) => s === 0)) {
      throw new ShapeError(
        `${op}(): cannot reduce over a zero-size dimension: input shape ${formatShape(shape)} has no elements, and ${op} has no identity value (dim=null reduces all elements). Check the input is not empty first.`,
      );
    }
    return;
  }
  requireNonEmpty(op, shape, reduced);
}

/**
 * The reduction family, keyed by op name.
 *
 * - `sum`, `prod` (`ReduceAttrs`): bool and int32 inputs give int32 (wrapping modulo 2³²);
 *   floats keep their dtype and accumulate in float64 here. Over an empty set the result is
 *   the identity (0 for sum, 1 for prod).
 * - `max`, `min` (`ReduceAttrs`): keep the dtype; NaN propagates; reducing a zero-size dim is
 *   an error.
 * - `argmax`, `argmin` (`ArgReduceAttrs`): int32 index along `dim`, or into the flattened
 *   input when `dim` is null; first occurrence wins ties; NaN counts as the extreme.
 *
 * Empty `dims` reduce nothing (the output is a copy of the input).
 *
 * @example
 * // sum of [[1, 2], [3, 4]] over dims [0] → [4, 6]; argmax over dim 1 → [1, 1]
 * reductionOps.sum.infer([{ shape: [2, 2], dtype: "float32" }], { dims: [0], keepdim: false });
 * // → [{ shape: [2], dtype: "float32" }]
 */
export const reductionOps = {
  sum: reduce("sum"),
  prod: reduce("prod"),
  max: reduce("max"),
  min: reduce("min"),
  argmax: argReduce("argmax"),
  argmin: argReduce("argmin"),
} satisfies Record<string, OpSchema<any>>;
