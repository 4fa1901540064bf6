/**
 * The WebAssembly SIMD float32 `exp`, `log`, `tanh` and `sigmoid` (assembly/unary.ts) through
 * the backend's kernels: a sweep over the whole float32 range against the float64 functions
 * rounded to float32 (≤ 2 ulp), special values, chunk boundaries and offsets, in-place use,
 * the TypeScript fallbacks (small, strided, `simd: false`).
 */
import { describe, expect, it } from "vitest";
import type { TypedArray } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";
import { sigmoid as sigmoid64 } from "@tessera/kernels";
import { createCpuBackend, cpuKernels } from "../src/index.js";
import { WASM_UNARY_CHUNK, WASM_UNARY_MIN_ELEMENTS, wasmUnary } from "../src/kernels/wasm-unary.js";

type View = TensorView<TypedArray>;
type Op = "exp" | "log" | "tanh" | "sigmoid";
const OPS: readonly Op[] = ["exp", "log", "tanh", "sigmoid"];
const REF: Record<Op, (x: number) => number> = { exp: Math.exp, log: Math.log, tanh: Math.tanh, sigmoid: sigmoid64 };

const simd = createCpuBackend({ name: "cpu-simd-unary" });
const plain = createCpuBackend({ name: "cpu-plain-unary", simd: false });

const dense = (buffer: Float32Array, n: number, offset = 0): View => ({
  buffer,
  dtype: "float32",
  layout: { shape: [n], strides: [1], offset },
});

const bits = new Uint32Array(1);
const bitsF = new Float32Array(bits.buffer);
/** The float32 value's position on a line where adjacent floats differ by 1 (±0 both 0). */
function ordinal(v: number): number {
  bitsF[0] = v;
  const b = bits[0]!;
  return b & 0x80000000 ? -(b & 0x7fffffff) : b;
}
/** Distance in float32 ulps between `actual` and `expected` (0 when both are NaN). */
function ulps(actual: number, expected: number): number {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual) ? 0 : Infinity;
  if (actual === expected) return 0;
  return Math.abs(ordinal(actual) - ordinal(expected));
}

function run(op: Op, backend: typeof simd, x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  backend.kernels[op]!([dense(x, x.length)], [dense(out, x.length)], {});
  return out;
}

/** Worst ulp error of `op` over `x`, and where. */
function worst(op: Op, x: Float32Array, out: Float32Array): { ulp: number; at: number } {
  let ulp = 0;
  let at = NaN;
  for (let i = 0; i < x.length; i++) {
    const u = ulps(out[i]!, Math.fround(REF[op](x[i]!)));
    if (u > ulp) {
      ulp = u;
      at = x[i]!;
    }
  }
  return { ulp, at };
}

describe("wasm float32 unary math", () => {
  it("is loaded where WebAssembly SIMD is", () => {
    expect(simd.simd).toBe(true);
    expect(wasmUnary()).not.toBeNull();
    expect(simd.kernels.exp).not.toBe(cpuKernels.exp);
  });

  // ~1e6 float32 bit patterns spread over the whole range (both signs, subnormals, ±∞, NaNs),
  // plus 2¹⁸ points evenly over the range where each op changes most.
  const sweep = new Float32Array(new Uint32Array(Math.ceil(2 ** 32 / 4099)).map((_, i) => i * 4099).buffer);
  const dense01 = (lo: number, hi: number): Float32Array =>
    new Float32Array(1 << 18).map((_, i) => lo + ((hi - lo) * i) / (1 << 18));
  const ranges: Record<Op, [number, number]> = { exp: [-104, 89], log: [0, 4], tanh: [-10, 10], sigmoid: [-105, 20] };

  for (const op of OPS) {
    it(`${op}: within 2 ulp of the float64 function rounded to float32 over the whole range`, () => {
      for (const x of [sweep, dense01(...ranges[op])]) {
        const r = worst(op, x, run(op, simd, x));
        expect(r.ulp, `${op}: ${r.ulp} ulp at ${r.at}`).toBeLessThanOrEqual(2);
      }
    });
  }

  it("gives the special values of Math.exp / Math.log / Math.tanh exactly", () => {
    const MAX_FINITE_EXP = 88.72283172607422; // largest float32 x with exp(x) finite in float32
    const cases: Record<Op, [number, number][]> = {
      exp: [
        [0, 1], [-0, 1], [Infinity, Infinity], [-Infinity, 0], [NaN, NaN], [1000, Infinity], [-1000, 0],
        [Math.fround(88.7228394), Infinity], [-104, 0], [1e-45, 1], [-1e-45, 1],
      ],
      log: [
        [1, 0], [0, -Infinity], [-0, -Infinity], [Infinity, Infinity], [-Infinity, NaN], [-1, NaN], [NaN, NaN],
        [-1e-45, NaN], [1e-45, Math.fround(Math.log(Math.fround(1e-45)))], [3.4028234663852886e38, Math.fround(Math.log(3.4028234663852886e38))],
      ],
      tanh: [[0, 0], [-0, -0], [Infinity, 1], [-Infinity, -1], [NaN, NaN], [20, 1], [-20, -1], [1e-45, Math.fround(1e-45)], [-1e-40, Math.fround(-1e-40)]],
      sigmoid: [[0, 0.5], [-0, 0.5], [Infinity, 1], [-Infinity, 0], [NaN, NaN], [200, 1], [-200, 0]],
    };
    for (const op of OPS) {
      // Padded to the wasm threshold so the module (not the fallback) computes them.
      const n = Math.max(WASM_UNARY_MIN_ELEMENTS, cases[op].length);
      const x = new Float32Array(n).fill(0.5);
      cases[op].forEach(([v], i) => (x[i] = v));
      const out = run(op, simd, x);
      cases[op].forEach(([v, want], i) => {
        expect(Object.is(out[i], want) || (Number.isNaN(want) && Number.isNaN(out[i]!)), `${op}(${v}) = ${out[i]}, want ${want}`).toBe(true);
      });
    }
    const e = run("exp", simd, new Float32Array(WASM_UNARY_MIN_ELEMENTS).fill(MAX_FINITE_EXP));
    expect(Number.isFinite(e[0]!)).toBe(true);
    expect(ulps(e[0]!, Math.fround(Math.exp(MAX_FINITE_EXP)))).toBeLessThanOrEqual(2);
    // Gradual underflow: every subnormal result within 2 ulp (absolute 2⁻¹⁴⁹ steps).
    const sub = new Float32Array(4096).map((_, i) => -87.3 - (17 * i) / 4096);
    expect(worst("exp", sub, run("exp", simd, sub)).ulp).toBeLessThanOrEqual(2);
  });

  it("streams across chunk boundaries with offsets, in place, and leaves the rest alone", () => {
    for (const n of [WASM_UNARY_MIN_ELEMENTS, 33, WASM_UNARY_CHUNK - 1, WASM_UNARY_CHUNK, WASM_UNARY_CHUNK + 1, 2 * WASM_UNARY_CHUNK + 3]) {
      const x = new Float32Array(n + 3).map((_, i) => ((i * 37) % 401) / 40 - 5);
      const out = new Float32Array(n + 7).fill(-7);
      simd.kernels.exp!([dense(x, n, 3)], [dense(out, n, 5)], {});
      for (let i = 0; i < 5; i++) expect(out[i]).toBe(-7);
      expect(out[n + 5]).toBe(-7);
      expect(out[n + 6]).toBe(-7);
      let worstUlp = 0;
      for (let i = 0; i < n; i++) worstUlp = Math.max(worstUlp, ulps(out[5 + i]!, Math.fround(Math.exp(x[3 + i]!))));
      expect(worstUlp, `n = ${n}`).toBeLessThanOrEqual(2);
      // In place: input and output the same buffer.
      const y = x.slice();
      simd.kernels.exp!([dense(y, n, 3)], [dense(y, n, 3)], {});
      expect(Array.from(y.subarray(3))).toEqual(Array.from(out.subarray(5, 5 + n)));
    }
  });

  it("keeps the TypeScript kernels for small, strided and non-float32 inputs", () => {
    // Small: below the threshold, bit-identical to the TypeScript kernel.
    const small = new Float32Array(WASM_UNARY_MIN_ELEMENTS - 1).map((_, i) => i / 3 - 4);
    for (const op of OPS) expect(Array.from(run(op, simd, small))).toEqual(Array.from(run(op, plain, small)));
    // Strided (every other element) and transposed views.
    const n = 4096;
    const x = new Float32Array(2 * n).map((_, i) => Math.sin(i) * 6);
    const strided: View = { buffer: x, dtype: "float32", layout: { shape: [n], strides: [2], offset: 1 } };
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    simd.kernels.tanh!([strided], [dense(a, n)], {});
    plain.kernels.tanh!([strided], [dense(b, n)], {});
    expect(Array.from(a)).toEqual(Array.from(b));
    const t: View = { buffer: x, dtype: "float32", layout: { shape: [64, 64], strides: [1, 64], offset: 0 } };
    const o1 = new Float32Array(n);
    const o2 = new Float32Array(n);
    const ov = (buffer: Float32Array): View => ({ buffer, dtype: "float32", layout: { shape: [64, 64], strides: [64, 1], offset: 0 } });
    simd.kernels.sigmoid!([t], [ov(o1)], {});
    plain.kernels.sigmoid!([t], [ov(o2)], {});
    expect(Array.from(o1)).toEqual(Array.from(o2));
    // float64 stays exact (the TypeScript kernel).
    const d = new Float64Array(1024).map((_, i) => i / 100);
    const od = new Float64Array(1024);
    const v64 = (buffer: Float64Array): View => ({ buffer, dtype: "float64", layout: { shape: [1024], strides: [1], offset: 0 } });
    simd.kernels.exp!([v64(d)], [v64(od)], {});
    expect(od[500]).toBe(Math.exp(5));
  });

  it("is off with simd: false (the TypeScript kernels, exactly Math.exp rounded)", () => {
    expect(plain.simd).toBe(false);
    for (const op of OPS) expect(plain.kernels[op]).toBe(cpuKernels[op]);
    const x = new Float32Array(8192).map((_, i) => i / 100 - 40);
    const out = run("exp", plain, x);
    for (let i = 0; i < x.length; i += 97) expect(out[i]).toBe(Math.fround(Math.exp(x[i]!)));
  });
});
