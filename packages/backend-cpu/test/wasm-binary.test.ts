/**
 * The WebAssembly SIMD float32 `add`, `sub`, `mul`, `div`, `maximum`, `minimum`
 * (assembly/binary.ts) through the backend's kernels: bit-for-bit agreement with the
 * TypeScript kernels over every pair of special and ordinary values (NaN, ±0, ±∞, subnormals,
 * huge), a scalar operand on either side, chunk boundaries and offsets, in-place use, and the
 * TypeScript fallbacks (small, broadcast rows, strided, other dtypes, `simd: false`).
 */
import { describe, expect, it } from "vitest";
import type { TypedArray } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";
import { createCpuBackend, cpuKernels } from "../src/index.js";
import { WASM_BINARY_CHUNK, WASM_BINARY_MIN_ELEMENTS, WASM_BINARY_OPS, wasmBinary } from "../src/kernels/wasm-binary.js";

type View = TensorView<TypedArray>;
type Op = (typeof WASM_BINARY_OPS)[number];
const OPS: readonly Op[] = WASM_BINARY_OPS;

const simd = createCpuBackend({ name: "cpu-simd-binary" });
const plain = createCpuBackend({ name: "cpu-plain-binary", simd: false });

const view = (buffer: Float32Array, shape: number[], offset = 0): View => {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, s) => p * s, 1));
  return { buffer, dtype: "float32", layout: { shape, strides, offset } };
};

const SPECIAL = [
  0, -0, 1, -1, 0.5, -2.5, 3, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.1754942e-38, 3.4028234663852886e38,
  -3.4028234663852886e38, 1e30, -1e-30, 7, Math.fround(Math.PI),
].map(Math.fround);

/** Both the same float32 value: equal bit patterns, or both NaN (payloads may differ). */
function same(x: number, y: number): boolean {
  return Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
}

function expectSame(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!same(got[i]!, want[i]!)) expect(`${what}[${i}] = ${got[i]}`).toBe(`${what}[${i}] = ${want[i]}`);
  }
}

/** Every ordered pair of SPECIAL values, repeated up to at least `min` elements. */
function pairs(min: number): [Float32Array, Float32Array] {
  const k = SPECIAL.length;
  const n = Math.max(min, k * k);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = SPECIAL[i % k]!;
    b[i] = SPECIAL[Math.floor(i / k) % k]!;
  }
  return [a, b];
}

function run(backend: typeof simd, op: Op, a: View, b: View, shape: number[]): Float32Array {
  const out = new Float32Array(shape.reduce((p, s) => p * s, 1));
  backend.kernels[op]!([a, b], [view(out, shape)], {});
  return out;
}

describe("wasm float32 binary ops", () => {
  it("is loaded where WebAssembly SIMD is", () => {
    expect(simd.simd).toBe(true);
    expect(wasmBinary()).not.toBeNull();
    for (const op of OPS) expect(simd.kernels[op]).not.toBe(cpuKernels[op]);
  });

  it("matches the TypeScript kernels bit for bit on every pair of special values", () => {
    const [a, b] = pairs(WASM_BINARY_MIN_ELEMENTS);
    const n = a.length;
    for (const op of OPS) {
      const got = run(simd, op, view(a, [n]), view(b, [n]), [n]);
      const want = run(plain, op, view(a, [n]), view(b, [n]), [n]);
      expectSame(got, want, op);
    }
  });

  it("gives Math.max / Math.min's NaN and signed-zero results", () => {
    const n = WASM_BINARY_MIN_ELEMENTS;
    const cases: [number, number][] = [[0, -0], [-0, 0], [-0, -0], [NaN, 1], [1, NaN], [NaN, -Infinity], [Infinity, NaN], [-0, NaN]];
    const a = new Float32Array(n).fill(2);
    const b = new Float32Array(n).fill(3);
    cases.forEach(([x, y], i) => ((a[i] = x), (b[i] = y)));
    const mx = run(simd, "maximum", view(a, [n]), view(b, [n]), [n]);
    const mn = run(simd, "minimum", view(a, [n]), view(b, [n]), [n]);
    cases.forEach(([x, y], i) => {
      expect(same(mx[i]!, Math.max(x, y)), `max(${x}, ${y}) = ${mx[i]}`).toBe(true);
      expect(same(mn[i]!, Math.min(x, y)), `min(${x}, ${y}) = ${mn[i]}`).toBe(true);
    });
    expect(Object.is(mx[0], 0) && Object.is(mx[1], 0) && Object.is(mn[0], -0) && Object.is(mn[1], -0)).toBe(true);
  });

  it("takes a single-element operand on either side (shape [1], [] or [1, 1])", () => {
    const n = 3 * 1024 + 1;
    const x = new Float32Array(n).map((_, i) => SPECIAL[i % SPECIAL.length]! * ((i % 7) - 3));
    for (const s of SPECIAL) {
      const sv = new Float32Array([9, s]);
      for (const sShape of [[1], [], [1, 1]]) {
        for (const op of OPS) {
          for (const left of [true, false]) {
            const xs = view(x, [n]);
            const ss = view(sv, sShape, 1);
            const [a, b] = left ? [ss, xs] : [xs, ss];
            expectSame(run(simd, op, a, b, [n]), run(plain, op, a, b, [n]), `${op}(${left ? `${s}, x` : `x, ${s}`})`);
          }
        }
      }
    }
  });

  it("streams across chunk boundaries with offsets, in place, and leaves the rest alone", () => {
    const C = WASM_BINARY_CHUNK;
    for (const n of [WASM_BINARY_MIN_ELEMENTS, WASM_BINARY_MIN_ELEMENTS + 1, 1027, C - 1, C, C + 1, 2 * C + 3]) {
      const a = new Float32Array(n + 3).map((_, i) => ((i * 37) % 401) / 40 - 5);
      const b = new Float32Array(n + 2).map((_, i) => ((i * 53) % 307) / 30 - 5);
      for (const op of OPS) {
        for (const scalar of [0, 1, 2]) {
          const av = scalar === 1 ? view(a, [1], 7) : view(a, [n], 3);
          const bv = scalar === 2 ? view(b, [], 5) : view(b, [n], 2);
          const out = new Float32Array(n + 7).fill(-7);
          simd.kernels[op]!([av, bv], [view(out, [n], 5)], {});
          for (let i = 0; i < 5; i++) expect(out[i]).toBe(-7);
          expect(out[n + 5]).toBe(-7);
          expect(out[n + 6]).toBe(-7);
          const want = run(plain, op, av, bv, [n]);
          expectSame(out.subarray(5, 5 + n), want, `${op} n=${n} scalar=${scalar}`);
          // In place: the output is the first (dense) operand's buffer.
          if (scalar !== 1) {
            const y = a.slice();
            simd.kernels[op]!([view(y, [n], 3), bv], [view(y, [n], 3)], {});
            expectSame(y.subarray(3), want, `${op} in place n=${n}`);
          }
        }
      }
    }
  });

  it("keeps the TypeScript kernels for small, broadcast, strided and non-float32 inputs", () => {
    // Small: below the threshold.
    const m = WASM_BINARY_MIN_ELEMENTS - 1;
    const [a, b] = pairs(0);
    for (const op of OPS) {
      expectSame(run(simd, op, view(a, [m]), view(b, [m]), [m]), run(plain, op, view(a, [m]), view(b, [m]), [m]), `${op} small`);
    }
    // A row broadcast over leading dims (a bias), and a transposed operand.
    const x = new Float32Array(64 * 64).map((_, i) => Math.sin(i) * 6);
    const row = new Float32Array(64).map((_, i) => i - 30);
    const rowView: View = { buffer: row, dtype: "float32", layout: { shape: [1, 64], strides: [0, 1], offset: 0 } };
    const t: View = { buffer: x, dtype: "float32", layout: { shape: [64, 64], strides: [1, 64], offset: 0 } };
    for (const op of OPS) {
      expectSame(run(simd, op, view(x, [64, 64]), rowView, [64, 64]), run(plain, op, view(x, [64, 64]), rowView, [64, 64]), `${op} row`);
      expectSame(run(simd, op, t, view(x, [64, 64]), [64, 64]), run(plain, op, t, view(x, [64, 64]), [64, 64]), `${op} transposed`);
    }
    // float64 stays on the TypeScript kernel (exact in float64).
    const d = new Float64Array(1024).map((_, i) => i / 3);
    const od = new Float64Array(1024);
    const v64 = (buffer: Float64Array): View => ({ buffer, dtype: "float64", layout: { shape: [1024], strides: [1], offset: 0 } });
    simd.kernels.div!([v64(d), v64(d.map(() => 7))], [v64(od)], {});
    expect(od[500]).toBe(500 / 3 / 7);
  });

  it("is off with simd: false", () => {
    expect(plain.simd).toBe(false);
    for (const op of OPS) expect(plain.kernels[op]).toBe(cpuKernels[op]);
    const x = new Float32Array(8192).map((_, i) => i / 100 - 40);
    const out = run(plain, "div", view(x, [8192]), view(new Float32Array([3]), [1]), [8192]);
    for (let i = 0; i < x.length; i += 97) expect(out[i]).toBe(Math.fround(x[i]! / 3));
  });
});
