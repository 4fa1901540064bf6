/**
 * Training-level golden test: the MLP of tools/golden/train_mlp.py, initialized from the
 * safetensors file PyTorch wrote, trained for 20 steps with Adam and CrossEntropyLoss on the
 * same batches, must reproduce PyTorch's loss at every step within 1e-4 relative (float32).
 * Regenerate the fixtures with `/usr/bin/python3 tools/golden/train_mlp.py`.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import * as ts from "../src/index.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

interface Fixture {
  sizes: [number, number, number, number];
  batch: number;
  steps: number;
  lr: number;
  init: string;
  data: string;
  losses: number[];
  finalLoss: number;
}

const fixture = JSON.parse(readFileSync(join(FIXTURES, "train_mlp.json"), "utf8")) as Fixture;
const TOLERANCE = 1e-4;

/** The largest |actual − expected| / |expected| over the entries. */
function maxRelativeDifference(actual: number[], expected: number[]): number {
  expect(actual).toHaveLength(expected.length);
  return Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!) / Math.abs(expected[i]!)));
}

function buildModel(): ts.nn.Sequential {
  const [d0, d1, d2, d3] = fixture.sizes;
  return new ts.nn.Sequential(
    new ts.nn.Linear(d0, d1),
    new ts.nn.ReLU(),
    new ts.nn.Linear(d1, d2),
    new ts.nn.ReLU(),
    new ts.nn.Linear(d2, d3),
  );
}

describe("training golden: MLP + Adam + CrossEntropyLoss against PyTorch", () => {
  let init: Record<string, ts.Tensor>;
  let xs: ts.Tensor[];
  let ys: ts.Tensor[];

  beforeAll(async () => {
    init = await ts.nn.safetensors.loadFile(join(FIXTURES, fixture.init));
    const data = await ts.nn.safetensors.loadFile(join(FIXTURES, fixture.data));
    xs = Array.from({ length: fixture.steps }, (_, i) => data[`x${i}`]!);
    ys = Array.from({ length: fixture.steps }, (_, i) => data[`y${i}`]!);
  });

  /** Losses before each step's update, and batch 0's loss after the last update. */
  function train(lr: number): { losses: number[]; finalLoss: number } {
    const model = buildModel();
    expect(model.loadStateDict(init, { strict: true })).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const criterion = new ts.nn.CrossEntropyLoss();
    const optimizer = new ts.optim.Adam(model.parameters(), { lr });
    const losses: number[] = [];
    try {
      for (let i = 0; i < fixture.steps; i++) {
        optimizer.zeroGrad();
        const loss = ts.tidy(() => criterion.forward(model.forward(xs[i]!), ys[i]!));
        losses.push(loss.itemSync());
        loss.backward();
        loss.dispose();
        optimizer.step();
      }
      const finalLoss = ts.tidy(() => ts.noGrad(() => criterion.forward(model.forward(xs[0]!), ys[0]!).itemSync()));
      return { losses, finalLoss };
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  }

  it("loads PyTorch's files: names, shapes and dtypes", () => {
    expect(Object.keys(init).sort()).toEqual(["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]);
    expect(init["0.weight"]!.shape).toEqual([fixture.sizes[1], fixture.sizes[0]]);
    expect(init["4.bias"]!.shape).toEqual([fixture.sizes[3]]);
    for (const t of Object.values(init)) expect(t.dtype).toBe("float32");
    expect(xs[0]!.shape).toEqual([fixture.batch, fixture.sizes[0]]);
    expect(xs[0]!.dtype).toBe("float32");
    expect(ys[0]!.shape).toEqual([fixture.batch]);
    expect(ys[0]!.dtype).toBe("int32");
    const model = buildModel();
    expect(Object.keys(model.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]);
    model.dispose();
  });

  it(`reproduces PyTorch's loss at each of ${fixture.steps} steps within ${TOLERANCE} relative`, () => {
    const { losses, finalLoss } = train(fixture.lr);
    for (let i = 0; i < fixture.steps; i++) {
      const rel = Math.abs(losses[i]! - fixture.losses[i]!) / Math.abs(fixture.losses[i]!);
      expect(rel, `step ${i}: Tessera ${losses[i]}, PyTorch ${fixture.losses[i]}`).toBeLessThanOrEqual(TOLERANCE);
    }
    const rel = Math.abs(finalLoss - fixture.finalLoss) / Math.abs(fixture.finalLoss);
    expect(rel, `after the last step: Tessera ${finalLoss}, PyTorch ${fixture.finalLoss}`).toBeLessThanOrEqual(TOLERANCE);
    // The model learned something (so a no-op optimizer could not pass).
    expect(finalLoss).toBeLessThan(losses[0]! * 0.95);
    if (process.env.TESSERA_REPORT) {
      console.log(`max relative loss difference: ${maxRelativeDifference([...losses, finalLoss], [...fixture.losses, fixture.finalLoss])}`);
    }
  });

  it("fails when it should: lr 1.1e-3 instead of 1e-3 moves some loss beyond the tolerance", () => {
    const { losses, finalLoss } = train(fixture.lr * 1.1);
    // Step 0 comes before any update, so it still matches; later steps must not.
    expect(Math.abs(losses[0]! - fixture.losses[0]!) / fixture.losses[0]!).toBeLessThanOrEqual(TOLERANCE);
    expect(maxRelativeDifference([...losses, finalLoss], [...fixture.losses, fixture.finalLoss])).toBeGreaterThan(10 * TOLERANCE);
  });
});
