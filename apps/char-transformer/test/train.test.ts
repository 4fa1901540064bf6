// Training for real on the documentation, at a small size: the loss falls well below ln(V),
// runs are reproducible, a saved model comes back identical, and memory stays flat.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as ts from "tessera";
import { loadModel } from "../src/checkpoint.js";
import { docsCorpus } from "../src/corpus.js";
import { parseOptions, type RunOptions } from "../src/options.js";
import { generate } from "../src/sample.js";
import { train } from "../src/train.js";

const corpus = docsCorpus();
/** A model small enough to train a few hundred steps in seconds. */
const SMALL = ["--dim", "32", "--heads", "2", "--layers", "2", "--context", "32", "--quiet"];
const options = (...argv: string[]): RunOptions => parseOptions([...SMALL, ...argv]) as RunOptions;
const tmp = () => mkdtempSync(join(tmpdir(), "char-transformer-"));

/** Cross-entropy (nats per character) on `validation` of character frequencies counted on `train`. */
function unigramLoss(train: Int32Array, validation: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1); // add-one smoothing: no character is impossible
  for (const id of train) counts[id]!++;
  const total = train.length + vocabSize;
  let loss = 0;
  for (const id of validation) loss -= Math.log(counts[id]! / total);
  return loss / validation.length;
}

describe("training", () => {
  it("a 300-step run brings the validation loss far below ln(vocabulary size)", async () => {
    const result = await train(options("--steps", "300", "--eval-every", "100"), corpus);
    const lnV = Math.log(result.vocab.size);
    const [first, ...rest] = result.evaluations;
    expect(first!.step).toBe(0);
    expect(Math.abs(first!.validationLoss - lnV)).toBeLessThan(0.05);
    expect(rest.map((e) => e.step)).toEqual([100, 200, 300]);
    // Measured with seed 0: validation 2.70 / train 2.78 on 114 KB of docs, 2.87 / 2.92 on 123 KB
    // (other seeds: validation up to 2.93, train up to 3.00), where ln V = 4.87 and a unigram
    // model (character frequencies) gets 3.43. The docs change under the test, so the bar is
    // relative: well below the unigram loss of the same split, which the model must beat by
    // learning which characters follow which.
    const unigram = unigramLoss(result.split.train, result.split.validation, result.vocab.size);
    expect(unigram).toBeGreaterThan(3);
    expect(result.validationLoss).toBeLessThan(unigram - 0.3);
    expect(result.validationLoss).toBeLessThan(lnV - 1.5);
    expect(result.evaluations.at(-1)!.trainLoss).toBeLessThan(3.2);
    expect(result.losses).toHaveLength(300);
    result.model.dispose();
  });

  it("the same seed gives the same losses and sample twice; another seed differs", async () => {
    const run = async (seed: string) => {
      const r = await train(options("--steps", "25", "--eval-every", "25", "--seed", seed), corpus);
      const rng = ts.getRngState();
      const sample = generate(r.model, r.vocab, { prompt: "Tessera ", length: 60, temperature: 1, seed: Number(seed) });
      expect(ts.getRngState(), "sampling puts the global random stream back").toEqual(rng);
      r.model.dispose();
      return { losses: r.losses, evaluations: r.evaluations, sample };
    };
    const a = await run("7");
    const b = await run("7");
    const c = await run("8");
    expect(b.losses).toEqual(a.losses);
    expect(b.evaluations).toEqual(a.evaluations);
    expect(b.sample).toBe(a.sample);
    expect(Array.from(a.sample)).toHaveLength(60);
    expect(c.losses).not.toEqual(a.losses);
    expect(c.sample).not.toBe(a.sample);
  });

  it("save → load gives the same architecture, vocabulary and logits, bit for bit", async () => {
    const path = join(tmp(), "model.safetensors");
    const trained = await train(options("--steps", "20", "--save", path), corpus);
    const loaded = await loadModel(path);
    expect(loaded.model.config).toEqual(trained.model.config);
    expect(loaded.vocab.chars).toEqual(trained.vocab.chars);
    expect(loaded.steps).toBe(20);
    const x = ts.tensor([Array.from(trained.vocab.encode("The tensor's gradient"))], { dtype: "int32" });
    const before = trained.model.forward(x).dataSync();
    const after = loaded.model.forward(x).dataSync();
    expect(after).toEqual(before);
    const sample = (m: typeof trained.model) => generate(m, trained.vocab, { prompt: "A", length: 40, temperature: 0.8, seed: 3 });
    expect(sample(loaded.model)).toBe(sample(trained.model));
    // The file holds the state dict under PyTorch's names, and nothing else.
    const tensors = await ts.nn.safetensors.loadFile(path);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(trained.model.stateDict()).sort());
    for (const t of Object.values(tensors)) t.dispose();
    x.dispose();
    trained.model.dispose();
    loaded.model.dispose();
  });

  it("memory stays flat across training steps, and nothing is left once the model is disposed", async () => {
    const before = ts.memory();
    const perStep: { tensors: number; bytes: number }[] = [];
    const result = await train(options("--steps", "30", "--eval-every", "10"), corpus, {
      onStep: () => {
        const { tensors, bytes } = ts.memory();
        perStep.push({ tensors, bytes });
      },
    });
    expect(perStep).toHaveLength(30);
    // From the first step on, the model, its gradients and AdamW's state are all there is;
    // the evaluations every 10 steps leave nothing behind either.
    for (const m of perStep) expect(m).toEqual(perStep[0]);
    generate(result.model, result.vocab, { prompt: "x", length: 10, temperature: 1, seed: 0 });
    result.model.dispose();
    expect(ts.memory().tensors).toBe(before.tensors);
    expect(ts.memory().bytes).toBe(before.bytes);
  });
});
