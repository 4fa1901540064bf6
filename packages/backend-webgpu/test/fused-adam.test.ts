/**
 * The fused Adam/AdamW update (`adamStep`) on WebGPU, as the optimizers run it: in place on
 * the parameter and its moments. Fused and composed updates on the device agree to a few
 * float32 ulps (WGSL's division and sqrt need not round correctly), and both follow the CPU.
 */
import { describe, expect, it } from "vitest";
import { type Tensor, manualSeed, randn } from "@tessera/autograd";
import { optim } from "tessera";
import { webgpu } from "./setup-device.js";

type Options = Record<string, unknown>;

/** Six steps of `kind` over a [37, 23] parameter (with a transposed view) and a vector. */
async function run(kind: "Adam" | "AdamW", options: Options, device: string): Promise<number[][]> {
  manualSeed(3);
  const data = [randn([23, 37]), randn([5])];
  const grads = Array.from({ length: 6 }, () => [randn([37, 23]), randn([5])]);
  const params = [data[0]!.to(device).t().detach().requiresGrad_(), data[1]!.to(device).requiresGrad_()];
  const optimizer = kind === "Adam" ? new optim.Adam(params, options) : new optim.AdamW(params, options);
  for (const step of grads) {
    optimizer.zeroGrad();
    params.forEach((p, i) => (p.grad = step[i]!.to(device)));
    optimizer.step();
  }
  const out: number[][] = [];
  for (const p of params) {
    out.push(Array.from(await p.data()));
    const s = optimizer.state.get(p)!;
    for (const t of [s.expAvg, s.expAvgSq, s.maxExpAvgSq]) if (t !== undefined) out.push(Array.from(await (t as Tensor).data()));
  }
  optimizer.dispose();
  return out;
}

function maxRelError(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) =>
    row.forEach((x, j) => {
      const y = b[i]![j]!;
      worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(y), 1e-3));
    }),
  );
  return worst;
}

describe("fused Adam on webgpu", () => {
  const variants: (readonly ["Adam" | "AdamW", Options])[] = [
    ["Adam", {}],
    ["Adam", { weightDecay: 0.1, maximize: true, amsgrad: true }],
    ["AdamW", { amsgrad: true }],
    ["AdamW", { maximize: true, lr: 0.01 }],
  ];
  for (const [kind, options] of variants) {
    it(`${kind} ${JSON.stringify(options)}: fused equals composed and the CPU within 1e-5`, async () => {
      expect(webgpu.kernels.adamStep).toBeDefined();
      const fused = await run(kind, { ...options, fused: true }, "webgpu");
      const composed = await run(kind, { ...options, fused: false }, "webgpu");
      const cpu = await run(kind, options, "cpu");
      expect(fused.flat().every(Number.isFinite)).toBe(true);
      expect(maxRelError(fused, composed)).toBeLessThan(1e-5);
      expect(maxRelError(fused, cpu)).toBeLessThan(1e-5);
    });
  }
});
