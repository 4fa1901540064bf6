/**
 * Indexing along one dim with an int32 index tensor: `gather`, `scatterAdd`, `indexSelect`.
 * Index values must lie in `[0, size)` of the indexed dim (no negative indices; the Tensor
 * layer wraps them first if it allows them); the reference kernels check every value.
 * Outputs are contiguous.
 */
import { DTypeError, ShapeError, TesseraError, formatShape } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { requireNumeric, requireSameDType } from "../dtypes.js";
import { forEachIndex, offsetOf } from "../strided.js";
import type { DimAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** Throws unless `dim` is a normalized dim of a tensor of `shape` (a 0-d tensor accepts 0). */
function checkDim(op: string, shape: readonly number[], dim: number): void {
  const limit = Math.max(shape.length, 1);
  if (!Number.isInteger(dim) || dim < 0 || dim >= limit) {
    throw new ShapeError(
      `${op}: dimension ${dim} is out of range for input of shape ${formatShape(shape)} (expected a dim in [0, ${limit - 1}]); pass a normalized dim, e.g. -1 → ${limit - 1}.`,
    );
  }
}

/** Throws a {@link DTypeError} unless the index tensor is int32. */
function requireIndexDType(op: string, index: TensorMeta): void {
  if (index.dtype !== "int32") {
    throw new DTypeError(`${op}: expected index to be an int32 tensor, but got ${index.dtype}. Cast it with index.to("int32").`);
  }
}

/** Size of `dim` of `shape`, treating a 0-d tensor as having one element along dim 0. */
function sizeAt(shape: readonly number[], dim: number): number {
  return shape.length === 0 ? 1 : shape[dim]!;
}

/** Throws unless the index value `v` addresses an element of a dim of `size`. */
function checkIndexValue(op: string, v: number, dim: number, size: number, shape: readonly number[]): void {
  if (v < 0 || v >= size) {
    const range = size === 0 ? "none: the dim is empty" : `[0, ${size - 1}]`;
    throw new TesseraError(
      `${op}: index ${v} is out of bounds for dimension ${dim} with size ${size} (input shape ${formatShape(shape)}; valid indices: ${range}). Negative indices are not wrapped here; add the dim size first.`,
    );
  }
}

/** Same index with entry `dim` replaced by `value` (a 0-d index stays empty). */
function withDim(index: readonly number[], dim: number, value: number): number[] {
  const out = index.slice();
  if (out.length > 0) out[dim] = value;
  return out;
}

/**
 * `gather(input, index)` along `attrs.dim`: `out[i][j][k] = input[index[i][j][k]][j][k]` for
 * dim 0 (and likewise for other dims). `index` is int32 with `input`'s number of dims and
 * `index.size(d) <= input.size(d)` for `d != dim`; the output has `index`'s shape and
 * `input`'s dtype.
 *
 * @example
 * // input [[1, 2], [3, 4]], index [[0, 0], [1, 0]], dim 1 → [[1, 1], [4, 3]]
 */
const gather: OpSchema<DimAttrs> = {
  name: "gather",
  family: "indexing",
  inputs: ["input", "index"],
  outputs: 1,
  stridedOutput: false,
  infer([x, index]: readonly TensorMeta[], attrs: DimAttrs): TensorMeta[] {
    checkGatherShapes(x!, index!, attrs.dim);
    return [{ shape: index!.shape.slice(), dtype: x!.dtype }];
  },
  reference([x, index]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: DimAttrs): void {
    const dim = attrs.dim;
    checkGatherShapes(meta(x!), meta(index!), dim);
    const xs = x!.layout.shape;
    checkElementwiseOutput("gather", out!, index!.layout.shape);
    const size = sizeAt(xs, dim);
    forEachIndex(index!.layout.shape, (i) => {
      const v = index!.data[offsetOf(index!.layout, i)]!;
      checkIndexValue("gather", v, dim, size, xs);
      out!.data[offsetOf(out!.layout, i)] = x!.data[offsetOf(x!.layout, withDim(i, dim, v))]!;
    });
  },
};

/** What the shape checks need of a strided array. */
function meta(a: StridedArray): TensorMeta {
  return { shape: a.layout.shape, dtype: a.dtype };
}

/** The shape and dtype rules of `gather`. */
function checkGatherShapes(x: TensorMeta, index: TensorMeta, dim: number): void {
  const xs = x.shape;
  const is = index.shape;
  checkDim("gather", xs, dim);
  requireIndexDType("gather", index);
  if (is.length !== xs.length) {
    throw new ShapeError(
      `gather: index must have the same number of dims as input, but got index shape ${formatShape(is)} and input shape ${formatShape(xs)}. Unsqueeze or reshape the index.`,
    );
  }
  for (let d = 0; d < xs.length; d++) {
    if (d !== dim && is[d]! > xs[d]!) {
      throw new ShapeError(
        `gather: size of index (shape ${formatShape(is)}) at dim ${d} is ${is[d]}, larger than input's (shape ${formatShape(xs)}) size ${xs[d]} there; index.size(d) must be <= input.size(d) for every d != dim (${dim}).`,
      );
    }
  }
}

/** The shape and dtype rules of `scatterAdd` (those of `torch.scatter_add`). */
function checkScatterAddShapes(x: TensorMeta, index: TensorMeta, src: TensorMeta, dim: number): void {
  const xs = x.shape;
  const is = index.shape;
  const ss = src.shape;
  checkDim("scatterAdd", xs, dim);
  requireIndexDType("scatterAdd", index);
  requireNumeric("scatterAdd", x);
  requireSameDType("scatterAdd", [x, src], ["input", "src"]);
  if (is.length !== xs.length || ss.length !== xs.length) {
    throw new ShapeError(
      `scatterAdd: input, index and src must have the same number of dims, but got input ${formatShape(xs)}, index ${formatShape(is)} and src ${formatShape(ss)}. Reshape index or src.`,
    );
  }
  for (let d = 0; d < xs.length; d++) {
    if (is[d]! > ss[d]!) {
      throw new ShapeError(
        `scatterAdd: index ${formatShape(is)} is larger than src ${formatShape(ss)} at dim ${d}; index.size(d) must be <= src.size(d) for every d.`,
      );
    }
    if (d !== dim && is[d]! > xs[d]!) {
      throw new ShapeError(
        `scatterAdd: index ${formatShape(is)} is larger than input ${formatShape(xs)} at dim ${d}; index.size(d) must be <= input.size(d) for every d != dim (${dim}).`,
      );
    }
  }
}

/**
 * `scatterAdd(input, index, src)` along `attrs.dim`: the output is a copy of `input` with
 * `src[i][j][k]` added to `out[index[i][j][k]][j][k]` (for dim 0; likewise for other dims),
 * for every position of `index`. Shapes follow `torch.scatter_add`: all three have the same
 * number of dims, `index.size(d) <= src.size(d)` for all d and `<= input.size(d)` for
 * `d != dim`. `src` has `input`'s dtype, which is numeric; int32 sums wrap. Additions are
 * done in float64 in row-major order of `index`, and stored once.
 *
 * @example
 * // input zeros [3], index [0, 2, 0], src [1, 2, 3], dim 0 → [4, 0, 2]
 */
const scatterAdd: OpSchema<DimAttrs> = {
  name: "scatterAdd",
  family: "indexing",
  inputs: ["input", "index", "src"],
  outputs: 1,
  stridedOutput: false,
  infer([x, index, src]: readonly TensorMeta[], attrs: DimAttrs): TensorMeta[] {
    checkScatterAddShapes(x!, index!, src!, attrs.dim);
    return [{ shape: x!.shape.slice(), dtype: x!.dtype }];
  },
  reference([x, index, src]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: DimAttrs): void {
    const dim = attrs.dim;
    checkScatterAddShapes(meta(x!), meta(index!), meta(src!), dim);
    const xs = x!.layout.shape;
    checkElementwiseOutput("scatterAdd", out!, xs);
    const integer = out!.dtype === "int32";
    // Accumulate into a float64 copy of the input, keyed by the row-major position.
    const strides = xs.map((_, d) => xs.slice(d + 1).reduce((p, s) => p * s, 1));
    const linear = (i: readonly number[]) => i.reduce((p, v, d) => p + v * strides[d]!, 0);
    const acc = new Float64Array(xs.reduce((p, s) => p * s, 1));
    forEachIndex(xs, (i, l) => {
      acc[l] = x!.data[offsetOf(x!.layout, i)]!;
    });
    const size = sizeAt(xs, dim);
    forEachIndex(index!.layout.shape, (i) => {
      const v = index!.data[offsetOf(index!.layout, i)]!;
      checkIndexValue("scatterAdd", v, dim, size, xs);
      const target = linear(withDim(i, dim, v));
      const add = src!.data[offsetOf(src!.layout, i)]!;
      acc[target] = integer ? (acc[target]! + add) | 0 : acc[target]! + add;
    });
    forEachIndex(xs, (i, l) => {
      out!.data[offsetOf(out!.layout, i)] = acc[l]!;
    });
  },
};

/** The shape and dtype rules of `indexSelect`. */
function checkIndexSelectShapes(x: TensorMeta, index: TensorMeta, dim: number): void {
  const xs = x.shape;
  const is = index.shape;
  checkDim("indexSelect", xs, dim);
  requireIndexDType("indexSelect", index);
  if (is.length > 1) {
    throw new ShapeError(
      `indexSelect: index must be 1-D (or 0-d), but got index shape ${formatShape(is)} for input shape ${formatShape(xs)}. Flatten the index first.`,
    );
  }
  const count = is.length === 0 ? 1 : is[0]!;
  if (xs.length === 0 && count !== 1) {
    throw new ShapeError(`indexSelect: an index into a 0-d input can have only 1 value, but index has shape ${formatShape(is)}.`);
  }
}

/** Output shape of `indexSelect`: `dim` of the input replaced by the index length. */
function indexSelectShape(xs: readonly number[], is: readonly number[], dim: number): number[] {
  if (xs.length === 0) return [];
  const out = xs.slice();
  out[dim] = is.length === 0 ? 1 : is[0]!;
  return out;
}

/**
 * `indexSelect(input, index)` along `attrs.dim`: the entries of `input` at positions `index`
 * (1-D int32; a 0-d index counts as one entry) along `dim`. The output has `input`'s shape
 * with `dim` replaced by the index length, and `input`'s dtype.
 *
 * @example
 * // input [[1, 2, 3], [4, 5, 6]], index [2, 0], dim 1 → [[3, 1], [6, 4]]
 */
const indexSelect: OpSchema<DimAttrs> = {
  name: "indexSelect",
  family: "indexing",
  inputs: ["input", "index"],
  outputs: 1,
  stridedOutput: false,
  infer([x, index]: readonly TensorMeta[], attrs: DimAttrs): TensorMeta[] {
    checkIndexSelectShapes(x!, index!, attrs.dim);
    return [{ shape: indexSelectShape(x!.shape, index!.shape, attrs.dim), dtype: x!.dtype }];
  },
  reference([x, index]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: DimAttrs): void {
    const dim = attrs.dim;
    checkIndexSelectShapes(meta(x!), meta(index!), dim);
    const xs = x!.layout.shape;
    const is = index!.layout.shape;
    const shape = indexSelectShape(xs, is, dim);
    checkElementwiseOutput("indexSelect", out!, shape);
    const size = sizeAt(xs, dim);
    forEachIndex(shape, (i) => {
      const k = xs.length === 0 ? 0 : i[dim]!;
      const v = index!.data[offsetOf(index!.layout, is.length === 0 ? [] : [k])]!;
      checkIndexValue("indexSelect", v, dim, size, xs);
      out!.data[offsetOf(out!.layout, i)] = x!.data[offsetOf(x!.layout, withDim(i, dim, v))]!;
    });
  },
};

/**
 * The indexing family, keyed by op name: `gather`, `scatterAdd`, `indexSelect`, all with
 * `DimAttrs` (a normalized dim) and int32 index tensors.
 */
export const indexingOps = { gather, scatterAdd, indexSelect } satisfies Record<string, OpSchema<any>>;
