// The text pipeline: the documentation corpus, the vocabulary, the split, windows, the PRNG.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as ts from "tessera";
import { CorpusError, docsCorpus, findRepoRoot, textFileCorpus } from "../src/corpus.js";
import { CharVocab, DataError, evaluationStarts, minimumTextLength, randomBatch, splitIds, windowsAt } from "../src/data.js";
import { renderProgress } from "../src/progress.js";

describe("corpus", () => {
  it("reads the repository's markdown: README, docs, package and app READMEs, in a fixed order", () => {
    const { text, files } = docsCorpus();
    expect(files[0]).toBe("README.md");
    expect(files).toContain("docs/semantics.md");
    expect(files).toContain("packages/nn/README.md");
    expect(files).toContain("apps/mnist/README.md");
    const groups = files.map((f) => (f === "README.md" ? 0 : f.startsWith("docs/") ? 1 : f.startsWith("packages/") ? 2 : 3));
    expect(groups).toEqual([...groups].sort());
    // About 120 KB when this was written; others edit the docs, so only a floor is checked.
    expect(text.length).toBeGreaterThan(50_000);
    expect(text).toContain("Tessera");
    expect(findRepoRoot()).toBe(fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, ""));
  });

  it("reads a UTF-8 file, and explains a missing, a directory or a non-UTF-8 one", () => {
    const dir = mkdtempSync(join(tmpdir(), "char-corpus-"));
    writeFileSync(join(dir, "ok.txt"), "naïve café — 🙂\n");
    expect(textFileCorpus(join(dir, "ok.txt")).text).toBe("naïve café — 🙂\n");
    expect(() => textFileCorpus(join(dir, "nope.txt"))).toThrow(/--text .*nope\.txt: no such file/);
    expect(() => textFileCorpus(dir)).toThrow(/is a directory/);
    writeFileSync(join(dir, "bin.dat"), Buffer.from([0x66, 0xff, 0xfe, 0x00]));
    expect(() => textFileCorpus(join(dir, "bin.dat"))).toThrow(CorpusError);
    expect(() => textFileCorpus(join(dir, "bin.dat"))).toThrow(/bin\.dat is not UTF-8 text/);
  });
});

describe("CharVocab", () => {
  it("gives each code point one id, sorted, and round-trips text", () => {
    const vocab = CharVocab.fromText("bab🙂a—");
    expect(vocab.chars).toEqual(["a", "b", "—", "🙂"]);
    expect(Array.from(vocab.encode("ab🙂—"))).toEqual([0, 1, 3, 2]);
    expect(vocab.decode(vocab.encode("a🙂b—"))).toBe("a🙂b—");
    expect(vocab.missing("abcd🙂x")).toEqual(["c", "d", "x"]);
    expect(() => vocab.encode("abc")).toThrow(DataError);
    expect(() => vocab.encode("abc")).toThrow(/no character "c"/);
  });
});

describe("split and windows", () => {
  it("holds out the last 10% and refuses a text too short for the context, with the fix", () => {
    const ids = Int32Array.from({ length: 1000 }, (_, i) => i % 7);
    const { train, validation } = splitIds(ids, 64, "x");
    expect(train.length).toBe(900);
    expect(validation.length).toBe(100);
    expect(validation[0]).toBe(ids[900]);
    expect(minimumTextLength(64)).toBe(641);
    expect(() => splitIds(ids.subarray(0, 641), 64, "x")).not.toThrow();
    expect(() => splitIds(ids.subarray(0, 640), 64, "--text short.txt")).toThrow(
      "--text short.txt has 640 characters, too few for --context 64: the last 10% is held out for validation and must hold a window of 65 characters, so it needs at least 641. Use a longer text or a smaller --context (at most 63 for this one).",
    );
  });

  it("makes input windows and the same windows shifted by one as targets", () => {
    const ids = Int32Array.from({ length: 50 }, (_, i) => i);
    const { x, y } = windowsAt(ids, [0, 10], 4);
    expect(x.tolistSync()).toEqual([[0, 1, 2, 3], [10, 11, 12, 13]]);
    expect(y.tolistSync()).toEqual([[1, 2, 3, 4], [11, 12, 13, 14]]);
    ts.manualSeed(5);
    const batch = randomBatch(ids, 64, 8);
    const xs = batch.x.tolistSync() as number[][];
    const ys = batch.y.tolistSync() as number[][];
    for (let b = 0; b < 64; b++) {
      expect(xs[b]![0]).toBeGreaterThanOrEqual(0);
      expect(ys[b]![7]).toBeLessThanOrEqual(49);
      expect(ys[b]).toEqual(xs[b]!.map((v) => v + 1));
    }
  });

  it("spreads non-overlapping evaluation windows over the whole part", () => {
    const ids = new Int32Array(1000);
    const starts = evaluationStarts(ids, 64, 128);
    expect(starts).toHaveLength(15); // ⌊999 / 64⌋
    expect(starts[0]).toBe(0);
    expect(starts.at(-1)! + 64 + 1).toBe(1000);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(64);
    expect(evaluationStarts(ids, 64, 4)).toHaveLength(4);
  });
});

describe("progress", () => {
  it("shows step, loss, validation loss, rate and ETA", () => {
    const text = renderProgress({ step: 50, steps: 400, loss: 2.5, validationLoss: 2.61234 }, 12.5, 8);
    expect(text).toBe("step  50/400 █░░░░░░░  loss 2.5000  val 2.6123  12.5 steps/s  ETA 28s");
    expect(renderProgress({ step: 1, steps: 10, loss: 4.8, validationLoss: null }, 0, 4)).not.toContain("val");
  });
});
