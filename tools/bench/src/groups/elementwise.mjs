/**
 * Elementwise throughput: `add` and `exp` on 1e6 float32 elements, result created and
 * disposed each call, in billions of elements per second (Gelem/s).
 */
import { compare, readTf, readTs, tf, tfTensor, tsTensor, values } from "../libs.mjs";

const N = 1_000_000;
const SHAPE = [1000, 1000];

export async function run(profile) {
  const da = values(N, 1);
  const db = values(N, 2);
  const cases = [
    { name: "add", tfOp: (a, b) => tf.add(a, b), tsOp: (a, b) => a.add(b) },
    { name: "exp", tfOp: (a) => tf.exp(a), tsOp: (a) => a.exp() },
  ];
  const rows = [];
  for (const { name, tfOp, tsOp } of cases) {
    const tfImpl = () => {
      const a = tfTensor(da, SHAPE);
      const b = tfTensor(db, SHAPE);
      return { fn: () => tfOp(a, b).dispose(), output: () => [readTf(tfOp(a, b))], dispose: () => tf.dispose([a, b]) };
    };
    const label = `${name} 1e6`;
    const seconds = await compare(
      label,
      {
        tessera: () => {
          const a = tsTensor(da, SHAPE);
          const b = tsTensor(db, SHAPE);
          return { fn: () => tsOp(a, b).dispose(), output: () => [readTs(tsOp(a, b))], dispose: () => (a.dispose(), b.dispose()) };
        },
        "tfjs-cpu": tfImpl,
        "tfjs-wasm": tfImpl,
      },
      profile,
    );
    const gelem = Object.fromEntries(Object.entries(seconds).map(([lib, s]) => [lib, N / s / 1e9]));
    rows.push({ group: "elementwise", name: label, unit: "Gelem/s", better: "higher", value: gelem });
  }
  return rows;
}
