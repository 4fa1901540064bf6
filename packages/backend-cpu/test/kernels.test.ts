/**
 * The CPU kernels against the catalog's reference kernels on contiguous, transposed,
 * sliced-with-step, broadcast (stride 0) and zero-size inputs, plus hand-checked values,
 * errors and the buffer pool. The shared conformance suite (conformance.test.ts) covers
 * more cases; these pin down the CPU backend's own fast paths.
 */
import { erf } from "@tessera/kernels";
import { describe, expect, it } from "vitest";
import {
  type DType,
  type Layout,
  type TypedArray,
  allocTypedArray,
  contiguousLayout,
  contiguousStrides,
  numel,
} from "@tessera/storage";
import { CATALOG, type OpName, type StridedArray, forEachIndex, offsetOf } from "@tessera/kernels";
import type { TensorView } from "@tessera/backend";
import { cpuBackend, cpuKernels, createCpuBackend } from "../src/index.js";

type View = TensorView<TypedArray>;
type Variant = "contiguous" | "transposed" | "sliced" | "broadcast";
const VARIANTS: readonly Variant[] = ["contiguous", "transposed", "sliced", "broadcast"];

/** A tensor spec of a case: shape, dtype, and how to make its logical values. */
interface Spec {
  shape: number[];
  dtype: DType;
  values?: (i: number) => number;
}

/** Deterministic values of a dtype (floats with fractions and signs; small ints; bools). */
function defaultValue(dtype: DType, i: number): number {
  const h = Math.imul(i + 1, 2654435761) >>> 0;
  switch (dtype) {
    case "bool":
      return h % 3 === 0 ? 1 : 0;
    case "int32":
      return (h % 19) - 9;
    default:
      return ((h % 2001) - 1000) / 128;
  }
}

/** Places the logical row-major `values` of `shape` in a buffer laid out as `variant`. */
function place(variant: Variant, shape: readonly number[], dtype: DType, values: (i: number) => number): View {
  const n = numel(shape);
  const nd = shape.length;
  let layout: Layout;
  let length: number;
  if (variant === "transposed" && nd >= 2) {
    const rev = shape.slice().reverse();
    const rs = contiguousStrides(rev);
    layout = { shape: shape.slice(), strides: rs.slice().reverse(), offset: 0 };
    length = n;
  } else if (variant === "sliced" && nd >= 1) {
    const big = shape.map((s) => 2 * s);
    layout = { shape: shape.slice(), strides: contiguousStrides(big).map((s) => 2 * s), offset: 3 };
    length = 4 + numel(big);
  } else if (variant === "broadcast" && nd >= 1 && shape[0]! > 1) {
    // Dim 0 repeats the first row: stride 0.
    const strides = contiguousStrides(shape);
    strides[0] = 0;
    layout = { shape: shape.slice(), strides, offset: 1 };
    length = 1 + numel(shape.slice(1));
  } else {
    layout = contiguousLayout(shape);
    length = n;
  }
  const data = allocTypedArray(dtype, length);
  if (dtype === "float32" || dtype === "float64") data.fill(NaN);
  else data.fill(dtype === "int32" ? 777777 : 1);
  const full = contiguousLayout(shape);
  forEachIndex(shape, (idx) => {
    data[offsetOf(layout, idx)] = values(offsetOf(full, idx));
  });
  return { buffer: data, dtype, layout };
}

/** Row-major logical elements of a view. */
function logical(v: View | StridedArray): number[] {
  const data = "buffer" in v ? v.buffer : v.data;
  const out: number[] = [];
  forEachIndex(v.layout.shape, (idx) => out.push(data[offsetOf(v.layout, idx)]!));
  return out;
}

/** Runs `op` on the CPU backend with contiguous (or sliced) outputs; returns the output views. */
function runCpu(op: OpName, inputs: readonly View[], attrs: object, outputVariant: Variant = "contiguous"): View[] {
  const metas = CATALOG[op].infer(
    inputs.map((v) => ({ shape: v.layout.shape, dtype: v.dtype })),
    attrs as never,
  );
  const outputs = metas.map((m) => place(outputVariant, m.shape, m.dtype, () => 0));
  (cpuKernels[op] as (i: readonly View[], o: readonly View[], a: object) => void)(inputs, outputs, attrs);
  return outputs;
}

/** Runs the reference kernel of `op`; returns the outputs' logical values. */
function runReference(op: OpName, inputs: readonly View[], attrs: object): number[][] {
  const metas = CATALOG[op].infer(
    inputs.map((v) => ({ shape: v.layout.shape, dtype: v.dtype })),
    attrs as never,
  );
  const outs: StridedArray[] = metas.map((m) => ({
    data: allocTypedArray(m.dtype, numel(m.shape)),
    dtype: m.dtype,
    layout: contiguousLayout(m.shape),
  }));
  const ins: StridedArray[] = inputs.map((v) => ({ data: v.buffer, dtype: v.dtype, layout: v.layout }));
  (CATALOG[op].reference as (i: StridedArray[], o: StridedArray[], a: object) => void)(ins, outs, attrs);
  return outs.map(logical);
}

/** Expects `actual` to match `expected` (NaN = NaN; floats within a relative 1e-6 / 1e-12). */
function expectClose(actual: number[], expected: number[], dtype: DType, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const tol = dtype === "float32" ? 1e-6 : dtype === "float64" ? 1e-12 : 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${what} [${i}]: expected NaN, got ${a}`).toBe(true);
    } else if (a !== e && !(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
      expect(a, `${what} [${i}]`).toBe(e);
    }
  }
}

/** Compares the CPU kernel of `op` with the reference on every input layout variant. */
function compareAll(op: OpName, specs: readonly Spec[], attrs: object = {}): void {
  for (const variant of VARIANTS) {
    const inputs = specs.map((s) => place(variant, s.shape, s.dtype, s.values ?? ((i) => defaultValue(s.dtype, i))));
    const expected = runReference(op, inputs, attrs);
    const outputs = runCpu(op, inputs, attrs);
    outputs.forEach((o, k) => expectClose(logical(o), expected[k]!, o.dtype, `${op} ${variant} output ${k}`));
    if (CATALOG[op].stridedOutput) {
      const strided = runCpu(op, inputs, attrs, "sliced");
      strided.forEach((o, k) => expectClose(logical(o), expected[k]!, o.dtype, `${op} ${variant} into a sliced view`));
      const transposed = runCpu(op, inputs, attrs, "transposed");
      transposed.forEach((o, k) => expectClose(logical(o), expected[k]!, o.dtype, `${op} ${variant} into a transposed view`));
    }
  }
}

/** A contiguous view of `values` with `shape`. */
function tensor(shape: number[], dtype: DType, values: ArrayLike<number>): View {
  const data = allocTypedArray(dtype, numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = values[i]!;
  return { buffer: data, dtype, layout: contiguousLayout(shape) };
}

/** The single output of `op` as a plain array. */
function values(op: OpName, inputs: View[], attrs: object = {}): number[] {
  return logical(runCpu(op, inputs, attrs)[0]!);
}

const f32 = (shape: number[], dt: DType = "float32"): Spec => ({ shape, dtype: dt });
const positive = (shape: number[], dt: DType = "float32"): Spec => ({
  shape,
  dtype: dt,
  values: (i) => 0.25 + Math.abs(defaultValue(dt, i)),
});

describe("buffers and the pool", () => {
  it("allocate / free / allocate returns the same array", () => {
    const cpu = createCpuBackend();
    const a = cpu.allocate("float32", 100);
    cpu.free(a, "float32", 100);
    const b = cpu.allocate("float32", 100);
    expect(b).toBe(a);
    const c = cpu.allocate("float32", 100);
    expect(c).not.toBe(a);
    const d = cpu.allocate("int32", 7);
    cpu.free(d, "int32", 7);
    expect(cpu.allocate("float32", 7)).not.toBe(d);
    expect(cpu.allocate("int32", 7)).toBe(d);
    expect(cpu.pool.pooledBytes).toBe(0);
  });

  it("allocates the typed array of each dtype", () => {
    expect(cpuBackend.allocate("float32", 3)).toBeInstanceOf(Float32Array);
    expect(cpuBackend.allocate("float64", 3)).toBeInstanceOf(Float64Array);
    expect(cpuBackend.allocate("int32", 3)).toBeInstanceOf(Int32Array);
    expect(cpuBackend.allocate("bool", 3)).toBeInstanceOf(Uint8Array);
    expect(cpuBackend.name).toBe("cpu");
    expect(cpuBackend.dtypes).toEqual(["float32", "float64", "int32", "bool"]);
  });

  it("upload sets, reads copy a range, sync resolves", async () => {
    const cpu = createCpuBackend({ name: "cpu-test" });
    const buf = cpu.allocate("float64", 5);
    cpu.upload(buf, "float64", new Float64Array([1, 2, 3, 4, 5]));
    const part = cpu.readSync(buf, "float64", 1, 3);
    expect(Array.from(part)).toEqual([2, 3, 4]);
    part[0] = 99;
    expect(buf[1]).toBe(2);
    expect(Array.from(await cpu.read(buf, "float64", 0, 5))).toEqual([1, 2, 3, 4, 5]);
    await expect(cpu.sync()).resolves.toBeUndefined();
    expect(cpu.name).toBe("cpu-test");
  });

  it("a steady-state loop of small ops allocates from the pool only", () => {
    const cpu = createCpuBackend();
    const view = (buffer: TypedArray): View => ({ buffer, dtype: "float32", layout: contiguousLayout([10, 10]) });
    const seen = new Set<TypedArray>();
    const a = cpu.allocate("float32", 100);
    a.fill(1);
    for (let step = 0; step < 5; step++) {
      const out = cpu.allocate("float32", 100);
      seen.add(out);
      cpu.kernels.add!([view(a), view(a)], [view(out)], {});
      expect(out[99]).toBe(2);
      cpu.free(out, "float32", 100);
    }
    expect(seen.size).toBe(1);
  });
});

describe("elementwise values", () => {
  it("adds contiguous, broadcast and scalar operands", () => {
    const a = tensor([2, 3], "float32", [1, 2, 3, 4, 5, 6]);
    expect(values("add", [a, tensor([3], "float32", [10, 20, 30])])).toEqual([11, 22, 33, 14, 25, 36]);
    expect(values("add", [a, tensor([2, 1], "float32", [100, 200])])).toEqual([101, 102, 103, 204, 205, 206]);
    expect(values("mul", [tensor([], "float32", [2]), a])).toEqual([2, 4, 6, 8, 10, 12]);
    expect(values("sub", [a, a])).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("wraps int32 products and compares into bool", () => {
    const big = tensor([2], "int32", [65536, -3]);
    expect(values("mul", [big, big])).toEqual([0, 9]);
    const out = runCpu("lt", [tensor([3], "int32", [1, 5, 3]), tensor([3], "int32", [2, 5, 1])], {})[0]!;
    expect(out.buffer).toBeInstanceOf(Uint8Array);
    expect(logical(out)).toEqual([1, 0, 0]);
  });

  it("float32 erf: within one ulp of the correctly rounded value everywhere, and mostly equal to it", () => {
    const n = 200_001;
    const xs = Array.from({ length: n }, (_, i) => -5 + (10 * i) / (n - 1));
    xs.push(NaN, Infinity, -Infinity, -0, 0, 1e-30, -1e-10, 0.9999999, 1, 3.9999998, 4);
    const got = values("erf", [tensor([xs.length], "float32", xs)]);
    const exact = Float32Array.from(xs.map((x) => Math.fround(x)).map(erf)); // reference, rounded once
    const bits = (v: number) => new Int32Array(Float32Array.of(v).buffer)[0]!;
    let equal = 0;
    for (let i = 0; i < xs.length; i++) {
      if (Number.isNaN(exact[i]!)) {
        expect(got[i], `erf(${xs[i]})`).toBeNaN();
        continue;
      }
      const ulps = Math.abs(bits(got[i]!) - bits(exact[i]!));
      expect(ulps, `erf(${xs[i]}): ${got[i]} vs ${exact[i]}`).toBeLessThanOrEqual(1);
      if (ulps === 0) equal++;
    }
    expect(equal / xs.length).toBeGreaterThan(0.97);
    expect(Object.is(values("erf", [tensor([1], "float32", [-0])])[0], -0)).toBe(true);
  });

  it("sign as PyTorch's: NaN gives 0, -0 gives +0, in float32 and float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const s = values("sign", [tensor([6], dtype, [NaN, -0, 0, -Infinity, 2.5, -1e-30])]);
      expect(s).toEqual([0, 0, 0, -1, 1, -1]);
      expect(Object.is(s[1], 0)).toBe(true);
    }
  });

  it("propagates NaN through maximum and relu", () => {
    const a = tensor([3], "float64", [NaN, 1, -2]);
    const b = tensor([3], "float64", [0, NaN, -3]);
    expect(values("maximum", [a, b])).toEqual([NaN, NaN, -2]);
    expect(values("relu", [a])).toEqual([NaN, 1, 0]);
  });

  it("writes into a transposed output view and leaves other elements alone", () => {
    const x = tensor([2, 3], "float32", [1, 2, 3, 4, 5, 6]);
    const buffer = new Float32Array(6).fill(-1);
    const out: View = { buffer, dtype: "float32", layout: { shape: [2, 3], strides: [1, 2], offset: 0 } };
    cpuKernels.neg([x], [out], {});
    expect(Array.from(buffer)).toEqual([-1, -4, -2, -5, -3, -6]);
    const sliced = new Float32Array(8).fill(7);
    cpuKernels.fill([], [{ buffer: sliced, dtype: "float32", layout: { shape: [4], strides: [2], offset: 1 } }], {
      shape: [4],
      dtype: "float32",
      value: 0,
    });
    expect(Array.from(sliced)).toEqual([7, 0, 7, 0, 7, 0, 7, 0]);
  });

  it("copies a transposed view contiguous, and copies a view of itself safely", () => {
    const x: View = { buffer: new Float64Array([1, 2, 3, 4, 5, 6]), dtype: "float64", layout: { shape: [3, 2], strides: [1, 3], offset: 0 } };
    expect(values("copy", [x])).toEqual([1, 4, 2, 5, 3, 6]);
    // copy_ of the transpose into the same storage: every element read before it is written.
    const buffer = new Float64Array([1, 2, 3, 4]);
    const src: View = { buffer, dtype: "float64", layout: { shape: [2, 2], strides: [1, 2], offset: 0 } };
    const dst: View = { buffer, dtype: "float64", layout: { shape: [2, 2], strides: [2, 1], offset: 0 } };
    cpuKernels.copy([src], [dst], {});
    expect(Array.from(buffer)).toEqual([1, 3, 2, 4]);
  });

  it("casts: truncation toward zero, NaN to 0 and to true, bool to 0/1", () => {
    const x = tensor([5], "float32", [-2.7, 2.7, NaN, 0, 3e9]);
    expect(values("cast", [x], { dtype: "int32" })).toEqual([-2, 2, 0, 0, -1294967296]);
    expect(values("cast", [x], { dtype: "bool" })).toEqual([1, 1, 1, 0, 1]);
    expect(values("cast", [tensor([2], "bool", [1, 0])], { dtype: "float64" })).toEqual([1, 0]);
  });

  it("where picks with broadcasting; arange counts", () => {
    const c = tensor([2, 1], "bool", [1, 0]);
    const a = tensor([3], "int32", [1, 2, 3]);
    const b = tensor([], "int32", [9]);
    expect(values("where", [c, a, b])).toEqual([1, 2, 3, 9, 9, 9]);
    expect(values("arange", [], { start: 1, end: 2, step: 0.25, dtype: "float64" })).toEqual([1, 1.25, 1.5, 1.75]);
    expect(values("arange", [], { start: 5, end: 0, step: -2, dtype: "int32" })).toEqual([5, 3, 1]);
  });
});

describe("reduction and matmul values", () => {
  const x = tensor([2, 3], "float32", [1, 5, 3, 4, 2, 6]);

  it("reduces over any dims", () => {
    expect(values("sum", [x], { dims: [0], keepdim: false })).toEqual([5, 7, 9]);
    expect(values("sum", [x], { dims: [1], keepdim: true })).toEqual([9, 12]);
    expect(values("sum", [x], { dims: [0, 1], keepdim: false })).toEqual([21]);
    expect(values("prod", [x], { dims: [1], keepdim: false })).toEqual([15, 48]);
    expect(values("max", [x], { dims: [0], keepdim: false })).toEqual([4, 5, 6]);
    expect(values("min", [x], { dims: [], keepdim: false })).toEqual([1, 5, 3, 4, 2, 6]);
    expect(values("sum", [tensor([0, 3], "float32", [])], { dims: [0], keepdim: false })).toEqual([0, 0, 0]);
    expect(values("sum", [tensor([4], "bool", [1, 1, 0, 1])], { dims: [0], keepdim: false })).toEqual([3]);
  });

  it("propagates NaN in max/min and picks the first NaN / first tie in argmax", () => {
    const y = tensor([2, 3], "float64", [1, NaN, 3, 7, 7, 2]);
    expect(values("max", [y], { dims: [1], keepdim: false })).toEqual([NaN, 7]);
    expect(values("min", [y], { dims: [0], keepdim: false })).toEqual([1, NaN, 2]);
    expect(values("argmax", [y], { dim: 1, keepdim: false })).toEqual([1, 0]);
    expect(values("argmax", [y], { dim: 0, keepdim: false })).toEqual([1, 0, 0]);
    expect(values("argmin", [y], { dim: null, keepdim: false })).toEqual([1]);
    expect(values("argmax", [x], { dim: null, keepdim: false })).toEqual([5]);
  });

  it("multiplies matrices with broadcast batches, transposed operands and int32", () => {
    const a = tensor([2, 2, 3], "float32", [1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0]);
    const b = tensor([3, 2], "float32", [1, 2, 3, 4, 5, 6]);
    expect(values("matmul", [a, b])).toEqual([22, 28, 49, 64, 1, 2, 3, 4]);
    const bt: View = { buffer: new Float32Array([1, 3, 5, 2, 4, 6]), dtype: "float32", layout: { shape: [3, 2], strides: [1, 3], offset: 0 } };
    expect(values("matmul", [a, bt])).toEqual([22, 28, 49, 64, 1, 2, 3, 4]);
    const i = tensor([1, 2], "int32", [65536, 1]);
    const j = tensor([2, 1], "int32", [65536, 5]);
    expect(values("matmul", [i, j])).toEqual([5]);
    expect(values("matmul", [tensor([2, 0], "float64", []), tensor([0, 2], "float64", [])])).toEqual([0, 0, 0, 0]);
  });
});

describe("indexing, random, conv and pool values", () => {
  it("gathers, scatters and selects", () => {
    const x = tensor([2, 2], "float32", [1, 2, 3, 4]);
    expect(values("gather", [x, tensor([2, 2], "int32", [0, 0, 1, 0])], { dim: 1 })).toEqual([1, 1, 4, 3]);
    const zeros = tensor([3], "float32", [0, 0, 0]);
    expect(values("scatterAdd", [zeros, tensor([3], "int32", [0, 2, 0]), tensor([3], "float32", [1, 2, 3])], { dim: 0 })).toEqual([4, 0, 2]);
    const y = tensor([2, 3], "int32", [1, 2, 3, 4, 5, 6]);
    expect(values("indexSelect", [y, tensor([2], "int32", [2, 0])], { dim: 1 })).toEqual([3, 1, 6, 4]);
    expect(values("indexSelect", [y, tensor([3], "int32", [1, 1, 0])], { dim: 0 })).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
  });

  it("rejects an out-of-range index naming the op, the value and the range", () => {
    const x = tensor([2, 3], "float32", [1, 2, 3, 4, 5, 6]);
    expect(() => values("gather", [x, tensor([1, 1], "int32", [3])], { dim: 1 })).toThrow(/gather: index 3 .*\[0, 2\]/);
    expect(() => values("indexSelect", [x, tensor([1], "int32", [-1])], { dim: 0 })).toThrow(/indexSelect: index -1 .*\[0, 1\]/);
    expect(() =>
      values("scatterAdd", [x, tensor([1, 1], "int32", [5]), tensor([1, 1], "float32", [1])], { dim: 0 }),
    ).toThrow(/scatterAdd: index 5 .*\[0, 1\]/);
  });

  it("draws the reference's Philox numbers", () => {
    const attrs = { shape: [3, 5], dtype: "float32", key: [7, 9], counter: 2 ** 32 - 2, low: -1, high: 2 };
    const out = values("randomUniform", [], attrs);
    expect(out).toEqual(runReference("randomUniform", [], attrs)[0]);
    expect(out.every((v) => v >= -1 && v < 2)).toBe(true);
    const nattrs = { shape: [7], dtype: "float64", key: [1, 2], counter: 5, mean: 1, std: 2 };
    expect(values("randomNormal", [], nattrs)).toEqual(runReference("randomNormal", [], nattrs)[0]);
  });

  it("convolves, pools and returns pooling indices", () => {
    const x = tensor([1, 1, 3, 3], "float32", [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = tensor([1, 1, 2, 2], "float32", [1, 0, 0, 1]);
    const conv = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    expect(values("conv2d", [x, w], conv)).toEqual([6, 8, 12, 14]);
    expect(values("conv2d", [x, w], { ...conv, padding: [1, 1], stride: [2, 2] })).toEqual([1, 3, 7, 14]);
    const pool = { kernelSize: [2, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1], ceilMode: false };
    const [v, idx] = runCpu("maxPool2d", [x], pool);
    expect(logical(v!)).toEqual([5, 6, 8, 9]);
    expect(logical(idx!)).toEqual([4, 5, 7, 8]);
    const avg = { kernelSize: [2, 2], stride: [2, 2], padding: [1, 1], ceilMode: false, countIncludePad: false, divisorOverride: null };
    expect(values("avgPool2d", [x], avg)).toEqual([1, 2.5, 5.5, 7]);
  });
});

describe("matches the reference kernels on every layout", () => {
  it("unary ops", () => {
    for (const op of ["neg", "abs", "sign", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "erf", "floor", "ceil", "round", "reciprocal"] as const) {
      compareAll(op, [f32([3, 4])]);
      compareAll(op, [f32([2, 3, 4], "float64")]);
    }
    for (const op of ["log", "sqrt", "rsqrt"] as const) compareAll(op, [positive([4, 5])]);
    compareAll("neg", [f32([5, 3], "int32")]);
    compareAll("logicalNot", [f32([3, 3], "bool")]);
    compareAll("exp", [f32([0, 3])]);
  });

  it("binary ops, with broadcasting and scalars", () => {
    for (const op of ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"] as const) {
      compareAll(op, [f32([3, 4]), f32([3, 4])]);
      compareAll(op, [f32([3, 4]), f32([4])]);
      compareAll(op, [f32([3, 1, 2], "float64"), f32([4, 1], "float64")]);
      compareAll(op, [f32([]), f32([2, 3])]);
    }
    compareAll("pow", [positive([3, 4]), f32([3, 4])]);
    compareAll("mul", [f32([4, 4], "int32"), f32([4, 4], "int32")]);
    compareAll("logicalAnd", [f32([3, 4], "bool"), f32([4], "bool")]);
    compareAll("logicalOr", [f32([3, 4], "bool"), f32([3, 4], "bool")]);
    compareAll("add", [f32([0, 4]), f32([4])]);
  });

  it("where, copy, cast, fill, arange", () => {
    compareAll("where", [f32([3, 4], "bool"), f32([3, 4]), f32([4])]);
    compareAll("where", [f32([2, 1, 3], "bool"), f32([4, 1], "int32"), f32([], "int32")]);
    compareAll("copy", [f32([3, 4, 2])]);
    compareAll("copy", [f32([30, 20], "float64")]);
    compareAll("copy", [f32([0, 2], "bool")]);
    for (const dtype of ["float32", "float64", "int32", "bool"] as const) {
      compareAll("cast", [{ shape: [4, 3], dtype: "float64", values: (i) => (i - 5) * 0.75 }], { dtype });
      compareAll("cast", [f32([3, 2], "bool")], { dtype });
    }
    compareAll("fill", [], { shape: [3, 4], dtype: "int32", value: 2.5 });
    compareAll("fill", [], { shape: [2, 2], dtype: "bool", value: -3 });
    compareAll("arange", [], { start: -1, end: 1, step: 0.1, dtype: "float32" });
  });

  it("reductions over every kind of dim set", () => {
    for (const op of ["sum", "prod", "max", "min"] as const) {
      for (const dims of [[], [0], [1], [2], [0, 2], [1, 2], [0, 1, 2]]) {
        compareAll(op, [f32([3, 4, 5])], { dims, keepdim: false });
        compareAll(op, [f32([2, 3, 4], "int32")], { dims, keepdim: true });
      }
      compareAll(op, [f32([], "float64")], { dims: [0], keepdim: false });
    }
    compareAll("sum", [f32([4, 3], "bool")], { dims: [1], keepdim: false });
    compareAll("sum", [f32([0, 3])], { dims: [0], keepdim: false });
    compareAll("prod", [f32([2, 0])], { dims: [1], keepdim: true });
    compareAll("sum", [f32([64, 70])], { dims: [0], keepdim: false });
    for (const op of ["argmax", "argmin"] as const) {
      for (const dim of [null, 0, 1, 2]) {
        compareAll(op, [{ shape: [3, 4, 5], dtype: "float32", values: (i) => (i * 7) % 11 }], { dim, keepdim: false });
        compareAll(op, [f32([3, 4, 5], "int32")], { dim, keepdim: true });
      }
    }
  });

  it("matmul", () => {
    compareAll("matmul", [f32([5, 7]), f32([7, 3])]);
    compareAll("matmul", [f32([2, 5, 7], "float64"), f32([7, 9], "float64")]);
    compareAll("matmul", [f32([3, 1, 4, 6]), f32([2, 6, 5])]);
    compareAll("matmul", [f32([6, 8]), f32([8, 1])]);
    compareAll("matmul", [f32([2, 9, 3], "int32"), f32([2, 3, 4], "int32")]);
    compareAll("matmul", [f32([0, 3]), f32([3, 2])]);
    compareAll("matmul", [f32([33, 140]), f32([140, 600])]);
  });

  it("gather, scatterAdd, indexSelect", () => {
    const idx = (shape: number[], size: number): Spec => ({ shape, dtype: "int32", values: (i) => (i * 5 + 1) % size });
    compareAll("gather", [f32([4, 5]), idx([4, 3], 5)], { dim: 1 });
    compareAll("gather", [f32([4, 5, 2], "int32"), idx([3, 5, 2], 4)], { dim: 0 });
    compareAll("scatterAdd", [f32([4, 5]), idx([4, 3], 5), f32([4, 6])], { dim: 1 });
    compareAll("scatterAdd", [f32([3, 4], "int32"), idx([5, 4], 3), f32([5, 4], "int32")], { dim: 0 });
    compareAll("indexSelect", [f32([4, 5]), idx([7], 4)], { dim: 0 });
    compareAll("indexSelect", [f32([3, 4, 100], "float64"), idx([6], 4)], { dim: 1 });
    compareAll("indexSelect", [f32([3, 4, 2]), idx([6], 2)], { dim: 2 });
    compareAll("indexSelect", [f32([3, 4]), idx([0], 4)], { dim: 1 });
  });

  it("random ops", () => {
    compareAll("randomUniform", [], { shape: [5, 3], dtype: "float64", key: [3, 4], counter: 11, low: 0, high: 1 });
    compareAll("randomNormal", [], { shape: [2, 5], dtype: "float32", key: [3, 4], counter: 0, mean: 0, std: 1 });
  });

  it("conv2d and its gradients", () => {
    const configs = [
      { x: [2, 3, 7, 6], w: [4, 3, 3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 },
      { x: [1, 4, 9, 8], w: [6, 2, 3, 2], stride: [2, 3], padding: [2, 1], dilation: [2, 1], groups: 2 },
      { x: [2, 4, 5, 5], w: [8, 4, 1, 1], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
      { x: [0, 2, 5, 5], w: [3, 2, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
    ];
    for (const { x, w, ...attrs } of configs) {
      for (const dt of ["float32", "float64"] as const) {
        compareAll("conv2d", [f32(x, dt), f32(w, dt)], attrs);
        const [meta] = CATALOG.conv2d.infer([{ shape: x, dtype: dt }, { shape: w, dtype: dt }], attrs as never);
        compareAll("conv2dBackwardInput", [f32(meta!.shape.slice(), dt), f32(w, dt)], { ...attrs, inputShape: x });
        compareAll("conv2dBackwardWeight", [f32(x, dt), f32(meta!.shape.slice(), dt)], { ...attrs, weightShape: w });
      }
    }
  });

  it("pooling and its gradients", () => {
    const configs = [
      { x: [2, 3, 6, 7], kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false },
      { x: [1, 2, 7, 5], kernelSize: [3, 2], stride: [2, 1], padding: [1, 1], ceilMode: true },
      { x: [0, 2, 4, 4], kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false },
    ];
    for (const { x, ...win } of configs) {
      const maxAttrs = { ...win, dilation: [1, 2] as [number, number] };
      compareAll("maxPool2d", [f32(x)], maxAttrs);
      compareAll("maxPool2d", [f32(x, "int32")], { ...win, dilation: [1, 1] });
      const [values2, indices] = runCpu("maxPool2d", [place("contiguous", x, "float64", (i) => defaultValue("float64", i))], maxAttrs);
      compareAll("maxPool2dBackward", [f32(values2!.layout.shape.slice(), "float64"), { shape: indices!.layout.shape.slice(), dtype: "int32", values: (i) => logical(indices!)[i]! }], {
        inputShape: x,
      });
      for (const countIncludePad of [true, false]) {
        for (const divisorOverride of [null, 3]) {
          const avg = { ...win, countIncludePad, divisorOverride };
          compareAll("avgPool2d", [f32(x)], avg);
          const [m] = CATALOG.avgPool2d.infer([{ shape: x, dtype: "float32" }], avg as never);
          compareAll("avgPool2dBackward", [f32(m!.shape.slice())], { ...avg, inputShape: x });
        }
      }
    }
  });
});
