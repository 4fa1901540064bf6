/**
 * float32 `add`, `sub`, `mul`, `div`, `maximum` and `minimum` in WebAssembly SIMD (source:
 * `assembly/binary.ts`, compiled by `asc` into `src/wasm/binary-wasm.generated.ts` by the
 * `build:wasm` script; see the package README). A third module beside the GEMM's and the
 * unary one, so each stays under the browsers' 4 KiB limit for synchronous compilation.
 *
 * Each kernel streams its dense float32 operands through the module's memory in chunks of
 * {@link WASM_BINARY_CHUNK} elements (copy in, run in place, copy out); a single-element
 * operand is passed as a scalar instead. Results are those of the TypeScript kernels bit for
 * bit (float32 `+ − × ÷` are correctly rounded either way; `maximum`/`minimum` propagate NaN
 * and order −0 below +0, like `Math.max`/`Math.min`), NaN payloads aside. Anything else
 * (other dtypes, strided or broadcast views other than a scalar, fewer than
 * {@link WASM_BINARY_MIN_ELEMENTS} elements) runs the TypeScript kernel it wraps. The same
 * module runs a bias broadcast (one value per row, or one row repeated), the comparisons into
 * bool bytes and `where` (bits copied through a lane mask), with the same bit-for-bit results.
 */
import { BINARY_WASM_BASE64 } from "../wasm/binary-wasm.generated.js";
import { type CpuView, PLAN_INDEX, PLAN_S0, PLAN_S1, PLAN_S2, PLAN_SHAPE, isDense, planIteration, sameShape, sizeOf } from "./iter.js";
import { binaryKernels, otherElementwiseKernels } from "./elementwise.js";

/**
 * Below this many elements the TypeScript kernels are used. Measured (Node 20, x64, `add` and
 * `maximum`, dense or scalar operand): the module ties at 64 elements and wins by 1.6–2× at
 * 128, 3.5–4× at 512, 5–7× from 4096.
 */
export const WASM_BINARY_MIN_ELEMENTS = 128;

/** Elements per chunk streamed through the module's memory (64 KiB of float32 per operand). */
export const WASM_BINARY_CHUNK = 16384;

/** The ops the module implements, in the module's `op` numbering. */
export const WASM_BINARY_OPS = ["add", "sub", "mul", "div", "maximum", "minimum"] as const;
export type WasmBinaryOp = (typeof WASM_BINARY_OPS)[number];

interface BinaryExports {
  readonly memory: WebAssembly.Memory;
  vv(op: number, a: number, b: number, dst: number, n: number): void;
  vs(op: number, a: number, s: number, dst: number, n: number): void;
  sv(op: number, s: number, b: number, dst: number, n: number): void;
  cmp(op: number, a: number, as: number, b: number, bs: number, s: number, dst: number, n: number): void;
  where(c: number, a: number, as: number, b: number, bs: number, s: number, dst: number, n: number): void;
  /** First free byte of the module's memory (16-byte aligned). */
  scratch(): number;
}

/** The comparisons the module implements, in the module's `op` numbering; results are bool bytes. */
export const WASM_COMPARE_OPS = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
export type WasmCompareOp = (typeof WASM_COMPARE_OPS)[number];

/**
 * The module's entry points. In each, an operand whose stride (`as`, `bs`) is 0 is the single
 * element at its offset, used for every position; otherwise `n` elements are read from it.
 */
export interface WasmBinary {
  /** `out[oo + i] = a op b` over `n` float32 values. */
  arith(op: WasmBinaryOp, a: Float32Array, ao: number, as: 0 | 1, b: Float32Array, bo: number, bs: 0 | 1, out: Float32Array, oo: number, n: number): void;
  /**
   * `out[oo + r·L + j] = a[ao + r·L + j] op b[rowOffsets(r)]` for `rows` rows of `L` elements
   * (a scalar per row of `b`, such as a `[C, 1, 1]` bias over `[N, C, H, W]`); with `bRows`
   * false the roles swap: `a` gives the scalar per row and `b` is dense.
   */
  arithRows(op: WasmBinaryOp, dense: Float32Array, denseOffset: number, rowsOf: Float32Array, rowOffsets: Int32Array, bRows: boolean, out: Float32Array, oo: number, rows: number, L: number): void;
  /**
   * `out[oo + r·L + j] = a[ao + r·L + j] op b[bo + j]` for `n / L` rows of `L` elements (a
   * contiguous row, such as a `[F]` bias over `[B, F]`, repeated); with `bTiled` false the
   * roles swap: `a` is the repeated row and `b` is dense.
   */
  arithTiled(op: WasmBinaryOp, dense: Float32Array, denseOffset: number, row: Float32Array, rowOffset: number, bTiled: boolean, out: Float32Array, oo: number, n: number, L: number): void;
  /** `out[oo + i] = (a op b) ? 1 : 0` into bool bytes. */
  compare(op: WasmCompareOp, a: Float32Array, ao: number, as: 0 | 1, b: Float32Array, bo: number, bs: 0 | 1, out: Uint8Array, oo: number, n: number): void;
  /** `out[oo + i] = c[co + i] ≠ 0 ? a : b` over float32 values (bits copied as they are). */
  where(c: Uint8Array, co: number, a: Float32Array, ao: number, as: 0 | 1, b: Float32Array, bo: number, bs: 0 | 1, out: Float32Array, oo: number, n: number): void;
}

let loaded: WasmBinary | null | undefined;

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * The WebAssembly SIMD binary module, or `null` where it cannot be compiled. Call only after
 * the SIMD probe of `wasmGemm` succeeded (the backend does).
 *
 * @example
 * const run = wasmBinary();
 * const out = new Float32Array(4);
 * run?.arith("add", new Float32Array([1, 2, 3, 4]), 0, 1, new Float32Array([10]), 0, 0, out, 0, 4); // [11, 12, 13, 14]
 */
export function wasmBinary(): WasmBinary | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    const module = new WebAssembly.Module(decodeBase64(BINARY_WASM_BASE64) as BufferSource);
    const exports = new WebAssembly.Instance(module, {}).exports as unknown as BinaryExports;
    loaded = makeBinary(exports);
  } catch {
    loaded = null;
  }
  return loaded;
}

function makeBinary(x: BinaryExports): WasmBinary {
  const at = x.scratch();
  const memory = x.memory;
  // Two float32 chunks and one byte chunk (each a multiple of 16 lanes) must fit above the
  // data, in the memory the build gives the module. It is never grown: growing detaches the
  // old buffer, which makes V8 slow down every typed-array loop of the process afterwards.
  const need = at + 2 * WASM_BINARY_CHUNK * 4 + WASM_BINARY_CHUNK;
  if (need > memory.buffer.byteLength) throw new RangeError("the binary module's memory is too small for its chunks");
  const f32 = new Float32Array(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  const aAt = at;
  const bAt = at + WASM_BINARY_CHUNK * 4;
  const cAt = bAt + WASM_BINARY_CHUNK * 4;
  const aElem = aAt / 4;
  const bElem = bAt / 4;
  /** Copies the chunk `[done, done + len)` of each non-scalar operand in. */
  const load = (a: Float32Array, ao: number, as: 0 | 1, b: Float32Array, bo: number, bs: 0 | 1, done: number, len: number): void => {
    if (as !== 0) f32.set(a.subarray(ao + done, ao + done + len), aElem);
    if (bs !== 0) f32.set(b.subarray(bo + done, bo + done + len), bElem);
  };
  return {
    arith(op, a, ao, as, b, bo, bs, out, oo, n) {
      const code = WASM_BINARY_OPS.indexOf(op);
      for (let done = 0; done < n; done += WASM_BINARY_CHUNK) {
        const len = Math.min(WASM_BINARY_CHUNK, n - done);
        load(a, ao, as, b, bo, bs, done, len);
        if (as === 0) x.sv(code, a[ao]!, bAt, aAt, len);
        else if (bs === 0) x.vs(code, aAt, b[bo]!, aAt, len);
        else x.vv(code, aAt, bAt, aAt, len);
        out.set(f32.subarray(aElem, aElem + len), oo + done);
      }
    },
    arithRows(op, dense, denseOffset, rowsOf, rowOffsets, bRows, out, oo, rows, L) {
      const code = WASM_BINARY_OPS.indexOf(op);
      const per = Math.floor(WASM_BINARY_CHUNK / L);
      const denseElem = bRows ? aElem : bElem;
      const rowElem = bRows ? bElem : aElem;
      for (let r0 = 0; r0 < rows; r0 += per) {
        const k = Math.min(per, rows - r0);
        const start = r0 * L;
        const len = k * L;
        f32.set(dense.subarray(denseOffset + start, denseOffset + start + len), denseElem);
        for (let j = 0, e = rowElem; j < k; j++, e += L) f32.fill(rowsOf[rowOffsets[r0 + j]!]!, e, e + L);
        x.vv(code, aAt, bAt, aAt, len);
        out.set(f32.subarray(aElem, aElem + len), oo + start);
      }
    },
    arithTiled(op, dense, denseOffset, row, rowOffset, bTiled, out, oo, n, L) {
      const code = WASM_BINARY_OPS.indexOf(op);
      const per = Math.floor(WASM_BINARY_CHUNK / L);
      const denseElem = bTiled ? aElem : bElem;
      const rowElem = bTiled ? bElem : aElem;
      const source = row.subarray(rowOffset, rowOffset + L);
      for (let j = 0; j < Math.min(per, n / L); j++) f32.set(source, rowElem + j * L);
      for (let start = 0; start < n; start += per * L) {
        const len = Math.min(per * L, n - start);
        f32.set(dense.subarray(denseOffset + start, denseOffset + start + len), denseElem);
        // The result overwrites the dense operand's chunk; the repeated row stays for the next.
        x.vv(code, aAt, bAt, denseElem * 4, len);
        out.set(f32.subarray(denseElem, denseElem + len), oo + start);
      }
    },
    compare(op, a, ao, as, b, bo, bs, out, oo, n) {
      const code = WASM_COMPARE_OPS.indexOf(op);
      const s = as === 0 ? a[ao]! : bs === 0 ? b[bo]! : 0;
      const dst = as !== 0 ? aAt : bAt;
      for (let done = 0; done < n; done += WASM_BINARY_CHUNK) {
        const len = Math.min(WASM_BINARY_CHUNK, n - done);
        load(a, ao, as, b, bo, bs, done, len);
        x.cmp(code, aAt, as, bAt, bs, s, dst, len);
        out.set(u8.subarray(dst, dst + len), oo + done);
      }
    },
    where(c, co, a, ao, as, b, bo, bs, out, oo, n) {
      const s = as === 0 ? a[ao]! : bs === 0 ? b[bo]! : 0;
      const dst = as !== 0 ? aAt : bAt;
      const dstElem = dst / 4;
      for (let done = 0; done < n; done += WASM_BINARY_CHUNK) {
        const len = Math.min(WASM_BINARY_CHUNK, n - done);
        u8.set(c.subarray(co + done, co + done + len), cAt);
        load(a, ao, as, b, bo, bs, done, len);
        x.where(cAt, aAt, as, bAt, bs, s, dst, len);
        out.set(f32.subarray(dstElem, dstElem + len), oo + done);
      }
    },
  };
}

type Ins = readonly CpuView[];

/** Below this row length the per-row-scalar path ({@link WasmBinary.arithRows}) is not used. */
export const WASM_BINARY_MIN_ROW = 16;

/** Row offsets of the per-row operand, reused between calls. */
let rowOffsets = new Int32Array(64);

/**
 * When `out` and `dense` are dense of one shape and `rows` broadcasts to it as one value per
 * innermost row of at least {@link WASM_BINARY_MIN_ROW} elements (a `[C, 1, 1]` bias over
 * `[N, C, H, W]`, a `[B, 1]` column over `[B, F]`), fills {@link rowOffsets} with each row's
 * element of `rows` and returns the row length; otherwise 0.
 */
function planRows(dense: CpuView, rows: CpuView, out: CpuView): number {
  const shape = out.layout.shape;
  const nd = planIteration(shape, 3, dense.layout, rows.layout, out.layout, null);
  if (nd < 2) return 0;
  const inner = nd - 1;
  const L = PLAN_SHAPE[inner]!;
  if (PLAN_S0[inner] !== 1 || PLAN_S1[inner] !== 0 || PLAN_S2[inner] !== 1 || L < WASM_BINARY_MIN_ROW || L > WASM_BINARY_CHUNK) return 0;
  const count = sizeOf(shape) / L;
  if (rowOffsets.length < count) rowOffsets = new Int32Array(Math.max(count, 2 * rowOffsets.length));
  let off = rows.layout.offset;
  for (let d = 0; d < inner; d++) PLAN_INDEX[d] = 0;
  for (let r = 0; r < count; r++) {
    rowOffsets[r] = off;
    for (let d = inner - 1; d >= 0; d--) {
      off += PLAN_S1[d]!;
      if (++PLAN_INDEX[d]! < PLAN_SHAPE[d]!) break;
      PLAN_INDEX[d] = 0;
      off -= PLAN_S1[d]! * PLAN_SHAPE[d]!;
    }
  }
  return L;
}

/**
 * When `out` and `dense` are dense of one shape and `row` is a contiguous run of at least
 * {@link WASM_BINARY_MIN_ROW} elements repeated along the outer dims (a `[F]` bias over
 * `[B, F]`), returns its length; otherwise 0.
 */
function planTiled(dense: CpuView, row: CpuView, out: CpuView): number {
  const nd = planIteration(out.layout.shape, 3, dense.layout, row.layout, out.layout, null);
  if (nd !== 2) return 0;
  const L = PLAN_SHAPE[1]!;
  const ok = PLAN_S0[1] === 1 && PLAN_S1[1] === 1 && PLAN_S2[1] === 1 && PLAN_S1[0] === 0;
  return ok && L >= WASM_BINARY_MIN_ROW && L <= WASM_BINARY_CHUNK ? L : 0;
}

/** 1 when `v` is dense with `shape`, 0 when it is a single element, -1 otherwise. */
function operandStride(v: CpuView, shape: readonly number[]): 0 | 1 | -1 {
  const l = v.layout;
  if (sameShape(l.shape, shape) && isDense(l)) return 1;
  return sizeOf(l.shape) === 1 ? 0 : -1;
}

/**
 * The kernels of {@link WasmBinaryOp} that run the module on float32 tensors of at least
 * {@link WASM_BINARY_MIN_ELEMENTS} elements whose output and operands are dense, each operand
 * either of the output's shape or a single element, or one dense and the other one value per
 * row (a bias), and the TypeScript kernels otherwise; likewise the comparisons
 * ({@link WasmCompareOp}, float32 operands, bool output) and `where` (bool condition of the
 * output's shape, float32 values, either value may be a single element).
 *
 * @example
 * const kernels = makeWasmBinaryKernels(wasmBinary()!);
 * kernels.add([a, b], [out], {});
 */
export function makeWasmBinaryKernels(
  run: WasmBinary,
): Record<WasmBinaryOp | WasmCompareOp | "where", (inputs: Ins, outputs: Ins) => void> {
  const make = (op: WasmBinaryOp) => {
    const fallback = binaryKernels[op];
    return (inputs: Ins, outputs: Ins): void => {
      const a = inputs[0]!;
      const b = inputs[1]!;
      const out = outputs[0]!;
      const ol = out.layout;
      const shape = ol.shape;
      if (a.dtype === "float32" && b.dtype === "float32" && out.dtype === "float32" && isDense(ol)) {
        const n = sizeOf(shape);
        if (n >= WASM_BINARY_MIN_ELEMENTS) {
          const as = operandStride(a, shape);
          const bs = operandStride(b, shape);
          const ab = a.buffer as Float32Array;
          const bb = b.buffer as Float32Array;
          const ob = out.buffer as Float32Array;
          if (as !== -1 && bs !== -1 && (as | bs) !== 0) {
            run.arith(op, ab, a.layout.offset, as, bb, b.layout.offset, bs, ob, ol.offset, n);
            return;
          }
          if (as === 1 && bs === -1) {
            const L = planRows(a, b, out);
            if (L > 0) return run.arithRows(op, ab, a.layout.offset, bb, rowOffsets, true, ob, ol.offset, n / L, L);
            const T = planTiled(a, b, out);
            if (T > 0) return run.arithTiled(op, ab, a.layout.offset, bb, b.layout.offset, true, ob, ol.offset, n, T);
          } else if (bs === 1 && as === -1) {
            const L = planRows(b, a, out);
            if (L > 0) return run.arithRows(op, bb, b.layout.offset, ab, rowOffsets, false, ob, ol.offset, n / L, L);
            const T = planTiled(b, a, out);
            if (T > 0) return run.arithTiled(op, bb, b.layout.offset, ab, a.layout.offset, false, ob, ol.offset, n, T);
          }
        }
      }
      fallback(inputs, outputs);
    };
  };
  const makeCompare = (op: WasmCompareOp) => {
    const fallback = binaryKernels[op];
    return (inputs: Ins, outputs: Ins): void => {
      const a = inputs[0]!;
      const b = inputs[1]!;
      const out = outputs[0]!;
      const ol = out.layout;
      const shape = ol.shape;
      const n = sizeOf(shape);
      if (a.dtype === "float32" && b.dtype === "float32" && out.dtype === "bool" && n >= WASM_BINARY_MIN_ELEMENTS && isDense(ol)) {
        const as = operandStride(a, shape);
        const bs = operandStride(b, shape);
        if (as !== -1 && bs !== -1 && (as | bs) !== 0) {
          const ab = a.buffer as Float32Array;
          const bb = b.buffer as Float32Array;
          run.compare(op, ab, a.layout.offset, as, bb, b.layout.offset, bs, out.buffer as Uint8Array, ol.offset, n);
          return;
        }
      }
      fallback(inputs, outputs);
    };
  };
  const fallbackWhere = otherElementwiseKernels.where;
  const where = (inputs: Ins, outputs: Ins): void => {
    const c = inputs[0]!;
    const a = inputs[1]!;
    const b = inputs[2]!;
    const out = outputs[0]!;
    const ol = out.layout;
    const shape = ol.shape;
    const n = sizeOf(shape);
    if (
      c.dtype === "bool" &&
      a.dtype === "float32" &&
      b.dtype === "float32" &&
      out.dtype === "float32" &&
      n >= WASM_BINARY_MIN_ELEMENTS &&
      isDense(ol) &&
      operandStride(c, shape) === 1
    ) {
      const as = operandStride(a, shape);
      const bs = operandStride(b, shape);
      if (as !== -1 && bs !== -1 && (as | bs) !== 0) {
        const ab = a.buffer as Float32Array;
        const bb = b.buffer as Float32Array;
        run.where(c.buffer as Uint8Array, c.layout.offset, ab, a.layout.offset, as, bb, b.layout.offset, bs, out.buffer as Float32Array, ol.offset, n);
        return;
      }
    }
    fallbackWhere(inputs, outputs);
  };
  return {
    add: make("add"),
    sub: make("sub"),
    mul: make("mul"),
    div: make("div"),
    maximum: make("maximum"),
    minimum: make("minimum"),
    eq: makeCompare("eq"),
    ne: makeCompare("ne"),
    lt: makeCompare("lt"),
    le: makeCompare("le"),
    gt: makeCompare("gt"),
    ge: makeCompare("ge"),
    where,
  };
}
