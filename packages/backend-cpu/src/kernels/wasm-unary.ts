/**
 * float32 `exp`, `log`, `tanh` and `sigmoid` in WebAssembly SIMD (source:
 * `assembly/unary.ts`, compiled by `asc` into `src/wasm/unary-wasm.generated.ts` by the
 * `build:wasm` script; see the package README). A second module beside the GEMM's so each
 * stays under the browsers' 4 KiB limit for synchronous compilation on the main thread.
 *
 * Each kernel streams a dense float32 input through the module's memory in chunks of
 * {@link WASM_UNARY_CHUNK} elements (copy in, run in place, copy out), so the module's memory
 * stays at its initial size. Every result is within 2 ulp of the correctly rounded float32 value, and
 * overflow, underflow, ±0, ±∞ and NaN come out as `Math.exp` / `Math.log` / `Math.tanh`
 * rounded to float32 give them. Anything else (other dtypes, strided or broadcast views,
 * fewer than {@link WASM_UNARY_MIN_ELEMENTS} elements) runs the TypeScript kernel it wraps.
 *
 * The module also holds float32 `relu` (the TypeScript kernel's results bit for bit), 2×2
 * stride-2 max pooling and its gradient ({@link wasmMaxPool2x2}, {@link wasmMaxUnpool}) and the
 * convolutions' im2col/col2im ({@link wasmConvWindows}); its memory is never grown (see
 * `ensure`).
 */
import { UNARY_WASM_BASE64 } from "../wasm/unary-wasm.generated.js";
import { type CpuView, isDense, sameShape, sizeOf } from "./iter.js";
import { unaryKernels } from "./elementwise.js";

/**
 * Below this many elements the TypeScript kernels are used. Measured (Node 20, x64): at 16
 * elements the module already ties (`log`) or wins (`exp` 0.19 vs 0.24 µs, `sigmoid` 0.18 vs
 * 0.58 µs); at 32 it wins for all four, by 1.4× to 5×.
 */
export const WASM_UNARY_MIN_ELEMENTS = 32;

/** Elements per chunk streamed through the module's memory (64 KiB of float32). */
export const WASM_UNARY_CHUNK = 16384;

/** The ops the module implements. */
export type WasmUnaryOp = "exp" | "log" | "tanh" | "sigmoid" | "relu";

type OpFn = (src: number, dst: number, n: number) => void;

/** The window arguments of the module's `im2col` and `col2im`, after their first (an address). */
type WindowArgs = [
  C: number, H: number, W: number, kH: number, kW: number, sH: number, sW: number,
  pH: number, pW: number, dH: number, dW: number, Ho: number, Wo: number,
];

interface UnaryExports extends Record<WasmUnaryOp, OpFn> {
  readonly memory: WebAssembly.Memory;
  maxpool2(src: number, H: number, W: number, Ho: number, Wo: number, planes: number, dst: number, idx: number): void;
  /** `n` images at `x` unrolled into the matrix at `col` with rows `ld` floats apart. */
  im2col(x: number, ...args: [...WindowArgs, col: number, n: number, ld: number]): void;
  /** `n` images summed back from the matrix at `col` (rows `ld` floats apart) via `acc` into `out`. */
  col2im(col: number, ...args: [...WindowArgs, acc: number, out: number, n: number, ld: number]): void;
  unpool(idx: number, g: number, count: number, planes: number, plane: number, acc: number, out: number): number;
  /** First free byte above the module's constant tables (16-byte aligned). */
  scratch(): number;
}

/** Runs `op` over `n` float32 values: `out[oo + i] = op(x[xo + i])`. */
export type WasmUnary = (op: WasmUnaryOp, x: Float32Array, xo: number, out: Float32Array, oo: number, n: number) => void;

/**
 * 2×2, stride-2 max pooling of `planes` float32 planes of `H × W` at `x[xo]` whose windows all
 * lie inside (`2·Ho ≤ H`, `2·Wo ≤ W`, `H·W ≤` {@link WASM_UNARY_CHUNK}): the `Ho × Wo` maxima of
 * each plane into `values[vo …]` and their flat positions in the plane into `indices[io …]`.
 */
export type WasmMaxPool2x2 = (
  x: Float32Array,
  xo: number,
  planes: number,
  H: number,
  W: number,
  Ho: number,
  Wo: number,
  values: Float32Array,
  vo: number,
  indices: Int32Array,
  io: number,
) => void;

/**
 * Max pooling's gradient, float32: for each of `planes` planes, the `count` gradients at
 * `grad[go …]` summed (in float64, rounded once) into the positions `indices[io …]` of a zeroed
 * plane of `plane` (at most {@link WASM_UNARY_CHUNK}) floats at `out[oo …]`. Returns -1 when
 * done; the position (among all `planes · count`) of the first index outside `[0, plane)`,
 * leaving the output incomplete; or -2, having done nothing, when the data would not fit.
 */
export type WasmMaxUnpool = (
  grad: Float32Array,
  go: number,
  indices: Int32Array,
  io: number,
  planes: number,
  count: number,
  plane: number,
  out: Float32Array,
  oo: number,
) => number;

/** The window of a convolution, per image group (`C` is the group's channel count). */
export interface ConvWindow {
  C: number;
  H: number;
  W: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  dH: number;
  dW: number;
  Ho: number;
  Wo: number;
}

/**
 * The convolutions' im2col and col2im for float32, run in the module's memory, for `n` images
 * at once: image `b`'s columns are `b·Ho·Wo …` of a matrix whose rows are `ld` floats apart
 * (`ld = n·Ho·Wo` for a batch chunk's matrix, `Ho·Wo` for one image's). Images go through the
 * memory as many at a time as fit.
 */
export interface WasmConvWindows {
  /**
   * The `C` planes of image `b` at `x[xo + b·xStride]` (`b < n`) unrolled into columns
   * `b·Ho·Wo …` of the `(C·kH·kW)`-row matrix at `col[co]` with rows `ld` floats apart, as the
   * TypeScript im2col does. Returns false (doing nothing) when one image would not fit.
   */
  im2col(w: ConvWindow, x: Float32Array, xo: number, xStride: number, n: number, col: Float32Array, co: number, ld: number): boolean;
  /**
   * Columns `b·Ho·Wo …` of the `(C·kH·kW)`-row matrix at `col[co]` (rows `ld` floats apart)
   * summed back into the `C` planes of image `b` at `out[oo + b·outStride]` (`b < n`,
   * overwriting them) in float64 and rounded once, as the TypeScript col2im into a zeroed
   * float64 accumulator and a store do. Returns false (doing nothing) when one image would not
   * fit.
   */
  col2im(w: ConvWindow, col: Float32Array, co: number, ld: number, n: number, out: Float32Array, oo: number, outStride: number): boolean;
  /** Whether {@link col2im} (and {@link im2col}) of one image of `w` fit. */
  reserve(w: ConvWindow): boolean;
}

/** The instance, where its scratch area starts, and views of its memory. */
interface Module {
  readonly x: UnaryExports;
  readonly at: number;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
}

let moduleLoaded: Module | null | undefined;
let loaded: WasmUnary | null | undefined;
let loadedPool: WasmMaxPool2x2 | null | undefined;
let loadedConv: WasmConvWindows | null | undefined;
let loadedUnpool: WasmMaxUnpool | null | undefined;

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * True when the first `bytes` of the module's memory exist. The memory (4 MiB, set by the
 * build) is never grown: growing detaches its old `ArrayBuffer`, and once any buffer has been
 * detached V8 adds a check to every typed-array access in optimized code, which slowed plain
 * TypeScript loops elsewhere by 1.5–2.5× (measured: a float64 column sum, 43 → 107 µs). Work
 * that does not fit runs in TypeScript.
 */
function ensure(m: Module, bytes: number): boolean {
  return bytes <= m.x.memory.buffer.byteLength;
}

/** The compiled module with room for the streaming chunks, or `null` where it cannot be compiled. */
function unaryModule(): Module | null {
  if (moduleLoaded !== undefined) return moduleLoaded;
  moduleLoaded = null;
  try {
    const wasm = new WebAssembly.Module(decodeBase64(UNARY_WASM_BASE64) as BufferSource);
    const x = new WebAssembly.Instance(wasm, {}).exports as unknown as UnaryExports;
    const m: Module = { x, at: x.scratch(), f32: new Float32Array(x.memory.buffer), i32: new Int32Array(x.memory.buffer) };
    // The streaming chunks must fit (max pooling's is the largest: an input chunk, its values
    // and indices, with padding); they do in the memory the build gives the module.
    if (ensure(m, m.at + WASM_UNARY_CHUNK * 4 * 2 + 256)) moduleLoaded = m;
  } catch {
    moduleLoaded = null;
  }
  return moduleLoaded;
}

/**
 * The WebAssembly SIMD unary-math module, or `null` where it cannot be compiled. Call only
 * after the SIMD probe of `wasmGemm` succeeded (the backend does).
 *
 * @example
 * const run = wasmUnary();
 * const out = new Float32Array(4);
 * run?.("exp", new Float32Array([0, 1, -1, 2]), 0, out, 0, 4); // out ≈ [1, e, 1/e, e²]
 */
export function wasmUnary(): WasmUnary | null {
  if (loaded !== undefined) return loaded;
  const m = unaryModule();
  loaded = m === null ? null : makeUnary(m);
  return loaded;
}

/**
 * The module's 2×2, stride-2 max pooling ({@link WasmMaxPool2x2}), or `null` where the module
 * cannot be compiled.
 *
 * @example
 * const pool = wasmMaxPool2x2();
 * const v = new Float32Array(1);
 * const i = new Int32Array(1);
 * pool?.(new Float32Array([1, 4, 3, 2]), 0, 1, 2, 2, 1, 1, v, 0, i, 0); // v = [4], i = [1]
 */
export function wasmMaxPool2x2(): WasmMaxPool2x2 | null {
  if (loadedPool !== undefined) return loadedPool;
  const m = unaryModule();
  loadedPool = m === null ? null : makeMaxPool(m);
  return loadedPool;
}

/**
 * The module's float32 im2col and col2im ({@link WasmConvWindows}), or `null` where the module
 * cannot be compiled.
 *
 * @example
 * const conv = wasmConvWindows();
 * const w = { C: 1, H: 2, W: 2, kH: 1, kW: 2, sH: 1, sW: 1, pH: 0, pW: 0, dH: 1, dW: 1, Ho: 2, Wo: 1 };
 * const col = new Float32Array(4);
 * conv?.im2col(w, new Float32Array([1, 2, 3, 4]), 0, 4, 1, col, 0, 2); // col = [1, 3, 2, 4]
 */
export function wasmConvWindows(): WasmConvWindows | null {
  if (loadedConv !== undefined) return loadedConv;
  const m = unaryModule();
  loadedConv = m === null ? null : makeConvWindows(m);
  return loadedConv;
}

/**
 * The module's max-pooling gradient ({@link WasmMaxUnpool}), or `null` where the module cannot
 * be compiled.
 *
 * @example
 * const unpool = wasmMaxUnpool();
 * const out = new Float32Array(4);
 * unpool?.(new Float32Array([5]), 0, new Int32Array([2]), 0, 1, 1, 4, out, 0); // out = [0, 0, 5, 0]
 */
export function wasmMaxUnpool(): WasmMaxUnpool | null {
  if (loadedUnpool !== undefined) return loadedUnpool;
  const m = unaryModule();
  loadedUnpool = m === null ? null : makeUnpool(m);
  return loadedUnpool;
}

/** Byte address after `bytes` from `at`, 16-byte aligned with 64 bytes of padding. */
function after(at: number, bytes: number): number {
  return (at + bytes + 64 + 15) & ~15;
}

function makeUnpool(m: Module): WasmMaxUnpool {
  return (grad, go, indices, io, planes, count, plane, out, oo) => {
    const per = Math.max(1, Math.floor(WASM_UNARY_CHUNK / plane));
    const idxAt = m.at;
    const gAt = after(idxAt, per * count * 4);
    const accAt = after(gAt, per * count * 4);
    const outAt = after(accAt, per * plane * 8);
    if (!ensure(m, after(outAt, per * plane * 4))) return -2;
    const f32 = m.f32;
    for (let p0 = 0; p0 < planes; p0 += per) {
      const k = Math.min(per, planes - p0);
      const n = k * count;
      m.i32.set(indices.subarray(io + p0 * count, io + p0 * count + n), idxAt / 4);
      f32.set(grad.subarray(go + p0 * count, go + p0 * count + n), gAt / 4);
      const bad = m.x.unpool(idxAt, gAt, count, k, plane, accAt, outAt);
      if (bad >= 0) return p0 * count + bad;
      out.set(f32.subarray(outAt / 4, outAt / 4 + k * plane), oo + p0 * plane);
    }
    return -1;
  };
}

function makeUnary(m: Module): WasmUnary {
  const at = m.at;
  const atElem = at / 4;
  return (op, src, so, out, oo, n) => {
    const fn = m.x[op];
    const f32 = m.f32;
    for (let done = 0; done < n; done += WASM_UNARY_CHUNK) {
      const len = Math.min(WASM_UNARY_CHUNK, n - done);
      f32.set(src.subarray(so + done, so + done + len), atElem);
      fn(at, at, len);
      out.set(f32.subarray(atElem, atElem + len), oo + done);
    }
  };
}

function makeMaxPool(m: Module): WasmMaxPool2x2 {
  const srcAt = m.at;
  const outChunk = WASM_UNARY_CHUNK / 4;
  const valAt = srcAt + WASM_UNARY_CHUNK * 4 + 64;
  const idxAt = valAt + outChunk * 4 + 64;
  return (src, so, planes, H, W, Ho, Wo, values, vo, indices, io) => {
    const f32 = m.f32;
    const i32 = m.i32;
    const plane = H * W;
    const per = Math.floor(WASM_UNARY_CHUNK / plane);
    const outPlane = Ho * Wo;
    for (let p0 = 0; p0 < planes; p0 += per) {
      const k = Math.min(per, planes - p0);
      f32.set(src.subarray(so + p0 * plane, so + (p0 + k) * plane), srcAt / 4);
      m.x.maxpool2(srcAt, H, W, Ho, Wo, k, valAt, idxAt);
      const n = k * outPlane;
      values.set(f32.subarray(valAt / 4, valAt / 4 + n), vo + p0 * outPlane);
      indices.set(i32.subarray(idxAt / 4, idxAt / 4 + n), io + p0 * outPlane);
    }
  };
}

/**
 * Copies `rows` rows of `len` floats from `src[so + r·ss]` to `dst[d0 + r·ds]`: one copy when
 * both are contiguous runs.
 *
 * @example
 * const dst = new Float32Array(6);
 * copyRows(new Float32Array([1, 2, 3, 4]), 0, 2, dst, 0, 3, 2, 2); // dst = [1, 2, 0, 3, 4, 0]
 */
export function copyRows(src: Float32Array, so: number, ss: number, dst: Float32Array, d0: number, ds: number, rows: number, len: number): void {
  if (rows === 1 || (ss === len && ds === len)) {
    dst.set(src.subarray(so, so + (rows - 1) * ss + len), d0);
    return;
  }
  for (let r = 0; r < rows; r++) dst.set(src.subarray(so + r * ss, so + r * ss + len), d0 + r * ds);
}

function makeConvWindows(m: Module): WasmConvWindows {
  const x = m.x;
  const room = m.x.memory.buffer.byteLength - m.at - 4 * 64 - 64;
  /** Images of `w` that fit at once: im2col's input and matrix, col2im's matrix, accumulator and output. */
  const fitting = (w: ConvWindow, im2col: boolean): number => {
    const inN = w.C * w.H * w.W;
    const colN = w.C * w.kH * w.kW * w.Ho * w.Wo;
    return Math.floor(room / (im2col ? (inN + colN) * 4 : colN * 4 + inN * 12));
  };
  return {
    reserve: (w) => fitting(w, true) >= 1 && fitting(w, false) >= 1,
    im2col(w, src, so, xStride, n, col, co, ld) {
      const per = Math.min(n, fitting(w, true));
      if (per < 1) return false;
      const inN = w.C * w.H * w.W;
      const K = w.C * w.kH * w.kW;
      const P = w.Ho * w.Wo;
      const inAt = m.at;
      const colAt = after(inAt, per * inN * 4);
      const f32 = m.f32;
      for (let b0 = 0; b0 < n; b0 += per) {
        const k = Math.min(per, n - b0);
        copyRows(src, so + b0 * xStride, xStride, f32, inAt / 4, inN, k, inN);
        x.im2col(inAt, w.C, w.H, w.W, w.kH, w.kW, w.sH, w.sW, w.pH, w.pW, w.dH, w.dW, w.Ho, w.Wo, colAt, k, k * P);
        copyRows(f32, colAt / 4, k * P, col, co + b0 * P, ld, K, k * P);
      }
      return true;
    },
    col2im(w, col, co, ld, n, out, oo, outStride) {
      const per = Math.min(n, fitting(w, false));
      if (per < 1) return false;
      const outN = w.C * w.H * w.W;
      const K = w.C * w.kH * w.kW;
      const P = w.Ho * w.Wo;
      const colAt = m.at;
      const accAt = after(colAt, per * K * P * 4);
      const outAt = after(accAt, per * outN * 8);
      const f32 = m.f32;
      for (let b0 = 0; b0 < n; b0 += per) {
        const k = Math.min(per, n - b0);
        copyRows(col, co + b0 * P, ld, f32, colAt / 4, k * P, K, k * P);
        x.col2im(colAt, w.C, w.H, w.W, w.kH, w.kW, w.sH, w.sW, w.pH, w.pW, w.dH, w.dW, w.Ho, w.Wo, accAt, outAt, k, k * P);
        copyRows(f32, outAt / 4, outN, out, oo + b0 * outStride, outStride, k, outN);
      }
      return true;
    },
  };
}

type Ins = readonly CpuView[];

/**
 * The kernels of {@link WasmUnaryOp} that run `run` on dense float32 tensors of at least
 * {@link WASM_UNARY_MIN_ELEMENTS} elements and the TypeScript kernels otherwise.
 *
 * @example
 * const kernels = makeWasmUnaryKernels(wasmUnary()!);
 * kernels.exp([x], [out], {});
 */
export function makeWasmUnaryKernels(run: WasmUnary): Record<WasmUnaryOp, (inputs: Ins, outputs: Ins) => void> {
  const make =
    (op: WasmUnaryOp) =>
    (inputs: Ins, outputs: Ins): void => {
      const x = inputs[0]!;
      const out = outputs[0]!;
      const xl = x.layout;
      const ol = out.layout;
      if (
        x.dtype === "float32" &&
        out.dtype === "float32" &&
        sameShape(xl.shape, ol.shape) &&
        sizeOf(ol.shape) >= WASM_UNARY_MIN_ELEMENTS &&
        isDense(xl) &&
        isDense(ol)
      ) {
        run(op, x.buffer as Float32Array, xl.offset, out.buffer as Float32Array, ol.offset, sizeOf(ol.shape));
        return;
      }
      unaryKernels[op](inputs, outputs);
    };
  return { exp: make("exp"), log: make("log"), tanh: make("tanh"), sigmoid: make("sigmoid"), relu: make("relu") };
}
