import { describe, expect, it } from "vitest";
import {
  DTypeError,
  ShapeError,
  contiguousLayout,
  numel,
  permute,
  slice,
} from "@tessera/storage";
import { convOps } from "../src/ops/conv.js";
import { channelsLast, dot, random, range, run, tensor, withLayout } from "./nchw-helpers.js";
import type { Conv2dAttrs } from "../src/attrs.js";
import type { StridedArray } from "../src/types.js";

const { conv2d, conv2dBackwardInput, conv2dBackwardWeight } = convOps;

// ---- helpers -------------------------------------------------------------------------------

/** The same values as every other row of a taller storage, starting at row 1 (stride and offset). */
function everyOtherRow(shape: number[], values: ArrayLike<number>): StridedArray {
  const [n, c, h, w] = shape as [number, number, number, number];
  return withLayout(slice(contiguousLayout([n, c, 2 * h + 1, w]), 2, 1, undefined, 2), values);
}

function attrs(partial: Partial<Conv2dAttrs> = {}): Conv2dAttrs {
  return { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, ...partial };
}

// ---- conv2d forward ------------------------------------------------------------------------

describe("conv2d: hand-computed values", () => {
  it("1x1x4x4 input, 1x1x2x2 weight, stride 2", () => {
    // x[h][w] = 4h + w; each output = x00 + 2 x01 + 3 x10 + 4 x11 = 10 v + 34 for block corner v.
    const [out] = run(conv2d, [tensor([1, 1, 4, 4], range(16)), tensor([1, 1, 2, 2], [1, 2, 3, 4])], attrs({ stride: [2, 2] }));
    expect(out!.shape).toEqual([1, 1, 2, 2]);
    expect(out!.dtype).toBe("float64");
    expect(out!.values).toEqual([34, 54, 114, 134]);
  });

  it("stride that does not divide the input: the last row and column are never read", () => {
    const [out] = run(conv2d, [tensor([1, 1, 5, 5], range(25)), tensor([1, 1, 2, 2], [1, 1, 1, 1])], attrs({ stride: [2, 2] }));
    expect(out!.shape).toEqual([1, 1, 2, 2]);
    expect(out!.values).toEqual([0 + 1 + 5 + 6, 2 + 3 + 7 + 8, 10 + 11 + 15 + 16, 12 + 13 + 17 + 18]);
  });

  it("padding 1 with a 3x3 kernel keeps the size; padded taps add zero", () => {
    const x = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const w = tensor([1, 1, 3, 3], range(9, 1));
    const [out] = run(conv2d, [x, w], attrs({ padding: [1, 1] }));
    expect(out!.shape).toEqual([1, 1, 2, 2]);
    // (0,0): 1*5 + 2*6 + 3*8 + 4*9; (0,1): 1*4 + 2*5 + 3*7 + 4*8; (1,0): 1*2 + 2*3 + 3*5 + 4*6; (1,1): 1*1 + 2*2 + 3*4 + 4*5
    expect(out!.values).toEqual([77, 67, 47, 37]);
  });

  it("asymmetric padding and stride per dim", () => {
    // x 1x1x3x3 = 1..9, weight 1x1x1x1 = [2], padding (1, 0), stride (2, 2):
    // Ho = floor((3 + 2 - 1) / 2) + 1 = 3 over padded rows -1, 1, 3 → row -1 and 3 are padding.
    const [out] = run(conv2d, [tensor([1, 1, 3, 3], range(9, 1)), tensor([1, 1, 1, 1], [2])], attrs({ stride: [2, 2], padding: [1, 0] }));
    expect(out!.shape).toEqual([1, 1, 3, 2]);
    expect(out!.values).toEqual([0, 0, 8, 12, 0, 0]);
  });

  it("dilation 2: a 2x2 kernel reads taps two apart", () => {
    // out[oh][ow] = x[oh][ow] + 2 x[oh][ow+2] + 3 x[oh+2][ow] + 4 x[oh+2][ow+2] = 10 v + 82, v = 5 oh + ow
    const [out] = run(conv2d, [tensor([1, 1, 5, 5], range(25)), tensor([1, 1, 2, 2], [1, 2, 3, 4])], attrs({ dilation: [2, 2] }));
    expect(out!.shape).toEqual([1, 1, 3, 3]);
    expect(out!.values).toEqual([82, 92, 102, 132, 142, 152, 182, 192, 202]);
  });

  it("groups=2: each output channel sees only its group's input channels", () => {
    const x = tensor([1, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40]);
    const w = tensor([4, 1, 1, 1], [1, 2, 3, 4]);
    const [out] = run(conv2d, [x, w], attrs({ groups: 2 }));
    expect(out!.shape).toEqual([1, 4, 2, 2]);
    expect(out!.values).toEqual([1, 2, 3, 4, 2, 4, 6, 8, 30, 60, 90, 120, 40, 80, 120, 160]);
  });

  it("groups=2 with two input channels per group", () => {
    const x = tensor([1, 4, 1, 1], [1, 2, 3, 4]);
    const w = tensor([2, 2, 1, 1], [1, 10, 100, 1000]);
    const [out] = run(conv2d, [x, w], attrs({ groups: 2 }));
    expect(out!.values).toEqual([1 * 1 + 10 * 2, 100 * 3 + 1000 * 4]);
  });

  it("sums over input channels and keeps batch entries apart", () => {
    // N=2, C=2, 1x1 spatial, weight [3, 2, 1, 1]: out[n][o] = w[o][0] x[n][0] + w[o][1] x[n][1]
    const x = tensor([2, 2, 1, 1], [1, 2, 3, 4]);
    const w = tensor([3, 2, 1, 1], [1, 0, 0, 1, 1, -1]);
    const [out] = run(conv2d, [x, w], attrs());
    expect(out!.shape).toEqual([2, 3, 1, 1]);
    expect(out!.values).toEqual([1, 2, -1, 3, 4, -1]);
  });

  it("float32 in, float32 out (rounded once from a float64 sum)", () => {
    const x = tensor([1, 1, 1, 3], [1e8, 1, -1e8], "float32");
    const w = tensor([1, 1, 1, 3], [1, 1, 1], "float32");
    const [out] = run(conv2d, [x, w], attrs());
    expect(out!.dtype).toBe("float32");
    // Accumulated in float64, 1e8 + 1 - 1e8 is exactly 1 (in float32 it would be 0).
    expect(out!.values).toEqual([1]);
  });
});

describe("conv2d: layouts and empty tensors", () => {
  const shape = [2, 4, 5, 6];
  const xs = random(numel(shape), 1);
  const w = tensor([6, 2, 3, 2], random(6 * 2 * 3 * 2, 2));
  const a = attrs({ stride: [2, 1], padding: [1, 1], dilation: [1, 2], groups: 2 });
  const expected = run(conv2d, [tensor(shape, xs), w], a)[0]!;

  it("a channels-last (permuted) input gives the same result as a contiguous one", () => {
    expect(run(conv2d, [channelsLast(shape, xs), w], a)[0]).toEqual(expected);
  });

  it("a sliced input (step and offset) gives the same result as a contiguous one", () => {
    expect(run(conv2d, [everyOtherRow(shape, xs), w], a)[0]).toEqual(expected);
  });

  it("a transposed weight gives the same result as a contiguous one", () => {
    // weight [6, 2, 3, 2] stored as [6, 2, 2, 3] and viewed through transpose of the last two dims
    const wt = withLayout(permute(contiguousLayout([6, 2, 2, 3]), [0, 1, 3, 2]), w.data);
    expect(run(conv2d, [tensor(shape, xs), wt], a)[0]).toEqual(expected);
  });

  it("zero batch: N=0 gives an empty [0, O, Ho, Wo] output", () => {
    const [out] = run(conv2d, [tensor([0, 3, 5, 5], []), tensor([4, 3, 3, 3], random(108, 3))], attrs());
    expect(out!.shape).toEqual([0, 4, 3, 3]);
    expect(out!.values).toEqual([]);
  });

  it("zero output channels", () => {
    const [out] = run(conv2d, [tensor([1, 3, 5, 5], random(75, 4)), tensor([0, 3, 3, 3], [])], attrs());
    expect(out!.shape).toEqual([1, 0, 3, 3]);
  });
});

describe("conv2d: errors", () => {
  const f32 = (shape: number[]) => ({ shape, dtype: "float32" as const });

  it("channel mismatch uses PyTorch's wording", () => {
    const call = () => conv2d.infer([f32([1, 4, 5, 5]), f32([8, 3, 3, 3])], attrs());
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(
      "Given groups=1, weight of size [8, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, but got 4 channels instead",
    );
  });

  it("channel mismatch with groups counts C / groups per weight", () => {
    expect(() => conv2d.infer([f32([1, 4, 5, 5]), f32([8, 4, 3, 3])], attrs({ groups: 2 }))).toThrow(
      "Given groups=2, weight of size [8, 4, 3, 3], expected input[1, 4, 5, 5] to have 8 channels, but got 4 channels instead",
    );
  });

  it("output channels not divisible by groups", () => {
    expect(() => conv2d.infer([f32([1, 4, 5, 5]), f32([3, 2, 3, 3])], attrs({ groups: 2 }))).toThrow(
      "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size [3, 2, 3, 3] instead",
    );
  });

  it("input smaller than the kernel", () => {
    const call = () => conv2d.infer([f32([1, 3, 2, 2]), f32([8, 3, 3, 3])], attrs());
    expect(call).toThrow(ShapeError);
    expect(call).toThrow("Calculated output size: (0 x 0). Output size is too small");
    expect(call).toThrow("Kernel size: (3 x 3)");
  });

  it("dilation can make the kernel too big; padding can make it fit", () => {
    expect(() => conv2d.infer([f32([1, 1, 4, 4]), f32([1, 1, 3, 3])], attrs({ dilation: [2, 2] }))).toThrow(
      "Kernel size: (5 x 5)",
    );
    expect(conv2d.infer([f32([1, 1, 4, 4]), f32([1, 1, 3, 3])], attrs({ dilation: [2, 2], padding: [1, 1] }))[0]!.shape).toEqual([
      1, 1, 2, 2,
    ]);
  });

  it("wrong ranks", () => {
    expect(() => conv2d.infer([f32([3, 5, 5]), f32([8, 3, 3, 3])], attrs())).toThrow(/conv2d: expected a 4D input.*\[3, 5, 5\]/);
    expect(() => conv2d.infer([f32([1, 3, 5, 5]), f32([8, 3, 3])], attrs())).toThrow(/conv2d: expected a 4D weight/);
  });

  it("bad stride, padding, dilation and groups", () => {
    const ok = [f32([1, 1, 5, 5]), f32([1, 1, 3, 3])];
    expect(() => conv2d.infer(ok, attrs({ stride: [0, 1] }))).toThrow("non-positive stride is not supported");
    expect(() => conv2d.infer(ok, attrs({ padding: [-1, 0] }))).toThrow("negative padding is not supported");
    expect(() => conv2d.infer(ok, attrs({ dilation: [1, 0] }))).toThrow("dilation should be greater than zero");
    expect(() => conv2d.infer(ok, attrs({ groups: 0 }))).toThrow("non-positive groups is not supported");
  });

  it("dtypes: float only, and one dtype", () => {
    expect(() => conv2d.infer([{ shape: [1, 1, 3, 3], dtype: "int32" }, { shape: [1, 1, 3, 3], dtype: "int32" }], attrs())).toThrow(
      DTypeError,
    );
    const mixed = () => conv2d.infer([{ shape: [1, 1, 3, 3], dtype: "float64" }, f32([1, 1, 3, 3])], attrs());
    expect(mixed).toThrow(DTypeError);
    expect(mixed).toThrow("float64 and float32");
  });

  it("the reference kernel rejects an output of the wrong shape", () => {
    const out = tensor([1, 1, 2, 2], [0, 0, 0, 0]);
    expect(() => conv2d.reference([tensor([1, 1, 4, 4], range(16)), tensor([1, 1, 2, 2], [1, 1, 1, 1])], [out], attrs())).toThrow(
      ShapeError,
    );
  });
});

// ---- gradients -----------------------------------------------------------------------------

describe("conv2dBackwardInput / conv2dBackwardWeight: hand-computed values", () => {
  it("gradInput with stride 2 tiles the weight; the unread last row and column get 0", () => {
    const [gx] = run(
      conv2dBackwardInput,
      [tensor([1, 1, 2, 2], [1, 1, 1, 1]), tensor([1, 1, 2, 2], [1, 2, 3, 4])],
      { ...attrs({ stride: [2, 2] }), inputShape: [1, 1, 5, 5] },
    );
    expect(gx!.shape).toEqual([1, 1, 5, 5]);
    expect(gx!.values).toEqual([
      1, 2, 1, 2, 0,
      3, 4, 3, 4, 0,
      1, 2, 1, 2, 0,
      3, 4, 3, 4, 0,
      0, 0, 0, 0, 0,
    ]);
  });

  it("gradInput with overlapping windows accumulates", () => {
    // stride 1, 2x2 weight of ones over a 3x3 input, gradOutput of ones: counts of windows per position
    const [gx] = run(
      conv2dBackwardInput,
      [tensor([1, 1, 2, 2], [1, 1, 1, 1]), tensor([1, 1, 2, 2], [1, 1, 1, 1])],
      { ...attrs(), inputShape: [1, 1, 3, 3] },
    );
    expect(gx!.values).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });

  it("gradWeight sums input patches weighted by gradOutput", () => {
    const [gw] = run(
      conv2dBackwardWeight,
      [tensor([1, 1, 3, 3], range(9, 1)), tensor([1, 1, 2, 2], [1, 1, 1, 1])],
      { ...attrs(), weightShape: [1, 1, 2, 2] },
    );
    expect(gw!.shape).toEqual([1, 1, 2, 2]);
    expect(gw!.values).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
  });

  it("gradWeight with groups=2 and padding", () => {
    // x: two channels of 1x2 = [1, 2] and [3, 4]; weight [2, 1, 1, 3] with padding (0, 1); gradOutput [1,1], [1,1]
    // output width = 2 + 2 - 3 + 1 = 2; gw[o][0][kw] = Σ_ow g · x[o][ow - 1 + kw]
    const [gw] = run(
      conv2dBackwardWeight,
      [tensor([1, 2, 1, 2], [1, 2, 3, 4]), tensor([1, 2, 1, 2], [1, 1, 1, 10])],
      { ...attrs({ padding: [0, 1], groups: 2 }), weightShape: [2, 1, 1, 3] },
    );
    // o=0: kw=0: x[-1]+x[0]→1; kw=1: x0+x1 = 3; kw=2: x1 + x2(pad) = 2
    // o=1 with g = [1, 10]: kw=0: 10·3 = 30; kw=1: 3 + 40 = 43; kw=2: 4
    expect(gw!.values).toEqual([1, 3, 2, 30, 43, 4]);
  });

  it("zero batch: gradWeight is all zeros, gradInput is empty", () => {
    const [gw] = run(conv2dBackwardWeight, [tensor([0, 2, 4, 4], []), tensor([0, 3, 2, 2], [])], {
      ...attrs(),
      weightShape: [3, 2, 3, 3],
    });
    expect(gw!.shape).toEqual([3, 2, 3, 3]);
    expect(gw!.values).toEqual(new Array(54).fill(0));
    const [gx] = run(conv2dBackwardInput, [tensor([0, 3, 2, 2], []), tensor([3, 2, 3, 3], random(54, 5))], {
      ...attrs(),
      inputShape: [0, 2, 4, 4],
    });
    expect(gx!.shape).toEqual([0, 2, 4, 4]);
    expect(gx!.values).toEqual([]);
  });

  it("strided gradOutput and weight give the same gradients as contiguous ones", () => {
    const a = attrs({ stride: [2, 2], padding: [1, 0], groups: 1 });
    const x = random(2 * 3 * 5 * 4, 6);
    const w = random(2 * 3 * 3 * 2, 7);
    const g = random(2 * 2 * 3 * 2, 8);
    const gi = { ...a, inputShape: [2, 3, 5, 4] };
    const gwAttrs = { ...a, weightShape: [2, 3, 3, 2] };
    expect(run(conv2dBackwardInput, [channelsLast([2, 2, 3, 2], g), everyOtherRow([2, 3, 3, 2], w)], gi)).toEqual(
      run(conv2dBackwardInput, [tensor([2, 2, 3, 2], g), tensor([2, 3, 3, 2], w)], gi),
    );
    expect(run(conv2dBackwardWeight, [channelsLast([2, 3, 5, 4], x), everyOtherRow([2, 2, 3, 2], g)], gwAttrs)).toEqual(
      run(conv2dBackwardWeight, [tensor([2, 3, 5, 4], x), tensor([2, 2, 3, 2], g)], gwAttrs),
    );
  });
});

describe("conv2d gradients are exact adjoints: <conv(x,w), g> = <x, dX(g,w)> = <w, dW(x,g)>", () => {
  const cases: { name: string; x: number[]; w: number[]; a: Conv2dAttrs }[] = [
    { name: "plain 3x3", x: [2, 3, 6, 6], w: [4, 3, 3, 3], a: attrs() },
    { name: "stride 2, padding 1, (8 + 2 - 3) not divisible by 2", x: [1, 2, 8, 8], w: [3, 2, 3, 3], a: attrs({ stride: [2, 2], padding: [1, 1] }) },
    { name: "stride 3 not dividing (8 + 4 - 5 = 7), padding 2, dilation 2", x: [1, 3, 8, 8], w: [2, 3, 3, 3], a: attrs({ stride: [3, 3], padding: [2, 2], dilation: [2, 2] }) },
    {
      name: "mixed per-dim stride/padding/dilation with groups 2",
      x: [2, 4, 7, 6],
      w: [6, 2, 3, 2],
      a: attrs({ stride: [2, 3], padding: [1, 0], dilation: [1, 2], groups: 2 }),
    },
    { name: "depthwise (groups = C), channel multiplier 2", x: [2, 4, 5, 5], w: [8, 1, 3, 3], a: attrs({ padding: [1, 1], groups: 4, stride: [2, 2] }) },
    { name: "groups 3, 1x3 kernel, stride (1, 2)", x: [3, 6, 5, 9], w: [9, 2, 1, 3], a: attrs({ stride: [1, 2], padding: [0, 1], groups: 3 }) },
  ];

  for (const [k, c] of cases.entries()) {
    it(c.name, () => {
      const x = random(numel(c.x), 100 + k);
      const w = random(numel(c.w), 200 + k);
      const [y] = run(conv2d, [tensor(c.x, x), tensor(c.w, w)], c.a);
      const g = random(y!.values.length, 300 + k);
      const [gx] = run(conv2dBackwardInput, [tensor(y!.shape, g), tensor(c.w, w)], { ...c.a, inputShape: c.x });
      const [gw] = run(conv2dBackwardWeight, [tensor(c.x, x), tensor(y!.shape, g)], { ...c.a, weightShape: c.w });
      expect(gx!.shape).toEqual(c.x);
      expect(gw!.shape).toEqual(c.w);
      const lhs = dot(y!.values, g);
      expect(Math.abs(lhs)).toBeGreaterThan(1e-3); // not trivially zero
      expect(dot(x, gx!.values)).toBeCloseTo(lhs, 10);
      expect(dot(w, gw!.values)).toBeCloseTo(lhs, 10);
    });
  }
});

describe("conv2d gradients: errors", () => {
  const f64 = (shape: number[]) => ({ shape, dtype: "float64" as const });

  it("gradOutput must have conv2d's output shape for inputShape", () => {
    expect(() =>
      conv2dBackwardInput.infer([f64([1, 2, 3, 3]), f64([2, 1, 3, 3])], { ...attrs(), inputShape: [1, 1, 4, 4] }),
    ).toThrow("conv2dBackwardInput: expected gradOutput of size [1, 2, 2, 2] (the conv2d output for input [1, 1, 4, 4] and weight [2, 1, 3, 3]), but got [1, 2, 3, 3]");
    expect(() =>
      conv2dBackwardWeight.infer([f64([1, 1, 4, 4]), f64([1, 2, 3, 3])], { ...attrs(), weightShape: [2, 1, 3, 3] }),
    ).toThrow(/conv2dBackwardWeight: expected gradOutput of size \[1, 2, 2, 2\]/);
  });

  it("several input sizes give one output size under stride; inputShape decides", () => {
    const meta = [f64([1, 1, 2, 2]), f64([1, 1, 2, 2])];
    expect(conv2dBackwardInput.infer(meta, { ...attrs({ stride: [2, 2] }), inputShape: [1, 1, 4, 4] })[0]!.shape).toEqual([1, 1, 4, 4]);
    expect(conv2dBackwardInput.infer(meta, { ...attrs({ stride: [2, 2] }), inputShape: [1, 1, 5, 5] })[0]!.shape).toEqual([1, 1, 5, 5]);
  });

  it("bad shape attributes and dtypes", () => {
    expect(() => conv2dBackwardInput.infer([f64([1, 1, 2, 2]), f64([1, 1, 2, 2])], { ...attrs(), inputShape: [1, 3, 3] })).toThrow(
      /inputShape must be a 4D shape/,
    );
    expect(() =>
      conv2dBackwardWeight.infer([f64([1, 1, 3, 3]), { shape: [1, 1, 2, 2], dtype: "float32" }], { ...attrs(), weightShape: [1, 1, 2, 2] }),
    ).toThrow(DTypeError);
    expect(() =>
      conv2dBackwardWeight.infer([f64([1, 2, 3, 3]), f64([1, 1, 2, 2])], { ...attrs(), weightShape: [1, 1, 2, 2] }),
    ).toThrow("expected input[1, 2, 3, 3] to have 1 channels, but got 2 channels instead");
  });
});
