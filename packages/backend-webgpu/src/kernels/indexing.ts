/**
 * `gather`, `scatterAdd` and `indexSelect`, one invocation per output element. `scatterAdd` is
 * a gather too: output element p loops over the entries of `index` that can reach it (those
 * matching p off `dim`, all positions along `dim`) and adds the `src` values whose index
 * equals p[dim], in row-major order of `index` — no atomics (WebGPU has none for f32), and the
 * same summation order on every run.
 *
 * The catalog requires indices in `[0, size)` and its reference kernels throw otherwise; a
 * GPU kernel cannot throw, so here an out-of-range index reads 0 (`gather`, `indexSelect`)
 * or is skipped (`scatterAdd`).
 *
 * Metadata: `[n, nd, dim, size, 0, 0, 0, 0, shape × nd, (offset, strides × nd) per operand]`,
 * with every operand viewed at the iteration shape (0-d tensors as 1-D of size 1).
 */
import { type Layout, numel } from "@tessera/storage";
import type { KernelTable } from "@tessera/backend";
import type { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import { elemType, program } from "../wgsl/program.js";
import { WG, groups, requireContiguousOutput } from "./common.js";

/** A 0-d layout as 1-D of size 1 (so `dim` 0 exists). */
function atLeast1d(l: Layout): Layout {
  return l.shape.length > 0 ? l : { shape: [1], strides: [0], offset: l.offset };
}

/** `[offset, strides…]` words of a layout. */
const words = (l: Layout) => [l.offset, ...l.strides];

/** WGSL: multi-index loop of element `i` over the iteration shape, giving offsets `o0…` and `cd` (coordinate along dim). */
function walk(count: number, skipDim: readonly boolean[]): string {
  const lines = [
    `  let nd = mu(1u);`,
    `  let dim = mu(2u);`,
    `  let ob = nd + 1u;`,
    `  let so = 8u + nd;`,
  ];
  for (let k = 0; k < count; k++) lines.push(`  var o${k} = mi(so + ${k}u * ob);`);
  lines.push(`  var rem = i;`, `  var cd = 0u;`);
  lines.push(`  for (var d = i32(nd) - 1; d >= 0; d = d - 1) {`);
  lines.push(`    let du = u32(d);`, `    let size = mu(8u + du);`, `    let c = rem % size;`, `    rem = rem / size;`);
  lines.push(`    if (du == dim) { cd = c; }`);
  for (let k = 0; k < count; k++) {
    const add = `o${k} = o${k} + i32(c) * mi(so + ${k}u * ob + 1u + du);`;
    lines.push(skipDim[k] ? `    if (du != dim) { ${add} }` : `    ${add}`);
  }
  lines.push(`  }`);
  return lines.join("\n");
}

/** The indexing kernels of this runtime. */
export function indexingKernels(rt: Runtime): KernelTable<WebGPUBuffer> {
  return {
    // out[i] = x[i with i[dim] = index[i]]: iterate over index's shape; operands index, x, out.
    gather: ([x, index], [out], attrs) => {
      requireContiguousOutput("gather", out!.layout);
      const n = numel(index!.layout.shape);
      if (n === 0) return;
      const lx = atLeast1d(x!.layout);
      const li = atLeast1d(index!.layout);
      const lo = atLeast1d(out!.layout);
      const t = elemType(x!.dtype);
      const key = `gather:${t}`;
      const prog = program(key, () => ({
        key,
        inputs: [t, "i32"],
        outputs: [t],
        body: `
  let i = wg * ${WG}u + lid;
  if (i >= mu(0u)) { return; }
${walk(3, [false, true, false])}
  let v = in1[o0];
  if (v < 0 || v >= mi(3u)) { out0[o2] = ${t}(0); return; }
  out0[o2] = in0[o1 + v * mi(so + ob + 1u + dim)];`,
      }));
      const meta = [n, li.shape.length, attrs.dim, lx.shape[attrs.dim]!, 0, 0, 0, 0, ...li.shape, ...words(li), ...words(lx), ...words(lo)];
      rt.dispatch(prog, [x!.buffer.gpuBuffer, index!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], meta, groups(n));
    },

    // out[p] = x[p] + Σ_j src[q_j] over q_j = p with q[dim] = j, j < index.size(dim), index[q_j] == p[dim].
    scatterAdd: ([x, index, src], [out], attrs) => {
      requireContiguousOutput("scatterAdd", out!.layout);
      const n = numel(x!.layout.shape);
      if (n === 0) return;
      const lx = atLeast1d(x!.layout);
      const li = atLeast1d(index!.layout);
      const ls = atLeast1d(src!.layout);
      const lo = atLeast1d(out!.layout);
      const dim = attrs.dim;
      const t = elemType(x!.dtype);
      const key = `scatterAdd:${t}`;
      const prog = program(key, () => ({
        key,
        inputs: [t, "i32", t],
        outputs: [t],
        body: `
  let i = wg * ${WG}u + lid;
  if (i >= mu(0u)) { return; }
${walk(4, [false, true, true, false])}
  // index and src are walked at x's shape: positions past index's extent get no contribution.
  var acc = in0[o0];
  var reach = true;
  let ish = 8u + nd + 4u * ob;
  var r2 = i;
  for (var d = i32(nd) - 1; d >= 0; d = d - 1) {
    let du = u32(d);
    let c = r2 % mu(8u + du);
    r2 = r2 / mu(8u + du);
    if (du != dim && c >= mu(ish + du)) { reach = false; }
  }
  if (reach) {
    let count = mu(ish + dim);
    let iStride = mi(so + ob + 1u + dim);
    let sStride = mi(so + 2u * ob + 1u + dim);
    for (var j = 0u; j < count; j = j + 1u) {
      if (u32(in1[o1 + i32(j) * iStride]) == cd && in1[o1 + i32(j) * iStride] >= 0) {
        acc = acc + in2[o2 + i32(j) * sStride];
      }
    }
  }
  out0[o3] = acc;`,
      }));
      // index and src are described with x's shape (their strides along dim are used with j).
      const meta = [
        n,
        lx.shape.length,
        dim,
        lx.shape[dim]!,
        0,
        0,
        0,
        0,
        ...lx.shape,
        ...words(lx),
        ...words(li),
        ...words(ls),
        ...words(lo),
        ...li.shape,
      ];
      rt.dispatch(prog, [x!.buffer.gpuBuffer, index!.buffer.gpuBuffer, src!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], meta, groups(n));
    },

    // out[i] = x[i with i[dim] = index[i[dim]]]: iterate over out's shape; operands x, out.
    indexSelect: ([x, index], [out], attrs) => {
      requireContiguousOutput("indexSelect", out!.layout);
      const n = numel(out!.layout.shape);
      if (n === 0) return;
      const lx = atLeast1d(x!.layout);
      const lo = atLeast1d(out!.layout);
      const li = atLeast1d(index!.layout);
      const t = elemType(x!.dtype);
      const key = `indexSelect:${t}`;
      const prog = program(key, () => ({
        key,
        inputs: [t, "i32"],
        outputs: [t],
        body: `
  let i = wg * ${WG}u + lid;
  if (i >= mu(0u)) { return; }
${walk(2, [true, false])}
  let v = in1[mi(4u) + i32(cd) * mi(5u)];
  if (v < 0 || v >= mi(3u)) { out0[o1] = ${t}(0); return; }
  out0[o1] = in0[o0 + v * mi(so + 1u + dim)];`,
      }));
      const meta = [n, lo.shape.length, attrs.dim, lx.shape[attrs.dim]!, li.offset, li.strides[0]!, 0, 0, ...lo.shape, ...words(lx), ...words(lo)];
      rt.dispatch(prog, [x!.buffer.gpuBuffer, index!.buffer.gpuBuffer], [out!.buffer.gpuBuffer], meta, groups(n));
    },
  };
}
