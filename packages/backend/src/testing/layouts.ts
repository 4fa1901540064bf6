/**
 * Building the physical buffer and layout of a tensor for each layout variant, so that the
 * logical elements are the requested ones. The unused slots of a buffer hold "garbage" that
 * changes the result if a kernel reads it.
 */
import {
  type DType,
  type Layout,
  type TypedArray,
  allocTypedArray,
  contiguousLayout,
  expand,
  numel,
  permute,
} from "@tessera/storage";
import { forEachIndex, offsetOf } from "@tessera/kernels";
import type { InputLayout, OutputLayout } from "./types.js";

/**
 * A tensor placed in a buffer: the whole buffer's elements and the view's layout.
 *
 * @example
 * const { data, layout }: Placed = placeInput("transposed", [2, 3], "int32", [1, 2, 3, 4, 5, 6]);
 */
export interface Placed {
  readonly data: TypedArray;
  readonly layout: Layout;
}

/** Offset of the sliced variant's first element. */
const SLICE_OFFSET = 3;

/**
 * What fills the slots of an input buffer outside the view: a value a correct kernel never
 * reads (NaN for floats).
 *
 * @example
 * garbageValue("float32", 0); // NaN
 */
export function garbageValue(dtype: DType, position: number): number {
  switch (dtype) {
    case "float32":
    case "float64":
      return NaN;
    case "int32":
      return 1_000_003 + position;
    case "bool":
      return position % 2;
  }
}

/** A contiguous physical buffer of `length` garbage elements. */
function garbage(dtype: DType, length: number): TypedArray {
  const data = allocTypedArray(dtype, length);
  for (let i = 0; i < length; i++) data[i] = garbageValue(dtype, i);
  return data;
}

/**
 * The layout of `shape` inside a buffer for a layout variant, and the buffer's length (no
 * data). `broadcast` is not a layout of its own here (it depends on the values) and gives
 * the contiguous one.
 *
 * @example
 * viewLayout("sliced", [2, 3]); // { layout: { shape: [2, 3], strides: [12, 2], offset: 3 }, length: 28 }
 */
export function viewLayout(variant: InputLayout | OutputLayout, shape: readonly number[]): { layout: Layout; length: number } {
  const n = shape.length;
  if (variant === "transposed" && n >= 2) {
    const reversed = shape.slice().reverse();
    const perm = shape.map((_, i) => n - 1 - i);
    return { layout: permute(contiguousLayout(reversed), perm), length: numel(shape) };
  }
  if (variant === "sliced") {
    const big = shape.map((s) => 2 * s);
    const base = contiguousLayout(big, SLICE_OFFSET);
    return {
      layout: { shape: shape.slice(), strides: base.strides.map((s) => 2 * s), offset: SLICE_OFFSET },
      length: SLICE_OFFSET + numel(big) + 1,
    };
  }
  return { layout: contiguousLayout(shape), length: numel(shape) };
}

/** The dims the broadcast variant expands, for an input of `shape`. */
function broadcastDimsFor(shape: readonly number[], requested: readonly number[] | undefined): number[] {
  if (numel(shape) === 0) return [];
  if (requested !== undefined) return requested.filter((d) => shape[d]! > 1);
  const first = shape.findIndex((s) => s > 1);
  return first < 0 ? [] : [first];
}

/**
 * Places a tensor of `shape` and `dtype` whose row-major logical elements are `values` in a
 * buffer laid out as `variant`. For `broadcast`, the expanded dims repeat the elements at
 * index 0 of those dims (the logical values then differ from `values` there).
 *
 * @example
 * const { data, layout } = placeInput("sliced", [2, 3], "float32", [1, 2, 3, 4, 5, 6]);
 * // layout.strides = [12, 2], layout.offset = 3
 */
export function placeInput(
  variant: InputLayout,
  shape: readonly number[],
  dtype: DType,
  values: ArrayLike<number>,
  broadcastDims?: readonly number[],
): Placed {
  if (variant === "broadcast") {
    const dims = broadcastDimsFor(shape, broadcastDims);
    if (dims.length > 0) {
      const sourceShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
      const source = contiguousLayout(sourceShape, 1);
      const data = garbage(dtype, 1 + numel(sourceShape));
      const full = contiguousLayout(shape);
      forEachIndex(sourceShape, (index) => {
        data[offsetOf(source, index)] = values[offsetOf(full, index)]!;
      });
      return { data, layout: expand(source, shape) };
    }
    variant = "contiguous";
  }
  const { layout, length } = viewLayout(variant, shape);
  const data = garbage(dtype, length);
  forEachIndex(shape, (index, linear) => {
    data[offsetOf(layout, index)] = values[linear]!;
  });
  return { data, layout };
}

/**
 * The logical elements of a placed tensor, in row-major order.
 *
 * @example
 * logicalValues(placeInput("broadcast", [2, 2], "float32", [1, 2, 3, 4]), "float32"); // [1, 2, 1, 2]
 */
export function logicalValues(placed: Placed, dtype: DType): TypedArray {
  const out = allocTypedArray(dtype, numel(placed.layout.shape));
  forEachIndex(placed.layout.shape, (index, linear) => {
    out[linear] = placed.data[offsetOf(placed.layout, index)]!;
  });
  return out;
}
