/**
 * Square float32 matmul, n×n @ n×n, in GFLOP/s (2n³ floating-point operations per product).
 *
 * - CPU: each call reads the result back with `dataSync()` so lazy or queued work is really
 *   done, then disposes it. Slow sizes get fewer iterations (the timing profile's budget).
 *   Each size gets two rows: Tessera on one thread (a backend made with `threads: 1`) beside
 *   tfjs-cpu and tfjs-wasm, then Tessera on two threads (`threads: 2`) beside tfjs-wasm
 *   measured again in the same run, so each row prints its own ratio.
 * - WebGPU: calls are issued back to back and each timed batch ends with `await data()` of one
 *   element of the last product, which waits for every product of the batch (`measureAsync`).
 */
import { DEVICE, compare, perLib, readTf, readTfAsync, readTs, readTsAsync, syncTf, syncTs, tf, tfTensor, ts, tsTensor, values } from "../libs.mjs";

/** Tessera CPU backends with a fixed thread count, registered on first use. */
const THREADED = [
  { threads: 1, device: "cpu-1-thread", label: "1 thread" },
  { threads: 2, device: "cpu-2-threads", label: "2 threads" },
];
function threadDevice(spec) {
  if (!ts.hasBackend(spec.device)) ts.registerBackend(ts.createCpuBackend({ name: spec.device, threads: spec.threads }));
  return spec.device;
}

export const SIZES = [64, 128, 256, 512, 1024];
/** `--quick` skips 1024: one product there can take seconds with the plain-JS backends. */
export const QUICK_SIZES = [64, 128, 256, 512];
/** `--device webgpu`. */
export const GPU_SIZES = [256, 512, 1024, 2048, 4096];
export const GPU_QUICK_SIZES = [256, 1024];
/** On SwiftShader (a CPU driver) a 512 product takes seconds: only the smallest size runs. */
export const SWIFTSHADER_SIZES = [256];

/** The sizes this run measures. */
export function sizes({ quick, swiftshader }) {
  if (DEVICE === "cpu") return quick ? QUICK_SIZES : SIZES;
  if (swiftshader) return SWIFTSHADER_SIZES;
  return quick ? GPU_QUICK_SIZES : GPU_SIZES;
}

export async function run(profile, opts) {
  const rows = [];
  for (const n of sizes(opts)) {
    const shape = [n, n];
    const da = values(n * n, 1);
    const db = values(n * n, 2);
    const tesseraOn = (device) => () => {
      const a = tsTensor(da, shape, { device });
      const b = tsTensor(db, shape, { device });
      return {
        fn: () => {
          const c = a.matmul(b);
          c.dataSync();
          c.dispose();
        },
        output: () => [readTs(a.matmul(b))],
        dispose: () => (a.dispose(), b.dispose()),
      };
    };
    if (DEVICE === "cpu") {
      const flops = 2 * n ** 3;
      for (const spec of THREADED) {
        const device = threadDevice(spec);
        const impls = spec.threads === 1
          ? { tessera: tesseraOn(device), "tfjs-cpu": tfCpuImpl, "tfjs-wasm": tfCpuImpl }
          : { tessera: tesseraOn(device), "tfjs-wasm": tfCpuImpl };
        const label = `matmul ${n}, ${spec.label}`;
        const seconds = await compare(label, impls, profile);
        rows.push({ group: "matmul", name: label, unit: "GFLOP/s", better: "higher", value: perLib(seconds, (s) => flops / s / 1e9) });
      }
      continue;
    }
    const impls = {
      tessera: () => {
        const a = tsTensor(da, shape, { device: "webgpu" });
        const b = tsTensor(db, shape, { device: "webgpu" });
        return {
          fn: (sync) => {
            const c = a.matmul(b);
            if (sync) return syncTs(c);
            c.dispose();
          },
          output: async () => [await readTsAsync(a.matmul(b))],
          dispose: () => (a.dispose(), b.dispose()),
        };
      },
      "tfjs-webgpu": () => {
        const a = tfTensor(da, shape);
        const b = tfTensor(db, shape);
        return {
          fn: (sync) => {
            const c = tf.matMul(a, b);
            if (sync) return syncTf(c);
            c.dispose();
          },
          output: async () => [await readTfAsync(tf.matMul(a, b))],
          dispose: () => tf.dispose([a, b]),
        };
      },
    };
    function tfCpuImpl() {
      const a = tfTensor(da, shape);
      const b = tfTensor(db, shape);
      return {
        fn: () => {
          const c = tf.matMul(a, b);
          c.dataSync();
          c.dispose();
        },
        output: () => [readTf(tf.matMul(a, b))],
        dispose: () => tf.dispose([a, b]),
      };
    }
    const label = `matmul ${n}`;
    const seconds = await compare(label, impls, profile);
    const flops = 2 * n ** 3;
    rows.push({ group: "matmul", name: label, unit: "GFLOP/s", better: "higher", value: perLib(seconds, (s) => flops / s / 1e9) });
  }
  return rows;
}
