/**
 * Square float32 matmul, n×n @ n×n, in GFLOP/s (2n³ floating-point operations per product).
 * Each call reads the result back with `dataSync()` so lazy or queued work is really done,
 * then disposes it. Slow sizes get fewer iterations (the timing profile's budget).
 */
import { compare, readTf, readTs, tf, tfTensor, tsTensor, values } from "../libs.mjs";

export const SIZES = [64, 128, 256, 512, 1024];
/** `--quick` skips 1024: one product there can take seconds with the plain-JS backends. */
export const QUICK_SIZES = [64, 128, 256, 512];

export async function run(profile, { quick }) {
  const rows = [];
  for (const n of quick ? QUICK_SIZES : SIZES) {
    const shape = [n, n];
    const da = values(n * n, 1);
    const db = values(n * n, 2);
    const tfImpl = () => {
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
    };
    const label = `matmul ${n}`;
    const seconds = await compare(
      label,
      {
        tessera: () => {
          const a = tsTensor(da, shape);
          const b = tsTensor(db, shape);
          return {
            fn: () => {
              const c = a.matmul(b);
              c.dataSync();
              c.dispose();
            },
            output: () => [readTs(a.matmul(b))],
            dispose: () => (a.dispose(), b.dispose()),
          };
        },
        "tfjs-cpu": tfImpl,
        "tfjs-wasm": tfImpl,
      },
      profile,
    );
    const flops = 2 * n ** 3;
    const gflops = Object.fromEntries(Object.entries(seconds).map(([lib, s]) => [lib, flops / s / 1e9]));
    rows.push({ group: "matmul", name: label, unit: "GFLOP/s", better: "higher", value: gflops });
  }
  return rows;
}
