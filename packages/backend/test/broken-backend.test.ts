// The suite must catch broken backends: each backend below breaks one rule of the contract,
// and checkOpCase (what describeConformance runs for every case) must report it.
import { describe, expect, it } from "vitest";
import type { TypedArray } from "@tessera/storage";
import { type ArgReduceAttrs, forEachIndex, offsetOf } from "@tessera/kernels";
import type { Backend, Kernel, KernelTable } from "../src/index.js";
import {
  type OpCase,
  checkOpCase,
  createReferenceBackend,
  formatMismatches,
  planOp,
  sampleValues,
} from "../src/testing/index.js";

/** The reference backend with some kernels replaced. */
function withKernels(name: string, kernels: Partial<Record<string, Kernel<TypedArray, any>>>): Backend<TypedArray> {
  const base = createReferenceBackend(name);
  return { ...base, kernels: { ...base.kernels, ...kernels } as KernelTable<TypedArray> };
}

const addCase: OpCase = {
  name: "[3, 4] + [4]",
  inputs: [
    { shape: [3, 4], dtype: "float32", values: sampleValues("float32", "any", 1) },
    { shape: [4], dtype: "float32", values: sampleValues("float32", "any", 2) },
  ],
  attrs: {},
};

const negCase: OpCase = {
  name: "[3, 5]",
  inputs: [{ shape: [3, 5], dtype: "float32", values: sampleValues("float32", "any", 3) }],
  attrs: {},
};

/** neg that ignores the input layout: it reads the buffer as if it were contiguous. */
const negIgnoringStrides: Kernel<TypedArray> = ([x], [out]) => {
  forEachIndex(out!.layout.shape, (index, linear) => {
    out!.buffer[offsetOf(out!.layout, index)] = -x!.buffer[linear]!;
  });
};

describe("checkOpCase catches broken backends", () => {
  it("agrees with the reference backend (no mismatches)", async () => {
    expect(await checkOpCase(createReferenceBackend(), "add", addCase)).toEqual([]);
    expect(await checkOpCase(createReferenceBackend(), "add", addCase, { outputLayout: "sliced", inputLayout: "broadcast" })).toEqual([]);
  });

  it("reports wrong values (an add that is off by one)", async () => {
    const offByOne = withKernels("off-by-one", {
      add: ([a, b], [out]) => {
        const ref = createReferenceBackend().kernels.add!;
        ref([a!, b!], [out!], {});
        forEachIndex(out!.layout.shape, (index) => {
          out!.buffer[offsetOf(out!.layout, index)]! += 1;
        });
      },
    });
    const mismatches = await checkOpCase(offByOne, "add", addCase);
    expect(mismatches).toHaveLength(12);
    expect(mismatches.every((m) => m.kind === "output" && m.actual === m.expected + 1)).toBe(true);
    expect(mismatches[0]!.message).toMatch(/^output 0 \(float32 \[3, 4\]\) at \[0, 0\]: expected -?[\d.]+, got -?[\d.]+ \(tolerance /);
    expect(formatMismatches(mismatches, 3)).toContain("… and 9 more");
  });

  it("reports a kernel that ignores input strides, in every non-contiguous layout", async () => {
    const broken = withKernels("no-strides", { neg: negIgnoringStrides });
    expect(await checkOpCase(broken, "neg", negCase)).toEqual([]);
    for (const inputLayout of ["transposed", "sliced", "broadcast"] as const) {
      const mismatches = await checkOpCase(broken, "neg", negCase, { inputLayout });
      expect(mismatches.length, inputLayout).toBeGreaterThan(0);
      expect(mismatches.every((m) => m.kind === "output")).toBe(true);
    }
  });

  it("reports a kernel that writes a strided output view as if it were contiguous", async () => {
    const broken = withKernels("contiguous-out", {
      neg: ([x], [out]) => {
        forEachIndex(x!.layout.shape, (index, linear) => {
          out!.buffer[linear] = -x!.buffer[offsetOf(x!.layout, index)]!;
        });
      },
    });
    expect(await checkOpCase(broken, "neg", negCase)).toEqual([]);
    const mismatches = await checkOpCase(broken, "neg", negCase, { outputLayout: "sliced" });
    expect(mismatches.some((m) => m.kind === "outside-view")).toBe(true);
    expect(mismatches.some((m) => m.kind === "output")).toBe(true);
    expect(mismatches.find((m) => m.kind === "outside-view")!.message).toMatch(/lies outside the sliced output view but changed/);
  });

  it("reports elements the kernel never writes", async () => {
    const lazy = withKernels("lazy", {
      neg: ([x], [out]) => {
        forEachIndex(x!.layout.shape, (index, linear) => {
          if (linear % 2 === 0) out!.buffer[offsetOf(out!.layout, index)] = -x!.buffer[offsetOf(x!.layout, index)]!;
        });
      },
    });
    const mismatches = await checkOpCase(lazy, "neg", negCase);
    expect(mismatches).toHaveLength(7);
    expect(mismatches.every((m) => Number.isNaN(m.actual))).toBe(true);
  });

  it("reports unwritten int32 and bool elements too", async () => {
    const noop = withKernels("noop", { eq: () => {}, add: () => {} });
    const ints: OpCase = {
      name: "int32 [5]",
      inputs: [
        { shape: [5], dtype: "int32", values: sampleValues("int32", "coarse", 1) },
        { shape: [5], dtype: "int32", values: sampleValues("int32", "coarse", 2) },
      ],
      attrs: {},
    };
    expect(await checkOpCase(noop, "add", ints)).toHaveLength(5);
    expect(await checkOpCase(noop, "eq", ints)).toHaveLength(5);
  });

  it("reports a kernel that modifies its input", async () => {
    const clobber = withKernels("clobber", {
      neg: ([x], [out]) => {
        createReferenceBackend().kernels.neg!([x!], [out!], {});
        x!.buffer[x!.layout.offset] = 99;
      },
    });
    const mismatches = await checkOpCase(clobber, "neg", negCase);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]!.kind).toBe("input-modified");
    expect(mismatches[0]!.message).toMatch(/^input "input": the kernel modified its input: buffer element 0 changed from .* to 99$/);
  });

  it("reports a wrong argmax index exactly (int32, no tolerance)", async () => {
    const lastWins = withKernels("last-wins", {
      argmax: ([x], [out], attrs) => {
        createReferenceBackend().kernels.argmax!([x!], [out!], attrs as ArgReduceAttrs);
        out!.buffer[0] = 1 - out!.buffer[0]!;
      },
    });
    const argCase: OpCase = {
      name: "[4, 6] dim 1",
      inputs: [{ shape: [4, 6], dtype: "float32", values: sampleValues("float32", "distinct", 1) }],
      attrs: { dim: 1, keepdim: false },
    };
    const mismatches = await checkOpCase(lastWins, "argmax", argCase);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]!.message).toContain("(exact)");
  });

  it("tolerates float error within the tolerance, and not beyond", async () => {
    const noisy = withKernels("noisy", {
      exp: ([x], [out]) => {
        forEachIndex(x!.layout.shape, (index) => {
          out!.buffer[offsetOf(out!.layout, index)] = Math.exp(x!.buffer[offsetOf(x!.layout, index)]!) * (1 + 1e-9);
        });
      },
    });
    const expCase: OpCase = { name: "[6] float64", inputs: [{ shape: [6], dtype: "float64", values: sampleValues("float64", "any", 4) }], attrs: {} };
    expect((await checkOpCase(noisy, "exp", expCase)).length).toBeGreaterThan(0);
    expect(await checkOpCase(noisy, "exp", expCase, { tolerance: { float64: { rtol: 1e-8, atol: 0 } } })).toEqual([]);
  });

  it("reports a read that returns the wrong number of elements", async () => {
    const base = createReferenceBackend("short-read");
    const shortRead: Backend<TypedArray> = { ...base, read: async (buffer, _dtype, start, length) => buffer.slice(start, start + Math.max(0, length - 1)) };
    const mismatches = await checkOpCase(shortRead, "neg", negCase);
    expect(mismatches.map((m) => m.kind)).toEqual(["read", "read"]);
  });

  it("names the op and case when the kernel throws", async () => {
    const throwing = withKernels("throwing", {
      add: () => {
        throw new Error("boom");
      },
    });
    await expect(checkOpCase(throwing, "add", addCase)).rejects.toThrow(
      /^add case "\[3, 4\] \+ \[4\]": backend "throwing" kernel threw \(inputs contiguous, outputs contiguous\): boom$/,
    );
  });

  it("refuses a strided output for ops that only write contiguous outputs", async () => {
    const c: OpCase = { name: "[2, 3]", inputs: [{ shape: [2, 3], dtype: "float32", values: sampleValues("float32") }], attrs: { dims: [1], keepdim: false } };
    await expect(checkOpCase(createReferenceBackend(), "sum", c, { outputLayout: "sliced" })).rejects.toThrow(/stridedOutput is false/);
  });
});

describe("planOp", () => {
  it("keeps only the dtypes the backend declares and the op accepts", () => {
    const gpuLike: Backend<TypedArray> = { ...createReferenceBackend("gpu-like"), dtypes: ["float32", "int32", "bool"] };
    expect(planOp(gpuLike, "matmul").dtypes.map((d) => d.dtype)).toEqual(["float32", "int32"]);
    expect(planOp(gpuLike, "log").rejected).toEqual(["int32", "bool"]);
    // cast only targets dtypes the backend has
    const cast = planOp(gpuLike, "cast").dtypes[0]!;
    expect(cast.regular.every((c) => (c.attrs as { dtype: string }).dtype !== "float64")).toBe(true);
  });

  it("separates zero-size cases", () => {
    const plan = planOp(createReferenceBackend(), "matmul").dtypes[0]!;
    expect(plan.zeroSize.map((c) => c.name)).toEqual(["[0, 3] @ [3, 4]", "[2, 0] @ [0, 3]", "[0, 2, 3] @ [3, 2]"]);
  });
});
