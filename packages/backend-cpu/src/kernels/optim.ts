/**
 * Fused optimizer updates: `adamStep`, the whole Adam/AdamW update of a parameter in one pass
 * over its elements (the composed update in `@tessera/optim` makes about 13 passes).
 *
 * Every path does the composed update's operations in its order: float64 as is, float32
 * rounded to float32 after every operation (`Math.fround` in TypeScript, f32x4 ops in
 * WebAssembly), so fused and composed agree bit for bit (see `@tessera/kernels`' `adamStep`).
 *
 * - Dense float32 operands (the optimizer's case) run in a small WebAssembly SIMD module
 *   (`assembly/adam.ts`, built by `build:wasm`), chunk by chunk through its memory; the last
 *   `n % 4` elements, and runtimes without WebAssembly SIMD, use the TypeScript row loop.
 *   Backends created with `simd: false` use only the loop ({@link optimKernels}); results are
 *   identical either way.
 * - Other dense operands run the row loop once, with stride 1.
 * - Anything else (strided views) is walked row by row over the coalesced shape, with an
 *   offset and a stride per operand.
 *
 * The optimizer runs it in place (outputs are the inputs' own views); every element is read
 * before it is written, at the same position.
 */
import type { TypedArray } from "@tessera/storage";
import { type AdamStepAttrs, type AdamStepScalars, adamStepScalars } from "@tessera/kernels";
import type { KernelTable } from "@tessera/backend";
import { type CpuView, broadcastStride, isDense, sizeOf } from "./iter.js";
import { ADAM_WASM_BASE64 } from "../wasm/adam-wasm.generated.js";

/** Operand order of the row routines: param, grad, expAvg, expAvgSq, maxExpAvgSq, then outputs. */
const OPERANDS = 9;
/** Current offset of each operand (reused; no allocation per call). */
const OFF = new Array<number>(OPERANDS).fill(0);
/** Innermost stride of each operand for the current row. */
const STEP = new Array<number>(OPERANDS).fill(0);

/** The typed arrays of one call, in operand order (unused ones repeat param's). */
const ARR: TypedArray[] = [];

/**
 * Updates `n` elements of strided operands, operand `k` starting at `OFF[k]` with stride
 * `STEP[k]`; float64.
 */
function rowF64(s: AdamStepScalars, a: AdamStepAttrs, n: number): void {
  const p = ARR[0]!, g = ARR[1]!, m = ARR[2]!, v = ARR[3]!, vm = ARR[4]!;
  const po = ARR[5]!, mo = ARR[6]!, vo = ARR[7]!, vmo = ARR[8]!;
  let ip = OFF[0]!, ig = OFF[1]!, im = OFF[2]!, iv = OFF[3]!, ivm = OFF[4]!;
  let jp = OFF[5]!, jm = OFF[6]!, jv = OFF[7]!, jvm = OFF[8]!;
  const sp = STEP[0]!, sg = STEP[1]!, sm = STEP[2]!, sv = STEP[3]!, svm = STEP[4]!;
  const tp = STEP[5]!, tm = STEP[6]!, tv = STEP[7]!, tvm = STEP[8]!;
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, l2, decay, biasCorrection2Sqrt, negStepSize } = s;
  const sign = a.maximize ? -1 : 1;
  const useDecay = a.decoupled && a.weightDecay !== 0;
  const useL2 = !a.decoupled && a.weightDecay !== 0;
  const amsgrad = a.amsgrad;
  for (let i = 0; i < n; i++) {
    let param = p[ip]!;
    let grad = sign === 1 ? g[ig]! : -g[ig]!;
    if (useDecay) param = param * decay;
    else if (useL2) grad = grad + param * l2;
    const expAvg = m[im]! * beta1 + grad * oneMinusBeta1;
    const expAvgSq = v[iv]! * beta2 + grad * oneMinusBeta2 * grad;
    let second = expAvgSq;
    if (amsgrad) {
      const old = vm[ivm]!;
      second = old !== old || expAvgSq !== expAvgSq ? NaN : old > expAvgSq ? old : expAvgSq;
      vmo[jvm] = second;
      ivm += svm;
      jvm += tvm;
    }
    const denom = Math.sqrt(second) / biasCorrection2Sqrt + eps;
    po[jp] = param + (expAvg * negStepSize) / denom;
    mo[jm] = expAvg;
    vo[jv] = expAvgSq;
    ip += sp;
    ig += sg;
    im += sm;
    iv += sv;
    jp += tp;
    jm += tm;
    jv += tv;
  }
}

/** {@link rowF64} for float32: every intermediate rounded to float32, as the composed path does. */
function rowF32(s: AdamStepScalars, a: AdamStepAttrs, n: number): void {
  const r = Math.fround;
  const p = ARR[0]!, g = ARR[1]!, m = ARR[2]!, v = ARR[3]!, vm = ARR[4]!;
  const po = ARR[5]!, mo = ARR[6]!, vo = ARR[7]!, vmo = ARR[8]!;
  let ip = OFF[0]!, ig = OFF[1]!, im = OFF[2]!, iv = OFF[3]!, ivm = OFF[4]!;
  let jp = OFF[5]!, jm = OFF[6]!, jv = OFF[7]!, jvm = OFF[8]!;
  const sp = STEP[0]!, sg = STEP[1]!, sm = STEP[2]!, sv = STEP[3]!, svm = STEP[4]!;
  const tp = STEP[5]!, tm = STEP[6]!, tv = STEP[7]!, tvm = STEP[8]!;
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, l2, decay, biasCorrection2Sqrt, negStepSize } = s;
  const sign = a.maximize ? -1 : 1;
  const useDecay = a.decoupled && a.weightDecay !== 0;
  const useL2 = !a.decoupled && a.weightDecay !== 0;
  const amsgrad = a.amsgrad;
  for (let i = 0; i < n; i++) {
    let param = p[ip]!;
    let grad = sign === 1 ? g[ig]! : -g[ig]!;
    if (useDecay) param = r(param * decay);
    else if (useL2) grad = r(grad + r(param * l2));
    const expAvg = r(r(m[im]! * beta1) + r(grad * oneMinusBeta1));
    const expAvgSq = r(r(v[iv]! * beta2) + r(r(grad * oneMinusBeta2) * grad));
    let second = expAvgSq;
    if (amsgrad) {
      const old = vm[ivm]!;
      second = old !== old || expAvgSq !== expAvgSq ? NaN : old > expAvgSq ? old : expAvgSq;
      vmo[jvm] = second;
      ivm += svm;
      jvm += tvm;
    }
    const denom = r(r(r(Math.sqrt(second)) / biasCorrection2Sqrt) + eps);
    po[jp] = param + r(r(expAvg * negStepSize) / denom);
    mo[jm] = expAvg;
    vo[jv] = expAvgSq;
    ip += sp;
    ig += sg;
    im += sm;
    iv += sv;
    jp += tp;
    jm += tm;
    jv += tv;
  }
}

// ---------------------------------------------------------------------------------------
// float32 in WebAssembly SIMD
// ---------------------------------------------------------------------------------------

/** Elements per chunk copied through the module's memory (its `CHUNK`: five arrays of this many floats). */
const CHUNK = 4096;

type AdamWasm = (n: number, mode: number, amsgrad: number, ...scalars: number[]) => void;

/** The compiled module's function and a view of its memory, or null where SIMD is missing. */
let wasmAdam: { run: AdamWasm; f32: Float32Array } | null | undefined;

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * The module built from `assembly/adam.ts` (its `adam(n, mode, amsgrad, beta1, 1-beta1,
 * beta2, 1-beta2, eps, l2, decay, sqrt(bc2), -stepSize, sign)` updates the first `n` elements
 * of the chunk in its memory, four lanes at a time, with exactly the float32 operations of
 * {@link rowF32}), or null where WebAssembly SIMD is unavailable.
 */
function getWasmAdam(): { run: AdamWasm; f32: Float32Array } | null {
  if (wasmAdam !== undefined) return wasmAdam;
  wasmAdam = null;
  try {
    const bytes = decodeBase64(ADAM_WASM_BASE64) as BufferSource;
    if (typeof WebAssembly !== "undefined" && WebAssembly.validate(bytes)) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
      const exports = instance.exports as { memory: WebAssembly.Memory; adam: AdamWasm; CHUNK: WebAssembly.Global };
      if (exports.CHUNK.value !== CHUNK) throw new Error(`assembly/adam.ts CHUNK ${exports.CHUNK.value} != ${CHUNK}`);
      wasmAdam = { run: exports.adam, f32: new Float32Array(exports.memory.buffer) };
    }
  } catch {
    wasmAdam = null; // no WebAssembly SIMD here: the TypeScript loop serves
  }
  return wasmAdam;
}

/**
 * The first `n − n % 4` elements of dense float32 operands (`arrays`, each starting at its
 * first element) through the SIMD module: chunks are copied into its memory, updated there
 * four lanes at a time and copied back. Returns how many elements it updated: 0 where
 * WebAssembly SIMD is unavailable.
 */
function denseF32Simd(arrays: readonly TypedArray[], n: number, c: AdamStepScalars, a: AdamStepAttrs): number {
  const wasm = getWasmAdam();
  if (wasm === null) return 0;
  const [p, g, m, v, vm, po, mo, vo, vmo] = arrays as Float32Array[];
  const mode = a.weightDecay === 0 ? 0 : a.decoupled ? 1 : 2;
  const sign = a.maximize ? -1 : 1;
  const mem = wasm.f32;
  const n4 = n - (n % 4);
  for (let start = 0; start < n4; start += CHUNK) {
    const len = Math.min(CHUNK, n4 - start);
    const end = start + len;
    mem.set(p!.subarray(start, end), 0);
    mem.set(g!.subarray(start, end), CHUNK);
    mem.set(m!.subarray(start, end), 2 * CHUNK);
    mem.set(v!.subarray(start, end), 3 * CHUNK);
    if (a.amsgrad) mem.set(vm!.subarray(start, end), 4 * CHUNK);
    wasm.run(len, mode, a.amsgrad ? 1 : 0, c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.eps, c.l2, c.decay, c.biasCorrection2Sqrt, c.negStepSize, sign);
    po!.set(mem.subarray(0, len), start);
    mo!.set(mem.subarray(2 * CHUNK, 2 * CHUNK + len), start);
    vo!.set(mem.subarray(3 * CHUNK, 3 * CHUNK + len), start);
    if (a.amsgrad) vmo!.set(mem.subarray(4 * CHUNK, 4 * CHUNK + len), start);
  }
  return n4;
}

/** Coalesced shape and per-operand strides of a strided call (reused). */
const SHAPE: number[] = [];
const STRIDES: number[][] = Array.from({ length: OPERANDS }, () => []);
const INDEX: number[] = [];

/** `adamStep` (see the module comment); `simd` allows the WebAssembly module for dense float32. */
function adamStep(simd: boolean, inputs: readonly CpuView[], outputs: readonly CpuView[], attrs: AdamStepAttrs): void {
  const shape = outputs[0]!.layout.shape;
  const n = sizeOf(shape);
  if (n === 0) return;
  const views = [inputs[0]!, inputs[1]!, inputs[2]!, inputs[3]!, inputs[4] ?? inputs[0]!, outputs[0]!, outputs[1]!, outputs[2]!, outputs[3] ?? outputs[0]!];
  const used = attrs.amsgrad ? [0, 1, 2, 3, 4, 5, 6, 7, 8] : [0, 1, 2, 3, 5, 6, 7];
  const row = inputs[0]!.dtype === "float32" ? rowF32 : rowF64;
  const scalars = adamStepScalars(attrs, inputs[0]!.dtype);
  for (let k = 0; k < OPERANDS; k++) {
    ARR[k] = views[k]!.buffer;
    OFF[k] = views[k]!.layout.offset;
    STEP[k] = 0;
  }
  try {
    if (used.every((k) => isDense(views[k]!.layout))) {
      // Dense (the optimizer's case): float32 through the SIMD module where allowed, the rest
      // (and everything else) one row of stride 1.
      let done = 0;
      if (simd && inputs[0]!.dtype === "float32") {
        done = denseF32Simd(views.map((view) => view.buffer.subarray(view.layout.offset, view.layout.offset + n)), n, scalars, attrs);
      }
      for (const k of used) {
        OFF[k] = OFF[k]! + done;
        STEP[k] = 1;
      }
      if (done < n) row(scalars, attrs, n - done);
      return;
    }
    // Strided: coalesce the dims every operand walks as one, then one row per innermost line.
    const ndim = shape.length;
    let nd = 0;
    for (let d = 0; d < ndim; d++) {
      const size = shape[d]!;
      if (size === 1) continue;
      const p = nd - 1;
      if (p >= 0 && used.every((k) => STRIDES[k]![p] === broadcastStride(views[k]!.layout, d, ndim) * size)) {
        SHAPE[p] = SHAPE[p]! * size;
        for (const k of used) STRIDES[k]![p] = broadcastStride(views[k]!.layout, d, ndim);
      } else {
        SHAPE[nd] = size;
        for (const k of used) STRIDES[k]![nd] = broadcastStride(views[k]!.layout, d, ndim);
        nd++;
      }
    }
    if (nd === 0) {
      row(scalars, attrs, 1);
      return;
    }
    const inner = SHAPE[nd - 1]!;
    for (const k of used) STEP[k] = STRIDES[k]![nd - 1]!;
    for (let d = 0; d < nd - 1; d++) INDEX[d] = 0;
    const rows = n / inner;
    for (let line = 0; line < rows; line++) {
      row(scalars, attrs, inner);
      for (let d = nd - 2; d >= 0; d--) {
        for (const k of used) OFF[k] = OFF[k]! + STRIDES[k]![d]!;
        if (++INDEX[d]! < SHAPE[d]!) break;
        for (const k of used) OFF[k] = OFF[k]! - STRIDES[k]![d]! * SHAPE[d]!;
        INDEX[d] = 0;
      }
    }
  } finally {
    ARR.length = 0; // drop the references to the buffers
  }
}

/**
 * The optim family's CPU kernels, in TypeScript (the backend's `simd: false` table).
 *
 * @example
 * optimKernels.adamStep([p, g, m, v], [p, m, v], attrs); // in place, as `@tessera/optim` runs it
 */
export const optimKernels = {
  adamStep: (inputs, outputs, attrs) => adamStep(false, inputs, outputs, attrs),
} satisfies KernelTable<TypedArray>;

/**
 * The optim family's kernels with dense float32 in WebAssembly SIMD (`assembly/adam.ts`; the
 * TypeScript loops where the module cannot load), for backends that run SIMD kernels.
 *
 * @example
 * simdOptimKernels.adamStep([p, g, m, v], [p, m, v], attrs);
 */
export const simdOptimKernels = {
  adamStep: (inputs, outputs, attrs) => adamStep(true, inputs, outputs, attrs),
} satisfies KernelTable<TypedArray>;
