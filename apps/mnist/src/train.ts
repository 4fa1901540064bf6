/**
 * The training run: seeded model and batch order, Adam on cross-entropy, a progress bar,
 * evaluation after every epoch, a checkpoint and the curves on disk.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as ts from "tessera";
import { gatherBatch, loadMnist, shiftImages, IMAGE_SIZE, type DigitSet, type MnistSplit } from "./data.js";
import { createModel } from "./models.js";
import { loadCheckpoint, saveCheckpoint, type History } from "./checkpoint.js";
import { createProgressBar } from "./progress.js";
import { trainingCurvesSvg } from "./plot.js";
import type { TrainOptions } from "./options.js";

/** What a run reports. */
export interface TrainResult {
  testAccuracy: number;
  history: History;
  checkpointPath: string;
  curvesPath: string;
}

/** Mean and standard deviation of MNIST pixels: inputs are standardized with them. */
const PIXEL_MEAN = 0.1307;
const PIXEL_STD = 0.3081;

/** How far (pixels) training images are shifted at random in each direction. */
const MAX_SHIFT = 2;

/**
 * Images and labels of a batch as tensors on `device`: [N, 1, 28, 28] (standardized) and
 * int32 [N]. With `augment`, each image is shifted by up to {@link MAX_SHIFT} pixels, drawn
 * from the library's seeded generator.
 */
function batchTensors(set: DigitSet, indices: ArrayLike<number>, device: string, augment = false): { x: ts.Tensor; y: ts.Tensor } {
  const { images, labels } = gatherBatch(set, indices);
  if (augment) {
    const shifts = ts.randint(-MAX_SHIFT, MAX_SHIFT + 1, [indices.length, 2]);
    shiftImages(images, shifts.dataSync());
    shifts.dispose();
  }
  for (let i = 0; i < images.length; i++) images[i] = (images[i]! - PIXEL_MEAN) / PIXEL_STD;
  const x = ts.tensor(images, { device }).reshape([indices.length, 1, IMAGE_SIZE, IMAGE_SIZE]);
  const y = ts.tensor(labels, { device, dtype: "int32" });
  return { x, y };
}

/** A permutation of `0 … n-1` from the library's seeded generator (the same on every device). */
function shuffledOrder(n: number, seed: number): Int32Array {
  ts.manualSeed(seed);
  const keys = ts.tidy(() => ts.rand([n]).dataSync());
  const order = Int32Array.from({ length: n }, (_, i) => i);
  return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** Fraction of `set` the model classifies correctly (evaluated in batches, without the graph). */
export async function evaluate(model: ts.nn.Module, set: DigitSet, device: string, batchSize = 500): Promise<number> {
  model.eval();
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    const hits = ts.tidy(() =>
      ts.noGrad(() => {
        const { x, y } = batchTensors(set, indices, device);
        return (model.forward(x) as ts.Tensor).argmax({ dim: 1 }).eq(y).sum();
      }),
    );
    correct += await hits.item();
    hits.dispose();
  }
  model.train();
  return correct / set.count;
}

/**
 * Trains the model `options` describes and writes its checkpoint and curves to `options.outDir`.
 * `data` can be passed in to share one loaded dataset between runs (tests).
 */
export async function train(options: TrainOptions, data: MnistSplit = loadMnist(), log: (line: string) => void = console.log): Promise<TrainResult> {
  const { device } = options;
  ts.manualSeed(options.seed);
  const model = createModel(options.model);
  if (device !== "cpu") model.to(device);
  const optimizer = new ts.optim.Adam(model.parameters(), { lr: options.lr });
  const lossFn = new ts.nn.CrossEntropyLoss();
  let history: History = { loss: [], trainAccuracy: [], testAccuracy: [] };
  let firstEpoch = 1;
  let step = 0;
  if (options.resume !== null) {
    const info = await loadCheckpoint(options.resume, model, optimizer, options.model);
    history = info.history;
    firstEpoch = info.epoch + 1;
    step = info.step;
    log(`resumed from ${options.resume} after epoch ${info.epoch}`);
  }

  // The learning rate follows a cosine from lr to 0 over the run (one scheduler step per epoch).
  const scheduler = new ts.optim.CosineAnnealingLR(optimizer, { tMax: options.epochs, lastEpoch: firstEpoch - 2 });
  const { train: trainSet, test: testSet } = data;
  const stepsPerEpoch = Math.ceil(trainSet.count / options.batchSize);
  const bar = options.quiet ? null : createProgressBar();
  let testAccuracy = history.testAccuracy.at(-1)?.[1] ?? 0;
  for (let epoch = firstEpoch; epoch <= options.epochs; epoch++) {
    // The order depends only on the seed and the epoch, so a resumed run sees the same batches.
    const order = shuffledOrder(trainSet.count, options.seed * 100_003 + epoch);
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < stepsPerEpoch && step !== options.maxSteps; b++) {
      const indices = order.subarray(b * options.batchSize, Math.min((b + 1) * options.batchSize, trainSet.count));
      const [loss, hits] = ts.tidy(() => {
        const { x, y } = batchTensors(trainSet, indices, device, true);
        const logits = model.forward(x) as ts.Tensor;
        const l = lossFn.forward(logits, y);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return [l.detach(), logits.detach().argmax({ dim: 1 }).eq(y).sum()];
      });
      const lossValue = await loss.item();
      correct += await hits.item();
      seen += indices.length;
      loss.dispose();
      hits.dispose();
      step++;
      history.loss.push([step, lossValue]);
      bar?.update({ epoch, epochs: options.epochs, step: b + 1, stepsPerEpoch, loss: lossValue, accuracy: correct / seen });
    }
    bar?.finish();
    scheduler.step();
    const stopping = step === options.maxSteps;
    testAccuracy = await evaluate(model, testSet, device);
    history.trainAccuracy.push([epoch, correct / seen]);
    history.testAccuracy.push([epoch, testAccuracy]);
    log(`epoch ${epoch}: train accuracy ${(correct / seen).toFixed(4)}, test accuracy ${testAccuracy.toFixed(4)}`);
    await mkdir(options.outDir, { recursive: true });
    await saveCheckpoint(join(options.outDir, `${options.model}.safetensors`), model, optimizer, {
      model: options.model,
      seed: options.seed,
      epoch,
      step,
      history,
    });
    if (stopping) break;
  }
  if (firstEpoch > options.epochs) testAccuracy = await evaluate(model, testSet, device);

  await mkdir(options.outDir, { recursive: true });
  const curvesPath = join(options.outDir, `${options.model}-curves.svg`);
  await writeFile(curvesPath, trainingCurvesSvg(history.loss, history.trainAccuracy, history.testAccuracy));
  optimizer.dispose();
  model.dispose();
  return { testAccuracy, history, checkpointPath: join(options.outDir, `${options.model}.safetensors`), curvesPath };
}
