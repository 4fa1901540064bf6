/**
 * Elementwise ops of two inputs with NumPy broadcasting. Both inputs must have one dtype
 * (the Tensor layer promotes first); comparisons and logical ops return bool.
 */
import { type DType, broadcastShapes } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { requireFloat, requireNumeric, requireSameDType } from "../dtypes.js";
import { broadcastLayout, forEachOffset } from "../strided.js";
import type { NoAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** Which inputs a binary op accepts and what it returns. */
type BinaryKind = "float" | "numeric" | "compare" | "logical";

function binary(
  name: string,
  kind: BinaryKind,
  fn: (a: number, b: number) => number,
  intFn?: (a: number, b: number) => number,
): OpSchema<NoAttrs> {
  return {
    name,
    family: "binary",
    inputs: ["input", "other"],
    outputs: 1,
    stridedOutput: true,
    infer([a, b]: readonly TensorMeta[]): TensorMeta[] {
      const dtype = requireSameDType(name, [a!, b!], ["input", "other"]);
      if (kind === "float") requireFloat(name, a!);
      if (kind === "numeric") requireNumeric(name, a!);
      const shape = broadcastShapes(name, a!.shape, b!.shape);
      const outDType: DType = kind === "compare" || kind === "logical" ? "bool" : dtype;
      return [{ shape, dtype: outDType }];
    },
    reference([a, b]: readonly StridedArray[], [out]: readonly StridedArray[]): void {
      const shape = broadcastShapes(name, a!.layout.shape, b!.layout.shape);
      checkElementwiseOutput(name, out!, shape);
      const f = a!.dtype === "int32" && intFn !== undefined ? intFn : fn;
      const la = broadcastLayout(a!.layout, shape);
      const lb = broadcastLayout(b!.layout, shape);
      const da = a!.data;
      const db = b!.data;
      const dst = out!.data;
      forEachOffset(shape, [la, lb, out!.layout], (o) => {
        dst[o[2]!] = f(da[o[0]!]!, db[o[1]!]!);
      });
    },
  };
}

const propagateNaN = (pick: (a: number, b: number) => number) => (a: number, b: number) =>
  Number.isNaN(a) || Number.isNaN(b) ? NaN : pick(a, b);

/** Every binary op, keyed by name. */
export const binaryOps = {
  add: binary("add", "numeric", (a, b) => a + b),
  sub: binary("sub", "numeric", (a, b) => a - b),
  mul: binary("mul", "numeric", (a, b) => a * b, Math.imul),
  div: binary("div", "float", (a, b) => a / b),
  pow: binary("pow", "float", Math.pow),
  maximum: binary("maximum", "numeric", propagateNaN(Math.max)),
  minimum: binary("minimum", "numeric", propagateNaN(Math.min)),
  eq: binary("eq", "compare", (a, b) => (a === b ? 1 : 0)),
  ne: binary("ne", "compare", (a, b) => (a !== b ? 1 : 0)),
  lt: binary("lt", "compare", (a, b) => (a < b ? 1 : 0)),
  le: binary("le", "compare", (a, b) => (a <= b ? 1 : 0)),
  gt: binary("gt", "compare", (a, b) => (a > b ? 1 : 0)),
  ge: binary("ge", "compare", (a, b) => (a >= b ? 1 : 0)),
  logicalAnd: binary("logicalAnd", "logical", (a, b) => (a !== 0 && b !== 0 ? 1 : 0)),
  logicalOr: binary("logicalOr", "logical", (a, b) => (a !== 0 || b !== 0 ? 1 : 0)),
} satisfies Record<string, OpSchema<NoAttrs>>;
