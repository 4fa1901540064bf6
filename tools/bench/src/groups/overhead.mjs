/**
 * Per-op overhead: one `add` on tiny tensors, including creating and disposing the result,
 * in µs per op. At these sizes the arithmetic is negligible; what is measured is the cost of
 * dispatch, shape/dtype checks, allocation and bookkeeping.
 */
import { compare, perLib, readTf, readTs, tf, tfTensor, tsTensor, values } from "../libs.mjs";

const SHAPES = [[1], [10, 10]];

export async function run(profile) {
  const rows = [];
  for (const shape of SHAPES) {
    const n = shape.reduce((p, d) => p * d, 1);
    const da = values(n, 1);
    const db = values(n, 2);
    const tfImpl = () => {
      const a = tfTensor(da, shape);
      const b = tfTensor(db, shape);
      return {
        fn: () => tf.add(a, b).dispose(),
        output: () => [readTf(tf.add(a, b))],
        dispose: () => tf.dispose([a, b]),
      };
    };
    const label = `add [${shape.join(", ")}]`;
    const seconds = await compare(
      label,
      {
        tessera: () => {
          const a = tsTensor(da, shape);
          const b = tsTensor(db, shape);
          return {
            fn: () => a.add(b).dispose(),
            output: () => [readTs(a.add(b))],
            dispose: () => (a.dispose(), b.dispose()),
          };
        },
        "tfjs-cpu": tfImpl,
        "tfjs-wasm": tfImpl,
      },
      profile,
    );
    rows.push({ group: "per-op overhead", name: label, unit: "µs/op", better: "lower", value: perLib(seconds, (s) => s * 1e6) });
  }
  return rows;
}
