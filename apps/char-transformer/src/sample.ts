/**
 * Text generation: feed the prompt, draw the next character from the model's distribution,
 * append it, repeat.
 */
import * as ts from "tessera";
import type { CharVocab } from "./data.js";
import type { CharTransformer } from "./model.js";

/** Settings of {@link generate}. */
export interface SampleOptions {
  /** Text to continue; every character must be in the vocabulary. At least one character. */
  prompt: string;
  /** Characters to generate after the prompt. */
  length: number;
  /**
   * Divides the logits before the softmax: below 1 sharpens the distribution, above 1 flattens
   * it; 0 always takes the most likely character (greedy decoding).
   */
  temperature: number;
  /**
   * Seed of the draws: the same seed, model and prompt give the same text. The library's global
   * random stream is put back afterwards, so sampling never shifts the draws of training.
   */
  seed: number;
}

/**
 * The `length` characters the model writes after `prompt`. Each step runs the model on the
 * last `context` characters (no key/value cache: at these sizes a full forward pass is a few
 * milliseconds), turns the last position's logits into probabilities with a softmax and draws
 * the next character with `multinomial`, from the library's Philox stream seeded with `seed`
 * (and restored afterwards). Runs in eval mode without a graph; every tensor it makes is
 * disposed.
 *
 * @example
 * const text = generate(model, vocab, { prompt: "Tessera ", length: 200, temperature: 0.8, seed: 0 });
 */
export function generate(model: CharTransformer, vocab: CharVocab, options: SampleOptions): string {
  const { length, temperature } = options;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new RangeError(`generate: temperature must be a finite number >= 0, got ${temperature}.`);
  const ids = Array.from(vocab.encode(options.prompt));
  if (ids.length === 0) throw new RangeError("generate: the prompt must hold at least one character.");
  const context = model.config.context;
  const wasTraining = model.training;
  const rngState = ts.getRngState();
  ts.manualSeed(options.seed);
  model.eval();
  try {
    for (let i = 0; i < length; i++) {
      const window = ids.slice(-context);
      const out = ts.tidy(() =>
        ts.noGrad(() => {
          const input = ts.tensor(Int32Array.from(window), { dtype: "int32" }).reshape([1, window.length]);
          const last = model.forward(input).select(1, window.length - 1).reshape([-1]);
          // Greedy decoding takes the argmax (ties go to the first index).
          return temperature === 0 ? last.argmax() : last.div(temperature).softmax(-1).multinomial(1);
        }),
      );
      ids.push(out.itemSync());
      out.dispose();
    }
  } finally {
    model.train(wasTraining);
    ts.setRngState(rngState);
  }
  return vocab.decode(ids.slice(ids.length - length));
}
