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
 * {@link WASM_BINARY_MIN_ELEMENTS} elements) runs the TypeScript kernel it wraps.
 */
import { BINARY_WASM_BASE64 } from "../wasm/binary-wasm.generated.js";
import { type CpuView, isDense, sameShape, sizeOf } from "./iter.js";
import { binaryKernels } from "./elementwise.js";

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
  /** First free byte of the module's memory (16-byte aligned). */
  scratch(): number;
}

/**
 * Runs `op` over `n` float32 values into `out[oo …]`: `a` and `b` are read from `ao`/`bo`
 * onward, or, where `as`/`bs` is 0, the single element there is used for every position.
 */
export type WasmBinary = (
  op: WasmBinaryOp,
  a: Float32Array,
  ao: number,
  as: 0 | 1,
  b: Float32Array,
  bo: number,
  bs: 0 | 1,
  out: Float32Array,
  oo: number,
  n: number,
) => void;

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
 * run?.("add", new Float32Array([1, 2, 3, 4]), 0, 1, new Float32Array([10]), 0, 0, out, 0, 4); // [11, 12, 13, 14]
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
  // Two chunks (each a multiple of 4 lanes) must fit above the data; grow once if they do not.
  const need = at + 2 * WASM_BINARY_CHUNK * 4;
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  const f32 = new Float32Array(memory.buffer);
  const aAt = at;
  const bAt = at + WASM_BINARY_CHUNK * 4;
  const aElem = aAt / 4;
  const bElem = bAt / 4;
  return (op, a, ao, as, b, bo, bs, out, oo, n) => {
    const code = WASM_BINARY_OPS.indexOf(op);
    for (let done = 0; done < n; done += WASM_BINARY_CHUNK) {
      const len = Math.min(WASM_BINARY_CHUNK, n - done);
      if (as === 0) {
        f32.set(b.subarray(bo + done, bo + done + len), bElem);
        x.sv(code, a[ao]!, bAt, aAt, len);
      } else if (bs === 0) {
        f32.set(a.subarray(ao + done, ao + done + len), aElem);
        x.vs(code, aAt, b[bo]!, aAt, len);
      } else {
        f32.set(a.subarray(ao + done, ao + done + len), aElem);
        f32.set(b.subarray(bo + done, bo + done + len), bElem);
        x.vv(code, aAt, bAt, aAt, len);
      }
      out.set(f32.subarray(aElem, aElem + len), oo + done);
    }
  };
}

type Ins = readonly CpuView[];

/**
 * The kernels of {@link WasmBinaryOp} that run `run` on float32 tensors of at least
 * {@link WASM_BINARY_MIN_ELEMENTS} elements whose output and operands are dense, each operand
 * either of the output's shape or a single element, and the TypeScript kernels otherwise.
 *
 * @example
 * const kernels = makeWasmBinaryKernels(wasmBinary()!);
 * kernels.add([a, b], [out], {});
 */
export function makeWasmBinaryKernels(run: WasmBinary): Record<WasmBinaryOp, (inputs: Ins, outputs: Ins) => void> {
  const make = (op: WasmBinaryOp) => {
    const fallback = binaryKernels[op];
    return (inputs: Ins, outputs: Ins): void => {
      const a = inputs[0]!;
      const b = inputs[1]!;
      const out = outputs[0]!;
      const al = a.layout;
      const bl = b.layout;
      const ol = out.layout;
      const shape = ol.shape;
      if (a.dtype === "float32" && b.dtype === "float32" && out.dtype === "float32" && isDense(ol)) {
        const n = sizeOf(shape);
        if (n >= WASM_BINARY_MIN_ELEMENTS) {
          const aSame = sameShape(al.shape, shape) && isDense(al);
          const bSame = sameShape(bl.shape, shape) && isDense(bl);
          const aScalar = !aSame && sizeOf(al.shape) === 1;
          const bScalar = !bSame && sizeOf(bl.shape) === 1;
          if ((aSame || aScalar) && (bSame || bScalar) && !(aScalar && bScalar)) {
            const ab = a.buffer as Float32Array;
            const bb = b.buffer as Float32Array;
            run(op, ab, al.offset, aSame ? 1 : 0, bb, bl.offset, bSame ? 1 : 0, out.buffer as Float32Array, ol.offset, n);
            return;
          }
        }
      }
      fallback(inputs, outputs);
    };
  };
  return {
    add: make("add"),
    sub: make("sub"),
    mul: make("mul"),
    div: make("div"),
    maximum: make("maximum"),
    minimum: make("minimum"),
  };
}
