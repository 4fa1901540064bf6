/**
 * `matmul` on the tiled GEMM shader. Operands are read through their strides — a transposed
 * or sliced operand, and a batch dim broadcast with stride 0, need no copy — and the batch
 * dims are coalesced across A, B and C.
 *
 * Metadata after the GEMM header: `[aOff, aSm, aSk, bOff, bSk, bSn, cOff, nb, batchShape × nb,
 * aBatchStrides × nb, bBatchStrides × nb, cBatchStrides × nb]`.
 */
import { numel } from "@tessera/storage";
import { broadcastLayout } from "@tessera/kernels";
import type { KernelTable } from "@tessera/backend";
import type { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import { elemType } from "../wgsl/program.js";
import { coalesce, requireContiguousOutput } from "./common.js";
import { gemmHeader, gemmProgram } from "./gemm.js";

const MATMUL_DECLS = (t: string) => `
var<private> aBase: i32;
var<private> bBase: i32;
var<private> cBase: i32;
fn gemm_setup(batch: u32) {
  let nb = mu(15u);
  aBase = mi(8u);
  bBase = mi(11u);
  cBase = mi(14u);
  var rem = batch;
  for (var d = i32(nb) - 1; d >= 0; d = d - 1) {
    let du = u32(d);
    let size = mu(16u + du);
    let c = i32(rem % size);
    rem = rem / size;
    aBase = aBase + c * mi(16u + nb + du);
    bBase = bBase + c * mi(16u + 2u * nb + du);
    cBase = cBase + c * mi(16u + 3u * nb + du);
  }
}
fn loadA(m: u32, k: u32) -> ${t} { return in0[aBase + i32(m) * mi(9u) + i32(k) * mi(10u)]; }
fn loadB(k: u32, n: u32) -> ${t} { return in1[bBase + i32(k) * mi(12u) + i32(n) * mi(13u)]; }
fn storeC(m: u32, n: u32, v: ${t}) { out0[cBase + i32(m * mu(1u) + n)] = v; }
`;

/** The matmul kernel of this runtime. */
export function matmulKernels(rt: Runtime): KernelTable<WebGPUBuffer> {
  return {
    matmul: ([a, b], [out]) => {
      requireContiguousOutput("matmul", out!.layout);
      const shape = out!.layout.shape;
      const nd = shape.length;
      const M = shape[nd - 2]!;
      const N = shape[nd - 1]!;
      const K = a!.layout.shape[a!.layout.shape.length - 1]!;
      const batch = shape.slice(0, -2);
      const batches = numel(batch);
      if (M === 0 || N === 0 || batches === 0) return;
      const la = broadcastLayout(a!.layout, [...batch, M, K]);
      const lb = broadcastLayout(b!.layout, [...batch, K, N]);
      const lc = out!.layout;
      const nb = batch.length;
      const bs = coalesce(batch, [la.strides.slice(0, nb), lb.strides.slice(0, nb), lc.strides.slice(0, nb)]);
      const t = elemType(out!.dtype);
      const key = `matmul:${t}`;
      const prog = gemmProgram(key, t, [t, t], MATMUL_DECLS(t));
      const header = gemmHeader(M, N, K, batches);
      const meta = [
        ...header.words,
        la.offset,
        la.strides[nb]!,
        la.strides[nb + 1]!,
        lb.offset,
        lb.strides[nb]!,
        lb.strides[nb + 1]!,
        lc.offset,
        bs.shape.length,
        ...bs.shape,
        ...bs.strides[0]!,
        ...bs.strides[1]!,
        ...bs.strides[2]!,
      ];
      rt.dispatch(prog, [a!.buffer.gpuBuffer, b!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], meta, header.workgroups);
    },
  };
}
