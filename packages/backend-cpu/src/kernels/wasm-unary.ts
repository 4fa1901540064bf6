/**
 * float32 `exp`, `log`, `tanh` and `sigmoid` in WebAssembly SIMD (source:
 * `assembly/unary.ts`, compiled by `asc` into `src/wasm/unary-wasm.generated.ts` by the
 * `build:wasm` script; see the package README). A second module beside the GEMM's so each
 * stays under the browsers' 4 KiB limit for synchronous compilation on the main thread.
 *
 * Each kernel streams a dense float32 input through the module's memory in chunks of
 * {@link WASM_UNARY_CHUNK} elements (copy in, run in place, copy out), so the module's memory
 * stays at its initial two pages. Every result is within 2 ulp of the correctly rounded float32 value, and
 * overflow, underflow, ±0, ±∞ and NaN come out as `Math.exp` / `Math.log` / `Math.tanh`
 * rounded to float32 give them. Anything else (other dtypes, strided or broadcast views,
 * fewer than {@link WASM_UNARY_MIN_ELEMENTS} elements) runs the TypeScript kernel it wraps.
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
export type WasmUnaryOp = "exp" | "log" | "tanh" | "sigmoid";

type OpFn = (src: number, dst: number, n: number) => void;

interface UnaryExports extends Record<WasmUnaryOp, OpFn> {
  readonly memory: WebAssembly.Memory;
  /** First free byte above the module's constant tables (16-byte aligned). */
  scratch(): number;
}

/** Runs `op` over `n` float32 values: `out[oo + i] = op(x[xo + i])`. */
export type WasmUnary = (op: WasmUnaryOp, x: Float32Array, xo: number, out: Float32Array, oo: number, n: number) => void;

let loaded: WasmUnary | null | undefined;

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
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
  loaded = null;
  try {
    const module = new WebAssembly.Module(decodeBase64(UNARY_WASM_BASE64) as BufferSource);
    const exports = new WebAssembly.Instance(module, {}).exports as unknown as UnaryExports;
    loaded = makeUnary(exports);
  } catch {
    loaded = null;
  }
  return loaded;
}

function makeUnary(x: UnaryExports): WasmUnary {
  const at = x.scratch();
  const memory = x.memory;
  // The chunk (rounded up to 4 lanes) must fit above the constants; grow once if it does not.
  const need = at + WASM_UNARY_CHUNK * 4;
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  const f32 = new Float32Array(memory.buffer);
  const atElem = at / 4;
  return (op, src, so, out, oo, n) => {
    const fn = x[op];
    for (let done = 0; done < n; done += WASM_UNARY_CHUNK) {
      const len = Math.min(WASM_UNARY_CHUNK, n - done);
      f32.set(src.subarray(so + done, so + done + len), atElem);
      fn(at, at, len);
      out.set(f32.subarray(atElem, atElem + len), oo + done);
    }
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
  return { exp: make("exp"), log: make("log"), tanh: make("tanh"), sigmoid: make("sigmoid") };
}
