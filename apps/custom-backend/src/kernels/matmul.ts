/**
 * Batched matrix multiplication: `[...batchA, M, K] × [...batchB, K, N] → [...batch, M, N]`,
 * the op an MLP spends most of its time in, forward and backward.
 */
import { type Layout, expand } from "@tessera/storage";
import { forEachOffset } from "@tessera/kernels";
import type { PlainKernel } from "./view.js";

/** The leading (batch) dims of a layout, as a layout of their own. */
function batchPart(layout: Layout): Layout {
  return { shape: layout.shape.slice(0, -2), strides: layout.strides.slice(0, -2), offset: layout.offset };
}

/**
 * `matmul` over strided operands. The batch dims broadcast (an operand's missing or size-1
 * batch dims get stride 0), and the last two dims are read through their strides, so a
 * transposed weight (`x.matmul(w.t())` in `nn.Linear`) needs no copy: the backward pass feeds
 * transposed views here all the time.
 *
 * Each output element is one dot product accumulated in a JavaScript number (float64), in
 * the same order as the reference kernel, so float results match it exactly. int32 products
 * and sums wrap modulo 2³² (`Math.imul`, `| 0`). `K = 0` gives zeros.
 *
 * A faster kernel would block the loops for the cache and accumulate rows of the output at a
 * time (that is what the CPU backend's GEMM does); this one is written to be read.
 *
 * @example
 * tinyKernels.matmul([a, b], [out], {});
 */
export const matmulKernel: PlainKernel = ([a, b], [out]) => {
  const shape = out!.layout.shape;
  const nd = shape.length;
  const m = shape[nd - 2]!;
  const n = shape[nd - 1]!;
  const k = a!.layout.shape[a!.layout.shape.length - 1]!;
  const batch = shape.slice(0, -2);
  const la = expand(a!.layout, [...batch, m, k]);
  const lb = expand(b!.layout, [...batch, k, n]);
  const lo = out!.layout;
  const [aRow, aCol] = la.strides.slice(-2) as [number, number];
  const [bRow, bCol] = lb.strides.slice(-2) as [number, number];
  const [oRow, oCol] = lo.strides.slice(-2) as [number, number];
  const integer = out!.dtype === "int32";
  const da = a!.buffer;
  const db = b!.buffer;
  const dst = out!.buffer;
  forEachOffset(batch, [batchPart(la), batchPart(lb), batchPart(lo)], ([a0, b0, o0]) => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        let pa = a0! + i * aRow;
        let pb = b0! + j * bCol;
        for (let p = 0; p < k; p++, pa += aCol, pb += bRow) {
          acc = integer ? (acc + Math.imul(da[pa]!, db[pb]!)) | 0 : acc + da[pa]! * db[pb]!;
        }
        dst[o0! + i * oRow + j * oCol] = acc;
      }
    }
  });
};
