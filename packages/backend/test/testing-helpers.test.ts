import { describe, expect, it } from "vitest";
import { OP_NAMES } from "@tessera/kernels";
import {
  createReferenceBackend,
  fixedValues,
  logicalValues,
  placeInput,
  planConformance,
  sampleIndices,
  sampleValues,
} from "../src/testing/index.js";

describe("sample values", () => {
  it("are deterministic and stay in their domain", () => {
    expect(sampleValues("float32", "any", 5)(20)).toEqual(sampleValues("float32", "any", 5)(20));
    expect(sampleValues("float32", "any", 5)(20)).not.toEqual(sampleValues("float32", "any", 6)(20));
    expect(sampleValues("float32", "positive")(200).every((v) => v > 0)).toBe(true);
    expect(sampleValues("float64", "nonzero")(200).every((v) => v !== 0)).toBe(true);
    expect(sampleValues("int32", "any")(200).every((v) => Number.isInteger(v) && Math.abs(v) <= 8)).toBe(true);
    expect(sampleValues("bool", "any")(50).every((v) => v === 0 || v === 1)).toBe(true);
    const distinct = sampleValues("float32", "distinct")(60);
    expect(new Set(distinct).size).toBe(60);
    expect(sampleIndices(4, 3)(100).every((v) => Number.isInteger(v) && v >= 0 && v < 4)).toBe(true);
    expect(fixedValues([1, 0])(5)).toEqual([1, 0, 1, 0, 1]);
  });

  it("are multiples of 1/8 (exact in float32)", () => {
    expect(sampleValues("float32", "any")(100).every((v) => Number.isInteger(v * 8))).toBe(true);
  });
});

describe("layout variants", () => {
  const values = [1, 2, 3, 4, 5, 6];

  it("keep the logical values of contiguous, transposed and sliced inputs", () => {
    for (const variant of ["contiguous", "transposed", "sliced"] as const) {
      const placed = placeInput(variant, [2, 3], "float32", values);
      expect(Array.from(logicalValues(placed, "float32")), variant).toEqual(values);
    }
  });

  it("transposed permutes a contiguous buffer of the reversed shape", () => {
    const { layout, data } = placeInput("transposed", [2, 3], "int32", values);
    expect(layout).toEqual({ shape: [2, 3], strides: [1, 2], offset: 0 });
    expect(Array.from(data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("sliced takes every other element at an offset", () => {
    const { layout, data } = placeInput("sliced", [2, 3], "float32", values);
    expect(layout).toEqual({ shape: [2, 3], strides: [12, 2], offset: 3 });
    expect(data.length).toBeGreaterThan(24);
    expect(Number.isNaN(data[0]!)).toBe(true); // garbage a kernel must not read
  });

  it("broadcast expands a size-1 dim with stride 0", () => {
    const placed = placeInput("broadcast", [2, 3], "float32", values);
    expect(placed.layout).toEqual({ shape: [2, 3], strides: [0, 1], offset: 1 });
    expect(Array.from(logicalValues(placed, "float32"))).toEqual([1, 2, 3, 1, 2, 3]);
    const kept = placeInput("broadcast", [2, 3], "float32", values, []);
    expect(kept.layout.strides).toEqual([3, 1]);
  });

  it("handle scalars and empty tensors", () => {
    for (const variant of ["contiguous", "transposed", "sliced", "broadcast"] as const) {
      expect(Array.from(logicalValues(placeInput(variant, [], "float64", [7]), "float64"))).toEqual([7]);
      expect(logicalValues(placeInput(variant, [2, 0], "float64", []), "float64").length).toBe(0);
    }
  });
});

describe("coverage", () => {
  it("every catalog op has sample cases, including zero-size ones, for some dtype", () => {
    const plans = planConformance(createReferenceBackend());
    expect(plans.map((p) => p.op)).toEqual(OP_NAMES);
    for (const plan of plans) {
      expect(plan.dtypes.length, plan.op).toBeGreaterThan(0);
      expect(plan.dtypes.some((d) => d.regular.length > 0), plan.op).toBe(true);
      expect(plan.dtypes.some((d) => d.zeroSize.length > 0), plan.op).toBe(true);
    }
  });
});
