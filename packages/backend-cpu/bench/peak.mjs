/**
 * The machine's WebAssembly SIMD ceilings, to judge the GEMM's figures against, in GFLOP/s on
 * one thread and on every core at once (worker threads, one instance each).
 *
 * - `GEMM loop, mul+add 4×8`: the unfused kernel's loop body (eight accumulators; more spill
 *   on x64), without the packing and stores around it.
 * - `128-bit FMA peak`: twelve independent `f32x4.relaxed_madd` chains in registers, which keep
 *   both FMA pipes busy: 8 flops per FMA × 2 per cycle × the clock. No 128-bit kernel can beat
 *   it (on cores with two add pipes besides two FMA pipes, `mul` + `add` has the same peak).
 *   Needs relaxed SIMD (Node 20: run with `--experimental-wasm-relaxed-simd`).
 *
 * Run from the package: `node bench/peak.mjs [--experimental-wasm-relaxed-simd]`. Compiles its
 * own kernels with AssemblyScript (a devDependency), like scripts/build-wasm.mjs.
 */
import os from "node:os";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import asc from "assemblyscript/asc";

const SOURCES = {
  mulAdd: `
export function mulAdd(n: i32, p: usize): f32 {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  for (let i = 0; i < n; i++) {
    const b0 = v128.load(p); const b1 = v128.load(p, 16);
    let a = v128.load32_splat(p, 32);
    c0 = f32x4.add(c0, f32x4.mul(a, b0)); c1 = f32x4.add(c1, f32x4.mul(a, b1));
    a = v128.load32_splat(p, 36);
    c2 = f32x4.add(c2, f32x4.mul(a, b0)); c3 = f32x4.add(c3, f32x4.mul(a, b1));
    a = v128.load32_splat(p, 40);
    c4 = f32x4.add(c4, f32x4.mul(a, b0)); c5 = f32x4.add(c5, f32x4.mul(a, b1));
    a = v128.load32_splat(p, 44);
    c6 = f32x4.add(c6, f32x4.mul(a, b0)); c7 = f32x4.add(c7, f32x4.mul(a, b1));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(s, 0);
}
`,
  madd: `
export function madd(n: i32, p: usize): f32 {
  let c0 = f32x4.splat(1.0), c1 = f32x4.splat(1.1), c2 = f32x4.splat(1.2), c3 = f32x4.splat(1.3);
  let c4 = f32x4.splat(1.4), c5 = f32x4.splat(1.5), c6 = f32x4.splat(1.6), c7 = f32x4.splat(1.7);
  let c8 = f32x4.splat(1.8), c9 = f32x4.splat(1.9), c10 = f32x4.splat(2.0), c11 = f32x4.splat(2.1);
  const x = v128.load(p), y = v128.load(p, 16);
  for (let i = 0; i < n; i++) {
    c0 = f32x4.relaxed_madd(c0, x, y); c1 = f32x4.relaxed_madd(c1, x, y); c2 = f32x4.relaxed_madd(c2, x, y);
    c3 = f32x4.relaxed_madd(c3, x, y); c4 = f32x4.relaxed_madd(c4, x, y); c5 = f32x4.relaxed_madd(c5, x, y);
    c6 = f32x4.relaxed_madd(c6, x, y); c7 = f32x4.relaxed_madd(c7, x, y); c8 = f32x4.relaxed_madd(c8, x, y);
    c9 = f32x4.relaxed_madd(c9, x, y); c10 = f32x4.relaxed_madd(c10, x, y); c11 = f32x4.relaxed_madd(c11, x, y);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))), 0);
}
`,
};

/** Multiply-adds per loop iteration of each kernel (×2 flops). */
const KERNELS = {
  mulAdd: { label: "GEMM loop, mul+add 4×8", macs: 32 },
  madd: { label: "128-bit FMA peak (12 relaxed_madd chains, no loads)", macs: 48 },
};
const ITERATIONS = 20_000_000;

/** The module of one kernel (each alone, so the unfused one loads without relaxed SIMD). */
async function compile(kernel) {
  let binary;
  const { error, stderr } = await asc.main(
    ["peak.ts", "--outFile", "peak.wasm", "--runtime", "stub", "-O3", "--initialMemory", "1", "--enable", "simd", "--enable", "relaxed-simd"],
    {
      readFile: (file) => (file === "peak.ts" ? SOURCES[kernel] : null),
      writeFile: (file, contents) => {
        if (file.endsWith(".wasm")) binary = contents;
      },
      listFiles: () => [],
    },
  );
  if (error) throw new Error(stderr.toString());
  return binary;
}

/** GFLOP/s of `kernel` on this thread: the best of five timed runs. */
function measure(binary, kernel) {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(binary)).exports;
  exports[kernel](ITERATIONS / 10, 1024); // warm up
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    exports[kernel](ITERATIONS, 1024);
    const seconds = (performance.now() - t0) / 1000;
    best = Math.max(best, (2 * KERNELS[kernel].macs * ITERATIONS) / seconds / 1e9);
  }
  return best;
}

if (!isMainThread) {
  parentPort.postMessage(measure(workerData.binary, workerData.kernel));
} else {
  const cores = os.availableParallelism();
  console.log(`${os.cpus()[0]?.model ?? "cpu"}, ${cores} cores, Node ${process.version}`);
  for (const kernel of Object.keys(KERNELS)) {
    const binary = await compile(kernel);
    if (!WebAssembly.validate(binary)) {
      console.log(`${KERNELS[kernel].label.padEnd(52)} not supported here (Node 20: add --experimental-wasm-relaxed-simd)`);
      continue;
    }
    const one = measure(binary, kernel);
    const all = await Promise.all(
      Array.from({ length: cores }, () => new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { binary, kernel } });
        worker.once("message", resolve);
        worker.once("error", reject);
      })),
    );
    const sum = all.reduce((a, b) => a + b, 0);
    console.log(`${KERNELS[kernel].label.padEnd(52)} 1 thread ${one.toFixed(1)} GFLOP/s, ${cores} threads ${sum.toFixed(1)} GFLOP/s`);
  }
}
