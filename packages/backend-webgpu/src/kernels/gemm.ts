/**
 * The tiled matrix-multiply shader shared by `matmul` and the three convolution ops
 * (implicit GEMM: their operands are gathered on the fly from the NCHW tensors, never
 * materialized). A workgroup of 64 invocations computes a 32 × 32 tile of C, each invocation
 * a 4 × 4 block of outputs; 32 × 16 tiles of A and 16 × 32 tiles of B are staged in workgroup
 * memory, and edges (sizes smaller than a tile, or not multiples of it) read zeros.
 *
 * Each op supplies `gemm_setup(batch)` (per-workgroup state), `loadA(m, k)`, `loadB(k, n)`
 * and `storeC(m, n, value)`, called only for in-range indices. Metadata starts with
 * `[M, N, K, tilesM, tilesN, batches, 0, 0]`; the op's own words follow from word 8.
 */
import type { Library } from "../wgsl/library.js";
import { type ElemType, type Program, program } from "../wgsl/program.js";

export const TILE_M = 32;
export const TILE_N = 32;
const TILE_K = 16;

/** The GEMM program `key` for accumulator type `t`, with the op's loaders in `decls`. */
export function gemmProgram(key: string, t: ElemType, inputs: readonly ElemType[], decls: string, libs: readonly Library[] = []): Program {
  return program(key, () => {
    const fma: string[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) fma.push(`      acc[${i * 4 + j}] = acc[${i * 4 + j}] + a${i} * b${j};`);
    const stores: string[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        stores.push(`  if (m0 + ${i}u < M && n0 + ${j}u < NC) { storeC(m0 + ${i}u, n0 + ${j}u, acc[${i * 4 + j}]); }`);
      }
    }
    return {
      key,
      inputs,
      outputs: [t],
      libs,
      decls: `
var<workgroup> As: array<${t}, ${TILE_K * TILE_M}>;
var<workgroup> Bs: array<${t}, ${TILE_K * TILE_N}>;
${decls}`,
      body: `
  let M = mu(0u);
  let NC = mu(1u);
  let K = mu(2u);
  let tilesM = mu(3u);
  let tilesN = mu(4u);
  let perBatch = tilesM * tilesN;
  let batch = wg / perBatch;
  if (batch >= mu(5u)) { return; }
  let tile = wg % perBatch;
  let tm = (tile / tilesN) * ${TILE_M}u;
  let tn = (tile % tilesN) * ${TILE_N}u;
  gemm_setup(batch);
  let tx = lid % 8u;
  let ty = lid / 8u;
  var acc: array<${t}, 16>;
  for (var k0 = 0u; k0 < K; k0 = k0 + ${TILE_K}u) {
    for (var l = 0u; l < ${(TILE_K * TILE_M) / 64}u; l = l + 1u) {
      let e = lid + l * 64u;
      let am = e / ${TILE_K}u;
      let ak = e % ${TILE_K}u;
      var va = ${t}(0);
      if (tm + am < M && k0 + ak < K) { va = loadA(tm + am, k0 + ak); }
      As[ak * ${TILE_M}u + am] = va;
      let bk = e / ${TILE_N}u;
      let bn = e % ${TILE_N}u;
      var vb = ${t}(0);
      if (k0 + bk < K && tn + bn < NC) { vb = loadB(k0 + bk, tn + bn); }
      Bs[bk * ${TILE_N}u + bn] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE_K}u; kk = kk + 1u) {
      let a0 = As[kk * ${TILE_M}u + ty * 4u];
      let a1 = As[kk * ${TILE_M}u + ty * 4u + 1u];
      let a2 = As[kk * ${TILE_M}u + ty * 4u + 2u];
      let a3 = As[kk * ${TILE_M}u + ty * 4u + 3u];
      let b0 = Bs[kk * ${TILE_N}u + tx * 4u];
      let b1 = Bs[kk * ${TILE_N}u + tx * 4u + 1u];
      let b2 = Bs[kk * ${TILE_N}u + tx * 4u + 2u];
      let b3 = Bs[kk * ${TILE_N}u + tx * 4u + 3u];
${fma.join("\n")}
    }
    workgroupBarrier();
  }
  let m0 = tm + ty * 4u;
  let n0 = tn + tx * 4u;
${stores.join("\n")}`,
    };
  });
}

/** Header words and workgroup count of a GEMM of `batches` × (M × K) · (K × N). */
export function gemmHeader(M: number, N: number, K: number, batches: number): { words: number[]; workgroups: number } {
  const tilesM = Math.ceil(M / TILE_M);
  const tilesN = Math.ceil(N / TILE_N);
  return { words: [M, N, K, tilesM, tilesN, batches, 0, 0], workgroups: tilesM * tilesN * batches };
}
