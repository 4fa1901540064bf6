/** Ungraphed helpers used inside backward formulas and creation functions. */
import type { DType } from "@tessera/storage";
import type { Backend } from "@tessera/backend";
import type { Tensor } from "../tensor.js";
import { execute1 } from "../runtime.js";

/** A new tensor of `shape` filled with `value`, recording nothing. */
export function fillRaw(backend: Backend, shape: readonly number[], dtype: DType, value: number): Tensor {
  return execute1("fill", [], { shape, dtype, value }, backend);
}

/** Zeros shaped like `t`. */
export function zerosLikeRaw(t: Tensor): Tensor {
  return fillRaw(t._backend, t.shape, t.dtype, 0);
}

/** Ones shaped like `t`. */
export function onesLikeRaw(t: Tensor): Tensor {
  return fillRaw(t._backend, t.shape, t.dtype, 1);
}
