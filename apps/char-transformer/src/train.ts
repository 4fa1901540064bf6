/**
 * The training run: a seeded model, AdamW on random windows of the text, train and validation
 * loss every few steps, and a model that is returned (and optionally saved) at the end.
 */
import * as ts from "tessera";
import { loadModel, saveModel } from "./checkpoint.js";
import type { Corpus } from "./corpus.js";
import { CharVocab, DataError, describeChars, evaluationStarts, randomBatch, splitIds, windowsAt, type Split } from "./data.js";
import { CharTransformer } from "./model.js";
import { UsageError, type RunOptions } from "./options.js";
import { createProgressBar } from "./progress.js";

/** Train and validation loss measured at one step. */
export interface Evaluation {
  step: number;
  trainLoss: number;
  validationLoss: number;
}

/** What {@link train} returns. The caller owns `model` and disposes it. */
export interface TrainResult {
  model: CharTransformer;
  vocab: CharVocab;
  split: Split;
  /** Training loss of each step's batch, in order. */
  losses: number[];
  /** Evaluations at step 0, every `evalEvery` steps, and after the last step. */
  evaluations: Evaluation[];
  /** Validation loss of the final model. */
  validationLoss: number;
  /** Wall-clock seconds spent in training steps (evaluations excluded). */
  trainSeconds: number;
}

/** Callbacks for watching a run (the tests check memory from `onStep`). */
export interface TrainHooks {
  /** Lines for the user (stdout in the command). */
  log?: (line: string) => void;
  /** Called after every optimizer step, when the step's tensors are gone. */
  onStep?: (step: number, loss: number) => void;
}

/** Windows per evaluation, for each of the train and validation parts (at most). */
export const EVAL_WINDOWS = 128;
/** Windows per forward pass during evaluation. */
const EVAL_BATCH = 32;
/** Gradients are scaled down to this global norm: one bad batch can't throw the weights off. */
const MAX_GRAD_NORM = 1;
/** AdamW's decoupled weight decay, for weight matrices and embeddings only (as GPT-2). */
const WEIGHT_DECAY = 0.1;

/**
 * Mean cross-entropy (nats per character) of `model` over fixed, evenly spread windows of
 * `ids` (see {@link evaluationStarts}): no graph, every tensor disposed.
 *
 * @example evaluateLoss(model, split.validation, 64); // ≈ 2.1 after the default run
 */
export function evaluateLoss(model: CharTransformer, ids: Int32Array, context: number, maxWindows = EVAL_WINDOWS): number {
  const starts = evaluationStarts(ids, context, maxWindows);
  const wasTraining = model.training;
  model.eval();
  let sum = 0;
  for (let i = 0; i < starts.length; i += EVAL_BATCH) {
    const chunk = starts.slice(i, i + EVAL_BATCH);
    const loss = ts.tidy(() =>
      ts.noGrad(() => {
        const { x, y } = windowsAt(ids, chunk, context);
        return model.loss(x, y);
      }),
    );
    // Every window has `context` targets, so weighting chunks by their size gives the mean.
    sum += loss.itemSync() * chunk.length;
    loss.dispose();
  }
  model.train(wasTraining);
  return sum / starts.length;
}

/**
 * The learning-rate factor at `step` of `steps`: a linear warmup over the first 5% of the
 * steps (Adam's early moment estimates are noisy), then a cosine decay to 10% of the peak.
 */
export function lrFactor(step: number, steps: number): number {
  const warmup = Math.max(1, Math.round(steps * 0.05));
  if (step < warmup) return (step + 1) / warmup;
  const progress = (step - warmup) / Math.max(1, steps - warmup);
  return 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

/** The model to train: loaded from `options.load`, or new from the options and the text. */
async function createModel(options: RunOptions, corpus: Corpus): Promise<{ model: CharTransformer; vocab: CharVocab; stepsBefore: number }> {
  if (options.load === null) {
    const vocab = CharVocab.fromText(corpus.text);
    const { context, layers, heads, dim } = options;
    return { model: new CharTransformer({ vocabSize: vocab.size, context, layers, heads, dim }), vocab, stepsBefore: 0 };
  }
  const loaded = await loadModel(options.load);
  const missing = loaded.vocab.missing(corpus.text);
  if (missing.length > 0) {
    loaded.model.dispose();
    throw new DataError(
      `the text to train on has ${describeChars(missing)}, which the vocabulary of --load ${options.load} lacks. Train a new model on this text (drop --load), or remove those characters.`,
    );
  }
  return { model: loaded.model, vocab: loaded.vocab, stepsBefore: loaded.steps };
}

/**
 * Trains a character transformer on `corpus` as `options` say: `manualSeed(options.seed)`, a
 * new model (or `--load`), AdamW with warmup and cosine decay, gradient clipping, evaluation
 * every `evalEvery` steps, and `--save` at the end. Each step runs inside `tidy`, and
 * `optimizer.zeroGrad()` disposes the old gradients, so memory stays flat.
 *
 * @example
 * const result = await train(parseOptions(["--quiet"]) as RunOptions, docsCorpus());
 * result.validationLoss; // ≈ 2.1 with the defaults
 * result.model.dispose();
 */
export async function train(options: RunOptions, corpus: Corpus, hooks: TrainHooks = {}): Promise<TrainResult> {
  const log = hooks.log ?? (() => {});
  ts.manualSeed(options.seed);
  const { model, vocab, stepsBefore } = await createModel(options, corpus);
  try {
    // Checked before training, which may take a while, rather than when the sample is drawn.
    const missingInPrompt = options.prompt === null ? [] : vocab.missing(options.prompt);
    if (missingInPrompt.length > 0) {
      throw new UsageError(`--prompt ${JSON.stringify(options.prompt)} has ${describeChars(missingInPrompt)}, which the model's vocabulary lacks. Use characters that occur in the training text.`);
    }
    const context = model.config.context;
    const source = options.text === null ? "the documentation" : `--text ${options.text}`;
    const split = splitIds(vocab.encode(corpus.text), context, source);
    const { vocabSize, layers, heads, dim } = model.config;
    log(
      `text: ${corpus.files.length} file${corpus.files.length === 1 ? "" : "s"}, ${split.train.length + split.validation.length} characters, ` +
        `${CharVocab.fromText(corpus.text).size} distinct; ${split.train.length} train / ${split.validation.length} validation`,
    );
    log(
      `model: ${layers} layer${layers === 1 ? "" : "s"}, ${heads} heads, dim ${dim}, context ${context}, vocabulary ${vocabSize}: ` +
        `${model.parameterCount()} parameters${options.load === null ? "" : ` (loaded from ${options.load} after ${stepsBefore} steps)`}`,
    );

    const matrices = model.parameters().filter((p) => p.ndim >= 2);
    const vectors = model.parameters().filter((p) => p.ndim < 2);
    const optimizer = new ts.optim.AdamW(
      [
        { params: matrices, weightDecay: WEIGHT_DECAY },
        { params: vectors, weightDecay: 0 },
      ],
      { lr: options.lr, betas: [0.9, 0.99] },
    );
    const scheduler = new ts.optim.LambdaLR(optimizer, { lrLambda: (step) => lrFactor(step, options.steps) });

    const evaluations: Evaluation[] = [];
    const evaluate = (step: number): Evaluation => {
      const e = { step, trainLoss: evaluateLoss(model, split.train, context), validationLoss: evaluateLoss(model, split.validation, context) };
      evaluations.push(e);
      return e;
    };
    const bar = options.quiet ? null : createProgressBar();
    const report = (e: Evaluation) => {
      bar?.clear();
      log(`step ${e.step}: train loss ${e.trainLoss.toFixed(4)}, validation loss ${e.validationLoss.toFixed(4)}`);
    };
    report(evaluate(0));

    const losses: number[] = [];
    let trainSeconds = 0;
    for (let step = 1; step <= options.steps; step++) {
      const started = performance.now();
      const loss = ts.tidy(() => {
        const { x, y } = randomBatch(split.train, options.batchSize, context);
        const l = model.loss(x, y);
        optimizer.zeroGrad();
        l.backward();
        ts.nn.utils.clipGradNorm_(model.parameters(), MAX_GRAD_NORM);
        optimizer.step();
        return l.detach();
      });
      scheduler.step();
      const value = loss.itemSync();
      loss.dispose();
      trainSeconds += (performance.now() - started) / 1000;
      losses.push(value);
      hooks.onStep?.(step, value);
      if (step % options.evalEvery === 0 || step === options.steps) report(evaluate(step));
      bar?.update({ step, steps: options.steps, loss: value, validationLoss: evaluations.at(-1)!.validationLoss });
    }
    bar?.finish();
    if (options.steps > 0) {
      log(`trained ${options.steps} steps in ${trainSeconds.toFixed(1)} s (${((1000 * trainSeconds) / options.steps).toFixed(0)} ms/step, evaluations excluded)`);
    }
    // The last step's gradients are not needed by anyone who samples or saves.
    model.zeroGrad();
    optimizer.dispose();
    if (options.save !== null) {
      await saveModel(options.save, model, vocab, stepsBefore + options.steps);
      log(`saved: ${options.save}`);
    }
    return { model, vocab, split, losses, evaluations, validationLoss: evaluations.at(-1)!.validationLoss, trainSeconds };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
