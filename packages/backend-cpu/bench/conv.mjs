/**
 * Times float32 `conv2d`, `conv2dBackwardInput` and `conv2dBackwardWeight` at the MNIST CNN's
 * shapes (batch 64: conv 1→16 3×3 on 28×28, conv 16→32 3×3 on 13×13) through
 * `createCpuBackend()`'s kernels: median of 9 batches after warm-up. Bundles the sources with
 * esbuild; `node bench/conv.mjs` from the package, or `node bench/conv.mjs bundle.mjs` to time
 * a bundle saved earlier (`--save bundle.mjs` writes the bundle and exits), for before/after
 * comparisons on the same machine. `THREADS=1` sets the backend's threads.
 */
import { mkdtemp, rm, copyFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const args = process.argv.slice(2);
let bundle;
let dir;
if (args.length > 0 && args[0] !== "--save") {
  bundle = resolve(args[0]);
} else {
  dir = await mkdtemp(join(tmpdir(), "tessera-conv-"));
  bundle = join(dir, "bundle.mjs");
  await build({
    stdin: { contents: 'export { createCpuBackend } from "./src/index.ts";', resolveDir: process.cwd(), loader: "ts" },
    bundle: true, format: "esm", platform: "node", outfile: bundle, conditions: ["source"], logLevel: "silent",
  });
  if (args[0] === "--save") {
    await copyFile(bundle, resolve(args[1]));
    await rm(dir, { recursive: true });
    process.exit(0);
  }
}
const { createCpuBackend } = await import(pathToFileURL(bundle).href);
if (dir !== undefined) await rm(dir, { recursive: true });
const backend = createCpuBackend({ name: "conv-bench", ...(process.env.THREADS ? { threads: Number(process.env.THREADS) } : {}) });

const strides = (s) => s.map((_, d) => s.slice(d + 1).reduce((p, x) => p * x, 1));
const view = (shape) => {
  const n = shape.reduce((p, x) => p * x, 1);
  return { buffer: new Float32Array(n).map((_, i) => Math.sin(i * 0.37)), dtype: "float32", layout: { shape, strides: strides(shape), offset: 0 } };
};
const attrs = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };

function time(run) {
  for (let i = 0; i < 30; i++) run();
  const samples = [];
  for (let s = 0; s < 9; s++) {
    const t = performance.now();
    for (let i = 0; i < 20; i++) run();
    samples.push((performance.now() - t) / 20);
  }
  return samples.sort((a, b) => a - b)[4];
}

console.log(`threads: ${backend.threads}, fma: ${backend.fma}`);
for (const [N, C, H, O] of [[64, 1, 28, 16], [64, 16, 13, 32]]) {
  const Ho = H - 2;
  const x = view([N, C, H, H]);
  const w = view([O, C, 3, 3]);
  const gy = view([N, O, Ho, Ho]);
  const y = view([N, O, Ho, Ho]);
  const gx = view([N, C, H, H]);
  const gw = view([O, C, 3, 3]);
  const k = backend.kernels;
  const rows = [
    ["conv2d", () => k.conv2d([x, w], [y], attrs)],
    ["conv2dBackwardInput", () => k.conv2dBackwardInput([gy, w], [gx], { ...attrs, inputShape: [N, C, H, H] })],
    ["conv2dBackwardWeight", () => k.conv2dBackwardWeight([x, gy], [gw], { ...attrs, weightShape: [O, C, 3, 3] })],
  ];
  for (const [name, run] of rows) console.log(`${`${name} ${C}→${O} ${H}×${H}`.padEnd(34)} ${(time(run) * 1e3).toFixed(0).padStart(6)} µs`);
}
