/**
 * Elementwise ops of one input. Float-only ops (exp, log, …) reject integer inputs; the
 * Tensor layer promotes integers to float32 first, as PyTorch does.
 */
import type { DType } from "@tessera/storage";
import { checkElementwiseOutput } from "../elementwise.js";
import { erf, roundHalfEven, sigmoid } from "../math.js";
import { requireFloat, requireNumeric } from "../dtypes.js";
import { forEachOffset } from "../strided.js";
import type { NoAttrs } from "../attrs.js";
import type { OpSchema, StridedArray, TensorMeta } from "../types.js";

/** Which inputs a unary op accepts and what it returns. */
type UnaryKind = "float" | "numeric" | "logical";

function unary(name: string, kind: UnaryKind, fn: (x: number) => number): OpSchema<NoAttrs> {
  return {
    name,
    family: "unary",
    inputs: ["input"],
    outputs: 1,
    stridedOutput: true,
    infer([x]: readonly TensorMeta[]): TensorMeta[] {
      if (kind === "float") requireFloat(name, x!);
      if (kind === "numeric") requireNumeric(name, x!);
      const dtype: DType = kind === "logical" ? "bool" : x!.dtype;
      return [{ shape: x!.shape.slice(), dtype }];
    },
    reference([x]: readonly StridedArray[], [out]: readonly StridedArray[]): void {
      checkElementwiseOutput(name, out!, x!.layout.shape);
      const src = x!.data;
      const dst = out!.data;
      forEachOffset(out!.layout.shape, [x!.layout, out!.layout], (o) => {
        dst[o[1]!] = fn(src[o[0]!]!);
      });
    },
  };
}

const relu = (x: number) => (x > 0 || Number.isNaN(x) ? x : 0);

/** Every unary op, keyed by name. */
export const unaryOps = {
  neg: unary("neg", "numeric", (x) => -x),
  abs: unary("abs", "numeric", Math.abs),
  // PyTorch's sign: (0 < x) − (x < 0), so NaN gives 0 and −0 gives +0 (NumPy would give NaN).
  sign: unary("sign", "numeric", (x) => (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0)),
  exp: unary("exp", "float", Math.exp),
  log: unary("log", "float", Math.log),
  sqrt: unary("sqrt", "float", Math.sqrt),
  rsqrt: unary("rsqrt", "float", (x) => 1 / Math.sqrt(x)),
  sin: unary("sin", "float", Math.sin),
  cos: unary("cos", "float", Math.cos),
  tanh: unary("tanh", "float", Math.tanh),
  sigmoid: unary("sigmoid", "float", sigmoid),
  relu: unary("relu", "numeric", relu),
  erf: unary("erf", "float", erf),
  reciprocal: unary("reciprocal", "float", (x) => 1 / x),
  floor: unary("floor", "numeric", Math.floor),
  ceil: unary("ceil", "numeric", Math.ceil),
  round: unary("round", "numeric", roundHalfEven),
  logicalNot: unary("logicalNot", "logical", (x) => (x === 0 ? 1 : 0)),
} satisfies Record<string, OpSchema<NoAttrs>>;
