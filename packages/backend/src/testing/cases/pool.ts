/** Sample cases of the pool family: max and average 2-D pooling and their gradients. */
import { allocTypedArray, contiguousLayout, numel } from "@tessera/storage";
import {
  type AvgPool2dAttrs,
  type AvgPool2dBackwardAttrs,
  type MaxPool2dAttrs,
  type MaxPool2dBackwardAttrs,
  type OpName,
  getOpSchema,
} from "@tessera/kernels";
import type { CaseContext, CaseInput, OpCase } from "../types.js";
import { sampleValues } from "../values.js";
import { fmt, sample } from "./helpers.js";

type P = readonly [number, number];

const maxWindow = (kernelSize: P, stride: P, padding: P = [0, 0], dilation: P = [1, 1], ceilMode = false): MaxPool2dAttrs => ({
  kernelSize,
  stride,
  padding,
  dilation,
  ceilMode,
});

const avgWindow = (
  kernelSize: P,
  stride: P,
  padding: P = [0, 0],
  ceilMode = false,
  countIncludePad = true,
  divisorOverride: number | null = null,
): AvgPool2dAttrs => ({ kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride });

/** (input shape, window) for max pooling: plain, padded, dilated non-square, ceil mode, empty batch. */
const MAX: readonly (readonly [readonly number[], MaxPool2dAttrs])[] = [
  [[1, 2, 4, 4], maxWindow([2, 2], [2, 2])],
  [[2, 1, 5, 5], maxWindow([3, 3], [2, 2], [1, 1])],
  [[1, 2, 5, 4], maxWindow([2, 3], [1, 2], [1, 1], [2, 1])],
  [[1, 2, 5, 5], maxWindow([2, 2], [2, 2], [0, 0], [1, 1], true)],
  [[0, 2, 4, 4], maxWindow([2, 2], [2, 2])],
];

/** (input shape, window) for average pooling, over the divisor rules. */
const AVG: readonly (readonly [readonly number[], AvgPool2dAttrs])[] = [
  [[1, 2, 4, 4], avgWindow([2, 2], [2, 2])],
  [[2, 1, 5, 5], avgWindow([3, 3], [2, 2], [1, 1])],
  [[2, 1, 5, 5], avgWindow([3, 3], [2, 2], [1, 1], false, false)],
  [[1, 2, 5, 5], avgWindow([2, 2], [2, 2], [1, 1], true, true)],
  [[1, 2, 5, 5], avgWindow([3, 2], [2, 2], [1, 1], true, false)],
  [[1, 2, 4, 3], avgWindow([3, 2], [1, 2], [1, 0], false, true, 3)],
  [[0, 2, 4, 4], avgWindow([2, 2], [2, 2])],
];

function describeWindow(shape: readonly number[], w: { kernelSize: P; stride: P; padding: P; ceilMode: boolean }): string {
  return `input ${fmt(shape)} kernel ${fmt(w.kernelSize)} stride ${fmt(w.stride)} padding ${fmt(w.padding)}${w.ceilMode ? " ceil" : ""}`;
}

/**
 * The argmax indices maxPool2d gives for a sample input: valid indices for
 * `maxPool2dBackward` (each inside its window, as a real forward pass produces them).
 */
function argmaxIndices(inputShape: readonly number[], attrs: MaxPool2dAttrs, outShape: readonly number[], seed: number): CaseInput {
  return {
    shape: outShape,
    dtype: "int32",
    // Only N and C may be broadcast: an index is only valid for its own window position.
    broadcastDims: [0, 1],
    values: () => {
      const schema = getOpSchema("maxPool2d");
      const data = allocTypedArray("float64", numel(inputShape));
      sampleValues("float64", "distinct", seed)(data.length).forEach((v, i) => (data[i] = v));
      const values = allocTypedArray("float64", numel(outShape));
      const idx = allocTypedArray("int32", numel(outShape));
      schema.reference(
        [{ data, dtype: "float64", layout: contiguousLayout(inputShape) }],
        [
          { data: values, dtype: "float64", layout: contiguousLayout(outShape) },
          { data: idx, dtype: "int32", layout: contiguousLayout(outShape) },
        ],
        attrs,
      );
      return Array.from(idx);
    },
  };
}

/**
 * Cases of the pool ops for `ctx.dtype`. Max pooling uses distinct values (plus one case
 * with ties, where the first maximum wins); its backward gets the indices a forward pass
 * gives. The backward cases shape gradOutput as the forward output.
 *
 * @example
 * poolCases("maxPool2d", { dtype: "float32", dtypes: ["float32", "int32"] }).length; // 6
 */
export function poolCases(op: OpName, ctx: CaseContext): OpCase[] {
  const dtype = ctx.dtype;
  const outShapeOf = (fwd: "maxPool2d" | "avgPool2d", shape: readonly number[], attrs: unknown) =>
    getOpSchema(fwd).infer([{ shape, dtype: "float32" }], attrs)[0]!.shape;
  if (op === "maxPool2d") {
    const cases: OpCase[] = MAX.map(([shape, attrs], i) => ({
      name: describeWindow(shape, attrs),
      inputs: [sample(shape, dtype, "distinct", i + 1)],
      attrs,
    }));
    cases.push({ name: `${describeWindow([1, 2, 4, 4], MAX[0]![1])} with ties`, inputs: [sample([1, 2, 4, 4], dtype, "coarse", 9)], attrs: MAX[0]![1] });
    return cases;
  }
  if (op === "maxPool2dBackward") {
    return MAX.map(([shape, window], i) => {
      const outShape = outShapeOf("maxPool2d", shape, window);
      const attrs: MaxPool2dBackwardAttrs = { inputShape: shape };
      return {
        name: describeWindow(shape, window),
        inputs: [sample(outShape, dtype, "any", 2 * i + 1), argmaxIndices(shape, window, outShape, 2 * i + 2)],
        attrs,
      };
    });
  }
  if (op === "avgPool2d") {
    return AVG.map(([shape, attrs], i) => ({
      name: `${describeWindow(shape, attrs)}${attrs.countIncludePad ? "" : " excluding pad"}${attrs.divisorOverride !== null ? ` divisor ${attrs.divisorOverride}` : ""}`,
      inputs: [sample(shape, dtype, "any", i + 1)],
      attrs,
    }));
  }
  if (op === "avgPool2dBackward") {
    return AVG.map(([shape, window], i) => {
      const outShape = outShapeOf("avgPool2d", shape, window);
      const attrs: AvgPool2dBackwardAttrs = { ...window, inputShape: shape };
      return {
        name: `${describeWindow(shape, window)}${window.countIncludePad ? "" : " excluding pad"}${window.divisorOverride !== null ? ` divisor ${window.divisorOverride}` : ""}`,
        inputs: [sample(outShape, dtype, "any", i + 1)],
        attrs,
      };
    });
  }
  return [];
}
