/**
 * Tiny forward + backward: `(a*b + c).sum()` on [10, 10] and the gradients of a, b and c,
 * in µs per step. Measures the cost of recording a graph and running it backward when the
 * arithmetic is negligible.
 *
 * - Tessera: a, b, c are leaves with `requiresGrad: true`; each step runs inside `tidy`,
 *   disposes and nulls last step's `.grad` first, then calls `backward()`.
 * - tfjs: `tf.grads(f)` of the same function, whose gradients are disposed each step (it
 *   runs `f` and its backward inside its own tidy).
 */
import { compare, perLib, readTf, tf, tfTensor, ts, tsTensor, values } from "../libs.mjs";

const SHAPE = [10, 10];

export async function run(profile) {
  const n = SHAPE[0] * SHAPE[1];
  const data = [values(n, 1), values(n, 2), values(n, 3)];
  const tfImpl = () => {
    const [a, b, c] = data.map((d) => tfTensor(d, SHAPE));
    // The functional API: tfjs-core's Node bundle does not register chained ops (`x.mul`).
    const gradsOf = tf.grads((x, y, z) => tf.sum(tf.add(tf.mul(x, y), z)));
    return {
      fn: () => tf.dispose(gradsOf([a, b, c])),
      output: () => gradsOf([a, b, c]).map(readTf),
      dispose: () => tf.dispose([a, b, c]),
    };
  };
  const seconds = await compare(
    "tiny fwd+bwd",
    {
      tessera: () => {
        const leaves = data.map((d) => tsTensor(d, SHAPE, { requiresGrad: true }));
        const [a, b, c] = leaves;
        const clearGrads = () => {
          for (const t of leaves) {
            t.grad?.dispose();
            t.grad = null;
          }
        };
        const step = () =>
          ts.tidy(() => {
            clearGrads();
            a.mul(b).add(c).sum().backward();
          });
        return {
          fn: step,
          output: () => {
            step();
            return leaves.map((t) => Float32Array.from(t.grad.dataSync()));
          },
          dispose: () => {
            clearGrads();
            for (const t of leaves) t.dispose();
          },
        };
      },
      "tfjs-cpu": tfImpl,
      "tfjs-wasm": tfImpl,
    },
    profile,
  );
  const us = perLib(seconds, (s) => s * 1e6);
  return [{ group: "autograd", name: "(a*b+c).sum().backward() [10, 10]", unit: "µs/step", better: "lower", value: us }];
}
