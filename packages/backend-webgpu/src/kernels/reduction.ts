/**
 * Reductions — sum, prod, max, min over a set of dims, argmax/argmin along one dim or over
 * all elements — as parallel trees in workgroup memory. The input's dims are split into kept
 * and reduced groups (each coalesced, row-major order kept, so an arg-reduction's index is the
 * row-major position among the reduced dims); `T` invocations (a power of two ≤ 64, about the
 * reduced size) share one output: each folds a strided slice of the reduced elements, then the
 * `T` partial results are combined pairwise in workgroup memory.
 *
 * Metadata: `[nOut, nRed, T, ndK, ndR, inOffset, outOffset, 0, shapeK, stridesK, shapeR, stridesR]`.
 */
import { numel } from "@tessera/storage";
import type { KernelTable } from "@tessera/backend";
import type { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import { type ElemType, elemType, program } from "../wgsl/program.js";
import { type View, WG, coalesce, nextPow2, requireContiguousOutput } from "./common.js";

type Kind = "sum" | "prod" | "max" | "min";

/** Accumulator type, identity, load and combine of a reduction kind for an input type. */
function reduceCode(kind: Kind, t: ElemType): { acc: ElemType; identity: string; load: string; combine: (a: string, b: string) => string } {
  const acc: ElemType = (kind === "sum" || kind === "prod") && t === "u32" ? "i32" : t;
  const load = acc === t ? "v" : `${acc}(v)`;
  switch (kind) {
    case "sum":
      return { acc, identity: `${acc}(0)`, load, combine: (a, b) => `${a} + ${b}` };
    case "prod":
      return { acc, identity: `${acc}(1)`, load, combine: (a, b) => `${a} * ${b}` };
    case "max":
    case "min": {
      const identity =
        t === "f32"
          ? kind === "max" ? "-f32_inf()" : "f32_inf()"
          : t === "i32"
            ? kind === "max" ? "bitcast<i32>(0x80000000u)" : "bitcast<i32>(0x7fffffffu)"
            : kind === "max" ? "0u" : "0xffffffffu";
      const fn = t === "f32" ? `${kind}_f32` : kind;
      return { acc, identity, load, combine: (a, b) => `${fn}(${a}, ${b})` };
    }
  }
}

/** WGSL of the kept-offset and reduced-offset loops shared by both reduction shaders. */
const KEPT_OFFSET = `
    var base = mi(5u);
    var remk = o;
    for (var d = i32(ndK) - 1; d >= 0; d = d - 1) {
      let size = mu(8u + u32(d));
      base = base + i32(remk % size) * mi(8u + ndK + u32(d));
      remk = remk / size;
    }`;
const REDUCED_OFFSET = `
      var off = base;
      var remr = r;
      for (var d = i32(ndR) - 1; d >= 0; d = d - 1) {
        let size = mu(rs + u32(d));
        off = off + i32(remr % size) * mi(rs + ndR + u32(d));
        remr = remr / size;
      }`;
const HEADER = `
  let nOut = mu(0u);
  let nRed = mu(1u);
  let T = mu(2u);
  let ndK = mu(3u);
  let ndR = mu(4u);
  let rs = 8u + 2u * ndK;
  let seg = lid / T;
  let t = lid % T;
  let o = wg * (${WG}u / T) + seg;`;

/** Splits the dims and builds the metadata; null when the output is empty. */
function plan(x: View, out: View, reducedDims: ReadonlySet<number>): { meta: number[]; workgroups: number } | null {
  const nOut = numel(out.layout.shape);
  if (nOut === 0) return null;
  const { shape, strides } = x.layout;
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (reducedDims.has(d)) {
      redShape.push(shape[d]!);
      redStrides.push(strides[d]!);
    } else {
      keptShape.push(shape[d]!);
      keptStrides.push(strides[d]!);
    }
  }
  const k = coalesce(keptShape, [keptStrides]);
  const r = coalesce(redShape, [redStrides]);
  const nRed = numel(redShape);
  const T = Math.min(WG, nextPow2(nRed));
  const meta = [nOut, nRed, T, k.shape.length, r.shape.length, x.layout.offset, out.layout.offset, 0, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!];
  return { meta, workgroups: Math.ceil(nOut / (WG / T)) };
}

/** The reduction kernels of this runtime. */
export function reductionKernels(rt: Runtime): KernelTable<WebGPUBuffer> {
  const reduce = (kind: Kind) => ([x]: readonly View[], [out]: readonly View[], attrs: { dims: readonly number[] }) => {
    requireContiguousOutput(kind, out!.layout);
    const dims = new Set(x!.layout.shape.length === 0 ? [] : attrs.dims);
    const p = plan(x!, out!, dims);
    if (p === null) return;
    const t = elemType(x!.dtype);
    const key = `${kind}:${t}`;
    const prog = program(key, () => {
      const c = reduceCode(kind, t);
      return {
        key,
        inputs: [t],
        outputs: [c.acc],
        libs: ["math"],
        decls: `var<workgroup> sh: array<${c.acc}, ${WG}>;`,
        body: `${HEADER}
  var acc = ${c.identity};
  if (o < nOut) {${KEPT_OFFSET}
    for (var r = t; r < nRed; r = r + T) {${REDUCED_OFFSET}
      let v = in0[off];
      acc = ${c.combine("acc", c.load)};
    }
  }
  sh[lid] = acc;
  workgroupBarrier();
  for (var s = T / 2u; s > 0u; s = s / 2u) {
    if (t < s) { sh[lid] = ${c.combine("sh[lid]", "sh[lid + s]")}; }
    workgroupBarrier();
  }
  if (t == 0u && o < nOut) { out0[mi(6u) + i32(o)] = sh[lid]; }`,
      };
    });
    rt.dispatch(prog, [x!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], p.meta, p.workgroups);
  };

  const argReduce = (kind: "argmax" | "argmin") => ([x]: readonly View[], [out]: readonly View[], attrs: { dim: number | null }) => {
    requireContiguousOutput(kind, out!.layout);
    const nd = x!.layout.shape.length;
    const dims = new Set(attrs.dim === null ? x!.layout.shape.map((_, d) => d) : nd === 0 ? [] : [attrs.dim]);
    const p = plan(x!, out!, dims);
    if (p === null) return;
    const t = elemType(x!.dtype);
    const key = `${kind}:${t}`;
    const better = kind === "argmax" ? ">" : "<";
    const nanCheck = (v: string) => (t === "f32" ? `is_nan(${v})` : "false");
    const prog = program(key, () => ({
      key,
      inputs: [t],
      outputs: ["i32"],
      libs: ["math"],
      decls: `
var<workgroup> shv: array<${t}, ${WG}>;
var<workgroup> shi: array<u32, ${WG}>;
// The winner of two candidates (index 0xffffffff: none): NaN beats all, then the ${kind === "argmax" ? "larger" : "smaller"} value, then the first index.
fn pick(av: ${t}, ai: u32, bv: ${t}, bi: u32) -> bool {
  if (bi == 0xffffffffu) { return true; }
  if (ai == 0xffffffffu) { return false; }
  let an = ${nanCheck("av")};
  let bn = ${nanCheck("bv")};
  if (an && bn) { return ai < bi; }
  if (an) { return true; }
  if (bn) { return false; }
  if (av ${better} bv) { return true; }
  if (bv ${better} av) { return false; }
  return ai < bi;
}`,
      body: `${HEADER}
  var bv = ${t}(0);
  var bi = 0xffffffffu;
  if (o < nOut) {${KEPT_OFFSET}
    for (var r = t; r < nRed; r = r + T) {${REDUCED_OFFSET}
      let v = in0[off];
      if (!pick(bv, bi, v, r)) { bv = v; bi = r; }
    }
  }
  shv[lid] = bv;
  shi[lid] = bi;
  workgroupBarrier();
  for (var s = T / 2u; s > 0u; s = s / 2u) {
    if (t < s && !pick(shv[lid], shi[lid], shv[lid + s], shi[lid + s])) {
      shv[lid] = shv[lid + s];
      shi[lid] = shi[lid + s];
    }
    workgroupBarrier();
  }
  if (t == 0u && o < nOut) { out0[mi(6u) + i32(o)] = i32(shi[lid]); }`,
    }));
    rt.dispatch(prog, [x!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], p.meta, p.workgroups);
  };

  return {
    sum: reduce("sum"),
    prod: reduce("prod"),
    max: reduce("max"),
    min: reduce("min"),
    argmax: argReduce("argmax"),
    argmin: argReduce("argmin"),
  };
}
