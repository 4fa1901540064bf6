/**
 * Elementwise throughput: `add`, `exp` and `erf` on float32 tensors, result created and disposed each
 * call.
 *
 * - CPU: 1e6 elements, in billions of elements per second (Gelem/s).
 * - WebGPU: 1e6 and 1e7 elements (1e6 only on SwiftShader), in GB/s of memory traffic:
 *   bytes read plus bytes written, 12 per element for `add` (two inputs, one output) and 8
 *   for `exp`. Calls are issued back to back and each timed batch ends with `await data()` of
 *   one element of the last result (`measureAsync`), so the device's work is counted.
 */
import { DEVICE, compare, perLib, readTf, readTfAsync, readTs, readTsAsync, syncTf, syncTs, tf, tfTensor, tsTensor, values } from "../libs.mjs";

const CASES = [
  { name: "add", bytesPerElement: 12, tfOp: (a, b) => tf.add(a, b), tsOp: (a, b) => a.add(b) },
  { name: "exp", bytesPerElement: 8, tfOp: (a) => tf.exp(a), tsOp: (a) => a.exp() },
  // exact GELU's core; tfjs approximates it (Abramowitz–Stegun, 1.5e-7 absolute)
  { name: "erf", bytesPerElement: 8, tfOp: (a) => tf.erf(a), tsOp: (a) => a.erf() },
];

/** Element counts of this run, with the 2-D shape the tensors get. */
export function sizes({ swiftshader }) {
  const sizes = [{ n: 1_000_000, label: "1e6", shape: [1000, 1000] }];
  if (DEVICE !== "cpu" && !swiftshader) sizes.push({ n: 10_000_000, label: "1e7", shape: [10_000, 1000] });
  return sizes;
}

export async function run(profile, opts) {
  const rows = [];
  for (const { n, label: sizeLabel, shape } of sizes(opts)) {
    const da = values(n, 1);
    const db = values(n, 2);
    for (const { name, bytesPerElement, tfOp, tsOp } of CASES) {
      const impls =
        DEVICE === "cpu"
          ? {
              tessera: () => {
                const a = tsTensor(da, shape);
                const b = tsTensor(db, shape);
                return { fn: () => tsOp(a, b).dispose(), output: () => [readTs(tsOp(a, b))], dispose: () => (a.dispose(), b.dispose()) };
              },
              "tfjs-cpu": tfCpuImpl,
              "tfjs-wasm": tfCpuImpl,
            }
          : {
              tessera: () => {
                const a = tsTensor(da, shape, { device: "webgpu" });
                const b = tsTensor(db, shape, { device: "webgpu" });
                return {
                  fn: (sync) => {
                    const c = tsOp(a, b);
                    if (sync) return syncTs(c);
                    c.dispose();
                  },
                  output: async () => [await readTsAsync(tsOp(a, b))],
                  dispose: () => (a.dispose(), b.dispose()),
                };
              },
              "tfjs-webgpu": () => {
                const a = tfTensor(da, shape);
                const b = tfTensor(db, shape);
                return {
                  fn: (sync) => {
                    const c = tfOp(a, b);
                    if (sync) return syncTf(c);
                    c.dispose();
                  },
                  output: async () => [await readTfAsync(tfOp(a, b))],
                  dispose: () => tf.dispose([a, b]),
                };
              },
            };
      function tfCpuImpl() {
        const a = tfTensor(da, shape);
        const b = tfTensor(db, shape);
        return { fn: () => tfOp(a, b).dispose(), output: () => [readTf(tfOp(a, b))], dispose: () => tf.dispose([a, b]) };
      }
      const label = `${name} ${sizeLabel}`;
      const seconds = await compare(label, impls, profile);
      rows.push(
        DEVICE === "cpu"
          ? { group: "elementwise", name: label, unit: "Gelem/s", better: "higher", value: perLib(seconds, (s) => n / s / 1e9) }
          : { group: "elementwise", name: label, unit: "GB/s", better: "higher", value: perLib(seconds, (s) => (bytesPerElement * n) / s / 1e9) },
      );
    }
  }
  return rows;
}
