/**
 * `conv2d` and its two gradients as implicit GEMMs on the tiled shader, one GEMM per group
 * (the GEMM's batch index is the group), with every operand element gathered from the NCHW
 * tensors through their strides — no im2col buffer, no atomics, so each output element is a
 * sum in a fixed order (the gradients are as deterministic as the forward op):
 *
 * - `conv2d`: rows (n, oh, ow), columns o (within the group), reduction (c, kh, kw).
 * - `conv2dBackwardInput`: rows (n, ih, iw), columns c, reduction (o, kh, kw); a tap reads
 *   gradOutput at `oh = (ih + pH − kh·dH) / sH` when that division is exact and in range
 *   (the gather form of the transposed convolution).
 * - `conv2dBackwardWeight`: rows o, columns (c, kh, kw), reduction (n, oh, ow).
 *
 * Metadata after the GEMM header (words 8 …): `N C H W O Cg Og kH kW Ho Wo sH sW pH pW dH dW`,
 * then `[offset, 4 strides]` of input 0 and of input 1, then the output offset.
 */
import { numel } from "@tessera/storage";
import type { KernelTable } from "@tessera/backend";
import type { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import { type View, requireContiguousOutput } from "./common.js";
import { gemmHeader, gemmProgram } from "./gemm.js";

interface ConvAttrs {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** Geometry accessors and 4-D offset helpers every conv shader shares. */
const COMMON = `
fn cN() -> u32 { return mu(8u); }
fn cC() -> u32 { return mu(9u); }
fn cH() -> u32 { return mu(10u); }
fn cW() -> u32 { return mu(11u); }
fn cO() -> u32 { return mu(12u); }
fn cCg() -> u32 { return mu(13u); }
fn cOg() -> u32 { return mu(14u); }
fn ckH() -> u32 { return mu(15u); }
fn ckW() -> u32 { return mu(16u); }
fn cHo() -> u32 { return mu(17u); }
fn cWo() -> u32 { return mu(18u); }
fn csH() -> u32 { return mu(19u); }
fn csW() -> u32 { return mu(20u); }
fn cpH() -> u32 { return mu(21u); }
fn cpW() -> u32 { return mu(22u); }
fn cdH() -> u32 { return mu(23u); }
fn cdW() -> u32 { return mu(24u); }
fn at0(a: u32, b: u32, c: u32, d: u32) -> i32 {
  return mi(25u) + i32(a) * mi(26u) + i32(b) * mi(27u) + i32(c) * mi(28u) + i32(d) * mi(29u);
}
fn at1(a: u32, b: u32, c: u32, d: u32) -> i32 {
  return mi(30u) + i32(a) * mi(31u) + i32(b) * mi(32u) + i32(c) * mi(33u) + i32(d) * mi(34u);
}
fn outBase() -> i32 { return mi(35u); }
var<private> grp: u32;
fn gemm_setup(batch: u32) { grp = batch; }
`;

/** conv2d: A = im2col(x) rows (n, oh, ow) × (c, kh, kw); B = weight (c, kh, kw) × o. */
const CONV2D = `${COMMON}
fn loadA(m: u32, k: u32) -> f32 {
  let ow = m % cWo();
  let t = m / cWo();
  let oh = t % cHo();
  let n = t / cHo();
  let kw = k % ckW();
  let t2 = k / ckW();
  let kh = t2 % ckH();
  let c = t2 / ckH();
  let ih = i32(oh * csH() + kh * cdH()) - i32(cpH());
  let iw = i32(ow * csW() + kw * cdW()) - i32(cpW());
  if (ih < 0 || iw < 0 || ih >= i32(cH()) || iw >= i32(cW())) { return 0.0; }
  return in0[at0(n, grp * cCg() + c, u32(ih), u32(iw))];
}
fn loadB(k: u32, n: u32) -> f32 {
  let kw = k % ckW();
  let t2 = k / ckW();
  let kh = t2 % ckH();
  let c = t2 / ckH();
  return in1[at1(grp * cOg() + n, c, kh, kw)];
}
fn storeC(m: u32, n: u32, v: f32) {
  let ow = m % cWo();
  let t = m / cWo();
  let oh = t % cHo();
  let b = t / cHo();
  let o = grp * cOg() + n;
  out0[outBase() + i32(((b * cO() + o) * cHo() + oh) * cWo() + ow)] = v;
}
`;

/** conv2dBackwardInput: A = gathered gradOutput rows (n, ih, iw) × (o, kh, kw); B = weight × c. */
const CONV2D_BACKWARD_INPUT = `${COMMON}
fn loadA(m: u32, k: u32) -> f32 {
  let iw = m % cW();
  let t = m / cW();
  let ih = t % cH();
  let n = t / cH();
  let kw = k % ckW();
  let t2 = k / ckW();
  let kh = t2 % ckH();
  let o = t2 / ckH();
  let th = i32(ih + cpH()) - i32(kh * cdH());
  let tw = i32(iw + cpW()) - i32(kw * cdW());
  if (th < 0 || tw < 0) { return 0.0; }
  let uth = u32(th);
  let utw = u32(tw);
  if (uth % csH() != 0u || utw % csW() != 0u) { return 0.0; }
  let oh = uth / csH();
  let ow = utw / csW();
  if (oh >= cHo() || ow >= cWo()) { return 0.0; }
  return in0[at0(n, grp * cOg() + o, oh, ow)];
}
fn loadB(k: u32, c: u32) -> f32 {
  let kw = k % ckW();
  let t2 = k / ckW();
  let kh = t2 % ckH();
  let o = t2 / ckH();
  return in1[at1(grp * cOg() + o, c, kh, kw)];
}
fn storeC(m: u32, c: u32, v: f32) {
  let iw = m % cW();
  let t = m / cW();
  let ih = t % cH();
  let n = t / cH();
  out0[outBase() + i32(((n * cC() + grp * cCg() + c) * cH() + ih) * cW() + iw)] = v;
}
`;

/** conv2dBackwardWeight: A = gradOutput rows o × (n, oh, ow); B = im2col(x) (n, oh, ow) × (c, kh, kw). */
const CONV2D_BACKWARD_WEIGHT = `${COMMON}
fn loadA(o: u32, k: u32) -> f32 {
  let ow = k % cWo();
  let t = k / cWo();
  let oh = t % cHo();
  let n = t / cHo();
  return in1[at1(n, grp * cOg() + o, oh, ow)];
}
fn loadB(k: u32, col: u32) -> f32 {
  let ow = k % cWo();
  let t = k / cWo();
  let oh = t % cHo();
  let n = t / cHo();
  let kw = col % ckW();
  let t2 = col / ckW();
  let kh = t2 % ckH();
  let c = t2 / ckH();
  let ih = i32(oh * csH() + kh * cdH()) - i32(cpH());
  let iw = i32(ow * csW() + kw * cdW()) - i32(cpW());
  if (ih < 0 || iw < 0 || ih >= i32(cH()) || iw >= i32(cW())) { return 0.0; }
  return in0[at0(n, grp * cCg() + c, u32(ih), u32(iw))];
}
fn storeC(o: u32, col: u32, v: f32) {
  out0[outBase() + i32((grp * cOg() + o) * (cCg() * ckH() * ckW()) + col)] = v;
}
`;

/** Geometry words 8 … 24 of a conv problem. */
function geometry(inShape: readonly number[], wShape: readonly number[], attrs: ConvAttrs) {
  const [N, C, H, W] = inShape as [number, number, number, number];
  const [O, Cg, kH, kW] = wShape as [number, number, number, number];
  const [sH, sW] = attrs.stride;
  const [pH, pW] = attrs.padding;
  const [dH, dW] = attrs.dilation;
  const Ho = Math.floor((H + 2 * pH - dH * (kH - 1) - 1) / sH) + 1;
  const Wo = Math.floor((W + 2 * pW - dW * (kW - 1) - 1) / sW) + 1;
  const Og = O / attrs.groups;
  return { N, C, H, W, O, Cg, Og, kH, kW, Ho, Wo, words: [N, C, H, W, O, Cg, Og, kH, kW, Ho, Wo, sH, sW, pH, pW, dH, dW] };
}

const operand = (v: View) => [v.layout.offset, ...v.layout.strides];

/** The conv kernels of this runtime. */
export function convKernels(rt: Runtime): KernelTable<WebGPUBuffer> {
  const run = (key: string, decls: string, inputs: readonly View[], out: View, M: number, Ncols: number, K: number, groups: number, geo: number[]) => {
    requireContiguousOutput(key, out.layout);
    if (numel(out.layout.shape) === 0) return;
    const prog = gemmProgram(`${key}:f32`, "f32", ["f32", "f32"], decls);
    const header = gemmHeader(M, Ncols, K, groups);
    const meta = [...header.words, ...geo, ...operand(inputs[0]!), ...operand(inputs[1]!), out.layout.offset];
    rt.dispatch(prog, inputs.map((v) => v.buffer.gpuBuffer), [out.buffer.gpuBuffer], meta, header.workgroups);
  };
  return {
    conv2d: ([x, w], [out], attrs) => {
      const g = geometry(x!.layout.shape, w!.layout.shape, attrs);
      run("conv2d", CONV2D, [x!, w!], out!, g.N * g.Ho * g.Wo, g.Og, g.Cg * g.kH * g.kW, attrs.groups, g.words);
    },
    conv2dBackwardInput: ([gy, w], [out], attrs) => {
      const g = geometry(attrs.inputShape, w!.layout.shape, attrs);
      run("conv2dBackwardInput", CONV2D_BACKWARD_INPUT, [gy!, w!], out!, g.N * g.H * g.W, g.Cg, g.Og * g.kH * g.kW, attrs.groups, g.words);
    },
    conv2dBackwardWeight: ([x, gy], [out], attrs) => {
      const g = geometry(x!.layout.shape, attrs.weightShape, attrs);
      run("conv2dBackwardWeight", CONV2D_BACKWARD_WEIGHT, [x!, gy!], out!, g.Og, g.Cg * g.kH * g.kW, g.N * g.Ho * g.Wo, attrs.groups, g.words);
    },
  };
}
