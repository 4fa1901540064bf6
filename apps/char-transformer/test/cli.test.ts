// The command: its output, save/load through the command line, and its errors for bad input.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as ts from "tessera";
import { main } from "../src/main.js";
import { DEFAULTS, parseOptions, UsageError } from "../src/options.js";

/** Runs the command and returns its exit code and printed lines. */
async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join("\n") };
}

const tmp = () => mkdtempSync(join(tmpdir(), "char-cli-"));
const TINY = ["--dim", "16", "--heads", "2", "--layers", "1", "--context", "16", "--steps", "10", "--quiet"];

describe("options", () => {
  it("has defaults and reads every flag", () => {
    expect(parseOptions([])).toMatchObject({ ...DEFAULTS, text: null, prompt: null, save: null, load: null, quiet: false, architectureFlags: [] });
    expect(
      parseOptions(["--steps", "7", "--batch-size", "3", "--context", "12", "--layers", "3", "--heads", "2", "--dim", "8", "--lr", "0.001", "--seed", "9"]),
    ).toMatchObject({ steps: 7, batchSize: 3, context: 12, layers: 3, heads: 2, dim: 8, lr: 0.001, seed: 9, architectureFlags: ["--context", "--layers", "--heads", "--dim"] });
    expect(parseOptions(["--text", "a.txt", "--prompt", "Hi", "--sample-length", "0", "--temperature", "0", "--save", "m.safetensors"])).toMatchObject({
      text: "a.txt",
      prompt: "Hi",
      sampleLength: 0,
      temperature: 0,
      save: "m.safetensors",
    });
    expect(parseOptions(["--help"])).toBe("help");
  });

  it("rejects bad flags, naming the flag, the value and what is accepted", () => {
    expect(() => parseOptions(["--steps", "ten"])).toThrow('--steps must be an integer >= 0, got "ten".');
    expect(() => parseOptions(["--batch-size", "0"])).toThrow('--batch-size must be an integer >= 1, got "0".');
    expect(() => parseOptions(["--context", "2.5"])).toThrow('--context must be an integer >= 1, got "2.5".');
    expect(() => parseOptions(["--lr", "0"])).toThrow('--lr must be a positive number, got "0".');
    expect(() => parseOptions(["--temperature=-1"])).toThrow('--temperature must be a number >= 0 (0 is greedy), got "-1".');
    expect(() => parseOptions(["--heads", "5"])).toThrow("--heads 5 does not divide --dim 64: each head gets dim / heads features. Pick --heads among 1, 2, 4, 8, 16, 32, 64, or change --dim.");
    expect(() => parseOptions(["--load", "m.safetensors", "--dim", "32"])).toThrow("--dim cannot be combined with --load: the checkpoint fixes the architecture.");
    expect(() => parseOptions(["--prompt", ""])).toThrow(/--prompt must hold at least one character/);
    expect(() => parseOptions(["--bogus"])).toThrow(/Unknown option '--bogus'.*--help/);
    expect(() => parseOptions(["--steps"])).toThrow(UsageError);
  });
});

describe("the command", () => {
  it("trains, samples and prints 'validation loss: <number>' last", async () => {
    const { code, out } = await run([...TINY, "--eval-every", "5", "--sample-length", "30", "--prompt", "The "]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^text: \d+ files, \d+ characters, \d+ distinct; \d+ train \/ \d+ validation$/);
    expect(out[1]).toMatch(/^model: 1 layer, 2 heads, dim 16, context 16, vocabulary \d+: \d+ parameters$/);
    expect(out.filter((l) => /^step \d+: train loss \d\.\d{4}, validation loss \d\.\d{4}$/.test(l)).map((l) => l.split(":")[0])).toEqual(["step 0", "step 5", "step 10"]);
    expect(out.at(-3)).toBe('sample (prompt "The ", temperature 0.8, seed 0):');
    expect(out.at(-2)!.startsWith("The ")).toBe(true);
    expect(out.at(-1)).toMatch(/^validation loss: \d\.\d{4}$/);
  });

  it("saves with --save; --load --steps 0 gives back the same validation loss and sample", async () => {
    const path = join(tmp(), "char.safetensors");
    const trained = await run([...TINY, "--save", path, "--sample-length", "40"]);
    expect(trained.code).toBe(0);
    expect(trained.out).toContain(`saved: ${path}`);
    const loaded = await run(["--load", path, "--steps", "0", "--quiet", "--sample-length", "40"]);
    expect(loaded.code).toBe(0);
    expect(loaded.out[1]).toMatch(new RegExp(`\\(loaded from ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} after 10 steps\\)$`));
    expect(loaded.out.slice(-3)).toEqual(trained.out.slice(-3));
  });

  it("explains a text too short for the context, naming the file, its length and the fix", async () => {
    const file = join(tmp(), "short.txt");
    writeFileSync(file, "a short text, ".repeat(8)); // 112 characters
    const { code, err } = await run(["--text", file, "--quiet"]);
    expect(code).toBe(1);
    expect(err).toBe(
      `tessera-char-transformer: --text ${file} has 112 characters, too few for --context 32: the last 10% is held out for validation and must hold a window of 33 characters, so it needs at least 321. Use a longer text or a smaller --context (at most 11 for this one).`,
    );
    // The suggested context works.
    expect((await run(["--text", file, ...TINY.filter((a, i) => a !== "--context" && TINY[i - 1] !== "--context"), "--context", "11", "--prompt", "a"])).code).toBe(0);
  });

  it("explains a missing or non-UTF-8 text file", async () => {
    const dir = tmp();
    const missing = await run(["--text", join(dir, "nope.txt")]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("nope.txt: no such file. Pass the path of a UTF-8 text file.");
    writeFileSync(join(dir, "image.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xd8]));
    const binary = await run(["--text", join(dir, "image.bin")]);
    expect(binary.code).toBe(1);
    expect(binary.err).toContain("image.bin is not UTF-8 text");
  });

  it("rejects bad flags with exit code 2 before doing any work", async () => {
    const bad = await run(["--layers", "zero"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('tessera-char-transformer: --layers must be an integer >= 1, got "zero".');
    expect((await run(["--frobnicate"])).err).toMatch(/Unknown option '--frobnicate'/);
    const prompt = await run([...TINY, "--prompt", "\u0007"]);
    expect(prompt.code).toBe(2);
    expect(prompt.err).toContain(`--prompt "\\u0007" has character "\\u0007", which the model's vocabulary lacks`);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out[0]).toContain("character-level transformer");
  });

  it("explains a missing, corrupt or foreign checkpoint", async () => {
    const dir = tmp();
    const missing = await run(["--load", join(dir, "nope.safetensors"), "--quiet"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("nope.safetensors: no such file. Pass a .safetensors file written with --save.");
    writeFileSync(join(dir, "junk.safetensors"), "not a checkpoint at all");
    const junk = await run(["--load", join(dir, "junk.safetensors"), "--quiet"]);
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/junk\.safetensors is not a valid safetensors file/);
    await ts.nn.safetensors.saveFile(join(dir, "other.safetensors"), { weight: ts.zeros([2, 2]) }, { metadata: { format: "pt" } });
    const foreign = await run(["--load", join(dir, "other.safetensors"), "--quiet"]);
    expect(foreign.code).toBe(1);
    expect(foreign.err).toContain('other.safetensors was not written by this program (its metadata has no "tessera.char-transformer" entry)');
  });
});
