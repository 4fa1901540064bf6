import { describe, expect, it } from "vitest";
import {
  type Layout,
  ShapeError,
  contiguousLayout,
  expand,
  flattenShape,
  inferShape,
  isContiguous,
  narrow,
  numel,
  permute,
  reshapeView,
  slice,
  squeeze,
  transpose,
  unsqueeze,
} from "../src/index.js";

/** Storage offsets of every element of `layout`, in row-major (logical) order. */
function offsets(layout: Layout): number[] {
  const out: number[] = [];
  const n = numel(layout.shape);
  const index = new Array<number>(layout.shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    out.push(index.reduce((o, i, d) => o + i * layout.strides[d]!, layout.offset));
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d]! < layout.shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

describe("inferShape", () => {
  it("returns explicit shapes whose size matches", () => {
    expect(inferShape([3, 4], 12, "reshape")).toEqual([3, 4]);
    expect(inferShape([], 1, "reshape")).toEqual([]);
    expect(inferShape([0, 5], 0, "reshape")).toEqual([0, 5]);
  });

  it("resolves one -1", () => {
    expect(inferShape([-1, 4], 12, "reshape")).toEqual([3, 4]);
    expect(inferShape([2, -1, 3], 24, "view")).toEqual([2, 4, 3]);
    expect(inferShape([-1], 7, "view")).toEqual([7]);
    expect(inferShape([-1, 3], 0, "view")).toEqual([0, 3]);
  });

  it("does not modify the request", () => {
    const req = [-1, 2];
    inferShape(req, 4, "view");
    expect(req).toEqual([-1, 2]);
  });

  it("errors: two -1s, other negatives, non-integers, sizes that do not match", () => {
    expect(() => inferShape([-1, -1], 4, "view")).toThrow("view: only one dimension can be inferred (-1), got [-1, -1]");
    expect(() => inferShape([-2, 2], 4, "view")).toThrow("view: invalid shape dimension -2 in [-2, 2]");
    expect(() => inferShape([1.5, 2], 3, "view")).toThrow(ShapeError);
    expect(() => inferShape([5, -1], 12, "reshape")).toThrow("reshape: shape '[5, -1]' is invalid for input of size 12");
    expect(() => inferShape([3, 5], 12, "reshape")).toThrow("reshape: shape '[3, 5]' is invalid for input of size 12");
    // 0 elements with a -1 next to a 0: the -1 could be anything
    expect(() => inferShape([0, -1], 0, "reshape")).toThrow(ShapeError);
  });
});

describe("reshapeView", () => {
  it("merges and splits dims of a contiguous layout", () => {
    const l = contiguousLayout([2, 3, 4], 5);
    const merged = reshapeView(l, [6, 4])!;
    expect(merged).toEqual({ shape: [6, 4], strides: [4, 1], offset: 5 });
    expect(reshapeView(l, [24])).toEqual({ shape: [24], strides: [1], offset: 5 });
    expect(reshapeView(l, [4, 3, 2])).toEqual({ shape: [4, 3, 2], strides: [6, 2, 1], offset: 5 });
    expect(offsets(merged)).toEqual(offsets(l));
  });

  it("returns null when a transposed tensor's dims would have to merge (a copy is needed)", () => {
    const t = transpose(contiguousLayout([2, 3]), 0, 1); // shape [3, 2], strides [1, 3]
    expect(reshapeView(t, [6])).toBeNull();
    expect(reshapeView(t, [2, 3])).toBeNull();
    // the same shape, or splitting a single dim, is still a view
    expect(reshapeView(t, [3, 2])).toEqual({ shape: [3, 2], strides: [1, 3], offset: 0 });
    expect(reshapeView(t, [3, 2, 1])).toMatchObject({ shape: [3, 2, 1] });
  });

  it("merges only the dims that are contiguous with each other", () => {
    // [2, 3, 4] → transpose last two → [2, 4, 3] strides [12, 1, 4]: dim 0 is its own chunk
    const t = transpose(contiguousLayout([2, 3, 4]), 1, 2);
    expect(reshapeView(t, [2, 12])).toBeNull();
    const split = reshapeView(t, [1, 2, 4, 3])!;
    expect(split).not.toBeNull();
    expect(offsets(split)).toEqual(offsets(t));
  });

  it("works on narrowed rows: splitting the outer dim is a view, merging rows is not", () => {
    const n = narrow(contiguousLayout([4, 6]), 1, 1, 3); // [4, 3], strides [6, 1], offset 1
    expect(reshapeView(n, [12])).toBeNull();
    const v = reshapeView(n, [2, 2, 3])!;
    expect(v).toEqual({ shape: [2, 2, 3], strides: [12, 6, 1], offset: 1 });
    expect(offsets(v)).toEqual(offsets(n));
  });

  it("handles size-1 dims, whatever their stride", () => {
    const l = { shape: [2, 1, 3], strides: [3, 99, 1], offset: 0 };
    expect(reshapeView(l, [6])).toEqual({ shape: [6], strides: [1], offset: 0 });
    expect(reshapeView(l, [2, 3])).toEqual({ shape: [2, 3], strides: [3, 1], offset: 0 });
    const withOnes = reshapeView(l, [1, 6, 1])!;
    expect(withOnes.shape).toEqual([1, 6, 1]);
    expect(offsets(withOnes)).toEqual(offsets(l));
  });

  it("reshapes expanded (stride-0) dims only without merging them with real ones", () => {
    const e = expand(contiguousLayout([3]), [4, 3]); // strides [0, 1]
    expect(reshapeView(e, [12])).toBeNull();
    const v = reshapeView(e, [2, 2, 3])!;
    expect(v.strides).toEqual([0, 0, 1]);
    expect(offsets(v)).toEqual(offsets(e));
  });

  it("scalars and zero-size tensors always view", () => {
    expect(reshapeView(contiguousLayout([], 3), [1, 1])).toEqual({ shape: [1, 1], strides: [1, 1], offset: 3 });
    const empty = transpose(contiguousLayout([0, 3]), 0, 1);
    expect(reshapeView(empty, [3, 0, 2])).toEqual({ shape: [3, 0, 2], strides: [2, 2, 1], offset: 0 });
    expect(reshapeView(contiguousLayout([2, 0]), [0])).toEqual({ shape: [0], strides: [1], offset: 0 });
  });

  it("every successful view addresses the same elements in the same order", () => {
    const bases: Layout[] = [
      contiguousLayout([2, 3, 4]),
      permute(contiguousLayout([2, 3, 4]), [0, 2, 1]),
      slice(contiguousLayout([4, 6]), 1, 0, undefined, 2),
      narrow(contiguousLayout([3, 8]), 0, 1, 2),
    ];
    const targets = [[24], [2, 12], [6, 4], [4, 6], [2, 3, 4], [2, 2, 2, 3], [12, 2], [1, 24, 1], [8, 3], [6], [2, 3], [3, 2], [16], [2, 8], [4, 4]];
    let views = 0;
    for (const base of bases) {
      for (const t of targets) {
        if (numel(t) !== numel(base.shape)) continue;
        const v = reshapeView(base, t);
        if (v === null) continue;
        views++;
        expect(v.shape).toEqual(t);
        expect(offsets(v)).toEqual(offsets(base));
      }
    }
    expect(views).toBeGreaterThan(10);
  });
});

describe("permute / transpose", () => {
  it("reorders shape and strides", () => {
    const l = contiguousLayout([2, 3, 4], 1);
    expect(permute(l, [2, 0, 1])).toEqual({ shape: [4, 2, 3], strides: [1, 12, 4], offset: 1 });
    expect(permute(l, [-1, 0, 1])).toEqual(permute(l, [2, 0, 1]));
    expect(transpose(l, 0, 2)).toEqual({ shape: [4, 3, 2], strides: [1, 4, 12], offset: 1 });
    expect(transpose(l, -1, -2)).toEqual({ shape: [2, 4, 3], strides: [12, 1, 4], offset: 1 });
    expect(isContiguous(transpose(l, 0, 1))).toBe(false);
    expect(transpose(transpose(l, 0, 1), 0, 1)).toEqual(l);
  });

  it("transposing a dim with itself, or a scalar, changes nothing", () => {
    const l = contiguousLayout([2, 3]);
    expect(transpose(l, 1, 1)).toEqual(l);
    const s = contiguousLayout([]);
    expect(transpose(s, 0, 0)).toEqual(s);
  });

  it("errors", () => {
    const l = contiguousLayout([2, 3, 4]);
    expect(() => permute(l, [0, 1])).toThrow(
      "permute: number of dims don't match: the tensor has 3 dims (shape [2, 3, 4]) but 2 were given ([0, 1])",
    );
    expect(() => permute(l, [0, 1, 1])).toThrow("permute: repeated dim 1 in [0, 1, 1]");
    expect(() => permute(l, [0, 1, -2])).toThrow("repeated dim");
    expect(() => permute(l, [0, 1, 3])).toThrow("permute: dimension out of range");
    expect(() => transpose(l, 0, 3)).toThrow("transpose: dimension out of range (expected to be in range of [-3, 2], but got 3)");
  });
});

describe("expand", () => {
  it("stretches size-1 dims and adds leading dims with stride 0", () => {
    const l = contiguousLayout([3, 1], 2);
    expect(expand(l, [3, 4])).toEqual({ shape: [3, 4], strides: [1, 0], offset: 2 });
    expect(expand(l, [2, 3, 4])).toEqual({ shape: [2, 3, 4], strides: [0, 1, 0], offset: 2 });
    expect(expand(l, [-1, 4])).toEqual({ shape: [3, 4], strides: [1, 0], offset: 2 });
    expect(expand(l, [3, 0])).toEqual({ shape: [3, 0], strides: [1, 0], offset: 2 });
    expect(expand(contiguousLayout([]), [2, 2])).toEqual({ shape: [2, 2], strides: [0, 0], offset: 0 });
    expect(offsets(expand(contiguousLayout([3]), [2, 3]))).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("errors use PyTorch's wording", () => {
    const l = contiguousLayout([3, 2]);
    expect(() => expand(l, [3, 4])).toThrow(
      "expand: the expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 1. Target sizes: [3, 4]. Tensor sizes: [3, 2]",
    );
    expect(() => expand(l, [2])).toThrow("the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)");
    expect(() => expand(l, [-1, 3, 2])).toThrow("-1 is not allowed in a leading, non-existing dimension");
    expect(() => expand(contiguousLayout([1]), [-2])).toThrow("expand: invalid size -2");
  });
});

describe("narrow", () => {
  it("moves the offset and shrinks the dim", () => {
    const l = contiguousLayout([4, 5]);
    expect(narrow(l, 1, 1, 3)).toEqual({ shape: [4, 3], strides: [5, 1], offset: 1 });
    expect(narrow(l, 0, 2, 2)).toEqual({ shape: [2, 5], strides: [5, 1], offset: 10 });
    expect(narrow(l, -1, -2, 2)).toEqual({ shape: [4, 2], strides: [5, 1], offset: 3 });
    expect(narrow(l, 1, 5, 0)).toEqual({ shape: [4, 0], strides: [5, 1], offset: 5 });
    expect(offsets(narrow(l, 1, 1, 3)).slice(0, 4)).toEqual([1, 2, 3, 6]);
  });

  it("errors", () => {
    const l = contiguousLayout([4, 5]);
    expect(() => narrow(l, 1, 3, 3)).toThrow("narrow: start (3) + length (3) exceeds dimension size (5) of dim 1 for shape [4, 5]");
    expect(() => narrow(l, 1, -6, 1)).toThrow(ShapeError);
    expect(() => narrow(l, 1, 0, -1)).toThrow(ShapeError);
    expect(() => narrow(l, 2, 0, 1)).toThrow("narrow: dimension out of range");
    expect(() => narrow(contiguousLayout([]), 0, 0, 1)).toThrow("narrow: cannot be applied to a 0-dim tensor.");
  });
});

describe("slice", () => {
  const l = contiguousLayout([10]);

  it("start:end:step", () => {
    const s = slice(l, 0, 1, 8, 3);
    expect(s).toEqual({ shape: [3], strides: [3], offset: 1 });
    expect(offsets(s)).toEqual([1, 4, 7]);
    expect(offsets(slice(l, 0, 0, 10, 4))).toEqual([0, 4, 8]);
    expect(offsets(slice(l, 0, 2, 9, 2))).toEqual([2, 4, 6, 8]);
    expect(slice(l, 0)).toEqual(l);
  });

  it("negative start and end count from the end", () => {
    expect(offsets(slice(l, 0, -3))).toEqual([7, 8, 9]);
    expect(offsets(slice(l, 0, -4, -1))).toEqual([6, 7, 8]);
    expect(offsets(slice(l, 0, 1, -1, 4))).toEqual([1, 5]);
  });

  it("out-of-range bounds are clamped", () => {
    expect(offsets(slice(l, 0, -100, 3))).toEqual([0, 1, 2]);
    expect(offsets(slice(l, 0, 8, 100))).toEqual([8, 9]);
    expect(slice(l, 0, -100, 100)).toEqual(l);
  });

  it("empty results", () => {
    expect(slice(l, 0, 5, 2).shape).toEqual([0]);
    expect(slice(l, 0, 10).shape).toEqual([0]);
    expect(slice(l, 0, 100, 200, 3).shape).toEqual([0]);
    expect(slice(l, 0, -1, -1).shape).toEqual([0]);
  });

  it("on an inner dim, composed with offsets", () => {
    const m = contiguousLayout([3, 4], 2);
    const s = slice(m, 1, 1, undefined, 2);
    expect(s).toEqual({ shape: [3, 2], strides: [4, 2], offset: 3 });
    expect(offsets(s)).toEqual([3, 5, 7, 9, 11, 13]);
    expect(offsets(slice(s, 0, -2))).toEqual([7, 9, 11, 13]);
  });

  it("errors", () => {
    expect(() => slice(l, 0, 0, 5, 0)).toThrow("slice: step must be a positive integer, got 0");
    expect(() => slice(l, 0, 0, 5, -1)).toThrow(ShapeError);
    expect(() => slice(l, 1)).toThrow("slice: dimension out of range");
    expect(() => slice(contiguousLayout([]), 0)).toThrow("slice: cannot be applied to a 0-dim tensor.");
  });
});

describe("squeeze / unsqueeze", () => {
  it("squeeze removes size-1 dims (all, one, or a list)", () => {
    const l = { shape: [1, 3, 1, 2], strides: [6, 2, 2, 1], offset: 4 };
    expect(squeeze(l)).toEqual({ shape: [3, 2], strides: [2, 1], offset: 4 });
    expect(squeeze(l, 0)).toEqual({ shape: [3, 1, 2], strides: [2, 2, 1], offset: 4 });
    expect(squeeze(l, -2)).toEqual({ shape: [1, 3, 2], strides: [6, 2, 1], offset: 4 });
    expect(squeeze(l, [0, 2])).toEqual({ shape: [3, 2], strides: [2, 1], offset: 4 });
    // a dim that is not size 1 stays, as in PyTorch
    expect(squeeze(l, 1)).toEqual(l);
    expect(squeeze(contiguousLayout([1, 1]))).toEqual({ shape: [], strides: [], offset: 0 });
    expect(squeeze(contiguousLayout([]), 0)).toEqual({ shape: [], strides: [], offset: 0 });
    expect(() => squeeze(l, 4)).toThrow("squeeze: dimension out of range");
  });

  it("unsqueeze inserts a size-1 dim with a contiguous-compatible stride", () => {
    const l = contiguousLayout([2, 3]);
    expect(unsqueeze(l, 0)).toEqual({ shape: [1, 2, 3], strides: [6, 3, 1], offset: 0 });
    expect(unsqueeze(l, 1)).toEqual({ shape: [2, 1, 3], strides: [3, 3, 1], offset: 0 });
    expect(unsqueeze(l, 2)).toEqual({ shape: [2, 3, 1], strides: [3, 1, 1], offset: 0 });
    expect(unsqueeze(l, -1)).toEqual(unsqueeze(l, 2));
    expect(unsqueeze(l, -3)).toEqual(unsqueeze(l, 0));
    expect(unsqueeze(contiguousLayout([]), 0)).toEqual({ shape: [1], strides: [1], offset: 0 });
    expect(isContiguous(unsqueeze(l, 1))).toBe(true);
    expect(() => unsqueeze(l, 3)).toThrow("unsqueeze: dimension out of range (expected to be in range of [-3, 2], but got 3)");
    expect(squeeze(unsqueeze(l, 1), 1)).toEqual(l);
  });
});

describe("flattenShape", () => {
  it("merges startDim..endDim", () => {
    expect(flattenShape([2, 3, 4])).toEqual([24]);
    expect(flattenShape([2, 3, 4], 1)).toEqual([2, 12]);
    expect(flattenShape([2, 3, 4, 5], 1, 2)).toEqual([2, 12, 5]);
    expect(flattenShape([2, 3, 4], -2, -1)).toEqual([2, 12]);
    expect(flattenShape([2, 3, 4], 1, 1)).toEqual([2, 3, 4]);
    expect(flattenShape([2, 0, 4], 0, 1)).toEqual([0, 4]);
    expect(flattenShape([])).toEqual([1]);
  });

  it("errors", () => {
    expect(() => flattenShape([2, 3, 4], 2, 1)).toThrow("flatten: startDim (2) cannot come after endDim (1)");
    expect(() => flattenShape([2, 3], 0, 2)).toThrow("flatten: dimension out of range");
  });
});
