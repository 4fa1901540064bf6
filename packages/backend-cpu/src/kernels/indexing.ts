/**
 * Indexing along one dim with int32 indices: `gather`, `scatterAdd`, `indexSelect`. Every
 * index value is checked against `[0, size)` of the indexed dim; a bad one is an error that
 * names the op, the value and the valid range.
 *
 * `gather` and `indexSelect` share one strided walk: over the output's shape, the input is
 * read with its own strides except along `dim` (stride 0 there, plus `index · stride(dim)`),
 * and the index is read with its strides (for `indexSelect`, stride 0 everywhere but `dim`).
 * `indexSelect` of a contiguous input copies whole contiguous slabs per index value (an
 * embedding lookup is one `set` per row).
 */
import { type Layout, TesseraError, type TypedArray, formatShape } from "@tessera/storage";
import type { DimAttrs } from "@tessera/kernels";
import { denseStrides, copyInto } from "./elementwise.js";
import {
  type CpuView,
  PLAN_INDEX,
  PLAN_S0,
  PLAN_S1,
  PLAN_S2,
  PLAN_SHAPE,
  SLOT,
  isDense,
  planIteration,
  scratchF64,
  sizeOf,
} from "./iter.js";

/** Throws the out-of-range error for index value `v` of `op`. */
function badIndex(op: string, v: number, dim: number, size: number, shape: readonly number[]): never {
  const range = size === 0 ? "none: the dim is empty" : `[0, ${size - 1}]`;
  throw new TesseraError(
    `${op}: index ${v} is out of bounds for dimension ${dim} with size ${size} (input shape ${formatShape(shape)}; valid indices: ${range}). Negative indices are not wrapped here; add the dim size first.`,
  );
}

/** The error context of the row routines (set before each walk, so rows need no extra arguments). */
let errOp = "";
let errDim = 0;
let errShape: readonly number[] = [];

/** `o[oi] = x[xi + idx[ii]·sd]` along one row, checking each index against `size`. */
function gatherRow(
  x: TypedArray,
  xi: number,
  xs: number,
  idx: TypedArray,
  ii: number,
  is: number,
  o: TypedArray,
  oi: number,
  os: number,
  n: number,
  sd: number,
  size: number,
): void {
  for (let i = 0; i < n; i++, xi += xs, ii += is, oi += os) {
    const v = idx[ii];
    if (!(v >= 0 && v < size)) badIndex(errOp, v, errDim, size, errShape);
    o[oi] = x[xi + v * sd];
  }
}

/**
 * Walks `shape` reading `x` through `xl` (stride 0 along the indexed dim), the index through
 * `il`, writing `out` through `ol`; the indexed dim adds `index · sd` to the input offset.
 */
function gatherWalk(
  shape: readonly number[],
  x: TypedArray,
  xl: Layout,
  idx: TypedArray,
  il: Layout,
  o: TypedArray,
  ol: Layout,
  sd: number,
  size: number,
): void {
  const nd = planIteration(shape, 3, xl, il, ol, null);
  if (nd < 0) return;
  if (nd === 0) {
    gatherRow(x, xl.offset, 0, idx, il.offset, 0, o, ol.offset, 0, 1, sd, size);
    return;
  }
  const inner = nd - 1;
  const n = PLAN_SHAPE[inner]!;
  const xs = PLAN_S0[inner]!;
  const is = PLAN_S1[inner]!;
  const os = PLAN_S2[inner]!;
  let xo = xl.offset;
  let io = il.offset;
  let oo = ol.offset;
  for (let d = 0; d < inner; d++) PLAN_INDEX[d] = 0;
  for (;;) {
    gatherRow(x, xo, xs, idx, io, is, o, oo, os, n, sd, size);
    let d = inner - 1;
    for (; d >= 0; d--) {
      xo += PLAN_S0[d]!;
      io += PLAN_S1[d]!;
      oo += PLAN_S2[d]!;
      if (++PLAN_INDEX[d]! < PLAN_SHAPE[d]!) break;
      const s = PLAN_SHAPE[d]!;
      PLAN_INDEX[d] = 0;
      xo -= PLAN_S0[d]! * s;
      io -= PLAN_S1[d]! * s;
      oo -= PLAN_S2[d]! * s;
    }
    if (d < 0) return;
  }
}

/** `x`'s strides with the one of `dim` set to 0 (a 0-d input has none). */
function stridesWithoutDim(l: Layout, dim: number): number[] {
  const s = l.strides.slice();
  if (s.length > 0) s[dim] = 0;
  return s;
}

/** `gather(input, index)` along `dim` into the contiguous `out` (the index's shape). */
function runGather(x: CpuView, index: CpuView, out: CpuView, dim: number): void {
  const xl = x.layout;
  const shape = index.layout.shape;
  const zeroD = xl.shape.length === 0;
  const size = zeroD ? 1 : xl.shape[dim]!;
  const sd = zeroD ? 0 : xl.strides[dim]!;
  errOp = "gather";
  errDim = dim;
  errShape = xl.shape;
  const xView: Layout = { shape, strides: stridesWithoutDim(xl, dim), offset: xl.offset };
  gatherWalk(shape, x.buffer, xView, index.buffer, index.layout, out.buffer, out.layout, sd, size);
}

/** `indexSelect(input, index)` along `dim` into the contiguous `out`. */
function runIndexSelect(x: CpuView, index: CpuView, out: CpuView, dim: number): void {
  const xl = x.layout;
  const il = index.layout;
  const shape = out.layout.shape;
  const zeroD = xl.shape.length === 0;
  const size = zeroD ? 1 : xl.shape[dim]!;
  const count = il.shape.length === 0 ? 1 : il.shape[0]!;
  const istride = il.shape.length === 0 ? 0 : il.strides[0]!;
  errOp = "indexSelect";
  errDim = dim;
  errShape = xl.shape;
  if (sizeOf(shape) === 0) return;
  if (!zeroD && isDense(xl)) {
    // Contiguous input: copy the slab after `dim` for every (outer, index value) pair.
    let inner = 1;
    for (let d = dim + 1; d < xl.shape.length; d++) inner *= xl.shape[d]!;
    const outer = sizeOf(shape) / (count * inner);
    const xb = x.buffer;
    const ib = index.buffer;
    const ob = out.buffer;
    let o = out.layout.offset;
    for (let r = 0; r < outer; r++) {
      const base = xl.offset + r * size * inner;
      for (let j = 0, ii = il.offset; j < count; j++, ii += istride, o += inner) {
        const v = ib[ii];
        if (!(v >= 0 && v < size)) badIndex("indexSelect", v, dim, size, xl.shape);
        const src = base + v * inner;
        if (inner >= 64) ob.set(xb.subarray(src, src + inner), o);
        else for (let k = 0; k < inner; k++) ob[o + k] = xb[src + k];
      }
    }
    return;
  }
  const sd = zeroD ? 0 : xl.strides[dim]!;
  const xView: Layout = { shape, strides: stridesWithoutDim(xl, dim), offset: xl.offset };
  const idxStrides = new Array<number>(shape.length).fill(0);
  if (shape.length > 0) idxStrides[dim] = istride;
  const idxView: Layout = { shape, strides: idxStrides, offset: il.offset };
  gatherWalk(shape, x.buffer, xView, index.buffer, idxView, out.buffer, out.layout, sd, size);
}

/** `acc[ai + idx[ii]·sd] += src[si]` along one row (int32 wraps), checking each index. */
function scatterAddRow(
  src: TypedArray,
  si: number,
  ss: number,
  idx: TypedArray,
  ii: number,
  is: number,
  acc: TypedArray,
  ai: number,
  as: number,
  n: number,
  sd: number,
  size: number,
  integer: boolean,
): void {
  for (let i = 0; i < n; i++, si += ss, ii += is, ai += as) {
    const v = idx[ii];
    if (!(v >= 0 && v < size)) badIndex("scatterAdd", v, errDim, size, errShape);
    const t = ai + v * sd;
    acc[t] = integer ? (acc[t] + src[si]) | 0 : acc[t] + src[si];
  }
}

/** `scatterAdd(input, index, src)` along `dim` into the contiguous `out` (the input's shape). */
function runScatterAdd(x: CpuView, index: CpuView, src: CpuView, out: CpuView, dim: number): void {
  const xs = x.layout.shape;
  const total = sizeOf(xs);
  const ob = out.buffer;
  const integer = out.dtype === "int32";
  // Accumulate in float64 for float32 outputs (stored once), else in the output itself.
  const widen = out.dtype === "float32";
  const acc: TypedArray = widen ? scratchF64(SLOT.acc, total) : ob;
  const ao = widen ? 0 : out.layout.offset;
  const accStrides = denseStrides(xs);
  copyInto(x, { buffer: acc, dtype: widen ? "float64" : out.dtype, layout: { shape: xs, strides: accStrides, offset: ao } });
  const shape = index.layout.shape;
  const zeroD = xs.length === 0;
  const size = zeroD ? 1 : xs[dim]!;
  const sd = zeroD ? 0 : accStrides[dim]!;
  errDim = dim;
  errShape = xs;
  const accStridesNoDim = accStrides.slice();
  if (!zeroD) accStridesNoDim[dim] = 0;
  const accView: Layout = { shape, strides: accStridesNoDim, offset: ao };
  const sl = src.layout;
  // The index may be smaller than src: walk src through the index's shape with src's strides.
  const srcView: Layout = { shape, strides: sl.strides, offset: sl.offset };
  const nd = planIteration(shape, 3, srcView, index.layout, accView, null);
  if (nd >= 0) {
    if (nd === 0) {
      scatterAddRow(src.buffer, sl.offset, 0, index.buffer, index.layout.offset, 0, acc, ao, 0, 1, sd, size, integer);
    } else {
      const inner = nd - 1;
      const n = PLAN_SHAPE[inner]!;
      const ss = PLAN_S0[inner]!;
      const is = PLAN_S1[inner]!;
      const as = PLAN_S2[inner]!;
      let so = sl.offset;
      let io = index.layout.offset;
      let aoff = ao;
      for (let d = 0; d < inner; d++) PLAN_INDEX[d] = 0;
      for (;;) {
        scatterAddRow(src.buffer, so, ss, index.buffer, io, is, acc, aoff, as, n, sd, size, integer);
        let d = inner - 1;
        for (; d >= 0; d--) {
          so += PLAN_S0[d]!;
          io += PLAN_S1[d]!;
          aoff += PLAN_S2[d]!;
          if (++PLAN_INDEX[d]! < PLAN_SHAPE[d]!) break;
          const s = PLAN_SHAPE[d]!;
          PLAN_INDEX[d] = 0;
          so -= PLAN_S0[d]! * s;
          io -= PLAN_S1[d]! * s;
          aoff -= PLAN_S2[d]! * s;
        }
        if (d < 0) break;
      }
    }
  }
  if (widen) {
    const oo = out.layout.offset;
    for (let i = 0; i < total; i++) ob[oo + i] = acc[i];
  }
}

type Ins = readonly CpuView[];

/** The indexing kernels, keyed by catalog name. */
export const indexingKernels = {
  gather: (inputs: Ins, outputs: Ins, attrs: DimAttrs): void => runGather(inputs[0]!, inputs[1]!, outputs[0]!, attrs.dim),
  scatterAdd: (inputs: Ins, outputs: Ins, attrs: DimAttrs): void =>
    runScatterAdd(inputs[0]!, inputs[1]!, inputs[2]!, outputs[0]!, attrs.dim),
  indexSelect: (inputs: Ins, outputs: Ins, attrs: DimAttrs): void =>
    runIndexSelect(inputs[0]!, inputs[1]!, outputs[0]!, attrs.dim),
};
