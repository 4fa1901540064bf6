/** Command-line options of the MNIST trainer: parsing, defaults and clear errors. */
import { parseArgs } from "node:util";

/** The models the trainer knows. */
export type ModelKind = "mlp" | "cnn";

/** Everything a training run needs to know. */
export interface TrainOptions {
  model: ModelKind;
  epochs: number;
  batchSize: number;
  lr: number;
  device: string;
  seed: number;
  resume: string | null;
  outDir: string;
  quiet: boolean;
  /** Stop after this many training steps (a smoke run), or null for full epochs. */
  maxSteps: number | null;
}

/** A bad command line: the message says what is wrong and what is accepted. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Defaults per model, chosen so each reaches its accuracy bar in a few minutes on 2 cores. */
export const DEFAULTS: Record<ModelKind, { epochs: number; batchSize: number; lr: number }> = {
  mlp: { epochs: 10, batchSize: 64, lr: 1e-3 },
  cnn: { epochs: 8, batchSize: 64, lr: 2e-3 },
};

/** The `--help` text. */
export const USAGE = `Train a model on the MNIST digits shipped in the "mnist" package (8,000 train / 2,000 test).

Usage: tessera-mnist [options]

  --model mlp|cnn       model to train (default: mlp)
  --epochs N            passes over the training set (default: mlp ${DEFAULTS.mlp.epochs}, cnn ${DEFAULTS.cnn.epochs})
  --batch-size N        samples per step (default: ${DEFAULTS.mlp.batchSize})
  --lr X                Adam learning rate (default: mlp ${DEFAULTS.mlp.lr}, cnn ${DEFAULTS.cnn.lr})
  --device NAME         cpu or webgpu (default: cpu)
  --seed N              random seed for weights and batch order (default: 0)
  --resume PATH         continue from a checkpoint written by an earlier run
  --out DIR             where the checkpoint and the curves go (default: ./mnist-out)
  --max-steps N         stop after N training steps (a quick smoke run)
  --quiet               no progress bar
  --help                this text

The last line printed is "test accuracy: <fraction>".`;

function integer(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}".`);
  }
  return value;
}

/** Parses argv (without the node and script entries). Throws {@link UsageError} on bad input. */
export function parseOptions(argv: readonly string[]): TrainOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      // A leading "--" (from `pnpm mnist -- --epochs 1`) separates nothing here.
      args: argv[0] === "--" ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: "string" },
        epochs: { type: "string" },
        "batch-size": { type: "string" },
        lr: { type: "string" },
        device: { type: "string" },
        seed: { type: "string" },
        resume: { type: "string" },
        out: { type: "string" },
        quiet: { type: "boolean" },
        "max-steps": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    const first = (e as Error).message.split("\n")[0]!.replace(/\.$/, "");
    throw new UsageError(`${first}. Run with --help for the options.`);
  }
  const v = parsed.values;
  if (v.help) return "help";
  const model = (v.model ?? "mlp") as ModelKind;
  if (model !== "mlp" && model !== "cnn") {
    throw new UsageError(`--model must be "mlp" or "cnn", got "${v.model}".`);
  }
  const defaults = DEFAULTS[model];
  let lr = defaults.lr;
  if (v.lr !== undefined) {
    lr = Number(v.lr);
    if (!(lr > 0) || !Number.isFinite(lr)) throw new UsageError(`--lr must be a positive number, got "${v.lr}".`);
  }
  const device = v.device ?? "cpu";
  if (device !== "cpu" && device !== "webgpu") throw new UsageError(`--device must be "cpu" or "webgpu", got "${device}".`);
  return {
    model,
    epochs: integer("epochs", v.epochs, defaults.epochs, 1),
    batchSize: integer("batch-size", v["batch-size"], defaults.batchSize, 1),
    lr,
    device,
    seed: integer("seed", v.seed, 0, 0),
    resume: v.resume ?? null,
    outDir: v.out ?? "mnist-out",
    quiet: v.quiet ?? false,
    maxSteps: v["max-steps"] === undefined ? null : integer("max-steps", v["max-steps"], 0, 1),
  };
}
