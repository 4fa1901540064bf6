// Integration tests: real training on the real digits. The default runs are the accuracy bars
// of the issue (MLP ≥ 95%, CNN ≥ 97% on the 2,000 test digits); they take a few minutes.
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadMnist } from "../src/data.js";
import { main } from "../src/main.js";
import { parseOptions, type TrainOptions } from "../src/options.js";
import { train } from "../src/train.js";

const data = loadMnist();
const tmp = () => mkdtempSync(join(tmpdir(), "tessera-mnist-"));
const options = (argv: string[]): TrainOptions => parseOptions([...argv, "--quiet", "--out", tmp()]) as TrainOptions;
const silent = () => {};

/** Runs the command and returns its exit code and printed lines. */
async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("the defaults reach the accuracy bars", () => {
  it("MLP ≥ 95% test accuracy", async () => {
    const result = await train(options(["--model", "mlp"]), data, silent);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.95);
    const losses = result.history.loss.map(([, l]) => l);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 3);
  });

  it("CNN ≥ 97% test accuracy", async () => {
    const result = await train(options(["--model", "cnn"]), data, silent);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.97);
  });
});

describe("runs are reproducible and resumable", () => {
  it("the same seed gives the same accuracy and losses twice; another seed differs", async () => {
    const a = await train(options(["--epochs", "1", "--seed", "3"]), data, silent);
    const b = await train(options(["--epochs", "1", "--seed", "3"]), data, silent);
    const c = await train(options(["--epochs", "1", "--seed", "4"]), data, silent);
    expect(b.testAccuracy).toBe(a.testAccuracy);
    expect(b.history.loss).toEqual(a.history.loss);
    expect(c.history.loss).not.toEqual(a.history.loss);
  });

  it("resuming from epoch 1 continues exactly like an uninterrupted run", async () => {
    const whole = await train(options(["--epochs", "2"]), data, silent);
    const out = tmp();
    const first = await train({ ...options(["--epochs", "1"]), outDir: out }, data, silent);
    const resumed = await train({ ...options(["--epochs", "2", "--resume", first.checkpointPath]), outDir: out }, data, silent);
    expect(resumed.history.loss).toEqual(whole.history.loss);
    expect(resumed.testAccuracy).toBe(whole.testAccuracy);
  });
});

describe("the command", () => {
  it("prints the checkpoint, the curves and 'test accuracy: <fraction>' last", async () => {
    const dir = tmp();
    const { code, out } = await run(["--epochs", "1", "--quiet", "--out", dir]);
    expect(code).toBe(0);
    expect(out.at(-1)).toMatch(/^test accuracy: 0\.\d{4}$/);
    expect(existsSync(join(dir, "mlp.safetensors"))).toBe(true);
    expect(readFileSync(join(dir, "mlp-curves.svg"), "utf8")).toContain("<svg");
  });

  it("rejects bad flags with exit code 2 and a clear message", async () => {
    const bad = await run(["--model", "resnet"]);
    expect(bad.code).toBe(2);
    expect(bad.err.join("\n")).toContain('--model must be "mlp" or "cnn", got "resnet"');
    expect((await run(["--epochs", "-3"])).code).toBe(2);
    expect((await run(["--frobnicate"])).err.join("\n")).toMatch(/Unknown option '--frobnicate'/);
  });

  it("explains a missing, corrupt or mismatched checkpoint", async () => {
    const dir = tmp();
    const missing = await run(["--quiet", "--resume", join(dir, "nope.safetensors"), "--out", dir]);
    expect(missing.code).toBe(1);
    expect(missing.err.join("\n")).toMatch(/checkpoint .*nope\.safetensors does not exist/);

    const corrupt = join(dir, "corrupt.safetensors");
    writeFileSync(corrupt, Buffer.from("this is not a checkpoint at all"));
    const bad = await run(["--quiet", "--resume", corrupt, "--out", dir]);
    expect(bad.code).toBe(1);
    expect(bad.err.join("\n")).toMatch(/corrupt\.safetensors is not a valid safetensors file/);

    const mlp = await train(options(["--epochs", "1"]), data, silent);
    const wrongModel = await run(["--quiet", "--model", "cnn", "--resume", mlp.checkpointPath, "--out", dir]);
    expect(wrongModel.code).toBe(1);
    expect(wrongModel.err.join("\n")).toContain("holds a mlp model, but --model is cnn");
  });
});
