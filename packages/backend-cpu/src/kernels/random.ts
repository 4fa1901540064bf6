/**
 * `randomUniform` and `randomNormal`: the Philox 4x32-10 stream defined in `@tessera/kernels`
 * (`philox.ts`), so the CPU gives the same numbers as the reference and every other backend.
 * Element `i` uses word `i % 4` of the block at counter `counter + floor(i / 4)`.
 */
import type { TypedArray } from "@tessera/storage";
import { type RandomNormalAttrs, type RandomUniformAttrs, philox4x32 } from "@tessera/kernels";
import { type CpuView, isDense, sizeOf } from "./iter.js";
import { denseStrides, copyInto } from "./elementwise.js";

/** 2⁻²⁴: turns the top 24 bits of a word into a float in [0, 1). */
const TWO_POW_M24 = 1 / 16777216;
/** 2³²: the low/high split of a 64-bit counter. */
const TWO_POW_32 = 4294967296;

/** The counter words passed to `philox4x32` (reused; only the first two change). */
const COUNTER: [number, number, number, number] = [0, 0, 0, 0];

/** The Philox block at 64-bit counter `c` under `key`. */
function block(key: readonly [number, number], c: number): [number, number, number, number] {
  COUNTER[0] = c % TWO_POW_32;
  COUNTER[1] = Math.floor(c / TWO_POW_32);
  return philox4x32(COUNTER, key);
}

/** Fills `o[oo … oo + n)` with uniform values in [low, high). */
function uniform(o: TypedArray, oo: number, n: number, attrs: RandomUniformAttrs): void {
  const { key, counter, low, high } = attrs;
  const range = high - low;
  for (let i = 0, c = counter; i < n; i += 4, c++) {
    const w = block(key, c);
    const m = Math.min(4, n - i);
    for (let l = 0; l < m; l++) o[oo + i + l] = low + range * ((w[l]! >>> 8) * TWO_POW_M24);
  }
}

/** Fills `o[oo … oo + n)` with normal values (Box–Muller over word pairs of each block). */
function normal(o: TypedArray, oo: number, n: number, attrs: RandomNormalAttrs): void {
  const { key, counter, mean, std } = attrs;
  for (let i = 0, c = counter; i < n; i += 4, c++) {
    const w = block(key, c);
    for (let l = 0; l < 4 && i + l < n; l += 2) {
      const u1 = ((w[l]! >>> 8) + 1) * TWO_POW_M24;
      const u2 = (w[l + 1]! >>> 8) * TWO_POW_M24;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      o[oo + i + l] = mean + std * (r * Math.cos(theta));
      if (i + l + 1 < n) o[oo + i + l + 1] = mean + std * (r * Math.sin(theta));
    }
  }
}

/**
 * Runs `fill` over the elements of `out` in row-major order: straight into it when it is
 * contiguous, else into a temporary array that is then copied into the view.
 */
function generate<A>(out: CpuView, attrs: A, fill: (o: TypedArray, oo: number, n: number, attrs: A) => void): void {
  const l = out.layout;
  const n = sizeOf(l.shape);
  if (n === 0) return;
  if (isDense(l)) {
    fill(out.buffer, l.offset, n, attrs);
    return;
  }
  const tmp = new Float64Array(n);
  fill(tmp, 0, n, attrs);
  const values: CpuView = { buffer: tmp, dtype: "float64", layout: { shape: l.shape, strides: denseStrides(l.shape), offset: 0 } };
  copyInto(values, out);
}

type Ins = readonly CpuView[];

/** The random kernels, keyed by catalog name. */
export const randomKernels = {
  randomUniform: (_inputs: Ins, outputs: Ins, attrs: RandomUniformAttrs): void => generate(outputs[0]!, attrs, uniform),
  randomNormal: (_inputs: Ins, outputs: Ins, attrs: RandomNormalAttrs): void => generate(outputs[0]!, attrs, normal),
};
