/**
 * What the conformance suite will run for a backend: for every catalog op and every dtype the
 * backend declares, the sample cases the op accepts, split into regular and zero-size ones.
 * Computed without running any kernel (only `infer`), so it can shape vitest's blocks.
 */
import { type DType, DTypeError, numel } from "@tessera/storage";
import { type OpName, type TensorMeta, OP_NAMES, getOpSchema } from "@tessera/kernels";
import type { Backend } from "../contract.js";
import { sampleCases } from "./cases/index.js";
import type { OpCase } from "./types.js";

/**
 * The cases of one op for one dtype.
 *
 * @example
 * const { regular, zeroSize }: DTypePlan = planOp(backend, "sum").dtypes[0];
 */
export interface DTypePlan {
  readonly dtype: DType;
  /** Cases without zero-size tensors: run in every input layout. */
  readonly regular: readonly OpCase[];
  /** Cases with a zero-size input or output. */
  readonly zeroSize: readonly OpCase[];
}

/**
 * The plan for one op.
 *
 * @example
 * const plan: OpPlan = planOp(backend, "matmul");
 * if (plan.rejected.length > 0) console.log(`matmul does not run in ${plan.rejected.join(", ")}`);
 */
export interface OpPlan {
  readonly op: OpName;
  /** True if the op's case generator has any case at all (for any dtype). */
  readonly hasCases: boolean;
  /** One entry per backend dtype the op accepts (with at least one runnable case). */
  readonly dtypes: readonly DTypePlan[];
  /** Backend dtypes the op has cases for but rejects (or needs dtypes the backend lacks). */
  readonly rejected: readonly DType[];
}

/**
 * Plans `op` on `backend`. A case is dropped for a dtype when `infer` rejects it with a
 * `DTypeError` or when it needs a dtype the backend lacks; any other `infer` error keeps the
 * case, so that running it reports the error.
 *
 * @example
 * const plan = planOp(createReferenceBackend(), "log");
 * plan.dtypes.map((d) => d.dtype); // ["float32", "float64"]: log rejects int32 and bool
 */
export function planOp(backend: Backend<any>, op: OpName): OpPlan {
  const schema = getOpSchema(op);
  const dtypes: DTypePlan[] = [];
  const rejected: DType[] = [];
  let hasCases = false;
  for (const dtype of backend.dtypes) {
    const cases = sampleCases(op, { dtype, dtypes: backend.dtypes });
    if (cases.length > 0) hasCases = true;
    const regular: OpCase[] = [];
    const zeroSize: OpCase[] = [];
    for (const c of cases) {
      if (!c.inputs.every((input) => backend.dtypes.includes(input.dtype))) continue;
      const metas: TensorMeta[] = c.inputs.map((input) => ({ shape: input.shape.slice(), dtype: input.dtype }));
      let outputs: TensorMeta[] | null = null;
      try {
        outputs = schema.infer(metas, c.attrs);
      } catch (error) {
        if (error instanceof DTypeError) continue;
      }
      if (outputs !== null && !outputs.every((o) => backend.dtypes.includes(o.dtype))) continue;
      const empty =
        metas.some((m) => numel(m.shape) === 0) || (outputs !== null && outputs.some((o) => numel(o.shape) === 0));
      (empty ? zeroSize : regular).push(c);
    }
    if (regular.length + zeroSize.length > 0) dtypes.push({ dtype, regular, zeroSize });
    else if (cases.length > 0) rejected.push(dtype);
  }
  return { op, hasCases, dtypes, rejected };
}

/**
 * Plans every catalog op on `backend` (see {@link planOp}).
 *
 * @example
 * const total = planConformance(backend).reduce((n, p) => n + p.dtypes.length, 0);
 */
export function planConformance(backend: Backend<any>): OpPlan[] {
  return OP_NAMES.map((op) => planOp(backend, op));
}
