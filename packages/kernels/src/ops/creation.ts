/**
 * Ops that make a tensor from attributes alone: `fill` (also `fill_` on views) and `arange`.
 */
import { DTypeError, ShapeError, assertDType, checkShape } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { forEachOffset } from "../strided.js";
import { convertValue } from "./copy.js";
import type { ArangeAttrs, FillAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** Throws unless `out` has the dtype the op was asked for. */
function requireOutputDType(op: string, out: StridedArray, dtype: string): void {
  if (out.dtype !== dtype) {
    throw new DTypeError(`${op}: output dtype ${out.dtype} differs from the requested dtype ${dtype}; allocate the output as ${dtype}.`);
  }
}

/**
 * `fill`: every element of the output (a new tensor of `attrs.shape`, or any strided view of
 * that shape for `fill_`) set to `attrs.value` converted to `attrs.dtype` (bool stores
 * `value != 0`; int32 truncates toward zero).
 *
 * @example
 * creationOps.fill.infer([], { shape: [2, 3], dtype: "float32", value: 0 }); // → [{ shape: [2, 3], dtype: "float32" }]
 */
const fill: OpSchema<FillAttrs> = {
  name: "fill",
  family: "creation",
  inputs: [],
  outputs: 1,
  stridedOutput: true,
  infer(_inputs: readonly TensorMeta[], attrs: FillAttrs): TensorMeta[] {
    checkShape(attrs.shape, "fill");
    assertDType(attrs.dtype, "fill");
    return [{ shape: attrs.shape.slice(), dtype: attrs.dtype }];
  },
  reference(_inputs: readonly StridedArray[], [out]: readonly StridedArray[], attrs: FillAttrs): void {
    checkElementwiseOutput("fill", out!, attrs.shape);
    requireOutputDType("fill", out!, attrs.dtype);
    const value = convertValue(attrs.value, attrs.dtype);
    const dst = out!.data;
    forEachOffset(out!.layout.shape, [out!.layout], (o) => {
      dst[o[0]!] = value;
    });
  },
};

/** Length of `arange(start, end, step)`, validating the attributes. */
function arangeLength(attrs: ArangeAttrs): number {
  const { start, end, step } = attrs;
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step)) {
    throw new ShapeError(`arange: start (${start}), end (${end}) and step (${step}) must be finite numbers.`);
  }
  if (step === 0) {
    throw new ShapeError(`arange: step must be nonzero, but got start=${start}, end=${end}, step=0. Use a positive step to count up or a negative one to count down.`);
  }
  const length = Math.max(0, Math.ceil((end - start) / step));
  if (length > 2 ** 31 - 1) {
    throw new ShapeError(`arange: start=${start}, end=${end}, step=${step} would make ${length} elements, more than a tensor can hold; use a larger step.`);
  }
  return length;
}

/**
 * `arange`: the 1-D tensor `[start, start + step, start + 2·step, …]` of length
 * `max(0, ceil((end − start) / step))`; element `i` is `start + i·step` computed in float64
 * and then stored in `attrs.dtype` (int32 truncates toward zero). Bool is not supported.
 *
 * @example
 * creationOps.arange.infer([], { start: 0, end: 1, step: 0.25, dtype: "float32" }); // → [{ shape: [4], dtype: "float32" }]
 */
const arange: OpSchema<ArangeAttrs> = {
  name: "arange",
  family: "creation",
  inputs: [],
  outputs: 1,
  stridedOutput: false,
  infer(_inputs: readonly TensorMeta[], attrs: ArangeAttrs): TensorMeta[] {
    assertDType(attrs.dtype, "arange");
    if (attrs.dtype === "bool") {
      throw new DTypeError(`arange: not supported for dtype bool. Use int32, float32 or float64, and cast afterwards if needed.`);
    }
    return [{ shape: [arangeLength(attrs)], dtype: attrs.dtype }];
  },
  reference(_inputs: readonly StridedArray[], [out]: readonly StridedArray[], attrs: ArangeAttrs): void {
    const length = arangeLength(attrs);
    checkElementwiseOutput("arange", out!, [length]);
    requireOutputDType("arange", out!, attrs.dtype);
    const dst = out!.data;
    forEachOffset([length], [out!.layout], (o, i) => {
      dst[o[0]!] = convertValue(attrs.start + i * attrs.step, attrs.dtype);
    });
  },
};

/** The creation family, keyed by op name. */
export const creationOps = { fill, arange } satisfies Record<string, OpSchema<any>>;
