/**
 * The WebAssembly SIMD fast paths added for training: float32 `relu`, comparisons into bool,
 * `where`, binary ops with a per-row operand (a `[C, 1, 1]` bias over NCHW) or a repeated row
 * (a `[F]` bias over `[B, F]`), 2×2 max pooling and its gradient, and im2col/col2im. Each is
 * checked bit for bit against the TypeScript kernels (`simd: false`) over special values (NaN,
 * ±0, ±∞, subnormals), odd lengths, chunk boundaries, offsets and scalar operands.
 */
import { describe, expect, it } from "vitest";
import type { TypedArray } from "@tessera/storage";
import type { TensorView } from "@tessera/backend";
import { createCpuBackend, cpuKernels } from "../src/index.js";
import { WASM_BINARY_CHUNK, WASM_BINARY_MIN_ELEMENTS, WASM_BINARY_OPS, WASM_COMPARE_OPS } from "../src/kernels/wasm-binary.js";
import { WASM_UNARY_CHUNK, WASM_UNARY_MIN_ELEMENTS, wasmConvWindows } from "../src/kernels/wasm-unary.js";
import { type Geometry, col2im, im2col } from "../src/kernels/conv.js";

type View = TensorView<TypedArray>;
type DT = "float32" | "bool" | "int32";

const simd = createCpuBackend({ name: "cpu-simd-fast" });
const plain = createCpuBackend({ name: "cpu-plain-fast", simd: false });

const stridesOf = (shape: readonly number[]): number[] => shape.map((_, i) => shape.slice(i + 1).reduce((p, s) => p * s, 1));
const view = (buffer: TypedArray, shape: number[], offset = 0, dtype: DT = "float32"): View => ({
  buffer,
  dtype,
  layout: { shape, strides: stridesOf(shape), offset },
});
const numel = (shape: readonly number[]): number => shape.reduce((p, s) => p * s, 1);

const SPECIAL = [
  0, -0, 1, -1, 0.5, -2.5, 3, NaN, -NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.1754942e-38, 3.4028234663852886e38,
  -3.4028234663852886e38, 7, Math.fround(Math.PI),
].map(Math.fround);
// A NaN with the sign bit set, which a sign test alone would clear.
const negNaN = new Float32Array(new Uint32Array([0xffc00001]).buffer)[0]!;
SPECIAL.push(negNaN);

function same(x: number, y: number): boolean {
  return Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
}
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!same(got[i]!, want[i]!)) expect(`${what}[${i}] = ${got[i]}`).toBe(`${what}[${i}] = ${want[i]}`);
  }
}
/** Deterministic values: SPECIAL values mixed with ordinary ones. */
function values(n: number, seed = 1): Float32Array {
  let s = seed;
  return new Float32Array(n).map((_, i) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return i % 5 === 0 ? SPECIAL[(s >>> 8) % SPECIAL.length]! : ((s >>> 8) % 2001) / 100 - 10;
  });
}

const LENGTHS = [WASM_BINARY_MIN_ELEMENTS, WASM_BINARY_MIN_ELEMENTS + 1, 1027, WASM_BINARY_CHUNK - 1, WASM_BINARY_CHUNK + 1, 2 * WASM_BINARY_CHUNK + 5];

describe("wasm relu", () => {
  it("replaces the TypeScript kernel and matches it bit for bit (NaN passes, ±0 → +0)", () => {
    expect(simd.kernels.relu).not.toBe(cpuKernels.relu);
    for (const n of [WASM_UNARY_MIN_ELEMENTS, 33, 1027, WASM_UNARY_CHUNK + 3]) {
      const x = values(n + 3, n);
      SPECIAL.forEach((v, i) => (x[3 + i] = v));
      const got = new Float32Array(n + 2).fill(-9);
      simd.kernels.relu!([view(x, [n], 3)], [view(got, [n], 1)], {});
      const want = new Float32Array(n);
      plain.kernels.relu!([view(x, [n], 3)], [view(want, [n])], {});
      expect(got[0]).toBe(-9);
      expect(got[n + 1]).toBe(-9);
      expectSame(got.subarray(1, n + 1), want, `relu n=${n}`);
      expect(Object.is(got[1 + 1], 0)).toBe(true); // relu(-0) = +0
      expect(Number.isNaN(got[1 + SPECIAL.length - 1]!)).toBe(true); // negative NaN passes
    }
  });
});

describe("TypeScript relu on bits (simd: false, float64)", () => {
  it("gives `v > 0 || v !== v ? v : 0` for float32 and float64, with offsets", () => {
    const specials64 = [...SPECIAL, 5e-324, -5e-324, 1e300, -1e300, Number.MIN_VALUE, -Number.MAX_VALUE];
    // NaNs whose only set mantissa bits are in the low word, with either sign.
    const lowNaN = new Float64Array(new Uint32Array([1, 0x7ff00000, 1, 0xfff00000]).buffer);
    specials64.push(lowNaN[0]!, lowNaN[1]!);
    for (const [Ctor, dtype] of [[Float32Array, "float32"], [Float64Array, "float64"]] as const) {
      for (const be of [plain, simd]) {
        const n = 200;
        const x = new Ctor(n + 3).map((_, i) => (i % 3 === 0 ? specials64[i % specials64.length]! : Math.sin(i) * 10));
        const out = new Ctor(n + 1).fill(-9);
        const v = (buffer: Float32Array | Float64Array, offset: number): View => ({ buffer, dtype, layout: { shape: [n], strides: [1], offset } });
        be.kernels.relu!([v(x, 3)], [v(out, 1)], {});
        expect(out[0]).toBe(-9);
        for (let i = 0; i < n; i++) {
          const xv = x[3 + i]!;
          const want = xv > 0 || xv !== xv ? xv : 0;
          if (!same(out[1 + i]!, want)) expect(`${dtype} relu(${xv}) = ${out[1 + i]}`).toBe(`${dtype} relu(${xv}) = ${want}`);
        }
      }
    }
  });
});

describe("TypeScript where on bits (simd: false, float64, int32)", () => {
  it("gives `c ? a : b` for float32, float64 and int32 with dense or scalar values", () => {
    const n = 301;
    const c = new Uint8Array(n + 1).map((_, i) => ((i * 31) % 7) % 2);
    for (const [Ctor, dtype] of [[Float32Array, "float32"], [Float64Array, "float64"], [Int32Array, "int32"]] as const) {
      const a = new Ctor(n + 2).map((_, i) => (dtype === "int32" ? i * 7919 - 1e6 : (SPECIAL[i % SPECIAL.length]! * (i + 1)) / 3));
      const b = new Ctor(n + 3).map((_, i) => (dtype === "int32" ? -i * 104729 : Math.cos(i) * 1e3));
      const sv = new Ctor([4, dtype === "int32" ? -5 : -0]);
      const v = (buffer: TypedArray, shape: number[], offset: number): View => ({ buffer, dtype, layout: { shape, strides: shape.map(() => 1), offset } });
      const cases: [View, View][] = [
        [v(a, [n], 2), v(b, [n], 3)],
        [v(a, [n], 2), v(sv, [], 1)],
        [v(sv, [1], 1), v(b, [n], 3)],
        [v(sv, [], 0), v(sv, [1], 1)],
      ];
      for (const be of [plain, simd]) {
        for (const [x, y] of cases) {
          const out = new Ctor(n + 1);
          be.kernels.where!([view(c, [n], 1, "bool"), x, y], [v(out, [n], 1)], {});
          for (let i = 0; i < n; i++) {
            const want = c[1 + i] ? x.buffer[x.layout.offset + (x.layout.shape.length && x.layout.shape[0] === n ? i : 0)]! : y.buffer[y.layout.offset + (y.layout.shape.length && y.layout.shape[0] === n ? i : 0)]!;
            if (!same(out[1 + i]!, want)) expect(`${dtype} where[${i}] = ${out[1 + i]}`).toBe(`${dtype} where[${i}] = ${want}`);
          }
        }
      }
    }
  });
});

describe("wasm comparisons into bool", () => {
  it("match the TypeScript kernels on every pair of special values, with scalars on either side", () => {
    const k = SPECIAL.length;
    const n = Math.max(WASM_BINARY_MIN_ELEMENTS, k * k) + 3;
    const a = new Float32Array(n).map((_, i) => SPECIAL[i % k]!);
    const b = new Float32Array(n).map((_, i) => SPECIAL[Math.floor(i / k) % k]!);
    for (const op of WASM_COMPARE_OPS) {
      expect(simd.kernels[op]).not.toBe(cpuKernels[op]);
      const cases: [View, View][] = [[view(a, [n]), view(b, [n])]];
      for (const s of SPECIAL) {
        const sv = new Float32Array([5, s]);
        cases.push([view(a, [n]), view(sv, [], 1)], [view(sv, [1], 1), view(b, [n])]);
      }
      for (const [x, y] of cases) {
        const got = new Uint8Array(n);
        const want = new Uint8Array(n);
        simd.kernels[op]!([x, y], [view(got, [n], 0, "bool")], {});
        plain.kernels[op]!([x, y], [view(want, [n], 0, "bool")], {});
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });

  it("stream across chunks with offsets and leave the rest of the output alone", () => {
    for (const n of LENGTHS) {
      const a = values(n + 3, 7);
      const b = values(n + 1, 9);
      for (const op of WASM_COMPARE_OPS) {
        const got = new Uint8Array(n + 4).fill(7);
        const want = new Uint8Array(n);
        simd.kernels[op]!([view(a, [n], 3), view(b, [n], 1)], [view(got, [n], 2, "bool")], {});
        plain.kernels[op]!([view(a, [n], 3), view(b, [n], 1)], [view(want, [n], 0, "bool")], {});
        expect([got[0], got[1], got[n + 2], got[n + 3]]).toEqual([7, 7, 7, 7]);
        expect(Array.from(got.subarray(2, n + 2))).toEqual(Array.from(want));
      }
    }
  });
});

describe("wasm where", () => {
  it("matches the TypeScript kernel with dense or scalar values on either side", () => {
    for (const n of LENGTHS) {
      const c = new Uint8Array(n + 5).map((_, i) => ((i * 7919) % 13) % 2);
      const a = values(n + 2, 3);
      const b = values(n + 4, 5);
      const s = new Float32Array([1, -0, NaN, 2.5]);
      const cases: [View, View][] = [
        [view(a, [n], 2), view(b, [n], 4)],
        [view(a, [n], 2), view(s, [], 1)],
        [view(s, [1], 2), view(b, [n], 4)],
        [view(s, [], 0), view(b, [n], 4)],
      ];
      for (const [x, y] of cases) {
        const cond = view(c, [n], 5, "bool");
        const got = new Float32Array(n + 3).fill(-9);
        const want = new Float32Array(n);
        simd.kernels.where!([cond, x, y], [view(got, [n], 1)], {});
        plain.kernels.where!([cond, x, y], [view(want, [n])], {});
        expect([got[0], got[n + 1], got[n + 2]]).toEqual([-9, -9, -9]);
        expectSame(got.subarray(1, n + 1), want, `where n=${n}`);
      }
    }
  });

  it("keeps the TypeScript kernel for broadcast conditions and other dtypes", () => {
    const n = 512;
    const c = new Uint8Array([1, 0, 1, 1]);
    const a = values(n);
    const got = new Float32Array(n);
    const want = new Float32Array(n);
    const cond: View = { buffer: c, dtype: "bool", layout: { shape: [128, 4], strides: [0, 1], offset: 0 } };
    simd.kernels.where!([cond, view(a, [128, 4]), view(new Float32Array([3]), [])], [view(got, [128, 4])], {});
    plain.kernels.where!([cond, view(a, [128, 4]), view(new Float32Array([3]), [])], [view(want, [128, 4])], {});
    expectSame(got, want, "where broadcast condition");
  });
});

describe("wasm binary ops with a per-row or repeated-row operand", () => {
  const cases: [number[], number[]][] = [
    [[4, 3, 5, 7], [3, 1, 1]], // a bias over NCHW, rows of 35
    [[2, 8, 26, 26], [8, 1, 1]],
    [[3, 200], [3, 1]], // a column
    [[5, 2, 300], [5, 1, 1]], // rows of 600
    [[2, 40000], [2, 1]], // rows longer than a chunk: TypeScript
    [[128, 256], [256]], // a repeated row (a bias over [B, F])
    [[7, 4, 33], [4, 33]],
    [[3, 20000], [20000]], // a row longer than a chunk: TypeScript
    [[64, 8], [8]], // a row shorter than the minimum: TypeScript
  ];
  for (const [shape, small] of cases) {
    it(`[${shape}] op [${small}] and [${small}] op [${shape}] match the TypeScript kernels`, () => {
      const n = numel(shape);
      const big = values(n + 2, n);
      const row = values(numel(small) + 1, 11);
      for (const op of WASM_BINARY_OPS) {
        for (const left of [false, true]) {
          const bv = view(big, shape, 2);
          const sv = view(row, small, 1);
          const [x, y] = left ? [sv, bv] : [bv, sv];
          const got = new Float32Array(n + 1).fill(-9);
          const want = new Float32Array(n);
          simd.kernels[op]!([x, y], [view(got, shape, 1)], {});
          plain.kernels[op]!([x, y], [view(want, shape)], {});
          expect(got[0]).toBe(-9);
          expectSame(got.subarray(1), want, `${op} ${left ? "row, dense" : "dense, row"}`);
        }
      }
    });
  }
});

describe("wasm 2×2 max pooling and its gradient", () => {
  const attrs = (k: number, s: number, p = 0, d = 1, ceilMode = false) => ({
    kernelSize: [k, k] as [number, number],
    stride: [s, s] as [number, number],
    padding: [p, p] as [number, number],
    dilation: [d, d] as [number, number],
    ceilMode,
  });
  const outSize = (n: number, k: number, s: number, p: number, d: number, ceil: boolean) => {
    const span = n + 2 * p - d * (k - 1) - 1;
    let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceil && (o - 1) * s >= n + p) o--;
    return o;
  };
  const poolBoth = (shape: number[], a: ReturnType<typeof attrs>, x: Float32Array, xo: number) => {
    const [N, C, H, W] = shape as [number, number, number, number];
    const Ho = outSize(H, a.kernelSize[0], a.stride[0], a.padding[0], a.dilation[0], a.ceilMode);
    const Wo = outSize(W, a.kernelSize[1], a.stride[1], a.padding[1], a.dilation[1], a.ceilMode);
    const os = [N, C, Ho, Wo];
    const m = numel(os);
    const res = [simd, plain].map((be) => {
      const v = new Float32Array(m);
      const i = new Int32Array(m);
      be.kernels.maxPool2d!([view(x, shape, xo)], [view(v, os), view(i, os, 0, "int32")], a);
      return { v, i };
    });
    return { os, simd: res[0]!, plain: res[1]! };
  };
  // Ties (equal values, ±0), NaNs (several per window), ±∞ and ordinary values.
  const pooled = (n: number, seed: number) => {
    const x = values(n, seed);
    for (let i = 0; i < n; i += 11) x[i] = x[i + 1] = 2; // ties
    for (let i = 3; i < n; i += 17) x[i] = i % 2 ? -0 : 0;
    return x;
  };

  for (const shape of [[2, 3, 8, 8], [1, 2, 7, 9], [64, 8, 26, 26], [1, 1, 2, 2], [3, 1, 130, 131], [1, 1, 3, 1000]]) {
    it(`forward [${shape}]: values and indices equal the TypeScript kernel's`, () => {
      expect(simd.kernels.maxPool2d).not.toBe(cpuKernels.maxPool2d);
      expect(simd.kernels.maxPool2dBackward).not.toBe(cpuKernels.maxPool2dBackward);
      const x = pooled(numel(shape) + 3, numel(shape));
      const r = poolBoth(shape, attrs(2, 2), x, 3);
      expectSame(r.simd.v, r.plain.v, "values");
      expect(Array.from(r.simd.i)).toEqual(Array.from(r.plain.i));
    });
  }

  it("forward: other windows keep the TypeScript kernel and agree with it", () => {
    const shape = [2, 3, 9, 10];
    const x = pooled(numel(shape), 5);
    for (const a of [attrs(3, 2), attrs(2, 1), attrs(2, 2, 1), attrs(2, 2, 0, 2), attrs(2, 2, 0, 1, true), attrs(3, 3, 1, 1, true)]) {
      const r = poolBoth(shape, a, x, 0);
      expectSame(r.simd.v, r.plain.v, "values");
      expect(Array.from(r.simd.i)).toEqual(Array.from(r.plain.i));
    }
  });

  it("backward: equal to the TypeScript kernel for disjoint and overlapping windows, and checks indices", () => {
    const shape = [4, 5, 13, 11];
    const x = pooled(numel(shape), 9);
    for (const a of [attrs(2, 2), attrs(3, 1), attrs(3, 2, 1), attrs(2, 2, 0, 1, true)]) {
      const r = poolBoth(shape, a, x, 0);
      const g = values(numel(r.os), 13).map((v) => (Number.isFinite(v) ? v : 1.5));
      const grads = [simd, plain].map((be) => {
        const out = new Float32Array(numel(shape) + 2).fill(-9);
        be.kernels.maxPool2dBackward!([view(g, r.os), view(r.plain.i, r.os, 0, "int32")], [view(out, shape, 1)], { inputShape: shape });
        return out;
      });
      expectSame(grads[0]!, grads[1]!, `backward k=${a.kernelSize[0]} s=${a.stride[0]}`);
      expect(grads[0]![0]).toBe(-9);
    }
    const os = [1, 1, 2, 2];
    const bad = new Int32Array([0, 3, 16, 1]);
    for (const be of [simd, plain]) {
      expect(() =>
        be.kernels.maxPool2dBackward!([view(new Float32Array(4), os), view(bad, os, 0, "int32")], [view(new Float32Array(16), [1, 1, 4, 4])], {
          inputShape: [1, 1, 4, 4],
        }),
      ).toThrow(/invalid max index: 16/);
    }
  });
});

describe("wasm im2col and col2im", () => {
  const windows = wasmConvWindows()!;
  const geometries: Partial<Geometry>[] = [
    { C: 1, H: 28, W: 28, kH: 3, kW: 3, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1 },
    { C: 8, H: 13, W: 13, kH: 3, kW: 3, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1 },
    { C: 3, H: 9, W: 10, kH: 3, kW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1 },
    { C: 2, H: 11, W: 7, kH: 3, kW: 2, sH: 2, sW: 2, pH: 1, pW: 0, dH: 1, dW: 1 },
    { C: 2, H: 12, W: 12, kH: 3, kW: 3, sH: 1, sW: 3, pH: 2, pW: 3, dH: 2, dW: 2 },
    { C: 1, H: 3, W: 3, kH: 5, kW: 5, sH: 1, sW: 1, pH: 2, pW: 2, dH: 1, dW: 1 },
    { C: 2, H: 5, W: 1, kH: 1, kW: 1, sH: 1, sW: 1, pH: 0, pW: 3, dH: 1, dW: 1 },
  ];
  const make = (part: Partial<Geometry>) => {
    const { C, H, W, kH, kW, sH, sW, pH, pW, dH, dW } = part as Required<Geometry>;
    const Ho = Math.floor((H + 2 * pH - dH * (kH - 1) - 1) / sH) + 1;
    const Wo = Math.floor((W + 2 * pW - dW * (kW - 1) - 1) / sW) + 1;
    const g: Geometry = { N: 1, C, H, W, O: 1, Cg: C, Og: 1, groups: 1, kH, kW, Ho, Wo, sH, sW, pH, pW, dH, dW };
    const w = { C, H, W, kH, kW, sH, sW, pH, pW, dH, dW, Ho, Wo };
    return { g, w, K: C * kH * kW, P: Ho * Wo, plane: C * H * W };
  };
  /**
   * `n` images (input `xStride` apart from offset 5) unrolled into a matrix at offset `co` with
   * rows `ld` apart, and summed back into planes `outStride` apart: the module against the
   * TypeScript loops, bit for bit, gaps untouched.
   */
  const check = (part: Partial<Geometry>, n: number, xStride: number, co: number, ld: number, outStride: number): void => {
    const { g, w, K, P, plane } = make(part);
    const x = values(5 + (n - 1) * xStride + plane + 3, plane + n);
    const got = new Float32Array(co + (K - 1) * ld + n * P + 4).fill(-9);
    const want = got.slice();
    expect(windows.im2col(w, x, 5, xStride, n, got, co, ld)).toBe(true);
    for (let b = 0; b < n; b++) im2col(g, x, 5 + b * xStride, want, co + b * P, ld);
    expectSame(got, want, `im2col n=${n} ld=${ld}`);
    const colGrad = values(got.length, 17);
    const back = new Float32Array(2 + (n - 1) * outStride + plane + 3).fill(-9);
    const expected = back.slice();
    const acc = new Float64Array(plane);
    for (let b = 0; b < n; b++) {
      acc.fill(0);
      col2im(g, colGrad, acc, 0, co + b * P, ld);
      expected.set(acc, 2 + b * outStride);
    }
    expect(windows.col2im(w, colGrad, co, ld, n, back, 2, outStride)).toBe(true);
    expectSame(back, expected, `col2im n=${n} ld=${ld}`);
  };
  for (const part of geometries) {
    const { C, H, W, kH, kW, sH, sW, pH, pW, dH, dW } = part as Required<Geometry>;
    it(`C=${C} ${H}×${W} k=${kH}×${kW} s=${sH},${sW} p=${pH},${pW} d=${dH},${dW}`, () => {
      const { P, plane } = make(part);
      check(part, 1, plane, 0, P, plane); // one image, row-major
      check(part, 3, plane, 0, 3 * P, plane); // a batch chunk's matrix
      check(part, 3, 2 * plane + 1, 7, 4 * P + 3, plane + 5); // strided images, wider rows, offsets
    });
  }

  it("runs batches larger than its memory in parts", () => {
    // Each image of this window needs about 40 KiB of the module's 4 MiB (50 KiB for col2im).
    const part = geometries[1]!;
    const { P, plane } = make(part);
    check(part, 150, plane, 0, 150 * P, plane);
    check(part, 131, plane + 2, 3, 131 * P + 1, plane);
  });

  it("declines what does not fit its memory (the TypeScript loops run instead)", () => {
    const w = { C: 64, H: 128, W: 128, kH: 3, kW: 3, sH: 1, sW: 1, pH: 1, pW: 1, dH: 1, dW: 1, Ho: 128, Wo: 128 };
    expect(windows.reserve(w)).toBe(false);
    expect(windows.im2col(w, new Float32Array(64 * 128 * 128), 0, 0, 1, new Float32Array(1), 0, 128 * 128)).toBe(false);
    expect(windows.col2im(w, new Float32Array(1), 0, 128 * 128, 1, new Float32Array(1), 0, 0)).toBe(false);
  });
});
