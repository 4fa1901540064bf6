/**
 * Elementwise kernels: unary maps, binary maps with NumPy broadcasting, `where`, and the copy
 * family (`copy`, `cast`, `fill`). Each walks its output's shape once and reads every input
 * through a layout expanded to that shape, so stride-0 (broadcast) dims, transposes and
 * slices all work without special cases; a flat loop handles the common all-contiguous case.
 */
import { type DType, type TypedArray, expand, numel } from "@tessera/storage";
import { type CastAttrs, type FillAttrs, forEachOffset } from "@tessera/kernels";
import { type PlainKernel, type View, sameDenseShape } from "./view.js";

/**
 * A kernel that sets each output element to `fn` of the input element at the same index.
 * Float32 outputs round `fn`'s float64 result when stored, exactly as the reference does.
 *
 * @example
 * const exp = unaryKernel(Math.exp);
 */
export function unaryKernel(fn: (x: number) => number): PlainKernel {
  return ([x], [out]) => {
    const src = x!.buffer;
    const dst = out!.buffer;
    const shape = out!.layout.shape;
    if (sameDenseShape(shape, [x!.layout, out!.layout])) {
      const xo = x!.layout.offset;
      const oo = out!.layout.offset;
      for (let i = 0, n = numel(shape); i < n; i++) dst[oo + i] = fn(src[xo + i]!);
      return;
    }
    forEachOffset(shape, [x!.layout, out!.layout], (o) => {
      dst[o[1]!] = fn(src[o[0]!]!);
    });
  };
}

/**
 * A kernel that combines two inputs broadcast to the output's shape. Inputs arrive with
 * their own shapes (`[2, 3] + [3]`), so each is first expanded to the output shape: missing
 * leading dims and size-1 dims get stride 0, which makes the walk read the same element again.
 * `int32Fn`, when given, replaces `fn` for int32 inputs (products must wrap modulo 2³², which
 * float64 multiplication does not do exactly).
 *
 * @example
 * const mul = binaryKernel((a, b) => a * b, Math.imul);
 */
export function binaryKernel(fn: (a: number, b: number) => number, int32Fn?: (a: number, b: number) => number): PlainKernel {
  return ([a, b], [out]) => {
    const f = a!.dtype === "int32" && int32Fn !== undefined ? int32Fn : fn;
    const shape = out!.layout.shape;
    const la = expand(a!.layout, shape);
    const lb = expand(b!.layout, shape);
    const da = a!.buffer;
    const db = b!.buffer;
    const dst = out!.buffer;
    if (sameDenseShape(shape, [la, lb, out!.layout])) {
      const [ao, bo, oo] = [la.offset, lb.offset, out!.layout.offset];
      for (let i = 0, n = numel(shape); i < n; i++) dst[oo + i] = f(da[ao + i]!, db[bo + i]!);
      return;
    }
    forEachOffset(shape, [la, lb, out!.layout], (o) => {
      dst[o[2]!] = f(da[o[0]!]!, db[o[1]!]!);
    });
  };
}

/**
 * `where(condition, input, other)`: all three broadcast to the output's shape.
 *
 * @example
 * tinyKernels.where([cond, a, b], [out], {});
 */
export const whereKernel: PlainKernel = ([condition, input, other], [out]) => {
  const shape = out!.layout.shape;
  const layouts = [expand(condition!.layout, shape), expand(input!.layout, shape), expand(other!.layout, shape), out!.layout];
  const c = condition!.buffer;
  const a = input!.buffer;
  const b = other!.buffer;
  const dst = out!.buffer;
  forEachOffset(shape, layouts, (o) => {
    dst[o[3]!] = c[o[0]!] !== 0 ? a[o[1]!]! : b[o[2]!]!;
  });
};

/**
 * Converts a number to what a tensor of `dtype` stores for it. Typed arrays already apply the
 * catalog's rules for int32 (truncate toward zero, NaN/±∞ → 0, wrap modulo 2³²) and float32
 * (round to nearest) on assignment; only bool needs help, because a `Uint8Array` would store
 * 0.5 as 0 and 256 as 0 where the catalog says "nonzero is true".
 *
 * @example
 * storedValue(0.5, "bool"); // 1
 * storedValue(-2.7, "int32"); // -2.7: the Int32Array stores -2
 */
export function storedValue(x: number, dtype: DType): number {
  return dtype === "bool" ? (x !== 0 ? 1 : 0) : x;
}

/**
 * `copy`: the output (any strided view of the input's shape) gets the input's elements.
 * The Tensor layer copies an overlapping source before calling, but the catalog promises
 * `copy` is correct even when input and output share a buffer (`x.copy_(x.t())`), so a
 * shared buffer is snapshotted first.
 *
 * @example
 * tinyKernels.copy([x], [out], {});
 */
export const copyKernel: PlainKernel = ([x], [out]) => {
  const src: TypedArray = x!.buffer === out!.buffer ? x!.buffer.slice() : x!.buffer;
  unaryKernel((v) => v)([{ ...x!, buffer: src }], [out!]);
};

/**
 * `cast` to the output's dtype (see {@link storedValue} for the conversion rules).
 *
 * @example
 * tinyKernels.cast([x], [out], { dtype: "int32" });
 */
export function castKernel([x]: readonly View[], [out]: readonly View[], attrs: CastAttrs): void {
  unaryKernel((v) => storedValue(v, attrs.dtype))([x!], [out!]);
}

/**
 * `fill`: every element of the output view set to `attrs.value`.
 *
 * @example
 * tinyKernels.fill([], [out], { shape: [2, 3], dtype: "float32", value: 0 });
 */
export function fillKernel(_inputs: readonly View[], [out]: readonly View[], attrs: FillAttrs): void {
  const value = storedValue(attrs.value, attrs.dtype);
  const dst = out!.buffer;
  forEachOffset(out!.layout.shape, [out!.layout], (o) => {
    dst[o[0]!] = value;
  });
}
