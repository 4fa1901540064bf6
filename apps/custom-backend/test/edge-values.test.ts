// Special values against the reference kernels. The shared suite's samples are small, exact
// numbers (so summation order cannot fail a backend) and contain no NaN, ±Infinity, -0 or
// int32 overflow; a kernel can pass it and still mishandle those. checkOpCase, the suite's
// building block, runs any case you write, in any layout, against the same oracle.
import { describe, expect, it } from "vitest";
import type { DType } from "@tessera/storage";
import type { OpName } from "@tessera/kernels";
import { type CaseInput, INPUT_LAYOUTS, type OpCase, checkOpCase, fixedValues, formatMismatches } from "@tessera/backend/testing";
import { createTinyBackend } from "../src/backend.js";
import { copyKernel } from "../src/kernels/elementwise.js";

const tiny = createTinyBackend();
const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

/** An input of `shape` and `dtype` holding `values` in row-major order. */
function input(shape: readonly number[], dtype: DType, values: readonly number[]): CaseInput {
  return { shape, dtype, values: fixedValues(values) };
}

/** Runs `testCase` of `op` in every input layout and fails with the mismatches, if any. */
async function expectAgrees(op: OpName, testCase: OpCase): Promise<void> {
  for (const inputLayout of INPUT_LAYOUTS) {
    const mismatches = await checkOpCase(tiny, op, testCase, { inputLayout });
    expect(formatMismatches(mismatches), `${op} "${testCase.name}", ${inputLayout} inputs`).toBe("");
  }
}

const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, -1.5, 2.5, 1e-30];

describe("special float values agree with the reference", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const op of ["neg", "exp", "log", "sqrt", "relu"] as const) {
      it(`${op} (${dtype}) of NaN, ±Infinity, ±0, negatives`, async () => {
        await expectAgrees(op, { name: "special", inputs: [input([2, 4], dtype, SPECIAL)], attrs: {} });
      });
    }
    for (const op of ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"] as const) {
      it(`${op} (${dtype}) with NaN, ±Infinity and zeros on either side`, async () => {
        const a = input([2, 4], dtype, SPECIAL);
        const b = input([2, 4], dtype, [1, Number.NaN, Number.POSITIVE_INFINITY, 0, -0, Number.NEGATIVE_INFINITY, 0, Number.NaN]);
        await expectAgrees(op, { name: "special", inputs: [a, b], attrs: {} });
      });
    }
    for (const op of ["sum", "max", "min"] as const) {
      it(`${op} (${dtype}) propagates NaN and infinities`, async () => {
        const x = input([2, 4], dtype, [1, Number.NaN, 3, -2, Number.POSITIVE_INFINITY, 5, Number.NEGATIVE_INFINITY, -0]);
        await expectAgrees(op, { name: "dims [1]", inputs: [x], attrs: { dims: [1], keepdim: false } });
        await expectAgrees(op, { name: "dims [0, 1]", inputs: [x], attrs: { dims: [0, 1], keepdim: true } });
      });
    }
  }

  it("matmul: 0 × Infinity is NaN and NaN spreads along its row and column only", async () => {
    const a = input([2, 2], "float32", [0, 1, 2, Number.NaN]);
    const b = input([2, 2], "float32", [Number.POSITIVE_INFINITY, 1, 3, 4]);
    await expectAgrees("matmul", { name: "special", inputs: [a, b], attrs: {} });
  });

  it("where picks NaN and infinities through unchanged", async () => {
    const c = input([2, 3], "bool", [1, 0, 1, 0, 1, 0]);
    const a = input([2, 3], "float32", [Number.NaN, 1, Number.POSITIVE_INFINITY, 2, -0, 3]);
    const b = input([2, 3], "float32", [4, Number.NaN, 5, Number.NEGATIVE_INFINITY, 6, -0]);
    await expectAgrees("where", { name: "special", inputs: [c, a, b], attrs: {} });
  });
});

describe("int32 arithmetic wraps modulo 2³² as the reference does", () => {
  // Products past 2⁵³ (INT32_MAX², 123456789 · 987654321) lose low bits in float64, so a
  // kernel that multiplies int32 as plain numbers gets them wrong; Math.imul does not.
  const big = [INT32_MAX, INT32_MIN, 65_536, 123_456_789, -65_536, INT32_MAX];
  const other = [1, -1, 65_536, 987_654_321, 65_537, INT32_MAX];
  for (const op of ["add", "sub", "mul", "neg"] as const) {
    it(op, async () => {
      const inputs = op === "neg" ? [input([2, 3], "int32", big)] : [input([2, 3], "int32", big), input([2, 3], "int32", other)];
      await expectAgrees(op, { name: "overflow", inputs, attrs: {} });
    });
  }

  it("sum", async () => {
    const x = input([2, 3], "int32", [INT32_MAX, 1, INT32_MAX, INT32_MIN, -1, INT32_MIN]);
    await expectAgrees("sum", { name: "overflow", inputs: [x], attrs: { dims: [1], keepdim: false } });
    await expectAgrees("sum", { name: "overflow, all dims", inputs: [x], attrs: { dims: [0, 1], keepdim: false } });
  });

  it("matmul", async () => {
    const a = input([2, 2], "int32", [65_536, 65_536, INT32_MAX, 123_456_789]);
    const b = input([2, 2], "int32", [65_536, INT32_MAX, 987_654_321, INT32_MAX]);
    await expectAgrees("matmul", { name: "overflow", inputs: [a, b], attrs: {} });
  });
});

describe("conversions follow the catalog's rules", () => {
  const floats = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2.7, 2.7, 3e9, -3e9, 0.5, -0, 1e-30];
  for (const dtype of ["int32", "bool", "float64"] as const) {
    it(`cast float32 → ${dtype}: truncation, wrapping, NaN and nonzero-is-true`, async () => {
      await expectAgrees("cast", { name: "special", inputs: [input([2, 5], "float32", floats)], attrs: { dtype } });
    });
  }

  it("cast int32 → bool and bool → float32", async () => {
    await expectAgrees("cast", { name: "int32", inputs: [input([4], "int32", [0, -1, 2, INT32_MIN])], attrs: { dtype: "bool" } });
    await expectAgrees("cast", { name: "bool", inputs: [input([4], "bool", [0, 1, 1, 0])], attrs: { dtype: "float32" } });
  });

  for (const [dtype, value] of [["bool", 0.5], ["int32", -2.7], ["int32", Number.NaN], ["float32", 1 / 3]] as const) {
    it(`fill ${dtype} with ${value}`, async () => {
      const mismatches = await checkOpCase(tiny, "fill", { name: `${value}`, inputs: [], attrs: { shape: [2, 3], dtype, value } });
      expect(formatMismatches(mismatches)).toBe("");
    });
  }
});

describe("copy", () => {
  it("reads all of its input before writing when input and output share a buffer", () => {
    // x = [[1, 2], [3, 4]]; writing x.t() over x must give [[1, 3], [2, 4]], not [[1, 2], [2, 4]].
    const buffer = new Float32Array([1, 2, 3, 4]);
    copyKernel(
      [{ buffer, dtype: "float32", layout: { shape: [2, 2], strides: [1, 2], offset: 0 } }],
      [{ buffer, dtype: "float32", layout: { shape: [2, 2], strides: [2, 1], offset: 0 } }],
    );
    expect(Array.from(buffer)).toEqual([1, 3, 2, 4]);
  });
});
