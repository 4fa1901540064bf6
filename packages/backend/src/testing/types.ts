/** The shapes of the conformance suite's data: sample cases, options and mismatches. */
import type { DType } from "@tessera/storage";
import type { OpName } from "@tessera/kernels";
import type { ValuesFn } from "./values.js";

/**
 * One input of a sample case: its logical shape and dtype and how to make its values.
 *
 * @example
 * const x: CaseInput = { shape: [2, 3], dtype: "float32", values: sampleValues("float32", "positive") };
 */
export interface CaseInput {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Makes the `numel` values of this input in row-major order (called inside the test). */
  readonly values: ValuesFn;
  /**
   * Dims the "broadcast" layout variant may give stride 0 (by expanding a size-1 dim). By
   * default the first dim of size > 1. An empty list keeps this input contiguous in that
   * variant (for inputs whose values must differ along every dim).
   */
  readonly broadcastDims?: readonly number[];
}

/**
 * One sample of an op: inputs and attributes. A case with a zero-size input or output runs in
 * the "zero-size" variant; the others run in every input layout variant.
 *
 * @example
 * const c: OpCase = {
 *   name: "[2, 3] + [3]",
 *   inputs: [
 *     { shape: [2, 3], dtype: "float32", values: sampleValues("float32") },
 *     { shape: [3], dtype: "float32", values: sampleValues("float32", "any", 2) },
 *   ],
 *   attrs: {},
 * };
 */
export interface OpCase<Attrs = any> {
  readonly name: string;
  readonly inputs: readonly CaseInput[];
  readonly attrs: Attrs;
}

/**
 * What a case generator knows: the dtype under test (the dtype of the op's main input, or of
 * its output for ops without inputs) and every dtype the backend supports.
 *
 * @example
 * const ctx: CaseContext = { dtype: "float32", dtypes: ["float32", "int32", "bool"] };
 */
export interface CaseContext {
  readonly dtype: DType;
  readonly dtypes: readonly DType[];
}

/**
 * Makes the sample cases of one op of a family for a dtype. Returns `[]` when it has no case
 * for `op` (the suite then reports the op as lacking cases).
 *
 * @example
 * const cases = binaryCases("add", { dtype: "float32", dtypes: ["float32"] });
 */
export type CaseGenerator = (op: OpName, ctx: CaseContext) => OpCase[];

/**
 * Relative and absolute tolerance: `|actual − expected| ≤ atol + rtol · |expected|`.
 *
 * @example
 * const loose: Tolerance = { rtol: 1e-4, atol: 1e-5 };
 */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * How the inputs of a case are laid out in their device buffers:
 *
 * - `contiguous`: row-major, offset 0.
 * - `transposed`: a contiguous buffer of the reversed shape, permuted back, so the logical
 *   shape is the case's but the strides run backwards.
 * - `sliced`: every dim taken with step 2 out of a buffer twice as big, at offset 3.
 * - `broadcast`: a dim expanded from size 1 (stride 0), at offset 1.
 *
 * @example
 * await checkOpCase(backend, "exp", c, { inputLayout: "sliced" });
 */
export type InputLayout = "contiguous" | "transposed" | "sliced" | "broadcast";

/**
 * How outputs are laid out: contiguous, or (for `stridedOutput` ops) a strided view (as
 * `sliced` and `transposed` inputs are).
 *
 * @example
 * await checkOpCase(backend, "add", c, { outputLayout: "transposed" });
 */
export type OutputLayout = "contiguous" | "sliced" | "transposed";

/**
 * One difference between a backend and the reference found by `checkOpCase`.
 *
 * @example
 * const wrong = (await checkOpCase(backend, "add", c)).filter((m) => m.kind === "output");
 * for (const m of wrong) console.log(m.index, m.expected, m.actual);
 */
export interface Mismatch {
  /**
   * `output`: an output element differs from the reference. `outside-view`: an element of an
   * output buffer outside the output view changed. `input-modified`: an input buffer changed.
   * `read`: reading a buffer back returned the wrong number of elements.
   */
  readonly kind: "output" | "outside-view" | "input-modified" | "read";
  /** Which tensor, e.g. `output 0` or `input "other"`. */
  readonly tensor: string;
  /** The logical index (outputs) or storage position (buffers) of the element. */
  readonly index: readonly number[];
  readonly expected: number;
  readonly actual: number;
  /** A one-line description. */
  readonly message: string;
}
