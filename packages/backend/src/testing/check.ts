/**
 * Running one sample case on a backend and on the reference kernel, and listing every
 * difference. Independent of vitest, so it also serves ad-hoc checks and custom test runners.
 */
import { type DType, allocTypedArray, formatShape, isFloatingPoint, numel } from "@tessera/storage";
import { type OpName, type StridedArray, type TensorMeta, forEachIndex, getOpSchema, offsetOf } from "@tessera/kernels";
import type { Backend, TensorView } from "../contract.js";
import { getKernel } from "../dispatch.js";
import { placeInput, viewLayout } from "./layouts.js";
import type { InputLayout, Mismatch, OpCase, OutputLayout, Tolerance } from "./types.js";

/**
 * Tolerances used when none are given: float32 `{ rtol: 1e-5, atol: 1e-6 }`, float64
 * `{ rtol: 1e-12, atol: 1e-12 }`. int32 and bool always compare exactly.
 *
 * @example
 * const loose = { ...DEFAULT_TOLERANCE, float32: { rtol: 1e-4, atol: 1e-5 } };
 */
export const DEFAULT_TOLERANCE: Readonly<Record<"float32" | "float64", Tolerance>> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-12, atol: 1e-12 },
};

/**
 * Options of {@link checkOpCase}.
 *
 * @example
 * const options: CheckOptions = { inputLayout: "broadcast", tolerance: { float32: { rtol: 1e-4, atol: 1e-5 } } };
 */
export interface CheckOptions {
  /** How the inputs are laid out in their buffers (default `contiguous`). */
  readonly inputLayout?: InputLayout;
  /**
   * How the outputs are laid out (default `contiguous`). A strided output (`sliced`,
   * `transposed`) is only for ops whose schema says `stridedOutput`; then elements of the
   * output buffer outside the view must stay untouched.
   */
  readonly outputLayout?: OutputLayout;
  /** Float tolerances per dtype, over {@link DEFAULT_TOLERANCE}. */
  readonly tolerance?: Partial<Record<DType, Tolerance>>;
}

/** What an output buffer holds outside the view before the kernel runs (must survive it). */
function canaryValue(dtype: DType, position: number): number {
  switch (dtype) {
    case "float32":
    case "float64":
      return -1000 - position / 4;
    case "int32":
      return -1000 - position;
    case "bool":
      return position % 2;
  }
}

/** What an output element holds before the kernel runs: never the expected value. */
function poisonValue(dtype: DType, expected: number): number {
  switch (dtype) {
    case "float32":
    case "float64":
      return Number.isNaN(expected) ? 12345.5 : NaN;
    case "int32":
      return expected ^ 0x55555555;
    case "bool":
      return expected === 0 ? 1 : 0;
  }
}

/** True if two stored values are the same (NaN equals NaN). */
function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** True if `actual` is within tolerance of `expected` (NaN matches NaN, ±∞ match exactly). */
function close(actual: number, expected: number, tol: Tolerance): boolean {
  if (same(actual, expected)) return true;
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return false;
  return Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

/** A readable label for an input: its name in the schema. */
function inputLabel(names: readonly string[], i: number): string {
  return `input "${names[i] ?? i}"`;
}

/** Adds op and case context to an error thrown while running a case. */
function withContext(what: string, op: string, testCase: OpCase, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${op} case "${testCase.name}": ${what}: ${message}`, { cause: error });
}

/**
 * Runs `op` on `backend` for one sample case and compares it with the reference kernel on the
 * same data: every output element (exact for int32/bool, within tolerance for floats), every
 * element of an output buffer outside a strided output view, and every input buffer (which a
 * kernel must not modify). Returns the mismatches; an empty list means the backend agrees.
 * Throws (with the op and case named) if the kernel, `infer` or the reference throws.
 *
 * @example
 * const mismatches = await checkOpCase(myBackend, "add", {
 *   name: "[2, 3] + [3]",
 *   inputs: [
 *     { shape: [2, 3], dtype: "float32", values: sampleValues("float32") },
 *     { shape: [3], dtype: "float32", values: sampleValues("float32", "any", 2) },
 *   ],
 *   attrs: {},
 * }, { inputLayout: "transposed" });
 * if (mismatches.length > 0) console.log(formatMismatches(mismatches));
 */
export async function checkOpCase<Buffer>(
  backend: Backend<Buffer>,
  op: OpName,
  testCase: OpCase,
  options: CheckOptions = {},
): Promise<Mismatch[]> {
  const schema = getOpSchema(op);
  const kernel = getKernel(backend, op) as (
    inputs: readonly TensorView<Buffer>[],
    outputs: readonly TensorView<Buffer>[],
    attrs: unknown,
  ) => void;
  const inputLayout = options.inputLayout ?? "contiguous";
  const outputLayout = options.outputLayout ?? "contiguous";
  if (outputLayout !== "contiguous" && !schema.stridedOutput) {
    throw new Error(`${op}: the schema does not allow strided outputs (stridedOutput is false); use outputLayout "contiguous".`);
  }
  const tolerance = { ...DEFAULT_TOLERANCE, ...options.tolerance };
  const attrs = testCase.attrs;

  const metas: TensorMeta[] = testCase.inputs.map((input) => ({ shape: input.shape.slice(), dtype: input.dtype }));
  let outMetas: TensorMeta[];
  try {
    outMetas = schema.infer(metas, attrs);
  } catch (error) {
    throw withContext(`infer rejected the inputs ${metas.map((m) => `${formatShape(m.shape)} ${m.dtype}`).join(", ")}`, op, testCase, error);
  }

  // The inputs, placed in buffers as the layout variant says.
  const placed = testCase.inputs.map((input) =>
    placeInput(inputLayout, input.shape, input.dtype, input.values(numel(input.shape)), input.broadcastDims),
  );

  // The reference, on copies of the same buffers, into contiguous outputs.
  const refOutputs = outMetas.map((m) => allocTypedArray(m.dtype, numel(m.shape)));
  try {
    schema.reference(
      placed.map((p, i): StridedArray => ({ data: p.data.slice(), dtype: testCase.inputs[i]!.dtype, layout: p.layout })),
      outMetas.map((m, i): StridedArray => ({ data: refOutputs[i]!, dtype: m.dtype, layout: viewLayout("contiguous", m.shape).layout })),
      attrs,
    );
  } catch (error) {
    throw withContext("the reference kernel threw", op, testCase, error);
  }

  const allocated: { buffer: Buffer; dtype: DType; length: number }[] = [];
  const allocate = (dtype: DType, length: number): Buffer => {
    const buffer = backend.allocate(dtype, length);
    allocated.push({ buffer, dtype, length });
    return buffer;
  };
  const mismatches: Mismatch[] = [];
  try {
    const inputViews: TensorView<Buffer>[] = placed.map((p, i) => {
      const dtype = testCase.inputs[i]!.dtype;
      const buffer = allocate(dtype, p.data.length);
      backend.upload(buffer, dtype, p.data);
      return { buffer, dtype, layout: p.layout };
    });

    // Outputs: canaries outside the view, and a value that is not the answer inside it, so
    // an element the kernel forgets to write cannot pass by luck.
    const outputs = outMetas.map((m, k) => {
      const { layout, length } = viewLayout(outputLayout, m.shape);
      const initial = allocTypedArray(m.dtype, length);
      for (let i = 0; i < length; i++) initial[i] = canaryValue(m.dtype, i);
      const inView = new Uint8Array(length);
      forEachIndex(m.shape, (index, linear) => {
        const o = offsetOf(layout, index);
        inView[o] = 1;
        initial[o] = poisonValue(m.dtype, refOutputs[k]![linear]!);
      });
      const buffer = allocate(m.dtype, length);
      backend.upload(buffer, m.dtype, initial);
      return { view: { buffer, dtype: m.dtype, layout } as TensorView<Buffer>, initial, inView, length };
    });

    try {
      kernel(inputViews, outputs.map((o) => o.view), attrs);
    } catch (error) {
      throw withContext(`backend "${backend.name}" kernel threw (inputs ${inputLayout}, outputs ${outputLayout})`, op, testCase, error);
    }

    for (let k = 0; k < outputs.length; k++) {
      const { view, initial, inView, length } = outputs[k]!;
      const dtype = view.dtype;
      const tensor = `output ${k}`;
      const actual = await backend.read(view.buffer, dtype, 0, length);
      if (actual.length !== length) {
        mismatches.push(readMismatch(tensor, length, actual.length));
        continue;
      }
      const expected = refOutputs[k]!;
      const tol: Tolerance | null = isFloatingPoint(dtype) ? tolerance[dtype]! : null;
      forEachIndex(outMetas[k]!.shape, (index, linear) => {
        const a = actual[offsetOf(view.layout, index)]!;
        const e = expected[linear]!;
        const ok = tol === null ? a === e : close(a, e, tol);
        if (!ok) {
          const bound = tol === null ? "exact" : `tolerance ${(tol.atol + tol.rtol * Math.abs(e)).toExponential(2)}`;
          mismatches.push({
            kind: "output",
            tensor,
            index: index.slice(),
            expected: e,
            actual: a,
            message: `${tensor} (${dtype} ${formatShape(outMetas[k]!.shape)}) at ${formatShape(index)}: expected ${e}, got ${a} (${bound})`,
          });
        }
      });
      for (let i = 0; i < length; i++) {
        if (inView[i] === 0 && !same(actual[i]!, initial[i]!)) {
          mismatches.push({
            kind: "outside-view",
            tensor,
            index: [i],
            expected: initial[i]!,
            actual: actual[i]!,
            message: `${tensor}: buffer element ${i} lies outside the ${outputLayout} output view but changed from ${initial[i]} to ${actual[i]}`,
          });
        }
      }
    }

    for (let i = 0; i < inputViews.length; i++) {
      const { buffer, dtype } = inputViews[i]!;
      const before = placed[i]!.data;
      const tensor = inputLabel(schema.inputs, i);
      const after = await backend.read(buffer, dtype, 0, before.length);
      if (after.length !== before.length) {
        mismatches.push(readMismatch(tensor, before.length, after.length));
        continue;
      }
      for (let j = 0; j < before.length; j++) {
        if (!same(after[j]!, before[j]!)) {
          mismatches.push({
            kind: "input-modified",
            tensor,
            index: [j],
            expected: before[j]!,
            actual: after[j]!,
            message: `${tensor}: the kernel modified its input: buffer element ${j} changed from ${before[j]} to ${after[j]}`,
          });
        }
      }
    }
    await backend.sync();
  } finally {
    for (const { buffer, dtype, length } of allocated) backend.free(buffer, dtype, length);
  }
  return mismatches;
}

function readMismatch(tensor: string, expected: number, actual: number): Mismatch {
  return {
    kind: "read",
    tensor,
    index: [],
    expected,
    actual,
    message: `${tensor}: read(buffer, dtype, 0, ${expected}) returned ${actual} elements instead of ${expected}`,
  };
}

/**
 * The first `limit` mismatches as lines of text, with a count of the rest.
 *
 * @example
 * const text = formatMismatches(await checkOpCase(backend, "add", c));
 * if (text) throw new Error(text);
 */
export function formatMismatches(mismatches: readonly Mismatch[], limit = 10): string {
  const lines = mismatches.slice(0, limit).map((m) => `  ${m.message}`);
  if (mismatches.length > limit) lines.push(`  … and ${mismatches.length - limit} more`);
  return lines.join("\n");
}
