/**
 * Training a small MLP on the spirals, on any registered device: the same code runs on
 * `"cpu"` and on the tiny backend, which is what makes the two runs comparable.
 */
import * as ts from "tessera";
import { makeSpirals, type SpiralOptions } from "./data.js";

/**
 * Options of {@link trainSpirals}.
 *
 * @example
 * const options: TrainOptions = { device: "tiny", steps: 200, seed: 0, onStep: (s, l) => console.log(s, l) };
 */
export interface TrainOptions {
  /** Where to train: any registered device name. */
  readonly device: string;
  /** Optimizer steps (full batch: every step sees every point). */
  readonly steps: number;
  /** Seeds the weights and the data. Default 0. */
  readonly seed?: number;
  /** Adam's learning rate. Default 0.01. */
  readonly lr?: number;
  /** Width of the two hidden layers. Default 32. */
  readonly hidden?: number;
  /** The data set's shape (its seed is `seed`). */
  readonly data?: Omit<SpiralOptions, "seed">;
  /** Called after every step with the step number (1-based) and that step's loss. */
  readonly onStep?: (step: number, loss: number) => void;
}

/**
 * What a run reports.
 *
 * @example
 * const { losses, accuracy } = await trainSpirals({ device: "cpu", steps: 10 });
 */
export interface TrainResult {
  /** The loss of each step, before that step's update. */
  readonly losses: number[];
  /** Fraction of the training points the final model classifies correctly. */
  readonly accuracy: number;
}

/**
 * An MLP 2 → hidden → hidden → classes with ReLUs, initialised from the seeded generator (on
 * the CPU, where `nn` creates parameters).
 *
 * @example
 * const model = createMlp(32, 3).to("tiny");
 */
export function createMlp(hidden: number, classes: number): ts.nn.Sequential {
  return new ts.nn.Sequential(
    new ts.nn.Linear(2, hidden),
    new ts.nn.ReLU(),
    new ts.nn.Linear(hidden, hidden),
    new ts.nn.ReLU(),
    new ts.nn.Linear(hidden, classes),
  );
}

/**
 * Trains {@link createMlp} on {@link makeSpirals} with Adam and cross-entropy, full batch, on
 * `options.device`. Everything it creates is disposed before it returns (each step runs in
 * `tidy`; the model, the optimizer state and the data are disposed at the end), so the
 * device holds no more buffers afterwards than before.
 *
 * @example
 * const { losses } = await trainSpirals({ device: "tiny", steps: 200 });
 * console.log(losses[0], losses.at(-1)); // ≈ 1.10 (chance: ln 3) → well below
 */
export async function trainSpirals(options: TrainOptions): Promise<TrainResult> {
  const { device, steps } = options;
  const seed = options.seed ?? 0;
  const data = makeSpirals({ ...options.data, seed });
  ts.manualSeed(seed);
  // Parameters are created on the CPU, then moved: `to` replaces each parameter's storage in
  // place, so an optimizer built afterwards (or before) updates the moved tensors.
  const model = createMlp(options.hidden ?? 32, data.classes).to(device);
  const optimizer = new ts.optim.Adam(model.parameters(), { lr: options.lr ?? 0.01 });
  const lossFn = new ts.nn.CrossEntropyLoss();
  const x = ts.tidy(() => ts.tensor(data.points, { device }).reshape([data.count, 2]));
  const y = ts.tensor(data.labels, { device, dtype: "int32" });
  const losses: number[] = [];
  try {
    for (let step = 1; step <= steps; step++) {
      const loss = ts.tidy(() => {
        const l = lossFn.forward(model.forward(x) as ts.Tensor, y);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return l.detach();
      });
      const value = await loss.item();
      loss.dispose();
      losses.push(value);
      options.onStep?.(step, value);
    }
    const hits = ts.tidy(() => ts.noGrad(() => (model.forward(x) as ts.Tensor).argmax({ dim: 1 }).eq(y).sum()));
    const correct = await hits.item();
    hits.dispose();
    return { losses, accuracy: correct / data.count };
  } finally {
    optimizer.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  }
}
