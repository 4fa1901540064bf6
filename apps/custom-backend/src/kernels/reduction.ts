/**
 * Reductions over a set of dims: `sum`, `max`, `min` — what `sum`, `mean`, `max`,
 * `logsumexp`, `softmax` and `crossEntropy` are built from in the Tensor layer.
 */
import type { Layout } from "@tessera/storage";
import { type ReduceAttrs, forEachOffset } from "@tessera/kernels";
import type { View } from "./view.js";

/**
 * How to fold the values reduced into one output element: start from `start` (or, when it is
 * undefined, from the first value: max and min have no identity) and combine in row-major
 * order of the reduced dims. Folding in a JavaScript number means float32 inputs accumulate in
 * float64, in the reference kernels' order, so results match them bit for bit.
 */
interface Fold {
  readonly start: number | undefined;
  readonly step: (acc: number, value: number) => number;
}

/**
 * Splits a reduction into two walks over the input: the outer walk visits one input position
 * per output element (reduced dims pinned to 0), the inner walk visits every reduced element
 * from there. The output is addressed through a layout of the input's rank in which reduced
 * dims have stride 0, so `keepdim` and dropped dims are handled the same way.
 */
function reductionLayouts(x: Layout, out: Layout, dims: readonly number[], keepdim: boolean) {
  const ndim = x.shape.length;
  // A 0-d tensor accepts dim 0 and reduces nothing; dims are already normalized and checked.
  const reduced = new Set(dims.filter((d) => d < ndim));
  const outerShape = x.shape.map((s, d) => (reduced.has(d) ? 1 : s));
  const innerShape = x.shape.map((s, d) => (reduced.has(d) ? s : 1));
  const outStrides: number[] = [];
  let k = 0;
  for (let d = 0; d < ndim; d++) {
    if (!reduced.has(d)) outStrides.push(out.strides[k++]!);
    else {
      outStrides.push(0);
      if (keepdim) k++;
    }
  }
  const xOuter: Layout = { shape: outerShape, strides: x.strides, offset: x.offset };
  const outOuter: Layout = { shape: outerShape, strides: outStrides, offset: out.offset };
  return { outerShape, innerShape, xOuter, outOuter };
}

/** A kernel for `sum`/`max`/`min` that folds with `fold`. */
function reductionKernel(fold: Fold, int32Fold?: Fold) {
  return ([x]: readonly View[], [out]: readonly View[], attrs: ReduceAttrs): void => {
    const f = out!.dtype === "int32" && int32Fold !== undefined ? int32Fold : fold;
    const src = x!.buffer;
    const dst = out!.buffer;
    const { outerShape, innerShape, xOuter, outOuter } = reductionLayouts(x!.layout, out!.layout, attrs.dims, attrs.keepdim);
    forEachOffset(outerShape, [xOuter, outOuter], (o) => {
      let acc = f.start;
      const group: Layout = { shape: innerShape, strides: x!.layout.strides, offset: o[0]! };
      forEachOffset(innerShape, [group], (r) => {
        const v = src[r[0]!]!;
        acc = acc === undefined ? v : f.step(acc, v);
      });
      // `acc` is only undefined for max/min over an empty dim, which `infer` already rejected.
      dst[o[1]!] = acc ?? Number.NaN;
    });
  };
}

/** NaN propagates through max/min, as in PyTorch: once seen, it stays. */
const pick = (better: (a: number, b: number) => boolean): Fold => ({
  start: undefined,
  step: (acc, v) => (Number.isNaN(acc) || Number.isNaN(v) ? Number.NaN : better(v, acc) ? v : acc),
});

/**
 * `sum` over `attrs.dims`. Bool and int32 inputs give int32 sums, wrapping modulo 2³². Wrapping
 * at every step (`| 0`) keeps the accumulator an exact int32 however many values are summed; a
 * float64 accumulator would start rounding once the sum passed 2⁵³.
 *
 * @example
 * tinyKernels.sum([x], [out], { dims: [1], keepdim: false });
 */
export const sumKernel = reductionKernel(
  { start: 0, step: (acc, v) => acc + v },
  { start: 0, step: (acc, v) => (acc + v) | 0 },
);

/**
 * `max` over `attrs.dims` (NaN propagates).
 *
 * @example
 * tinyKernels.max([x], [out], { dims: [1], keepdim: true });
 */
export const maxKernel = reductionKernel(pick((a, b) => a > b));

/**
 * `min` over `attrs.dims` (NaN propagates).
 *
 * @example
 * tinyKernels.min([x], [out], { dims: [0], keepdim: false });
 */
export const minKernel = reductionKernel(pick((a, b) => a < b));
