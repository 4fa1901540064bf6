/**
 * The fused Adam/AdamW update for WebAssembly SIMD (compiled by `asc`; see
 * ../scripts/build-wasm.mjs), used by the `adamStep` kernel in src/kernels/optim.ts.
 *
 * The caller copies a chunk of each operand into the module's memory — param, grad, expAvg,
 * expAvgSq and (with amsgrad) maxExpAvgSq, each at `k · CHUNK` floats — calls {@link adam},
 * and copies param, expAvg, expAvgSq (and maxExpAvgSq) back. Every f32x4 operation rounds to
 * float32 exactly as one float32 operation does, and the operations are those of the
 * composed float32 update in `@tessera/optim`, in its order, so results are bit-identical to
 * the kernel's TypeScript loop (`denseF32`).
 */

/** Floats per operand in one chunk (five operands: 80 KiB of the module's 2 pages). */
export const CHUNK: i32 = 4096;

/** Weight-decay modes (`mode` argument). */
const DECOUPLED: i32 = 1;
const L2: i32 = 2;

/**
 * Updates the first `n` (a multiple of 4) elements of the chunk in place. `mode`: 0 no weight
 * decay, 1 decoupled (AdamW: `param·decay`), 2 L2 penalty (`grad + param·l2`); `sign` is −1
 * when maximizing. The other scalars are the `adamStep` kernel's (see `adamStepScalars`).
 */
export function adam(
  n: i32,
  mode: i32,
  amsgrad: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  eps: f32,
  l2: f32,
  decay: f32,
  biasCorrection2Sqrt: f32,
  negStepSize: f32,
  sign: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const omb1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const omb2 = f32x4.splat(oneMinusBeta2);
  const epsV = f32x4.splat(eps);
  const l2V = f32x4.splat(l2);
  const decayV = f32x4.splat(decay);
  const bc2 = f32x4.splat(biasCorrection2Sqrt);
  const step = f32x4.splat(negStepSize);
  const signV = f32x4.splat(sign);
  const stride = <usize>CHUNK * 4;
  const end = <usize>n * 4;
  for (let at: usize = 0; at < end; at += 16) {
    let param = v128.load(at);
    let grad = f32x4.mul(v128.load(at + stride), signV);
    if (mode == DECOUPLED) param = f32x4.mul(param, decayV);
    else if (mode == L2) grad = f32x4.add(grad, f32x4.mul(param, l2V));
    const expAvg = f32x4.add(f32x4.mul(v128.load(at + 2 * stride), b1), f32x4.mul(grad, omb1));
    const expAvgSq = f32x4.add(f32x4.mul(v128.load(at + 3 * stride), b2), f32x4.mul(f32x4.mul(grad, omb2), grad));
    let second = expAvgSq;
    if (amsgrad != 0) {
      // f32x4.max propagates NaN, as the composed path's `maximum` does.
      second = f32x4.max(v128.load(at + 4 * stride), expAvgSq);
      v128.store(at + 4 * stride, second);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(second), bc2), epsV);
    v128.store(at, f32x4.add(param, f32x4.div(f32x4.mul(expAvg, step), denom)));
    v128.store(at + 2 * stride, expAvg);
    v128.store(at + 3 * stride, expAvgSq);
  }
}
