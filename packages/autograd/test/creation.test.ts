/**
 * Creation functions: tensors from data, filled tensors, ranges, the identity, and random
 * tensors (reproducible under manualSeed, with the right statistics).
 */
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "@tessera/storage";
import {
  type Tensor,
  arange,
  empty,
  emptyLike,
  eye,
  full,
  fullLike,
  getRngState,
  linspace,
  manualSeed,
  memory,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  setRngState,
  tensor,
  zeros,
  zerosLike,
} from "../src/index.js";
import { values } from "./helpers.js";

/** Mean and (population) standard deviation of an array. */
function stats(xs: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / xs.length) };
}

describe("tensor(data)", () => {
  it("from nested arrays: shape, float32 by default, row-major values", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.dataSync()).toBeInstanceOf(Float32Array);
    expect(values(t)).toEqual([1, 2, 3, 4, 5, 6]);
    const deep = tensor([[[1], [2]], [[3], [4]]]);
    expect(deep.shape).toEqual([2, 2, 1]);
    expect(deep.tolistSync()).toEqual([[[1], [2]], [[3], [4]]]);
  });

  it("from a number is 0-dim", () => {
    const t = tensor(3.5);
    expect(t.shape).toEqual([]);
    expect(t.ndim).toBe(0);
    expect(t.numel()).toBe(1);
    expect(t.itemSync()).toBe(3.5);
  });

  it("from typed arrays infers the dtype and copies the data", () => {
    const f64 = new Float64Array([0.1, 0.2]);
    const a = tensor(f64);
    expect(a.dtype).toBe("float64");
    expect(Array.from(a.dataSync())).toEqual([0.1, 0.2]);
    f64[0] = 99;
    expect(values(a)).toEqual([0.1, 0.2]);
    expect(tensor(new Int32Array([1, -2])).dtype).toBe("int32");
    expect(tensor(new Float32Array([1, 2])).dtype).toBe("float32");
    const b = tensor(new Uint8Array([1, 0, 2]));
    expect(b.dtype).toBe("bool");
    expect(b.tolistSync()).toEqual([true, false, true]);
    const rows = tensor([new Float32Array([1, 2]), new Float32Array([3, 4])]);
    expect(rows.shape).toEqual([2, 2]);
    expect(values(rows)).toEqual([1, 2, 3, 4]);
  });

  it("from typed arrays with an explicit dtype converts", () => {
    expect(values(tensor(new Float32Array([1.7, -1.7, 2]), { dtype: "int32" }))).toEqual([1, -1, 2]);
    expect(tensor(new Float32Array([0, 0.5]), { dtype: "bool" }).tolistSync()).toEqual([false, true]);
    expect(tensor(new Int32Array([3]), { dtype: "float64" }).dataSync()).toBeInstanceOf(Float64Array);
  });

  it("from booleans is bool", () => {
    const t = tensor([true, false, true]);
    expect(t.dtype).toBe("bool");
    expect(t.tolistSync()).toEqual([true, false, true]);
    expect(values(t)).toEqual([1, 0, 1]);
    expect(tensor(true).tolistSync()).toBe(true);
    expect(tensor([[true], [false]]).shape).toEqual([2, 1]);
  });

  it("with an explicit dtype", () => {
    const i = tensor([1, -2, 3], { dtype: "int32" });
    expect(i.dtype).toBe("int32");
    expect(i.dataSync()).toBeInstanceOf(Int32Array);
    expect(values(i)).toEqual([1, -2, 3]);
    expect(tensor([0.1], { dtype: "float64" }).itemSync()).toBe(0.1);
    expect(tensor([0.1]).itemSync()).toBe(Math.fround(0.1));
    expect(tensor([0, 2, 0], { dtype: "bool" }).tolistSync()).toEqual([false, true, false]);
    expect(values(tensor([true, false], { dtype: "float32" }))).toEqual([1, 0]);
  });

  it("empty data", () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([]).numel()).toBe(0);
  });

  it("ragged data is an error naming the depth", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged.*depth 1/);
    expect(() => tensor([[[1], [2]], [[3]]])).toThrow(/ragged/);
    expect(() => tensor([1, [2]] as never)).toThrow(/expected a number or boolean/);
    expect(() => tensor([1.5, 2], { dtype: "int32" })).toThrow(DTypeError);
  });

  it("requiresGrad option", () => {
    const t = tensor([1, 2], { requiresGrad: true });
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
  });
});

describe("filled tensors", () => {
  it("zeros / ones / full", () => {
    const z = zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe("float32");
    expect(values(z)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(ones([3], { dtype: "int32" }))).toEqual([1, 1, 1]);
    expect(ones([3], { dtype: "int32" }).dtype).toBe("int32");
    const f = full([2, 2], 7.5, { dtype: "float64" });
    expect(f.dtype).toBe("float64");
    expect(values(f)).toEqual([7.5, 7.5, 7.5, 7.5]);
    expect(ones([2], { dtype: "bool" }).tolistSync()).toEqual([true, true]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).itemSync()).toBe(0);
    expect(zeros([0, 3]).numel()).toBe(0);
    expect(full([2], -Infinity).tolistSync()).toEqual([-Infinity, -Infinity]);
  });

  it("empty has the requested shape and dtype", () => {
    const e = empty([4, 2], { dtype: "int32" });
    expect(e.shape).toEqual([4, 2]);
    expect(e.dtype).toBe("int32");
    expect(e.dataSync().length).toBe(8);
  });

  it("*Like copy shape, dtype and device, but not requiresGrad", () => {
    const src = tensor([[1, 2, 3]], { dtype: "float64", requiresGrad: true });
    for (const t of [zerosLike(src), onesLike(src), fullLike(src, 4), emptyLike(src)]) {
      expect(t.shape).toEqual([1, 3]);
      expect(t.dtype).toBe("float64");
      expect(t.device).toBe("cpu");
      expect(t.requiresGrad).toBe(false);
    }
    expect(values(zerosLike(src))).toEqual([0, 0, 0]);
    expect(values(onesLike(src))).toEqual([1, 1, 1]);
    expect(values(fullLike(src, 4))).toEqual([4, 4, 4]);
    expect(zerosLike(src, { dtype: "int32" }).dtype).toBe("int32");
    expect(onesLike(src, { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it("requiresGrad option", () => {
    expect(zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(full([2], 1, { requiresGrad: true }).isLeaf).toBe(true);
    expect(() => zeros([2], { dtype: "int32", requiresGrad: true })).toThrow(/floating point/);
  });
});

describe("arange", () => {
  it("integer arguments give int32", () => {
    const a = arange(5);
    expect(a.dtype).toBe("int32");
    expect(values(a)).toEqual([0, 1, 2, 3, 4]);
    expect(values(arange(2, 8, 2))).toEqual([2, 4, 6]);
    expect(values(arange(2, 9, 2))).toEqual([2, 4, 6, 8]);
    expect(values(arange(-3, 1))).toEqual([-3, -2, -1, 0]);
  });

  it("float arguments give float32, end excluded", () => {
    const a = arange(0, 1, 0.25);
    expect(a.dtype).toBe("float32");
    expect(values(a)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(values(arange(0.5, 3))).toEqual([0.5, 1.5, 2.5]);
    expect(arange(0, 1, 0.1).numel()).toBe(10);
  });

  it("negative steps count down", () => {
    expect(values(arange(5, 0, -1))).toEqual([5, 4, 3, 2, 1]);
    expect(values(arange(1, -1, -0.5))).toEqual([1, 0.5, 0, -0.5]);
  });

  it("empty ranges and the dtype option", () => {
    expect(arange(0).numel()).toBe(0);
    expect(arange(3, 3).numel()).toBe(0);
    const f = arange(3, undefined, 1, { dtype: "float64" });
    expect(f.dtype).toBe("float64");
    expect(values(f)).toEqual([0, 1, 2]);
  });

  it("a step of the wrong sign is an error", () => {
    expect(() => arange(0, 5, -1)).toThrow(ShapeError);
    expect(() => arange(5, 0, 1)).toThrow(/step/);
  });
});

describe("linspace", () => {
  it("includes both endpoints exactly", () => {
    expect(values(linspace(0, 1, 5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const a = linspace(-1, 1, 7);
    const v = values(a);
    expect(v[0]).toBe(-1);
    expect(v[6]).toBe(1);
    expect(v[3]).toBe(0);
    const b = values(linspace(0, 0.1, 11, { dtype: "float64" }));
    expect(b[10]).toBe(0.1);
    expect(b[0]).toBe(0);
    b.forEach((x, i) => expect(x).toBeCloseTo(i / 100, 15));
    expect(values(linspace(0, 0.1, 11))[10]).toBe(Math.fround(0.1));
  });

  it("decreasing, one and zero steps", () => {
    expect(values(linspace(3, 1, 5))).toEqual([3, 2.5, 2, 1.5, 1]);
    expect(values(linspace(2, 5, 1))).toEqual([2]);
    expect(linspace(0, 1, 0).numel()).toBe(0);
    expect(linspace(0, 1, 4).dtype).toBe("float32");
    expect(() => linspace(0, 1, -1)).toThrow(/steps/);
  });
});

describe("eye", () => {
  it("square and rectangular identities", () => {
    expect(eye(3).tolistSync()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(eye(2, 3).tolistSync()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 2).tolistSync()).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    expect(eye(2, 2, { dtype: "int32" }).dtype).toBe("int32");
    expect(eye(0).shape).toEqual([0, 0]);
  });
});

describe("random tensors", () => {
  it("are reproducible with manualSeed", () => {
    manualSeed(42);
    const a = values(randn([5]));
    const b = values(rand([5]));
    const c = values(randint(0, 100, [5]));
    manualSeed(42);
    expect(values(randn([5]))).toEqual(a);
    expect(values(rand([5]))).toEqual(b);
    expect(values(randint(0, 100, [5]))).toEqual(c);
  });

  it("differ between seeds and between draws", () => {
    manualSeed(1);
    const a = values(randn([8]));
    const a2 = values(randn([8]));
    manualSeed(2);
    const b = values(randn([8]));
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(a2);
  });

  it("getRngState / setRngState replay a draw", () => {
    manualSeed(3);
    randn([3]);
    const state = getRngState();
    const first = values(rand([4]));
    setRngState(state);
    expect(values(rand([4]))).toEqual(first);
  });

  it("draw float32 by default, float64 on request; requiresGrad option", () => {
    expect(rand([2]).dtype).toBe("float32");
    expect(randn([2], { dtype: "float64" }).dtype).toBe("float64");
    expect(randn([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(randint(0, 3, [2]).dtype).toBe("int32");
    expect(randn([2, 3, 4]).shape).toEqual([2, 3, 4]);
    expect(rand([0]).numel()).toBe(0);
  });

  it("rand: uniform on [0, 1) with mean 1/2 and std 1/√12", () => {
    manualSeed(123);
    const v = rand([10000]).dataSync();
    const { mean, std } = stats(v);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThan(1);
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    expect(std).toBeGreaterThan(1 / Math.sqrt(12) - 0.01);
    expect(std).toBeLessThan(1 / Math.sqrt(12) + 0.01);
    // Each tenth of the interval gets about a tenth of the samples.
    const bins = new Array(10).fill(0);
    for (const x of v) bins[Math.floor(x * 10)]++;
    for (const b of bins) expect(Math.abs(b - 1000)).toBeLessThan(150);
  });

  it("randn: standard normal, mean 0 and std 1, ~68% within one std", () => {
    manualSeed(321);
    const v = randn([10000]).dataSync();
    const { mean, std } = stats(v);
    expect(Math.abs(mean)).toBeLessThan(0.04);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    let within = 0;
    for (const x of v) if (Math.abs(x) < 1) within++;
    expect(within / v.length).toBeGreaterThan(0.66);
    expect(within / v.length).toBeLessThan(0.70);
  });

  it("randint: integers in [low, high), each value about equally often", () => {
    manualSeed(9);
    const v = randint(-3, 7, [10000]).dataSync();
    const counts = new Map<number, number>();
    for (const x of v) {
      expect(Number.isInteger(x)).toBe(true);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(Math.abs(stats(v).mean - 1.5)).toBeLessThan(0.1);
    expect(() => randint(5, 5, [2])).toThrow(/low < high/);
  });
});

describe("creation allocates only its result", () => {
  it("every creation function leaves exactly one new tensor of the result's size", () => {
    const makers: [string, () => Tensor][] = [
      ["tensor", () => tensor([[1, 2], [3, 4]])],
      ["tensor from typed array", () => tensor(new Float64Array([1, 2]))],
      ["zeros", () => zeros([3, 2])],
      ["full", () => full([4], 2)],
      ["empty", () => empty([5])],
      ["zerosLike", () => zerosLike(ones([2]))],
      ["arange", () => arange(10)],
      ["linspace", () => linspace(0, 1, 6)],
      ["eye", () => eye(3, 4)],
      ["rand", () => rand([7])],
      ["randn", () => randn([7], { dtype: "float64" })],
      ["randint", () => randint(0, 5, [7])],
    ];
    for (const [name, make] of makers) {
      const before = memory();
      const t = make();
      const after = memory();
      const itemSize = t.dtype === "float64" ? 8 : t.dtype === "bool" ? 1 : 4;
      const extra = name === "zerosLike" ? 1 : 0; // the ones([2]) argument
      expect(after.tensors - before.tensors, name).toBe(1 + extra);
      expect(after.bytes - before.bytes, name).toBe(t.numel() * itemSize + extra * 8);
    }
  });
});
