import { describe, expect, it } from "vitest";
import { parseOptions, UsageError, DEFAULTS } from "../src/options.js";
import { trainingCurvesSvg } from "../src/plot.js";
import { renderProgress } from "../src/progress.js";
import { gatherBatch, loadMnist, PIXELS } from "../src/data.js";

describe("options", () => {
  it("gives each model its defaults", () => {
    expect(parseOptions([])).toMatchObject({ model: "mlp", epochs: DEFAULTS.mlp.epochs, lr: DEFAULTS.mlp.lr, device: "cpu", seed: 0, resume: null });
    expect(parseOptions(["--model", "cnn"])).toMatchObject({ model: "cnn", epochs: DEFAULTS.cnn.epochs, lr: DEFAULTS.cnn.lr });
    expect(parseOptions(["--epochs", "3", "--batch-size", "32", "--lr", "0.01", "--seed", "7", "--resume", "ck.safetensors"])).toMatchObject({
      epochs: 3,
      batchSize: 32,
      lr: 0.01,
      seed: 7,
      resume: "ck.safetensors",
    });
    expect(parseOptions(["--help"])).toBe("help");
  });

  it("rejects bad flags with a message naming the flag and what is accepted", () => {
    expect(() => parseOptions(["--model", "rnn"])).toThrow(/--model must be "mlp" or "cnn", got "rnn"/);
    expect(() => parseOptions(["--epochs", "0"])).toThrow(/--epochs must be an integer >= 1, got "0"/);
    expect(() => parseOptions(["--epochs", "two"])).toThrow(UsageError);
    expect(() => parseOptions(["--lr=-1"])).toThrow(/--lr must be a positive number/);
    expect(() => parseOptions(["--device", "tpu"])).toThrow(/--device must be "cpu" or "webgpu"/);
    expect(() => parseOptions(["--bogus"])).toThrow(/Unknown option '--bogus'.*--help/);
    expect(() => parseOptions(["--epochs"])).toThrow(UsageError);
    expect(() => parseOptions(["--lr", "-1"])).toThrow(/--lr.*ambiguous.*--help/);
  });
});

describe("progress and plot", () => {
  it("formats the bar with loss, accuracy, rate and ETA", () => {
    const text = renderProgress({ epoch: 2, epochs: 4, step: 50, stepsPerEpoch: 100, loss: 0.12345, accuracy: 0.9512 }, 25, 10);
    expect(text).toContain("epoch 2/4");
    expect(text).toContain(" 50/100");
    expect(text).toContain("loss 0.1235");
    expect(text).toContain("acc 95.1%");
    expect(text).toContain("25.0 steps/s");
    expect(text).toContain("ETA 10s"); // 250 steps left at 25/s
  });

  it("writes an SVG with both panels and every series", () => {
    const svg = trainingCurvesSvg([[0, 2.3], [1, 1.2], [2, 0.5]], [[1, 0.8], [2, 0.9]], [[1, 0.79], [2, 0.88]]);
    expect(svg.startsWith("<?xml")).toBe(true);
    expect(svg).toContain("Training loss");
    expect(svg).toContain("Accuracy");
    expect(svg.match(/<path /g)).toHaveLength(3);
    expect(svg).toContain("</svg>");
  });
});

describe("data", () => {
  it("loads 10,000 digits split 8,000 / 2,000 with every class in both sets", () => {
    const { train, test } = loadMnist();
    expect(train.count + test.count).toBe(10000);
    expect(train.count).toBeGreaterThan(7900);
    expect(train.count).toBeLessThan(8100);
    expect(train.images.length).toBe(train.count * PIXELS);
    for (let d = 0; d < 10; d++) {
      expect(train.labels.includes(d)).toBe(true);
      expect(test.labels.includes(d)).toBe(true);
    }
    let max = 0;
    for (const v of train.images) max = Math.max(max, v);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    const batch = gatherBatch(test, [0, test.count - 1]);
    expect(batch.labels).toEqual(Int32Array.from([test.labels[0]!, test.labels[test.count - 1]!]));
    expect(batch.images.subarray(PIXELS)).toEqual(test.images.subarray((test.count - 1) * PIXELS));
  });
});
