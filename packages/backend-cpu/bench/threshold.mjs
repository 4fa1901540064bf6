/**
 * Measures where two threads start to beat one for the float32 GEMM, to set
 * `THREADED_GEMM_MIN_FLOPS` (src/threads/pool.ts). Bundles the sources with esbuild (so it
 * can lower the threshold through the test seam), then times `matmul` on one thread and on two
 * for square and MLP-like shapes. Run from the package: `node bench/threshold.mjs`
 * (add `--experimental-wasm-relaxed-simd` on Node 20 for the fused kernel).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const dir = await mkdtemp(join(tmpdir(), "tessera-threshold-"));
const out = join(dir, "bundle.mjs");
await build({
  stdin: {
    contents: 'export { createCpuBackend } from "./src/index.ts"; export { setThreadedGemmMinFlops } from "./src/threads/pool.ts";',
    resolveDir: process.cwd(),
    loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: out, conditions: ["source"], logLevel: "silent",
});
const { createCpuBackend, setThreadedGemmMinFlops } = await import(pathToFileURL(out).href);
await rm(dir, { recursive: true });
setThreadedGemmMinFlops(1);
const one = createCpuBackend({ name: "t1", threads: 1 });
const two = createCpuBackend({ name: "t2", threads: 2 });
const view = (buffer, r, c) => ({ buffer, dtype: "float32", layout: { shape: [r, c], strides: [c, 1], offset: 0 } });

function time(backend, M, K, N) {
  const a = view(new Float32Array(M * K).map((_, i) => Math.sin(i)), M, K);
  const b = view(new Float32Array(K * N).map((_, i) => Math.cos(i)), K, N);
  const o = view(new Float32Array(M * N), M, N);
  const run = () => backend.kernels.matmul([a, b], [o], {});
  for (let i = 0; i < 20; i++) run();
  const reps = Math.max(20, Math.round(3e8 / (M * N * K)));
  const samples = [];
  for (let s = 0; s < 7; s++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) run();
    samples.push((performance.now() - t) / reps);
  }
  return samples.sort((x, y) => x - y)[3];
}

console.log("M×K×N          M·N·K     1 thread µs  2 threads µs  speed-up");
for (const [M, K, N] of [[24, 24, 24], [32, 32, 32], [40, 40, 40], [48, 48, 48], [56, 56, 56], [64, 64, 64], [96, 96, 96], [128, 128, 128], [256, 256, 256], [32, 784, 16], [128, 64, 10], [16, 256, 64]]) {
  const t1 = time(one, M, K, N);
  const t2 = time(two, M, K, N);
  console.log(`${`${M}×${K}×${N}`.padEnd(14)} ${String(M * N * K).padStart(9)} ${(t1 * 1e3).toFixed(1).padStart(12)} ${(t2 * 1e3).toFixed(1).padStart(13)} ${(t1 / t2).toFixed(2).padStart(9)}×`);
}
