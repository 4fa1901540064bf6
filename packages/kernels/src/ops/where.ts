/**
 * `where(condition, input, other)`: picks `input` where `condition` is true and `other`
 * elsewhere, with NumPy broadcasting of all three.
 */
import { DTypeError, broadcastShapes } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { requireSameDType } from "../dtypes.js";
import { broadcastLayout, forEachOffset } from "../strided.js";
import type { NoAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/**
 * `where`: inputs `(condition, input, other)`; `condition` must be bool and `input`/`other`
 * must share a dtype (the Tensor layer promotes first), which is the output dtype. The output
 * has the broadcast shape of all three and may be a strided view.
 *
 * @example
 * // condition [true, false], input [1, 2], other [10, 20] → [1, 20]
 * CATALOG.where.infer([{ shape: [2], dtype: "bool" }, { shape: [2], dtype: "float32" }, { shape: [], dtype: "float32" }], {});
 * // → [{ shape: [2], dtype: "float32" }]
 */
const where: OpSchema<NoAttrs> = {
  name: "where",
  family: "where",
  inputs: ["condition", "input", "other"],
  outputs: 1,
  stridedOutput: true,
  infer([condition, input, other]: readonly TensorMeta[]): TensorMeta[] {
    if (condition!.dtype !== "bool") {
      throw new DTypeError(
        `where: expected condition to be a bool tensor, but got ${condition!.dtype}. Make a mask with a comparison (e.g. x.gt(0)) or cast it with c.to("bool").`,
      );
    }
    const dtype = requireSameDType("where", [input!, other!], ["input", "other"]);
    const shape = broadcastShapes("where", condition!.shape, input!.shape, other!.shape);
    return [{ shape, dtype }];
  },
  reference([condition, input, other]: readonly StridedArray[], [out]: readonly StridedArray[]): void {
    const shape = broadcastShapes("where", condition!.layout.shape, input!.layout.shape, other!.layout.shape);
    checkElementwiseOutput("where", out!, shape);
    const layouts = [
      broadcastLayout(condition!.layout, shape),
      broadcastLayout(input!.layout, shape),
      broadcastLayout(other!.layout, shape),
      out!.layout,
    ];
    const c = condition!.data;
    const a = input!.data;
    const b = other!.data;
    const dst = out!.data;
    forEachOffset(shape, layouts, (o) => {
      dst[o[3]!] = c[o[0]!] !== 0 ? a[o[1]!]! : b[o[2]!]!;
    });
  },
};

/** The where family, keyed by op name. */
export const whereOps = { where } satisfies Record<string, OpSchema<any>>;
