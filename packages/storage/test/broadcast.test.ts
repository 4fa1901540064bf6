import { describe, expect, it } from "vitest";
import { ShapeError, broadcastReductionDims, broadcastShapes } from "../src/index.js";

describe("broadcastShapes", () => {
  it("aligns on the right and stretches size-1 dims", () => {
    expect(broadcastShapes("add", [3, 1], [4])).toEqual([3, 4]);
    expect(broadcastShapes("add", [2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes("add", [5, 4], [1])).toEqual([5, 4]);
    expect(broadcastShapes("add", [1], [5, 4])).toEqual([5, 4]);
    expect(broadcastShapes("add", [2, 3], [2, 3])).toEqual([2, 3]);
  });

  it("scalars broadcast to anything", () => {
    expect(broadcastShapes("mul", [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes("mul", [], [])).toEqual([]);
  });

  it("takes any number of shapes", () => {
    expect(broadcastShapes("where", [3, 1, 1], [1, 4, 1], [5])).toEqual([3, 4, 5]);
    expect(broadcastShapes("where", [2])).toEqual([2]);
    expect(broadcastShapes("where")).toEqual([]);
  });

  it("zero-size dims broadcast against 1 and stay 0", () => {
    expect(broadcastShapes("add", [0], [1])).toEqual([0]);
    expect(broadcastShapes("add", [2, 0], [2, 1])).toEqual([2, 0]);
    expect(() => broadcastShapes("add", [0], [3])).toThrow(ShapeError);
  });

  it("names the op, both sizes, the dim and the shapes when they cannot broadcast", () => {
    const call = () => broadcastShapes("add", [2, 3], [4]);
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(
      "add: the size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1; shapes [2, 3] and [4] cannot be broadcast together",
    );
    expect(() => broadcastShapes("sub", [2, 1], [3, 5])).toThrow("at non-singleton dimension 0");
  });

  it("does not modify its arguments", () => {
    const a = [3, 1];
    broadcastShapes("add", a, [4]);
    expect(a).toEqual([3, 1]);
  });
});

describe("broadcastReductionDims", () => {
  it("lists leading dims and size-1 dims that were stretched", () => {
    expect(broadcastReductionDims([3, 1], [2, 3, 4])).toEqual({ leading: 1, keepdimDims: [1] });
    expect(broadcastReductionDims([4], [2, 3, 4])).toEqual({ leading: 2, keepdimDims: [] });
    expect(broadcastReductionDims([1, 1], [5, 6])).toEqual({ leading: 0, keepdimDims: [0, 1] });
    expect(broadcastReductionDims([], [2])).toEqual({ leading: 1, keepdimDims: [] });
  });

  it("no dims when nothing was broadcast (size-1 dims that stayed size 1 included)", () => {
    expect(broadcastReductionDims([2, 3], [2, 3])).toEqual({ leading: 0, keepdimDims: [] });
    expect(broadcastReductionDims([1, 3], [1, 3])).toEqual({ leading: 0, keepdimDims: [] });
  });

  it("a size-1 dim broadcast to 0 is reduced too", () => {
    expect(broadcastReductionDims([1], [0])).toEqual({ leading: 0, keepdimDims: [0] });
  });
});
