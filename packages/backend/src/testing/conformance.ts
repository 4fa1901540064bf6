/**
 * The conformance suite as vitest blocks: every catalog op, every dtype, every input layout,
 * against the reference kernels.
 */
import { describe, it } from "vitest";
import { type DType, type TypedArray, allocTypedArray } from "@tessera/storage";
import { type OpName, OP_NAMES, getOpSchema } from "@tessera/kernels";
import type { Backend } from "../contract.js";
import { BackendError } from "../dispatch.js";
import { type CheckOptions, checkOpCase, formatMismatches } from "./check.js";
import { planOp } from "./plan.js";
import type { InputLayout, OpCase, OutputLayout, Tolerance } from "./types.js";

/**
 * Options of {@link describeConformance}.
 *
 * @example
 * const options: ConformanceOptions = {
 *   skip: { randomNormal: "Box–Muller in float32 is not bit-exact yet" },
 *   tolerance: { float32: { rtol: 1e-4, atol: 1e-5 } },
 * };
 */
export interface ConformanceOptions {
  /**
   * Ops not to test, each with the reason (printed in the skipped test's title). The goal is
   * an empty list.
   */
  readonly skip?: Partial<Record<OpName, string>>;
  /** Float tolerances per dtype (defaults: float32 rtol 1e-5 atol 1e-6; float64 1e-12 both). */
  readonly tolerance?: Partial<Record<DType, Tolerance>>;
}

/**
 * The input layouts every case runs in (zero-size cases run once, contiguous).
 *
 * @example
 * INPUT_LAYOUTS; // ["contiguous", "transposed", "sliced", "broadcast"]
 */
export const INPUT_LAYOUTS: readonly InputLayout[] = ["contiguous", "transposed", "sliced", "broadcast"];

/** The strided output views tried for ops whose schema says `stridedOutput`. */
const OUTPUT_LAYOUTS: readonly OutputLayout[] = ["sliced", "transposed"];

/**
 * Runs `cases` and throws one error describing every failing case.
 */
async function runCases(backend: Backend<any>, op: OpName, dtype: DType, cases: readonly OpCase[], what: string, options: CheckOptions): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      const mismatches = await checkOpCase(backend, op, c, options);
      if (mismatches.length > 0) {
        failures.push(`case "${c.name}": ${mismatches.length} mismatch${mismatches.length === 1 ? "" : "es"}\n${formatMismatches(mismatches, 5)}`);
      }
    } catch (error) {
      failures.push(`case "${c.name}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `backend "${backend.name}" disagrees with the reference kernel of ${op} (${dtype}, ${what}) in ${failures.length} of ${cases.length} cases:\n${failures.join("\n")}`,
    );
  }
}

/** Values that exercise a dtype's storage: negatives, fractions, extremes. */
function bufferValues(dtype: DType, length: number): TypedArray {
  const data = allocTypedArray(dtype, length);
  for (let i = 0; i < length; i++) {
    data[i] = dtype === "bool" ? (i * 7) % 3 === 0 ? 1 : 0 : dtype === "int32" ? (i % 2 === 0 ? 1 : -1) * (i * 2_654_435 + 3) : (i - 5) * 0.375;
  }
  if (dtype === "int32" && length > 1) {
    data[0] = 2_147_483_647;
    data[1] = -2_147_483_648;
  }
  return data;
}

/** Throws unless `actual` holds exactly `expected`. */
function expectSame(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const a = Array.from(actual);
  const e = Array.from(expected);
  if (a.length !== e.length || a.some((v, i) => v !== e[i] && !(Number.isNaN(v) && Number.isNaN(e[i]!)))) {
    throw new Error(`${what}: expected [${e.join(", ")}], got [${a.join(", ")}]`);
  }
}

/** The buffer round-trip tests of one dtype. */
function describeBuffers(backend: Backend<any>, dtype: DType): void {
  it(`${dtype}: upload then read (whole, from an offset, empty${backend.readSync ? ", readSync" : ""})`, async () => {
    const length = 11;
    const data = bufferValues(dtype, length);
    const buffer = backend.allocate(dtype, length);
    try {
      backend.upload(buffer, dtype, data);
      expectSame(`read(buffer, "${dtype}", 0, ${length})`, await backend.read(buffer, dtype, 0, length), data);
      expectSame(`read(buffer, "${dtype}", 3, 5)`, await backend.read(buffer, dtype, 3, 5), data.slice(3, 8));
      expectSame(`read(buffer, "${dtype}", 4, 0)`, await backend.read(buffer, dtype, 4, 0), []);
      if (backend.readSync) {
        expectSame(`readSync(buffer, "${dtype}", 2, 6)`, backend.readSync(buffer, dtype, 2, 6), data.slice(2, 8));
      }
      await backend.sync();
    } finally {
      backend.free(buffer, dtype, length);
    }
    const empty = backend.allocate(dtype, 0);
    try {
      backend.upload(empty, dtype, allocTypedArray(dtype, 0));
      expectSame(`read(empty buffer, "${dtype}", 0, 0)`, await backend.read(empty, dtype, 0, 0), []);
    } finally {
      backend.free(empty, dtype, 0);
    }
  });
}

/** "1 case", "7 cases". */
function count(n: number): string {
  return `${n} case${n === 1 ? "" : "s"}`;
}

/** The blocks of one op. */
function describeOp(backend: Backend<any>, op: OpName, tolerance: CheckOptions["tolerance"]): void {
  if (backend.kernels[op] === undefined) {
    it("is implemented", () => {
      throw new BackendError(
        `Op "${op}" is not implemented by backend "${backend.name}". Implement it, or list it in describeConformance's skip option with the reason: { skip: { ${op}: "why" } }.`,
      );
    });
    return;
  }
  const schema = getOpSchema(op);
  const plan = planOp(backend, op);
  if (!plan.hasCases) {
    it("has sample cases", () => {
      throw new Error(
        `The conformance suite has no sample cases for op "${op}" (family "${schema.family}"); add them in @tessera/backend's src/testing/cases/${schema.family}.ts.`,
      );
    });
    return;
  }
  if (plan.dtypes.length === 0) {
    it.skip(`${op} accepts none of the dtypes ${backend.name} declares (${backend.dtypes.join(", ")})`, () => {});
    return;
  }
  const layouts = schema.inputs.length > 0 ? INPUT_LAYOUTS : INPUT_LAYOUTS.slice(0, 1);
  for (const { dtype, regular, zeroSize } of plan.dtypes) {
    if (regular.length > 0) {
      for (const inputLayout of layouts) {
        const title = schema.inputs.length > 0 ? `${inputLayout} inputs` : "contiguous output";
        it(`${dtype} · ${title} (${count(regular.length)})`, async () => {
          await runCases(backend, op, dtype, regular, title, { inputLayout, tolerance });
        });
      }
      if (schema.stridedOutput) {
        for (const outputLayout of OUTPUT_LAYOUTS) {
          const title = `${outputLayout} output view`;
          it(`${dtype} · ${title} (${count(regular.length)})`, async () => {
            await runCases(backend, op, dtype, regular, title, { outputLayout, tolerance });
          });
        }
      }
    }
    if (zeroSize.length > 0) {
      it(`${dtype} · zero-size (${count(zeroSize.length)})`, async () => {
        await runCases(backend, op, dtype, zeroSize, "zero-size", { tolerance });
      });
    }
  }
}

/**
 * Registers vitest blocks that test `backend` against the catalog's reference kernels: buffer
 * round trips for each dtype it declares, then for every catalog op, every declared dtype the
 * op accepts, and every input layout (contiguous, transposed, sliced with step 2 and an
 * offset, broadcast with stride-0 dims) plus zero-size cases, it runs the backend's kernel and
 * compares every output element with the reference (exactly for int32/bool, within tolerance
 * for floats), checks that no input buffer changed, and, for ops that write strided outputs,
 * that elements of the output buffer outside the view stay untouched.
 *
 * An op the backend lacks fails unless `skip` names it with a reason; a skipped op shows up
 * as a skipped test whose title carries the reason.
 *
 * Call it at the top level of a vitest test file.
 *
 * @example
 * // my-backend.conformance.test.ts
 * import { describeConformance } from "@tessera/backend/testing";
 * import { myBackend } from "../src/index.js";
 *
 * describeConformance(myBackend, {
 *   skip: { conv2dBackwardWeight: "not written yet (issue #12)" },
 *   tolerance: { float32: { rtol: 1e-4, atol: 1e-5 } },
 * });
 */
export function describeConformance(backend: Backend<any>, options: ConformanceOptions = {}): void {
  const skip: Partial<Record<string, string>> = options.skip ?? {};
  const tolerance = options.tolerance;
  describe(`backend "${backend.name}" conformance`, () => {
    describe("buffers", () => {
      for (const dtype of backend.dtypes) describeBuffers(backend, dtype);
    });
    for (const name of Object.keys(skip)) {
      if (!(OP_NAMES as readonly string[]).includes(name)) {
        it(`skip list names a catalog op: "${name}"`, () => {
          throw new Error(`describeConformance: the skip list names "${name}", which is not a catalog op. Known ops: ${OP_NAMES.join(", ")}.`);
        });
      }
    }
    for (const op of OP_NAMES) {
      const reason = skip[op];
      if (reason !== undefined) {
        it.skip(`${op} — skipped: ${reason}`, () => {});
        continue;
      }
      describe(op, () => describeOp(backend, op, tolerance));
    }
  });
}
