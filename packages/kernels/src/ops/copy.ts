/**
 * Copies: `copy` (same dtype; `contiguous()` and `copy_` into views) and `cast` (dtype
 * conversion). Both may write into strided output views.
 */
import { type DType, DTypeError, assertDType } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { forEachOffset } from "../strided.js";
import type { CastAttrs, NoAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/**
 * Converts a number to the value a tensor of `dtype` holds for it: `bool` is `x != 0` (so
 * NaN is true) stored as 0/1; `int32` truncates toward zero and then stores as an Int32Array
 * does (NaN and ±Infinity become 0, values outside the int32 range wrap modulo 2³²); floats
 * are stored as they are (float32 rounds to nearest).
 *
 * @example
 * convertValue(-2.7, "int32"); // -2
 * convertValue(NaN, "bool"); // 1
 */
export function convertValue(x: number, dtype: DType): number {
  switch (dtype) {
    case "bool":
      return x !== 0 ? 1 : 0;
    case "int32": {
      const t = Math.trunc(x);
      return Number.isFinite(t) ? t | 0 : 0;
    }
    case "float32":
      return Math.fround(x);
    case "float64":
      return x;
  }
}

/**
 * Reads every element of `x` (row-major) into a new float64 array, which holds every value
 * of every dtype exactly. Reading everything before writing keeps the kernels correct when
 * the output view overlaps the input's storage.
 */
function readAll(x: StridedArray): Float64Array {
  let total = 1;
  for (const d of x.layout.shape) total *= d;
  const values = new Float64Array(total);
  forEachOffset(x.layout.shape, [x.layout], (o, i) => {
    values[i] = x.data[o[0]!]!;
  });
  return values;
}

/** Writes `values` (row-major) into the elements of `out`, converted to `out`'s dtype. */
function writeAll(out: StridedArray, values: Float64Array): void {
  const dst = out.data;
  forEachOffset(out.layout.shape, [out.layout], (o, i) => {
    dst[o[0]!] = convertValue(values[i]!, out.dtype);
  });
}

/**
 * `copy`: the output (any strided view of the input's shape and dtype) gets the input's
 * elements. Used for `contiguous()` and for `copy_` into a view (the Tensor layer casts and
 * broadcasts the source first).
 *
 * @example
 * copyOps.copy.infer([{ shape: [2, 3], dtype: "float32" }], {}); // → [{ shape: [2, 3], dtype: "float32" }]
 */
const copy: OpSchema<NoAttrs> = {
  name: "copy",
  family: "copy",
  inputs: ["input"],
  outputs: 1,
  stridedOutput: true,
  infer([x]: readonly TensorMeta[]): TensorMeta[] {
    return [{ shape: x!.shape.slice(), dtype: x!.dtype }];
  },
  reference([x]: readonly StridedArray[], [out]: readonly StridedArray[]): void {
    checkElementwiseOutput("copy", out!, x!.layout.shape);
    if (out!.dtype !== x!.dtype) {
      throw new DTypeError(
        `copy: output dtype ${out!.dtype} differs from input dtype ${x!.dtype}; copy never converts. Use cast (x.to("${out!.dtype}")) first.`,
      );
    }
    writeAll(out!, readAll(x!));
  },
};

/**
 * `cast` to `attrs.dtype`, keeping the shape: float → int32 truncates toward zero (NaN and
 * ±Infinity become 0, out-of-range values wrap; PyTorch leaves these undefined); anything →
 * bool is `x != 0` (NaN → true); bool → numbers gives 0/1.
 *
 * @example
 * copyOps.cast.infer([{ shape: [4], dtype: "float32" }], { dtype: "int32" }); // → [{ shape: [4], dtype: "int32" }]
 */
const cast: OpSchema<CastAttrs> = {
  name: "cast",
  family: "copy",
  inputs: ["input"],
  outputs: 1,
  stridedOutput: true,
  infer([x]: readonly TensorMeta[], attrs: CastAttrs): TensorMeta[] {
    assertDType(attrs.dtype, "cast");
    return [{ shape: x!.shape.slice(), dtype: attrs.dtype }];
  },
  reference([x]: readonly StridedArray[], [out]: readonly StridedArray[], attrs: CastAttrs): void {
    assertDType(attrs.dtype, "cast");
    checkElementwiseOutput("cast", out!, x!.layout.shape);
    if (out!.dtype !== attrs.dtype) {
      throw new DTypeError(`cast: output dtype ${out!.dtype} differs from the requested dtype ${attrs.dtype}; allocate the output as ${attrs.dtype}.`);
    }
    writeAll(out!, readAll(x!));
  },
};

/** The copy family, keyed by op name. */
export const copyOps = { copy, cast } satisfies Record<string, OpSchema<any>>;
