/**
 * Fused optimizer updates: `adamStep`, the whole Adam/AdamW update of a float32 parameter in
 * one dispatch (one invocation per element), with the same order of operations as the
 * composed update and the catalog's reference (`@tessera/kernels`' `adamStep`). The scalars
 * are the float32 values of `adamStepScalars`; f32 arithmetic on the GPU may differ from the
 * reference by a few ulps (WGSL allows division and sqrt that are not correctly rounded).
 *
 * Metadata: `[n, nd, beta1, 1-beta1, beta2, 1-beta2, eps, l2, decay, sqrt(bc2), -stepSize,
 * flags, shape × nd, (offset, strides × nd) per operand]`, operands being `grad` and then the
 * outputs; flags: 1 maximize, 2 decoupled decay, 4 L2 penalty.
 */
import { type Layout, numel, storageExtent } from "@tessera/storage";
import { type AdamStepAttrs, adamStepScalars } from "@tessera/kernels";
import type { KernelTable } from "@tessera/backend";
import { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import { Meta, program } from "../wgsl/program.js";
import { type View, WG, groups, offsetsWGSL, stridedMeta } from "./common.js";
import { elementwiseKernels } from "./elementwise.js";

/** Word index of the first shape word. */
const SHAPE_AT = 12;

/** The program of `adamStep` with or without AMSGrad (which adds a fourth state tensor). */
function adamProgram(amsgrad: boolean) {
  const key = `adamStep${amsgrad ? "/amsgrad" : ""}:f32`;
  return program(key, () => {
    const outs = amsgrad ? 4 : 3;
    return {
      key,
      inputs: ["f32"],
      outputs: new Array(outs).fill("f32"),
      libs: ["math"],
      body: [
        `  let i = wg * ${WG}u + lid;`,
        `  if (i >= mu(0u)) { return; }`,
        offsetsWGSL(1 + outs, "i", `${SHAPE_AT}u`, "mu(1u)"),
        `  let flags = mu(11u);`,
        `  var param = out0[o1];`,
        `  var grad = in0[o0];`,
        `  if ((flags & 1u) != 0u) { grad = -grad; }`,
        `  if ((flags & 2u) != 0u) { param = param * mf(8u); } else if ((flags & 4u) != 0u) { grad = grad + param * mf(7u); }`,
        `  let m = out1[o2] * mf(2u) + grad * mf(3u);`,
        `  let v = out2[o3] * mf(4u) + (grad * mf(5u)) * grad;`,
        `  var second = v;`,
        amsgrad ? `  second = max_f32(out3[o4], v);\n  out3[o4] = second;` : "",
        `  let denom = sqrt(second) / mf(9u) + mf(6u);`,
        `  out0[o1] = param + (m * mf(10u)) / denom;`,
        `  out1[o2] = m;`,
        `  out2[o3] = v;`,
      ].join("\n"),
    };
  });
}

function sameLayout(a: Layout, b: Layout): boolean {
  if (a.offset !== b.offset || a.shape.length !== b.shape.length) return false;
  for (let d = 0; d < a.shape.length; d++) {
    if (a.shape[d] !== b.shape[d] || (a.shape[d] !== 1 && a.strides[d] !== b.strides[d])) return false;
  }
  return true;
}

/**
 * The optim family's WebGPU kernels (float32: WGSL has no float64).
 *
 * `adamStep` updates its outputs in place: each state input (`param`, `expAvg`, `expAvgSq`,
 * `maxExpAvgSq`) that is not already its output's very view is first copied into it, then one
 * dispatch reads `grad` and reads and writes the outputs. So the optimizer's in-place call
 * needs no copies, and the shader binds at most 6 storage buffers (WebGPU guarantees 8). An
 * input that shares a buffer with an output any other way is snapshotted first, so every
 * element is read before it is overwritten. This kernel guards its own aliasing: register
 * it without `guardAliasing`.
 *
 * @example
 * const kernels = optimKernels(rt);
 * kernels.adamStep!([p, g, m, v], [p, m, v], attrs);
 */
export function optimKernels(rt: Runtime): KernelTable<WebGPUBuffer> {
  const copy = elementwiseKernels(rt).copy!;
  const adamStep = (inputs: readonly View[], outputs: readonly View[], attrs: AdamStepAttrs): void => {
    const shape = outputs[0]!.layout.shape;
    const n = numel(shape);
    if (n === 0) return;
    const states = attrs.amsgrad ? [0, 2, 3, 4] : [0, 2, 3]; // inputs copied into outputs 0, 1, 2(, 3)
    const temps: WebGPUBuffer[] = [];
    try {
      // Snapshot inputs that share a buffer with an output other than as its own view.
      const views = inputs.slice();
      for (let i = 0; i < inputs.length; i++) {
        const view = inputs[i]!;
        const k = states.indexOf(i);
        if (k >= 0 && view.buffer === outputs[k]!.buffer && sameLayout(view.layout, outputs[k]!.layout)) continue;
        if (!outputs.some((o) => o.buffer === view.buffer)) continue;
        const lo = view.layout.offset;
        const bytes = (storageExtent(view.layout) - lo) * 4;
        const gpu = rt.pool.acquire(bytes);
        const temp = new WebGPUBuffer(gpu, gpu.size);
        temps.push(temp);
        rt.copy(view.buffer.gpuBuffer, lo * 4, gpu, 0, bytes);
        views[i] = { buffer: temp, dtype: view.dtype, layout: { ...view.layout, offset: 0 } };
      }
      states.forEach((i, k) => {
        const view = views[i]!;
        if (view.buffer === outputs[k]!.buffer && sameLayout(view.layout, outputs[k]!.layout)) return;
        copy([view], [outputs[k]!], {} as never);
      });

      const s = adamStepScalars(attrs, "float32");
      const flags =
        (attrs.maximize ? 1 : 0) | (attrs.decoupled && attrs.weightDecay !== 0 ? 2 : 0) | (!attrs.decoupled && attrs.weightDecay !== 0 ? 4 : 0);
      const meta = new Meta()
        .u(n)
        .u(0)
        .f(s.beta1)
        .f(s.oneMinusBeta1)
        .f(s.beta2)
        .f(s.oneMinusBeta2)
        .f(s.eps)
        .f(s.l2)
        .f(s.decay)
        .f(s.biasCorrection2Sqrt)
        .f(s.negStepSize)
        .u(flags);
      const { nd, words } = stridedMeta(shape, [views[1]!.layout, ...outputs.map((v) => v.layout)]);
      meta.words[1] = nd;
      meta.all(words);
      rt.dispatch(adamProgram(attrs.amsgrad), [views[1]!.buffer.gpuBuffer], outputs.map((v) => v.buffer.gpuBuffer), meta.words, groups(n));
    } finally {
      for (const t of temps) rt.pool.release(t.gpuBuffer);
    }
  };
  return { adamStep } as KernelTable<WebGPUBuffer>;
}
