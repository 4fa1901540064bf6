/**
 * One full training step, in steps per second: forward, mean cross-entropy loss, zeroGrad,
 * backward, Adam step (lr 1e-3, betas 0.9 / 0.999, eps 1e-8), for two models:
 *
 * - MLP 784-256-256-10 with ReLU, batch 128, inputs [128, 784];
 * - CNN on 28×28 images, batch 64: conv 1→8 3×3, ReLU, max-pool 2, conv 8→16 3×3, ReLU,
 *   max-pool 2, flatten, linear 400→10.
 *
 * Every library starts from the same weights (Tessera's PyTorch-default initialization from a
 * fixed seed, copied into tfjs) and trains on the same fixed random batch. Before timing,
 * the harness checks that the losses of the first two steps agree (rtol 1e-3): the first
 * checks the forward pass and the loss, the second that the gradients and the Adam update
 * moved the weights the same way.
 *
 * - Tessera: `nn.Sequential` of `nn` layers (NCHW), `nn.CrossEntropyLoss` on int32 labels,
 *   `optim.Adam`; the step runs inside `tidy` and returns the detached loss:
 *   `loss = lossFn(model(x), y); optimizer.zeroGrad(); loss.backward(); optimizer.step()`.
 * - tfjs: what tfjs-layers' Dense and Conv2D layers run: `tf.fused.matMul` / `tf.fused.conv2d`
 *   with bias and ReLU fused, NHWC images, `tf.maxPool`, `tf.losses.softmaxCrossEntropy` on
 *   one-hot labels, and `tf.train.adam(…).minimize(f, true, variables)`, which computes the
 *   gradients and applies them (tfjs has no gradient accumulation, so no zeroGrad).
 *
 * On the CPU a step is synchronous. With `--device webgpu` steps are issued back to back and
 * each timed batch ends by reading the last step's loss (`measureAsync`).
 *
 * - PyTorch (CPU mode, when a Python with torch is found; see `../pytorch.mjs`):
 *   `pytorch/train_steps.py` runs the same `nn.Sequential` models, `nn.CrossEntropyLoss` and
 *   `torch.optim.Adam` from the same weights on the same batch, at 1 and 2 threads, in its own
 *   process after the other libraries. Its losses are checked like a peer's.
 */
import { DEVICE, compare, perLib, readTf, readTfAsync, readTs, readTsAsync, syncTf, syncTs, tf, ts, tsTensor, values } from "../libs.mjs";
import { TORCH_THREADS, describeTorch, runPyTorch } from "../pytorch.mjs";

const SEED = 1234;
const LR = 1e-3;
const CLASSES = 10;

/** `w` [out, in] (PyTorch's Linear weight) as tfjs's [in, out] kernel. */
function linearKernel(w, out, inFeatures) {
  const k = new Float32Array(w.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inFeatures; i++) k[i * out + o] = w[o * inFeatures + i];
  return k;
}

/** A conv weight [O, I, KH, KW] (PyTorch, NCHW) as tfjs's filter [KH, KW, I, O]. */
function convFilter(w, [O, I, KH, KW]) {
  const f = new Float32Array(w.length);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++)
      for (let h = 0; h < KH; h++) for (let x = 0; x < KW; x++) f[((h * KW + x) * I + i) * O + o] = w[((o * I + i) * KH + h) * KW + x];
  return f;
}

/**
 * A Linear weight [out, C·H·W] that reads NCHW-flattened features (c, h, w order) as tfjs's
 * kernel [H·W·C, out] reading NHWC-flattened features (h, w, c order).
 */
function nhwcLinearKernel(w, out, [C, H, W]) {
  const k = new Float32Array(w.length);
  for (let o = 0; o < out; o++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++) for (let x = 0; x < W; x++) k[((h * W + x) * C + c) * out + o] = w[o * C * H * W + (c * H + h) * W + x];
  return k;
}

const MODELS = [
  {
    key: "mlp",
    name: "train MLP 784-256-256-10, batch 128",
    batch: 128,
    tsInputShape: [784],
    tfInputShape: [784],
    build: () =>
      new ts.nn.Sequential(new ts.nn.Linear(784, 256), new ts.nn.ReLU(), new ts.nn.Linear(256, 256), new ts.nn.ReLU(), new ts.nn.Linear(256, CLASSES)),
    tfWeights: (w) => [
      [linearKernel(w["0.weight"], 256, 784), [784, 256]],
      [w["0.bias"], [256]],
      [linearKernel(w["2.weight"], 256, 256), [256, 256]],
      [w["2.bias"], [256]],
      [linearKernel(w["4.weight"], CLASSES, 256), [256, CLASSES]],
      [w["4.bias"], [CLASSES]],
    ],
    tfForward: (x, [k1, b1, k2, b2, k3, b3]) => {
      const h1 = tf.fused.matMul({ a: x, b: k1, bias: b1, activation: "relu" });
      const h2 = tf.fused.matMul({ a: h1, b: k2, bias: b2, activation: "relu" });
      return tf.fused.matMul({ a: h2, b: k3, bias: b3 });
    },
  },
  {
    key: "cnn",
    name: "train CNN conv8-conv16-fc10, batch 64",
    batch: 64,
    tsInputShape: [1, 28, 28],
    // One channel: NCHW [N, 1, 28, 28] and NHWC [N, 28, 28, 1] hold the same bytes.
    tfInputShape: [28, 28, 1],
    build: () =>
      new ts.nn.Sequential(
        new ts.nn.Conv2d(1, 8, 3),
        new ts.nn.ReLU(),
        new ts.nn.MaxPool2d(2),
        new ts.nn.Conv2d(8, 16, 3),
        new ts.nn.ReLU(),
        new ts.nn.MaxPool2d(2),
        new ts.nn.Flatten(),
        new ts.nn.Linear(16 * 5 * 5, CLASSES),
      ),
    tfWeights: (w) => [
      [convFilter(w["0.weight"], [8, 1, 3, 3]), [3, 3, 1, 8]],
      [w["0.bias"], [8]],
      [convFilter(w["3.weight"], [16, 8, 3, 3]), [3, 3, 8, 16]],
      [w["3.bias"], [16]],
      [nhwcLinearKernel(w["7.weight"], CLASSES, [16, 5, 5]), [400, CLASSES]],
      [w["7.bias"], [CLASSES]],
    ],
    tfForward: (x, [f1, b1, f2, b2, k, b]) => {
      const c1 = tf.fused.conv2d({ x, filter: f1, strides: 1, pad: "valid", bias: b1, activation: "relu" });
      const p1 = tf.maxPool(c1, 2, 2, "valid");
      const c2 = tf.fused.conv2d({ x: p1, filter: f2, strides: 1, pad: "valid", bias: b2, activation: "relu" });
      const p2 = tf.maxPool(c2, 2, 2, "valid");
      return tf.fused.matMul({ a: tf.reshape(p2, [p2.shape[0], 400]), b: k, bias: b });
    },
  },
];

/** Tessera's model for `spec` with its initial weights (the same every call: a fixed seed), on the CPU. */
function tesseraModel(spec) {
  ts.manualSeed(SEED);
  return spec.build();
}

/** The initial weights by state-dict key, as Float32Arrays. */
function initialWeights(spec) {
  const model = tesseraModel(spec);
  const weights = {};
  // stateDict() gives detached views: dispose them with the model.
  for (const [key, t] of Object.entries(model.stateDict())) {
    weights[key] = Float32Array.from(t.dataSync());
    t.dispose();
  }
  model.dispose();
  return weights;
}

/** The fixed batch: inputs in [-1, 1) and labels 0…9, the same for every library. */
function batchData(spec) {
  const perImage = spec.tsInputShape.reduce((p, d) => p * d, 1);
  const x = values(spec.batch * perImage, 7);
  const labels = Int32Array.from(values(spec.batch, 8), (v) => Math.min(CLASSES - 1, Math.floor((v + 1) * (CLASSES / 2))));
  const oneHot = new Float32Array(spec.batch * CLASSES);
  labels.forEach((label, i) => (oneHot[i * CLASSES + label] = 1));
  return { x, labels, oneHot };
}

function tesseraImpl(spec, data) {
  const device = DEVICE;
  return () => {
    const model = tesseraModel(spec);
    if (device !== "cpu") model.to(device);
    const optimizer = new ts.optim.Adam(model.parameters(), { lr: LR, betas: [0.9, 0.999], eps: 1e-8 });
    const lossFn = new ts.nn.CrossEntropyLoss();
    const x = tsTensor(data.x, [spec.batch, ...spec.tsInputShape], { device });
    const y = ts.tensor(data.labels, { dtype: "int32", device });
    const step = () =>
      ts.tidy(() => {
        const loss = lossFn.forward(model.forward(x), y);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss.detach();
      });
    const dispose = () => {
      optimizer.dispose();
      model.dispose();
      x.dispose();
      y.dispose();
    };
    if (device === "cpu") {
      return { fn: () => step().dispose(), output: () => [Float32Array.of(readTs(step())[0], readTs(step())[0])], dispose };
    }
    return {
      fn: (sync) => {
        const loss = step();
        if (sync) return syncTs(loss);
        loss.dispose();
      },
      output: async () => [Float32Array.of((await readTsAsync(step()))[0], (await readTsAsync(step()))[0])],
      dispose,
    };
  };
}

function tfjsImpl(spec, data, weights) {
  const tfWeights = spec.tfWeights(weights);
  return () => {
    const variables = tfWeights.map(([w, shape]) => tf.tidy(() => tf.variable(tf.tensor(w, shape, "float32"))));
    const x = tf.tensor(data.x, [spec.batch, ...spec.tfInputShape], "float32");
    const oneHot = tf.tensor(data.oneHot, [spec.batch, CLASSES], "float32");
    const optimizer = tf.train.adam(LR, 0.9, 0.999, 1e-8);
    const lossOf = () => tf.losses.softmaxCrossEntropy(oneHot, spec.tfForward(x, variables));
    const step = () => optimizer.minimize(lossOf, true, variables);
    const dispose = () => {
      optimizer.dispose();
      tf.dispose([x, oneHot, ...variables]);
    };
    if (DEVICE === "cpu") {
      return { fn: () => step().dispose(), output: () => [Float32Array.of(readTf(step())[0], readTf(step())[0])], dispose };
    }
    return {
      fn: (sync) => {
        const loss = step();
        if (sync) return syncTf(loss);
        loss.dispose();
      },
      output: async () => [Float32Array.of((await readTfAsync(step()))[0], (await readTfAsync(step()))[0])],
      dispose,
    };
  };
}

/**
 * Training steps get a longer warm-up than the other groups (never shorter than the profile's):
 * Tessera's step rate keeps rising for its first few hundred steps (about a second here) while
 * V8 compiles the step's many functions on background threads, which compete with the GEMM
 * worker for the cores, so 300 ms would time the ramp instead of the steady state. Every library gets the same warm-up (a tfjs-wasm step is ~35 ms: ~40 steps).
 */
const TRAINING_WARMUP_MS = 1500;

export async function run(baseProfile, opts = {}) {
  const profile = opts.quick === true ? baseProfile : { ...baseProfile, warmupMs: Math.max(baseProfile.warmupMs, TRAINING_WARMUP_MS) };
  const rows = [];
  const shared = {};
  for (const spec of MODELS) {
    const weights = initialWeights(spec);
    const data = batchData(spec);
    shared[spec.key] = { weights, x: data.x, labels: data.labels };
    const impls = { tessera: tesseraImpl(spec, data) };
    const tfImpl = tfjsImpl(spec, data, weights);
    for (const lib of DEVICE === "cpu" ? ["tfjs-cpu", "tfjs-wasm"] : ["tfjs-webgpu"]) impls[lib] = tfImpl;
    const seconds = await compare(spec.name, impls, profile, { rtol: 1e-3 });
    rows.push({ group: "training", name: spec.name, unit: "steps/s", better: "higher", value: perLib(seconds, (s) => 1 / s) });
  }
  await addPyTorch(rows, shared, opts);
  return rows;
}

/** The column of PyTorch at `n` threads. */
const torchColumn = (n) => `pytorch ${n}t`;

/**
 * Adds PyTorch's steps/s at 1 and 2 threads (`pytorch 1t`, `pytorch 2t`) to the training rows,
 * when a Python with torch is found; otherwise adds a note saying why there are none. PyTorch
 * runs after the other libraries, in its own process, while this one waits: it trains from
 * the same weights on the same batch, and its first two losses are checked against Tessera's
 * like any peer's (rtol 1e-3). CPU mode only: Debian's PyTorch has no GPU support.
 */
async function addPyTorch(rows, shared, opts) {
  const note = (line) => (rows[0].notes ??= []).push(line);
  if (DEVICE !== "cpu") {
    note("PyTorch comparison skipped: CPU mode only (the PyTorch script runs on the CPU).");
    return;
  }
  const result = await runPyTorch({ quick: opts.quick === true, data: shared });
  if (result.skipped || result.failed) {
    note(`PyTorch comparison skipped: ${result.skipped ?? result.failed}.`);
    return;
  }
  MODELS.forEach((spec, i) => {
    const row = rows[i];
    for (const n of TORCH_THREADS) row.value[torchColumn(n)] = result[`${spec.key}_steps_per_s`]?.[String(n)];
    const theirs = result.losses?.[spec.key];
    const ours = tesseraLosses(spec, shared[spec.key]);
    const bad = theirs?.findIndex((l, k) => !(Math.abs(l - ours[k]) <= 1e-3 * Math.max(1, Math.abs(ours[k]))));
    if (theirs === undefined || bad !== -1) {
      console.error(`error: ${spec.name}: pytorch and tessera disagree: losses ${JSON.stringify(theirs)} vs ${Array.from(ours).join(", ")}`);
      process.exitCode = 1;
    }
  });
  note(`${describeTorch(result)}; threads ${TORCH_THREADS.join(" and ")} (torch.set_num_threads), ${result.threads?.cpu_count ?? "?"} CPUs.`);
  const [one, ...more] = TORCH_THREADS;
  const slower = MODELS.some((spec) => more.some((n) => result[`${spec.key}_steps_per_s`]?.[n] < result[`${spec.key}_steps_per_s`]?.[one]));
  if (slower) {
    note(
      `warning: PyTorch was slower on ${more.join(", ")} threads than on ${one}: other processes held the cores (load average ` +
        `${result.loadavg?.toFixed(1) ?? "?"} on ${result.threads?.cpu_count ?? "?"} CPUs when it ran), so OpenMP's threads waited for each other. Rerun on an idle machine.`,
    );
  }
}

/** Tessera's losses of the first two steps from the shared weights, on the CPU. */
function tesseraLosses(spec, { x, labels }) {
  const { output, dispose } = tesseraImpl(spec, { x, labels })();
  const [losses] = output();
  dispose();
  return losses;
}
