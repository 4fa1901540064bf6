/**
 * Elementwise kernels — unary, binary, `where`, `copy`, `cast`, `fill`, `arange` and the
 * Philox random ops — on one scaffold: one invocation per output element (one per Philox
 * block for the random ops), the element's storage offset in every operand computed from the
 * coalesced shape and strides in metadata, so broadcast (stride 0), transposed and sliced
 * inputs and strided output views need no copies.
 *
 * Metadata: `[n, nd, p0 … p7, shape × nd, (offset, strides × nd) per operand]`, operands being
 * the inputs and then the output; `p0 … p7` are the op's scalar parameters.
 */
import { type DType, numel } from "@tessera/storage";
import { type OpName, broadcastLayout } from "@tessera/kernels";
import type { KernelTable } from "@tessera/backend";
import type { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import type { Library } from "../wgsl/library.js";
import { type ElemType, elemType, program } from "../wgsl/program.js";
import { type View, WG, groups, offsetsWGSL, stridedMeta } from "./common.js";

/** Word index of the first shape word (after `n`, `nd` and eight parameters). */
const SHAPE_AT = 10;

/** An expression for one element: a function of the loaded inputs `x0, x1, …` (and `i`). */
type Expr = (types: readonly ElemType[], out: ElemType) => string;

interface ElementwiseRun {
  readonly op: string;
  /** Extra key part for ops whose shader depends on more than dtypes. */
  readonly variant?: string;
  readonly inputs: readonly View[];
  readonly output: View;
  readonly expr: Expr;
  readonly libs?: readonly Library[];
  /** Up to eight parameter words (already bit patterns). */
  readonly params?: readonly number[];
}

/** Records one elementwise dispatch (nothing for an empty output). */
function runElementwise(rt: Runtime, run: ElementwiseRun): void {
  const out = run.output;
  const shape = out.layout.shape;
  const n = numel(shape);
  if (n === 0) return;
  const inTypes = run.inputs.map((v) => elemType(v.dtype));
  const outType = elemType(out.dtype);
  const key = `${run.op}${run.variant ? `/${run.variant}` : ""}:${inTypes.join(",")}>${outType}`;
  const prog = program(key, () => {
    const count = inTypes.length + 1;
    const loads = inTypes.map((_, k) => `  let x${k} = in${k}[o${k}];`).join("\n");
    return {
      key,
      inputs: inTypes,
      outputs: [outType],
      libs: run.libs ?? [],
      body: [
        `  let i = wg * ${WG}u + lid;`,
        `  if (i >= mu(0u)) { return; }`,
        offsetsWGSL(count, "i", `${SHAPE_AT}u`, "mu(1u)"),
        loads,
        `  out0[o${count - 1}] = ${run.expr(inTypes, outType)};`,
      ].join("\n"),
    };
  });
  const layouts = run.inputs.map((v) => broadcastLayout(v.layout, shape));
  layouts.push(out.layout);
  const { nd, words } = stridedMeta(shape, layouts);
  const params = run.params ?? [];
  const meta = [n, nd, ...params, ...new Array<number>(8 - params.length).fill(0), ...words];
  rt.dispatch(prog, run.inputs.map((v) => v.buffer.gpuBuffer), [out.buffer.gpuBuffer], meta, groups(n));
}

/** `x != 0` for an element of type `t`, NaN counting as nonzero. */
function truthy(t: ElemType, x: string): string {
  if (t === "f32") return `truthy_f32(${x})`;
  return t === "i32" ? `(${x} != 0)` : `(${x} != 0u)`;
}

const boolOf = (cond: string) => `select(0u, 1u, ${cond})`;

/** WGSL per unary op: float expression, and integer expression where the op takes int32. */
const UNARY: Record<string, { f: string; i?: string }> = {
  neg: { f: "-x0", i: "-x0" },
  abs: { f: "abs(x0)", i: "abs(x0)" },
  sign: { f: "sign_f32(x0)", i: "sign(x0)" },
  // NaN in, NaN out: SwiftShader's exp gave +∞ for NaN (the conformance suite's special values).
  exp: { f: "select(exp(x0), x0, is_nan(x0))" },
  log: { f: "log_acc(x0)" },
  sqrt: { f: "select(sqrt(x0), f32_nan(), x0 < 0.0 || is_nan(x0))" },
  rsqrt: { f: "select(1.0 / sqrt(x0), f32_nan(), x0 < 0.0 || is_nan(x0))" },
  sin: { f: "sincos_acc(x0).x" },
  cos: { f: "sincos_acc(x0).y" },
  tanh: { f: "tanh_acc(x0)" },
  sigmoid: { f: "sigmoid_acc(x0)" },
  relu: { f: "relu_f32(x0)", i: "max(x0, 0)" },
  erf: { f: "erf_acc(x0)" },
  reciprocal: { f: "1.0 / x0" },
  floor: { f: "floor(x0)", i: "x0" },
  ceil: { f: "ceil(x0)", i: "x0" },
  round: { f: "round(x0)", i: "x0" },
};

/**
 * WGSL per binary op: float expression, and integer expression where the op takes int32
 * (integer arithmetic wraps modulo 2³², as the reference's does). Comparisons and logical
 * ops are built below.
 */
const BINARY: Record<string, { f: string; i?: string }> = {
  add: { f: "x0 + x1", i: "x0 + x1" },
  sub: { f: "x0 - x1", i: "x0 - x1" },
  mul: { f: "x0 * x1", i: "x0 * x1" },
  div: { f: "x0 / x1" },
  pow: { f: "pow_acc(x0, x1)" },
  maximum: { f: "max_f32(x0, x1)", i: "max(x0, x1)" },
  minimum: { f: "min_f32(x0, x1)", i: "min(x0, x1)" },
};

const COMPARE: Record<string, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };

/**
 * A float comparison with IEEE NaN rules spelled out: every comparison with NaN is false except
 * `!=`, which is true. SwiftShader's `!=` was false with a NaN operand, and a GPU compiler may
 * treat floats as never NaN; `is_nan` tests the bits, which no such assumption removes.
 */
function floatCompare(sym: string): string {
  return sym === "!="
    ? "(x0 != x1 || is_nan(x0) || is_nan(x1))"
    : `(x0 ${sym} x1 && !is_nan(x0) && !is_nan(x1))`;
}

/** The float32 bit pattern of `x` (as an unsigned word). */
function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0]!;
}
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The stored value of `x` in `dtype` as a metadata word (the catalog's conversion rules). */
function valueWord(x: number, dtype: DType): number {
  switch (dtype) {
    case "bool":
      return x !== 0 ? 1 : 0;
    case "int32": {
      const t = Math.trunc(x);
      return (Number.isFinite(t) ? t | 0 : 0) >>> 0;
    }
    default:
      return f32Bits(x);
  }
}

/** The expression that converts `x0` of type `from` to `to` (the catalog's cast rules). */
function castExpr(from: ElemType, to: ElemType): string {
  if (from === to) return "x0";
  if (to === "u32") return boolOf(truthy(from, "x0"));
  if (to === "f32") return "f32(x0)";
  if (from === "f32") return "f32_to_i32(x0)";
  return "i32(x0)";
}

/** The elementwise kernels of this runtime. */
export function elementwiseKernels(rt: Runtime): KernelTable<WebGPUBuffer> {
  const table: Record<string, (inputs: readonly View[], outputs: readonly View[], attrs: any) => void> = {};

  /** The op's expression for its input type (float-only ops never see integers: `infer` rejects them). */
  const pick = (op: string, code: { f: string; i?: string }) => (t: readonly ElemType[]) => {
    if (t[0] === "f32") return code.f;
    if (code.i === undefined) throw new Error(`webgpu ${op}: no kernel for ${t[0]} inputs`);
    return code.i;
  };
  for (const [op, code] of Object.entries(UNARY)) {
    table[op] = (inputs, [out]) => runElementwise(rt, { op, inputs, output: out!, libs: ["math"], expr: pick(op, code) });
  }
  table.logicalNot = (inputs, [out]) =>
    runElementwise(rt, { op: "logicalNot", inputs, output: out!, libs: ["math"], expr: (t) => boolOf(`!${truthy(t[0]!, "x0")}`) });

  for (const [op, code] of Object.entries(BINARY)) {
    table[op] = (inputs, [out]) => runElementwise(rt, { op, inputs, output: out!, libs: ["math"], expr: pick(op, code) });
  }
  for (const [op, sym] of Object.entries(COMPARE)) {
    table[op] = (inputs, [out]) =>
      runElementwise(rt, { op, inputs, output: out!, libs: ["math"], expr: (t) => boolOf(t[0] === "f32" ? floatCompare(sym) : `x0 ${sym} x1`) });
  }
  table.logicalAnd = (inputs, [out]) =>
    runElementwise(rt, { op: "logicalAnd", inputs, output: out!, libs: ["math"], expr: (t) => boolOf(`${truthy(t[0]!, "x0")} && ${truthy(t[1]!, "x1")}`) });
  table.logicalOr = (inputs, [out]) =>
    runElementwise(rt, { op: "logicalOr", inputs, output: out!, libs: ["math"], expr: (t) => boolOf(`${truthy(t[0]!, "x0")} || ${truthy(t[1]!, "x1")}`) });

  table.where = (inputs, [out]) =>
    runElementwise(rt, { op: "where", inputs, output: out!, expr: () => "select(x2, x1, x0 != 0u)" });

  table.copy = (inputs, [out]) => runElementwise(rt, { op: "copy", inputs, output: out!, expr: () => "x0" });
  table.cast = (inputs, [out]) =>
    runElementwise(rt, { op: "cast", inputs, output: out!, libs: ["math"], expr: (t, o) => castExpr(t[0]!, o) });

  table.fill = (_inputs, [out], attrs: { value: number; dtype: DType }) => {
    const t = elemType(out!.dtype);
    const read = t === "f32" ? "mf(2u)" : t === "i32" ? "mi(2u)" : "mu(2u)";
    runElementwise(rt, { op: "fill", inputs: [], output: out!, params: [valueWord(attrs.value, out!.dtype)], expr: () => read });
  };

  table.arange = (_inputs, [out], attrs: { start: number; step: number; dtype: DType }) => {
    const { start, step } = attrs;
    const exactInt =
      out!.dtype === "int32" && Number.isInteger(start) && Number.isInteger(step) && Math.abs(start) < 2 ** 31 && Math.abs(step) < 2 ** 31;
    if (exactInt) {
      runElementwise(rt, { op: "arange", variant: "int", inputs: [], output: out!, params: [start >>> 0, step >>> 0], expr: () => "mi(2u) + i32(i) * mi(3u)" });
      return;
    }
    // start + i·step in float32 from a hi/lo split of start (the reference computes in float64).
    const hi = Math.fround(start);
    const lo = start - hi;
    const value = "(mf(2u) + (f32(i) * mf(3u) + mf(4u)))";
    runElementwise(rt, {
      op: "arange",
      variant: "float",
      inputs: [],
      output: out!,
      libs: ["math"],
      params: [f32Bits(hi), f32Bits(step), f32Bits(lo)],
      expr: (_t, o) => (o === "f32" ? value : `f32_to_i32(${value})`),
    });
  };

  table.randomUniform = (_inputs, [out], attrs: { key: readonly [number, number]; counter: number; low: number; high: number }) =>
    runRandom(rt, "randomUniform", out!, attrs, attrs.low, attrs.high - attrs.low);
  table.randomNormal = (_inputs, [out], attrs: { key: readonly [number, number]; counter: number; mean: number; std: number }) =>
    runRandom(rt, "randomNormal", out!, attrs, attrs.mean, attrs.std);

  return table as KernelTable<WebGPUBuffer>;
}

/** The value of lane `lane` of Philox block `blk`, per random op. */
const RANDOM_VALUE: Record<string, string> = {
  randomUniform: `mf(6u) + mf(7u) * (f32(blk[lane] >> 8u) * 5.9604644775390625e-8)`,
  randomNormal: `normal_value(blk, lane)`,
};

const NORMAL_DECLS = /* wgsl */ `
fn normal_value(blk: vec4u, lane: u32) -> f32 {
  let even = lane & 2u;
  let u1 = f32((blk[even] >> 8u) + 1u) * 5.9604644775390625e-8;
  let u2 = f32(blk[even + 1u] >> 8u) * 5.9604644775390625e-8;
  let r = sqrt(-2.0 * log_acc(u1));
  let sc = sincos_turns(u2);
  let z = select(r * sc.x, r * sc.y, (lane & 1u) == 0u);
  return mf(6u) + mf(7u) * z;
}
`;

/**
 * A random op: one invocation per Philox block (four consecutive elements in row-major order
 * of the output, which may be a strided view).
 */
function runRandom(
  rt: Runtime,
  op: OpName,
  out: View,
  attrs: { key: readonly [number, number]; counter: number },
  a: number,
  b: number,
): void {
  const shape = out.layout.shape;
  const n = numel(shape);
  if (n === 0) return;
  const key = `${op}:${elemType(out.dtype)}`;
  const prog = program(key, () => ({
    key,
    inputs: [],
    outputs: ["f32"],
    libs: ["math", "philox"],
    decls: op === "randomNormal" ? NORMAL_DECLS : "",
    body: [
      `  let j = wg * ${WG}u + lid;`,
      `  let n = mu(0u);`,
      `  if (j >= (n + 3u) / 4u) { return; }`,
      `  let blk = philox_block(vec2u(mu(2u), mu(3u)), mu(4u), mu(5u), j);`,
      `  for (var lane = 0u; lane < 4u; lane = lane + 1u) {`,
      `    let e = j * 4u + lane;`,
      `    if (e >= n) { break; }`,
      offsetsWGSL(1, "e", `${SHAPE_AT}u`, "mu(1u)").replace(/^/gm, "  "),
      `    out0[o0] = ${RANDOM_VALUE[op]};`,
      `  }`,
    ].join("\n"),
  }));
  const { nd, words } = stridedMeta(shape, [out.layout]);
  const counter = attrs.counter;
  const meta = [
    n,
    nd,
    attrs.key[0] >>> 0,
    attrs.key[1] >>> 0,
    counter % 0x1_0000_0000,
    Math.floor(counter / 0x1_0000_0000),
    f32Bits(a),
    f32Bits(b),
    0,
    0,
    ...words,
  ];
  rt.dispatch(prog, [], [out.buffer.gpuBuffer], meta, groups(Math.ceil(n / 4)));
}
