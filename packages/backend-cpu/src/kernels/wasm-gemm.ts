/**
 * The float32 GEMM in WebAssembly SIMD (source: `assembly/gemm.ts`, compiled by `asc` into
 * `src/wasm/gemm-wasm.generated.ts` by the `build:wasm` script; see the package README).
 *
 * The module is compiled synchronously on first use (each build is ~2.3 KiB, under the browsers' 4 KiB
 * limit for synchronous compilation on the main thread). Where `WebAssembly.validate` accepts
 * the relaxed-SIMD build (Node ≥ 22, Chrome ≥ 114; Node 20 with
 * `--experimental-wasm-relaxed-simd`), its fused `f32x4.relaxed_madd` micro-kernel runs
 * instead of `mul` + `add`: results then differ from the unfused kernel by FMA rounding (one
 * rounding per multiply-add, as in BLAS). The same choice applies to the shared-memory build
 * that worker threads run (`../threads/`), so threaded and single-threaded results are equal. Operands are copied into its memory
 * — the span of each strided operand when it is dense enough, else gathered row-major — and
 * the module packs them into panels itself, so every transpose case and stride runs the same
 * micro-kernel. When WebAssembly SIMD is unavailable (or compilation fails) {@link wasmGemm}
 * is `null` and the callers keep the JavaScript kernels; {@link simdUnavailableReason} says why.
 */
import {
  GEMM_FMA_SHARED_WASM_BASE64,
  GEMM_FMA_WASM_BASE64,
  GEMM_SHARED_WASM_BASE64,
  GEMM_WASM_BASE64,
} from "../wasm/gemm-wasm.generated.js";

/** Below this many multiply-adds (`M·N·K`) the JavaScript kernels are as fast or faster (measured: JS wins at 4³, wasm at 6³ and above). */
export const WASM_GEMM_MIN_FLOPS = 200;

/**
 * A minimal module with one function returning a `v128.const`: valid only where the engine
 * supports WebAssembly SIMD.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0x0b,
]);

/** The exports of a GEMM build (each build imports its memory as `env.memory`). */
export interface GemmExports {
  workBytes(): number;
  gemm(
    M: number, N: number, K: number,
    a: number, ars: number, acs: number,
    b: number, brs: number, bcs: number,
    c: number, ldc: number, accumulate: number, work: number,
  ): void;
}

/** A float32 GEMM: `out[oo + i·N + j] = Σ_k A[ao + i·ars + k·acs] · B[bo + k·brs + j·bcs]`. */
export type WasmGemm = (
  M: number, N: number, K: number,
  A: Float32Array, ao: number, ars: number, acs: number,
  B: Float32Array, bo: number, brs: number, bcs: number,
  out: Float32Array, oo: number,
) => void;

let loaded: WasmGemm | null | undefined;
let reason = "";
let fused: boolean | undefined;

/**
 * Whether the GEMM builds with the fused `f32x4.relaxed_madd` micro-kernel are in use: true
 * where the engine validates relaxed SIMD, false elsewhere (checked once per process).
 */
export function gemmUsesFma(): boolean {
  if (fused === undefined) {
    try {
      fused = typeof WebAssembly === "object" && WebAssembly.validate(decodeBase64(GEMM_FMA_WASM_BASE64) as BufferSource);
    } catch {
      fused = false;
    }
  }
  return fused;
}

/**
 * The micro-tile of the GEMM builds in use (`mr` rows by `nr` columns): 3×12 for the fused
 * kernel, 4×8 for `mul` + `add`. Threads split `C` on whole tiles.
 */
export function gemmTile(): { readonly mr: number; readonly nr: number } {
  return gemmUsesFma() ? { mr: 3, nr: 12 } : { mr: 4, nr: 8 };
}

/**
 * The bytes of the GEMM build that imports a shared memory (`env.memory`), with the same
 * micro-kernel as {@link wasmGemm}'s (fused or not, per {@link gemmUsesFma}).
 */
export function sharedGemmBytes(): Uint8Array {
  return decodeBase64(gemmUsesFma() ? GEMM_FMA_SHARED_WASM_BASE64 : GEMM_SHARED_WASM_BASE64);
}

/** Why the SIMD GEMM is unavailable ("" when it is available or not yet loaded). */
export function simdUnavailableReason(): string {
  return reason;
}

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The WebAssembly SIMD GEMM, or `null` where WebAssembly SIMD is unavailable. */
export function wasmGemm(): WasmGemm | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    if (typeof WebAssembly !== "object" || !WebAssembly.validate(SIMD_PROBE)) {
      reason = "WebAssembly SIMD is not supported by this engine";
      return null;
    }
    const module = new WebAssembly.Module(decodeBase64(gemmUsesFma() ? GEMM_FMA_WASM_BASE64 : GEMM_WASM_BASE64) as BufferSource);
    loaded = makeGemm(module);
  } catch (e) {
    reason = `the WebAssembly SIMD module failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
  return loaded;
}

/** Elements to copy for a strided operand: its span, or -1 to gather it row-major instead. */
export function spanOf(rows: number, cols: number, rs: number, cs: number): number {
  if (rs < 0 || cs < 0) return -1;
  const span = (rows - 1) * rs + (cols - 1) * cs + 1;
  return span <= 2 * rows * cols + 64 ? span : -1;
}

/**
 * Copies a `rows × cols` operand (element `[r, c]` at `src[so + r·rs + c·cs]`) into a module's
 * memory `f32` at element index `at`: its whole span when that is dense enough (the strides
 * stay), else gathered row-major. Returns the operand's strides in the memory.
 */
export function placeOperand(
  f32: Float32Array, src: Float32Array, so: number, rows: number, cols: number, rs: number, cs: number, at: number,
): [number, number] {
  const span = spanOf(rows, cols, rs, cs);
  if (span >= 0) {
    f32.set(src.subarray(so, so + span), at);
    return [rs, cs];
  }
  let d = at;
  for (let r = 0; r < rows; r++) {
    let s = so + r * rs;
    for (let c = 0; c < cols; c++, s += cs) f32[d++] = src[s]!;
  }
  return [cols, 1];
}

/** Bytes of memory a GEMM instance starts with (grown by replacing the instance, see below). */
const INITIAL_GEMM_BYTES = 4 << 20;

/**
 * The single-threaded GEMM over instances of `module` (a build that imports its memory).
 * When a call needs more memory than the current instance has, a new memory of at least
 * twice the size and a new instance replace them instead of `memory.grow`: growing detaches
 * the old `ArrayBuffer`, and once any buffer has been detached V8 checks for detachment on
 * every typed-array access in optimized code, which slows every TypeScript kernel in the
 * process (measured: a column sum 43 µs → 85–107 µs after one unrelated grow).
 */
function makeGemm(module: WebAssembly.Module): WasmGemm {
  const work = 1024; // bytes below are unused by the module (no static data, stub runtime)
  let x!: GemmExports;
  let f32!: Float32Array;
  const instantiate = (bytes: number): void => {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    x = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
    f32 = new Float32Array(memory.buffer);
  };
  instantiate(INITIAL_GEMM_BYTES);
  const workBytes = x.workBytes();
  const ensure = (bytes: number): void => {
    if (bytes > f32.byteLength) instantiate(Math.max(bytes, 2 * f32.byteLength));
  };
  const place = (src: Float32Array, so: number, rows: number, cols: number, rs: number, cs: number, at: number): [number, number] =>
    placeOperand(f32, src, so, rows, cols, rs, cs, at);
  return (M, N, K, A, ao, ars, acs, B, bo, brs, bcs, out, oo) => {
    if (M === 0 || N === 0) return;
    if (K === 0) {
      out.fill(0, oo, oo + M * N);
      return;
    }
    const sizeA = Math.max(spanOf(M, K, ars, acs), M * K);
    const sizeB = Math.max(spanOf(K, N, brs, bcs), K * N);
    const aAt = (work + workBytes) / 4;
    const bAt = aAt + sizeA + 4;
    const cAt = bAt + sizeB + 4;
    ensure((cAt + M * N) * 4);
    const [ar, ac] = place(A, ao, M, K, ars, acs, aAt);
    const [br, bc] = place(B, bo, K, N, brs, bcs, bAt);
    x.gemm(M, N, K, aAt * 4, ar, ac, bAt * 4, br, bc, cAt * 4, N, 0, work);
    out.set(f32.subarray(cAt, cAt + M * N), oo);
  };
}
