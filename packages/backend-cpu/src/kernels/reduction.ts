/**
 * Reductions: `sum`, `prod`, `max`, `min` over any set of dims, and `argmax`, `argmin`.
 *
 * A reduction is walked as an elementwise loop over the input in which the accumulator (the
 * output, or a float64 scratch copy of it for float32 sums and products) has stride 0 along
 * the reduced dims. The loop dims are ordered by the input's strides and coalesced, so the
 * innermost loop either folds a contiguous run into one register (reducing the last dim, or
 * everything) or adds a contiguous input row into a contiguous accumulator row (reducing a
 * leading dim). For a contiguous input every output element sees its values in row-major
 * order of the reduced dims, as in the reference, so float sums match it bit for bit.
 */
import type { TypedArray } from "@tessera/storage";
import type { ArgReduceAttrs, ReduceAttrs } from "@tessera/kernels";
import { denseView } from "./elementwise.js";
import { type CpuView, SLOT, scratchF64, sizeOf } from "./iter.js";

/** Reduction codes of the row routine. */
const enum R {
  /** Float sum, accumulated in float64. */
  SumF = 0,
  /** int32 sum, wrapping modulo 2³² at every step. */
  SumI = 1,
  /** Float product, accumulated in float64. */
  ProdF = 2,
  /** int32 product, wrapping (`Math.imul`). */
  ProdI = 3,
  /** Maximum; NaN wins. */
  Max = 4,
  /** Minimum; NaN wins. */
  Min = 5,
}

/** Folds `n` values `x[xi + i·xs]` into the single accumulator `acc[ai]`. */
function foldRow(op: R, x: TypedArray, xi: number, xs: number, acc: TypedArray, ai: number, n: number): void {
  let s = acc[ai];
  let i = 0;
  switch (op) {
    case R.SumF:
      for (; i < n; i++, xi += xs) s += x[xi];
      break;
    case R.SumI:
      for (; i < n; i++, xi += xs) s = (s + x[xi]) | 0;
      break;
    case R.ProdF:
      for (; i < n; i++, xi += xs) s *= x[xi];
      break;
    case R.ProdI:
      for (; i < n; i++, xi += xs) s = Math.imul(s, x[xi]);
      break;
    case R.Max:
      for (; i < n; i++, xi += xs) {
        const v = x[xi];
        if (v > s || v !== v) s = v;
        if (s !== s) break;
      }
      break;
    case R.Min:
      for (; i < n; i++, xi += xs) {
        const v = x[xi];
        if (v < s || v !== v) s = v;
        if (s !== s) break;
      }
      break;
  }
  acc[ai] = s;
}

/** Folds `x[xi + i·xs]` into `acc[ai + i·as]` for `i < n` (one input row into an accumulator row). */
function accumulateRow(op: R, x: TypedArray, xi: number, xs: number, acc: TypedArray, ai: number, as: number, n: number): void {
  let i = 0;
  switch (op) {
    case R.SumF:
      if (xs === 1 && as === 1) {
        // Contiguous rows (a bias gradient's sum over the batch): four columns per step,
        // each still summed in row order.
        for (; i + 4 <= n; i += 4, xi += 4, ai += 4) {
          acc[ai] += x[xi];
          acc[ai + 1] += x[xi + 1];
          acc[ai + 2] += x[xi + 2];
          acc[ai + 3] += x[xi + 3];
        }
      }
      for (; i < n; i++, xi += xs, ai += as) acc[ai] += x[xi];
      return;
    case R.SumI:
      for (; i < n; i++, xi += xs, ai += as) acc[ai] = (acc[ai] + x[xi]) | 0;
      return;
    case R.ProdF:
      for (; i < n; i++, xi += xs, ai += as) acc[ai] *= x[xi];
      return;
    case R.ProdI:
      for (; i < n; i++, xi += xs, ai += as) acc[ai] = Math.imul(acc[ai], x[xi]);
      return;
    case R.Max:
      for (; i < n; i++, xi += xs, ai += as) {
        const v = x[xi];
        const s = acc[ai];
        if (v > s || (v !== v && s === s)) acc[ai] = v;
      }
      return;
    case R.Min:
      for (; i < n; i++, xi += xs, ai += as) {
        const v = x[xi];
        const s = acc[ai];
        if (v < s || (v !== v && s === s)) acc[ai] = v;
      }
      return;
  }
}

/** The starting value of reduction `op` in an accumulator of `dtype`. */
function identity(op: R, dtype: string): number {
  switch (op) {
    case R.SumF:
    case R.SumI:
      return 0;
    case R.ProdF:
    case R.ProdI:
      return 1;
    case R.Max:
      return dtype === "int32" ? -2147483648 : dtype === "bool" ? 0 : -Infinity;
    case R.Min:
      return dtype === "int32" ? 2147483647 : dtype === "bool" ? 1 : Infinity;
  }
}

// Loop dims of a reduction (reused between calls): size, input stride, accumulator stride.
const DIM_SIZE: number[] = [];
const DIM_XS: number[] = [];
const DIM_AS: number[] = [];
const DIM_INDEX: number[] = [];

/** Reduces `x` over `dims` into the contiguous `out`. */
function runReduce(kind: "sum" | "prod" | "max" | "min", x: CpuView, out: CpuView, dims: readonly number[]): void {
  const xl = x.layout;
  const xs = xl.shape;
  const ndim = xs.length;
  const outN = sizeOf(out.layout.shape);
  const integer = out.dtype === "int32";
  let op: R;
  if (kind === "sum") op = integer ? R.SumI : R.SumF;
  else if (kind === "prod") op = integer ? R.ProdI : R.ProdF;
  else op = kind === "max" ? R.Max : R.Min;
  // float32 sums and products accumulate in float64 scratch; everything else in the output.
  const widen = out.dtype === "float32" && (op === R.SumF || op === R.ProdF);
  const acc: TypedArray = widen ? scratchF64(SLOT.reduceAcc, outN) : out.buffer;
  const accOffset = widen ? 0 : out.layout.offset;
  acc.fill(identity(op, out.dtype), accOffset, accOffset + outN);

  // Loop dims: every non-trivial input dim, with the accumulator's stride along it (0 if reduced).
  let nd = 0;
  let empty = false;
  let accStride = outN;
  for (let d = 0; d < ndim; d++) {
    const size = xs[d]!;
    let reduced = false;
    for (let k = 0; k < dims.length; k++) if (dims[k] === d) reduced = true;
    if (!reduced) accStride = size === 0 ? 0 : accStride / size;
    if (size === 0) empty = true;
    if (size === 1) continue;
    DIM_SIZE[nd] = size;
    DIM_XS[nd] = xl.strides[d]!;
    DIM_AS[nd] = reduced ? 0 : accStride;
    nd++;
  }
  if (!empty && outN > 0) {
    sortAndCoalesce(nd);
    nd = coalesced;
    reduceLoop(op, x.buffer, xl.offset, acc, accOffset, nd);
  }
  if (widen) {
    const o = out.buffer;
    const oo = out.layout.offset;
    for (let i = 0; i < outN; i++) o[oo + i] = acc[i];
  }
}

/** Number of loop dims after the last {@link sortAndCoalesce}. */
let coalesced = 0;

/**
 * Orders the loop dims by decreasing input stride (a stable insertion sort: contiguous inputs
 * keep their order) and merges neighbours that both operands walk as one dim.
 */
function sortAndCoalesce(nd: number): void {
  for (let i = 1; i < nd; i++) {
    const size = DIM_SIZE[i]!;
    const xs = DIM_XS[i]!;
    const as = DIM_AS[i]!;
    let j = i - 1;
    while (j >= 0 && DIM_XS[j]! < xs) {
      DIM_SIZE[j + 1] = DIM_SIZE[j]!;
      DIM_XS[j + 1] = DIM_XS[j]!;
      DIM_AS[j + 1] = DIM_AS[j]!;
      j--;
    }
    DIM_SIZE[j + 1] = size;
    DIM_XS[j + 1] = xs;
    DIM_AS[j + 1] = as;
  }
  let out = 0;
  for (let i = 0; i < nd; i++) {
    const size = DIM_SIZE[i]!;
    const p = out - 1;
    if (p >= 0 && DIM_XS[p] === DIM_XS[i]! * size && DIM_AS[p] === DIM_AS[i]! * size) {
      DIM_SIZE[p] = DIM_SIZE[p]! * size;
      DIM_XS[p] = DIM_XS[i]!;
      DIM_AS[p] = DIM_AS[i]!;
    } else {
      DIM_SIZE[out] = size;
      DIM_XS[out] = DIM_XS[i]!;
      DIM_AS[out] = DIM_AS[i]!;
      out++;
    }
  }
  coalesced = out;
}

/** Runs the odometer over the loop dims, folding each innermost row. */
function reduceLoop(op: R, x: TypedArray, xo: number, acc: TypedArray, ao: number, nd: number): void {
  if (nd === 0) {
    foldRow(op, x, xo, 0, acc, ao, 1);
    return;
  }
  const inner = nd - 1;
  const n = DIM_SIZE[inner]!;
  const xs = DIM_XS[inner]!;
  const as = DIM_AS[inner]!;
  for (let d = 0; d < inner; d++) DIM_INDEX[d] = 0;
  for (;;) {
    if (as === 0) foldRow(op, x, xo, xs, acc, ao, n);
    else accumulateRow(op, x, xo, xs, acc, ao, as, n);
    let d = inner - 1;
    for (; d >= 0; d--) {
      xo += DIM_XS[d]!;
      ao += DIM_AS[d]!;
      if (++DIM_INDEX[d]! < DIM_SIZE[d]!) break;
      const size = DIM_SIZE[d]!;
      DIM_INDEX[d] = 0;
      xo -= DIM_XS[d]! * size;
      ao -= DIM_AS[d]! * size;
    }
    if (d < 0) return;
  }
}

// ---------------------------------------------------------------------------------------
// argmax / argmin
// ---------------------------------------------------------------------------------------

/**
 * Position of the largest (`max`) or smallest value among `x[xi + i·xs]`, `i < n`: the first
 * occurrence wins ties and the first NaN beats everything.
 */
function argBestRow(max: boolean, x: TypedArray, xi: number, xs: number, n: number): number {
  let best = x[xi];
  let bi = 0;
  if (best !== best) return 0;
  xi += xs;
  if (max) {
    for (let i = 1; i < n; i++, xi += xs) {
      const v = x[xi];
      if (v > best) {
        best = v;
        bi = i;
      } else if (v !== v) return i;
    }
  } else {
    for (let i = 1; i < n; i++, xi += xs) {
      const v = x[xi];
      if (v < best) {
        best = v;
        bi = i;
      } else if (v !== v) return i;
    }
  }
  return bi;
}

/** argmax/argmin of `x` along `dim` (or flattened when null) into the contiguous int32 `out`. */
function runArgReduce(max: boolean, input: CpuView, out: CpuView, dim: number | null): void {
  const shape = input.layout.shape;
  const total = sizeOf(shape);
  if (total === 0) return;
  const x = denseView(input, SLOT.dense1);
  const xb = x.buffer;
  const xo = x.layout.offset;
  const ob = out.buffer;
  const oo = out.layout.offset;
  if (dim === null || shape.length === 0) {
    ob[oo] = argBestRow(max, xb, xo, 1, total);
    return;
  }
  const len = shape[dim]!;
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  const outer = total / (len * inner);
  if (inner === 1) {
    for (let r = 0; r < outer; r++) ob[oo + r] = argBestRow(max, xb, xo + r * len, 1, len);
    return;
  }
  // Walk the reduced dim outermost so the inner loop reads contiguous rows.
  const best = scratchF64(SLOT.argBest, inner);
  for (let r = 0; r < outer; r++) {
    const base = xo + r * len * inner;
    const ob0 = oo + r * inner;
    for (let j = 0; j < inner; j++) {
      best[j] = xb[base + j];
      ob[ob0 + j] = 0;
    }
    for (let k = 1; k < len; k++) {
      const row = base + k * inner;
      if (max) {
        for (let j = 0; j < inner; j++) {
          const v = xb[row + j];
          const b = best[j]!;
          if (v > b || (v !== v && b === b)) {
            best[j] = v;
            ob[ob0 + j] = k;
          }
        }
      } else {
        for (let j = 0; j < inner; j++) {
          const v = xb[row + j];
          const b = best[j]!;
          if (v < b || (v !== v && b === b)) {
            best[j] = v;
            ob[ob0 + j] = k;
          }
        }
      }
    }
  }
}

type Ins = readonly CpuView[];

/** The reduction kernels, keyed by catalog name. */
export const reductionKernels = {
  sum: (inputs: Ins, outputs: Ins, attrs: ReduceAttrs): void => runReduce("sum", inputs[0]!, outputs[0]!, attrs.dims),
  prod: (inputs: Ins, outputs: Ins, attrs: ReduceAttrs): void => runReduce("prod", inputs[0]!, outputs[0]!, attrs.dims),
  max: (inputs: Ins, outputs: Ins, attrs: ReduceAttrs): void => runReduce("max", inputs[0]!, outputs[0]!, attrs.dims),
  min: (inputs: Ins, outputs: Ins, attrs: ReduceAttrs): void => runReduce("min", inputs[0]!, outputs[0]!, attrs.dims),
  argmax: (inputs: Ins, outputs: Ins, attrs: ArgReduceAttrs): void => runArgReduce(true, inputs[0]!, outputs[0]!, attrs.dim),
  argmin: (inputs: Ins, outputs: Ins, attrs: ArgReduceAttrs): void => runArgReduce(false, inputs[0]!, outputs[0]!, attrs.dim),
};
