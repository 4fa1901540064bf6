/** Sample cases of the conv family: `conv2d` and its input and weight gradients. */
import {
  type Conv2dAttrs,
  type Conv2dBackwardInputAttrs,
  type Conv2dBackwardWeightAttrs,
  type OpName,
  getOpSchema,
} from "@tessera/kernels";
import type { CaseContext, OpCase } from "../types.js";
import { fmt, sample } from "./helpers.js";

/** A conv problem: input and weight shapes and the attributes. */
interface ConvProblem {
  readonly input: readonly number[];
  readonly weight: readonly number[];
  readonly attrs: Conv2dAttrs;
}

const conv = (
  input: readonly number[],
  weight: readonly number[],
  stride: readonly [number, number] = [1, 1],
  padding: readonly [number, number] = [0, 0],
  dilation: readonly [number, number] = [1, 1],
  groups = 1,
): ConvProblem => ({ input, weight, attrs: { stride, padding, dilation, groups } });

/**
 * Tiny problems: plain 3×3, asymmetric stride and padding with batch 2, grouped and dilated,
 * a non-square kernel, depthwise, and zero sizes (empty batch; no input channels → zeros).
 */
const PROBLEMS: readonly ConvProblem[] = [
  conv([1, 2, 5, 5], [3, 2, 3, 3]),
  conv([2, 1, 4, 3], [2, 1, 2, 2], [2, 1], [1, 0]),
  conv([1, 4, 4, 4], [4, 2, 2, 2], [1, 1], [1, 1], [2, 2], 2),
  conv([1, 2, 5, 4], [2, 2, 3, 1], [2, 2], [1, 0]),
  conv([1, 3, 4, 4], [3, 1, 3, 3], [1, 1], [1, 1], [1, 1], 3),
  conv([0, 2, 4, 4], [3, 2, 3, 3]),
  conv([1, 0, 4, 4], [2, 0, 3, 3]),
];

function describeProblem(p: ConvProblem): string {
  const a = p.attrs;
  return `input ${fmt(p.input)} weight ${fmt(p.weight)} stride ${fmt(a.stride)} padding ${fmt(a.padding)} dilation ${fmt(a.dilation)} groups ${a.groups}`;
}

/**
 * Cases of the conv ops for `ctx.dtype`. The gradients use the same problems, with
 * gradOutput shaped as `conv2d`'s output.
 *
 * @example
 * convCases("conv2dBackwardWeight", { dtype: "float64", dtypes: ["float64"] })[0].attrs.weightShape;
 * // [3, 2, 3, 3]
 */
export function convCases(op: OpName, ctx: CaseContext): OpCase[] {
  const dtype = ctx.dtype;
  const forward = getOpSchema("conv2d");
  return PROBLEMS.flatMap((p, i): OpCase[] => {
    const name = describeProblem(p);
    const x = sample(p.input, dtype, "any", 3 * i + 1);
    const w = sample(p.weight, dtype, "any", 3 * i + 2);
    if (op === "conv2d") return [{ name, inputs: [x, w], attrs: p.attrs }];
    let outShape: readonly number[];
    try {
      outShape = forward.infer([{ shape: p.input, dtype: "float32" }, { shape: p.weight, dtype: "float32" }], p.attrs)[0]!.shape;
    } catch {
      return [];
    }
    const gy = sample(outShape, dtype, "any", 3 * i + 3);
    if (op === "conv2dBackwardInput") {
      const attrs: Conv2dBackwardInputAttrs = { ...p.attrs, inputShape: p.input };
      return [{ name, inputs: [gy, w], attrs }];
    }
    if (op === "conv2dBackwardWeight") {
      const attrs: Conv2dBackwardWeightAttrs = { ...p.attrs, weightShape: p.weight };
      return [{ name, inputs: [x, gy], attrs }];
    }
    return [];
  });
}
