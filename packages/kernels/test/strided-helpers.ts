/**
 * Test helpers: build strided arrays, run a catalog op's `infer` + `reference` on them, and
 * read results back in row-major order.
 */
import { type DType, type Layout, allocTypedArray, contiguousLayout, numel } from "@tessera/storage";
import { type OpName, type StridedArray, type TensorMeta, forEachOffset, getOpSchema } from "../src/index.js";

/** A contiguous array of `dtype` holding `values`, with `shape` (default: 1-D). */
export function arr(dtype: DType, values: readonly number[], shape: readonly number[] = [values.length]): StridedArray {
  if (numel(shape) !== values.length) throw new Error(`arr: ${values.length} values do not fill shape [${shape.join(", ")}]`);
  const data = allocTypedArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i]!;
  return { data, dtype, layout: contiguousLayout(shape) };
}

/** Shorthands for float64/float32/int32/bool arrays. */
export const f64 = (values: readonly number[], shape?: readonly number[]) => arr("float64", values, shape);
export const f32 = (values: readonly number[], shape?: readonly number[]) => arr("float32", values, shape);
export const i32 = (values: readonly number[], shape?: readonly number[]) => arr("int32", values, shape);
export const bool = (values: readonly number[], shape?: readonly number[]) => arr("bool", values, shape);

/** The same storage seen through another layout. */
export function view(base: StridedArray, layout: Layout | ((l: Layout) => Layout)): StridedArray {
  return { data: base.data, dtype: base.dtype, layout: typeof layout === "function" ? layout(base.layout) : layout };
}

/** The elements of `a` in row-major order of its layout's shape. */
export function values(a: StridedArray): number[] {
  const out: number[] = [];
  forEachOffset(a.layout.shape, [a.layout], (o) => out.push(a.data[o[0]!]!));
  return out;
}

/** What an op produced: shape, dtype and row-major values of each output. */
export interface Result {
  shape: number[];
  dtype: DType;
  values: number[];
}

/** The shape/dtype metadata `infer` needs of a strided array. */
export function meta(a: StridedArray): TensorMeta {
  return { shape: a.layout.shape, dtype: a.dtype };
}

/**
 * Runs `op`: `infer` on the inputs' metadata, contiguous outputs of the inferred shapes
 * (filled with a sentinel so unwritten elements show), then `reference`.
 */
export function run(op: OpName, inputs: readonly StridedArray[], attrs: object = {}): Result[] {
  const schema = getOpSchema(op);
  const metas = schema.infer(inputs.map(meta), attrs);
  const outputs = metas.map((m) => {
    const data = allocTypedArray(m.dtype, numel(m.shape));
    data.fill(m.dtype === "bool" ? 7 : -12345);
    return { data, dtype: m.dtype, layout: contiguousLayout(m.shape) } satisfies StridedArray;
  });
  schema.reference(inputs, outputs, attrs);
  return outputs.map((o) => ({ shape: o.layout.shape.slice(), dtype: o.dtype, values: values(o) }));
}

/** Runs `op` and returns its single output. */
export function run1(op: OpName, inputs: readonly StridedArray[], attrs: object = {}): Result {
  return run(op, inputs, attrs)[0]!;
}

/** Runs `op`'s reference kernel writing into the given (possibly strided) output. */
export function runInto(op: OpName, inputs: readonly StridedArray[], out: StridedArray, attrs: object = {}): void {
  getOpSchema(op).reference(inputs, [out], attrs);
}

/** `infer` of `op` on bare metadata. */
export function infer(op: OpName, metas: readonly TensorMeta[], attrs: object = {}): TensorMeta[] {
  return getOpSchema(op).infer(metas, attrs);
}

/** Expects `actual` to match `expected` within a relative tolerance, element by element. */
export function closeTo(actual: readonly number[], expected: readonly number[], rel = 1e-12): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) ? !Number.isNaN(a) : Math.abs(a - e) > rel * Math.max(1, Math.abs(e))) return false;
  }
  return true;
}
