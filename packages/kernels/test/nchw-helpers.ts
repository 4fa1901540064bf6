// Helpers shared by the conv and pool tests: NCHW tensors in chosen layouts over NaN-filled
// storage, and a runner that checks every output element is written.
import { type DType, type Layout, allocTypedArray, contiguousLayout, numel, permute, storageExtent } from "@tessera/storage";
import { forEachIndex, offsetOf } from "../src/strided.js";
import type { OpSchema, StridedArray } from "../src/types.js";

/** A contiguous tensor of `shape` holding `values` in row-major order. */
export function tensor(shape: number[], values: ArrayLike<number>, dtype: DType = "float64"): StridedArray {
  const data = allocTypedArray(dtype, numel(shape));
  data.set(Array.from(values));
  return { data, dtype, layout: contiguousLayout(shape) };
}

/** A tensor with an arbitrary layout over a NaN-filled storage, holding `values` in logical row-major order. */
export function withLayout(layout: Layout, values: ArrayLike<number>, dtype: DType = "float64"): StridedArray {
  const data = allocTypedArray(dtype, storageExtent(layout) + 3);
  data.fill(NaN);
  forEachIndex(layout.shape, (index, linear) => {
    data[offsetOf(layout, index)] = values[linear]!;
  });
  return { data, dtype, layout };
}

/** The same NCHW values stored NHWC and viewed as NCHW through a permutation. */
export function channelsLast(shape: number[], values: ArrayLike<number>, dtype: DType = "float64"): StridedArray {
  const [n, c, h, w] = shape as [number, number, number, number];
  return withLayout(permute(contiguousLayout([n, h, w, c]), [0, 3, 1, 2]), values, dtype);
}

/** Runs `infer`, allocates garbage-filled contiguous outputs, runs `reference`; returns the outputs. */
export function run<A>(schema: OpSchema<A>, inputs: StridedArray[], attrs: A): { shape: number[]; dtype: DType; values: number[] }[] {
  const metas = schema.infer(
    inputs.map((x) => ({ shape: x.layout.shape, dtype: x.dtype })),
    attrs,
  );
  const outs = metas.map((m) => {
    const data = allocTypedArray(m.dtype, numel(m.shape));
    data.fill(m.dtype === "int32" ? -777 : NaN);
    return { data, dtype: m.dtype, layout: contiguousLayout(m.shape) };
  });
  schema.reference(inputs, outs, attrs);
  return outs.map((o) => ({ shape: o.layout.shape.slice(), dtype: o.dtype, values: Array.from(o.data) }));
}

/** `[start, start + n)`. */
export const range = (n: number, start = 0) => Array.from({ length: n }, (_, i) => start + i);

/** Deterministic pseudo-random values in [-1, 1). */
export function random(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Σ aᵢ·bᵢ. */
export const dot = (a: readonly number[], b: readonly number[]) => a.reduce((acc, v, i) => acc + v * b[i]!, 0);
