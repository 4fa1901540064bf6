import { describe, expect, test } from "vitest";
import { DTypeError, ShapeError, TesseraError, slice, transpose } from "@tessera/storage";
import { type AdamStepAttrs, adamStepScalars, getOpSchema } from "../src/index.js";
import { f32, f64, i32, infer, run, values, view } from "./strided-helpers.js";

const BASE: AdamStepAttrs = {
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupled: false,
  amsgrad: false,
  maximize: false,
  step: 1,
};

describe("adamStep reference", () => {
  test("first step from zero moments moves each parameter by about lr against its gradient", () => {
    // m = 0.1 g, v = 0.001 g², denom = |g| + eps, p += (0.1 g · -(lr / 0.1)) / denom.
    const [p, m, v] = run("adamStep", [f64([1, -2, 3]), f64([0.5, -4, 0]), f64([0, 0, 0]), f64([0, 0, 0])], BASE);
    expect(m!.values).toEqual([0.5 * (1 - 0.9), -4 * (1 - 0.9), 0]);
    expect(v!.values).toEqual([(0.5 * (1 - 0.999)) * 0.5, (-4 * (1 - 0.999)) * -4, 0]);
    const expected = [0.5, -4, 0].map((g, i) => {
      const denom = Math.sqrt((g * (1 - 0.999)) * g) / Math.sqrt(1 - 0.999) + 1e-8;
      return [1, -2, 3][i]! + (g * (1 - 0.9) * -(0.01 / (1 - 0.9))) / denom;
    });
    expect(p!.values).toEqual(expected);
    expect(p!.values[0]).toBeCloseTo(0.99, 6);
    expect(p!.values[1]).toBeCloseTo(-1.99, 6);
    expect(p!.values[2]).toBe(3);
  });

  test("weight decay: L2 into the gradient (Adam) or a shrink of the parameter (AdamW)", () => {
    const inputs = () => [f64([2]), f64([0]), f64([0]), f64([0])];
    // Adam: g = 0 + 2 · 0.5 = 1 → p ≈ 2 - lr.
    const [adam] = run("adamStep", inputs(), { ...BASE, weightDecay: 0.5 });
    expect(adam!.values[0]).toBeCloseTo(2 - 0.01, 7);
    // AdamW: p = 2 · (1 - 0.01 · 0.5) = 1.99, and a zero gradient leaves it there.
    const [adamw, m] = run("adamStep", inputs(), { ...BASE, weightDecay: 0.5, decoupled: true });
    expect(adamw!.values).toEqual([2 * (1 - 0.01 * 0.5)]);
    expect(m!.values).toEqual([0]);
  });

  test("maximize negates the gradient; amsgrad keeps the running maximum and divides by it", () => {
    const [up] = run("adamStep", [f64([0]), f64([1]), f64([0]), f64([0])], { ...BASE, maximize: true });
    expect(up!.values[0]).toBeCloseTo(0.01, 7);
    const attrs = { ...BASE, amsgrad: true, step: 2 };
    const out = run("adamStep", [f64([0, 0]), f64([1, 1]), f64([0, 0]), f64([0.5, 0]), f64([1, 0.25])], attrs);
    expect(out).toHaveLength(4);
    const v = out[2]!.values;
    expect(v).toEqual([0.5 * 0.999 + (1 - 0.999), 1 - 0.999]);
    expect(out[3]!.values).toEqual([1, 0.25]); // max(old maximum, new v)
    const s = adamStepScalars(attrs, "float64");
    const m = 1 - 0.9;
    expect(out[0]!.values).toEqual([1, 0.25].map((vm) => (m * s.negStepSize) / (Math.sqrt(vm) / s.biasCorrection2Sqrt + 1e-8)));
  });

  test("float32 rounds every intermediate and scalar to float32", () => {
    const attrs = { ...BASE, weightDecay: 0.1, step: 3 };
    const [p] = run("adamStep", [f32([0.3]), f32([0.7]), f32([0.2]), f32([0.05])], attrs);
    const r = Math.fround;
    const s = adamStepScalars(attrs, "float32");
    expect(s.beta1).toBe(r(0.9));
    const g = r(r(0.7) + r(r(0.3) * r(0.1)));
    const m = r(r(r(0.2) * r(0.9)) + r(g * r(1 - 0.9)));
    const v = r(r(r(0.05) * r(0.999)) + r(r(g * r(1 - 0.999)) * g));
    const denom = r(r(r(Math.sqrt(v)) / r(Math.sqrt(1 - 0.999 ** 3))) + r(1e-8));
    const update = r(r(m * r(-(0.01 / (1 - 0.9 ** 3)))) / denom);
    expect(p!.values).toEqual([r(r(0.3) + update)]);
  });

  test("reads strided inputs and writes strided output views", () => {
    const base = f64([1, 2, 3, 4, 5, 6], [2, 3]);
    const t = view(base, (l) => transpose(l, 0, 1)); // [3, 2]
    const grad = view(f64([9, 0.5, 9, -1, 9, 2, 9, 3, 9, 4, 9, 5, 9]), (l) => slice(l, 0, 1, 13, 2)); // 6 values, step 2
    const g = { ...grad, layout: { shape: [3, 2], strides: [4, 2], offset: 1 } };
    const zeros = () => f64([0, 0, 0, 0, 0, 0], [3, 2]);
    const [strided] = run("adamStep", [t, g, zeros(), zeros()], BASE);
    const [dense] = run("adamStep", [f64(values(t), [3, 2]), f64(values(g), [3, 2]), zeros(), zeros()], BASE);
    expect(strided!.values).toEqual(dense!.values);
  });

  test("runs in place: outputs that are the inputs' own views", () => {
    const p = f64([1, 2]);
    const m = f64([0, 0]);
    const v = f64([0, 0]);
    const [expected] = run("adamStep", [f64([1, 2]), f64([1, -1]), f64([0, 0]), f64([0, 0])], BASE);
    getOpSchema("adamStep").reference([p, f64([1, -1]), m, v], [p, m, v], BASE);
    expect(values(p)).toEqual(expected!.values);
    expect(values(m)).toEqual([1 - 0.9, -(1 - 0.9)]);
  });

  test("infer names the op, the shapes or dtypes, and the fix", () => {
    const m = (shape: number[], dtype: "float32" | "float64" | "int32" = "float32") => ({ shape, dtype });
    expect(infer("adamStep", [m([2, 3]), m([2, 3]), m([2, 3]), m([2, 3])], BASE)).toEqual([m([2, 3]), m([2, 3]), m([2, 3])]);
    expect(() => infer("adamStep", [m([2, 3]), m([3, 2]), m([2, 3]), m([2, 3])], BASE)).toThrow(ShapeError);
    expect(() => infer("adamStep", [m([2, 3]), m([3, 2]), m([2, 3]), m([2, 3])], BASE)).toThrow(
      "adamStep: grad has shape [3, 2] but param has shape [2, 3]",
    );
    expect(() => infer("adamStep", [m([2]), m([2]), m([2], "float64"), m([2])], BASE)).toThrow(DTypeError);
    expect(() => infer("adamStep", [m([2]), m([2]), m([2], "float64"), m([2])], BASE)).toThrow(/expAvg has dtype float64 but param has dtype float32.*expAvg\.to\("float32"\)/);
    expect(() => infer("adamStep", [m([2], "int32"), m([2], "int32"), m([2], "int32"), m([2], "int32")], BASE)).toThrow(DTypeError);
    expect(() => infer("adamStep", [m([2]), m([2]), m([2]), m([2])], { ...BASE, amsgrad: true })).toThrow(/expected 5 inputs.*Pass maxExpAvgSq/);
    expect(() => infer("adamStep", [m([2]), m([2]), m([2]), m([2]), m([2])], BASE)).toThrow(/expected 4 inputs/);
    expect(() => infer("adamStep", [m([2]), m([2]), m([2]), m([2])], { ...BASE, step: 0 })).toThrow(TesseraError);
    expect(() => infer("adamStep", [m([2]), m([2]), m([2]), m([2])], { ...BASE, beta2: 1 })).toThrow(/beta2 must be in \[0, 1\)/);
    expect(() => infer("adamStep", [m([2]), m([2]), m([2]), m([2])], { ...BASE, lr: NaN })).toThrow(/lr must be a finite number/);
    expect(() => run("adamStep", [i32([1]), i32([1]), i32([1]), i32([1])], BASE)).toThrow(DTypeError);
  });
});
