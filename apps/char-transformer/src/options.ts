/** Command-line options of the character-transformer trainer: parsing, defaults, clear errors. */
import { parseArgs } from "node:util";

/** Everything a run needs to know. */
export interface RunOptions {
  /** Optimizer steps (0: no training, e.g. to sample from a `--load`ed model). */
  steps: number;
  /** Windows per optimizer step. */
  batchSize: number;
  /** Characters per training window, and the longest text the model reads. */
  context: number;
  /** Transformer blocks. */
  layers: number;
  /** Attention heads per block; divides `dim`. */
  heads: number;
  /** Width of the residual stream. */
  dim: number;
  /** Peak AdamW learning rate. */
  lr: number;
  /** Seeds `manualSeed` (weights, batches) and the sampling PRNG. */
  seed: number;
  /** Evaluate train and validation loss every this many steps (and after the last). */
  evalEvery: number;
  /** A UTF-8 file to train on instead of Tessera's documentation, or null. */
  text: string | null;
  /** Text the sample continues, or null for the default (a newline, if the text has one). */
  prompt: string | null;
  /** Characters to generate after training (0: no sample). */
  sampleLength: number;
  /** Sampling temperature; 0 is greedy. */
  temperature: number;
  /** Write the trained model here (safetensors), or null. */
  save: string | null;
  /** Start from the model in this file (its architecture and vocabulary), or null. */
  load: string | null;
  /** No progress line. */
  quiet: boolean;
  /** Architecture flags given on the command line; they may not be combined with `--load`. */
  architectureFlags: string[];
}

/** A bad command line: the message names the flag, the value, and what is accepted. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * The defaults: sized so that `node dist/cli.js` trains, evaluates and samples in about 25
 * seconds on a 2-core machine (see the README for the measured numbers). For a fixed time
 * budget, more steps on shorter windows (32) beat fewer steps on longer ones (64).
 */
export const DEFAULTS = {
  steps: 1000,
  batchSize: 16,
  context: 32,
  layers: 2,
  heads: 4,
  dim: 64,
  lr: 1e-2,
  seed: 0,
  evalEvery: 200,
  sampleLength: 300,
  temperature: 0.8,
} as const;

/** The `--help` text. */
export const USAGE = `Train a small character-level transformer (GPT-style, decoder-only) on Tessera's own
documentation (or any UTF-8 file) on the CPU, then sample text from it.

Usage: tessera-char-transformer [options]

Training
  --steps N             optimizer steps (default: ${DEFAULTS.steps}; 0: evaluate and sample only)
  --batch-size N        windows per step (default: ${DEFAULTS.batchSize})
  --lr X                peak AdamW learning rate (default: ${DEFAULTS.lr})
  --seed N              seed for weights, batches and sampling (default: ${DEFAULTS.seed})
  --eval-every N        report train/validation loss every N steps (default: ${DEFAULTS.evalEvery})
  --text FILE           train on this UTF-8 file instead of the repository's markdown docs

Model
  --context N           characters the model reads (default: ${DEFAULTS.context})
  --layers N            transformer blocks (default: ${DEFAULTS.layers})
  --heads N             attention heads; must divide --dim (default: ${DEFAULTS.heads})
  --dim N               embedding width (default: ${DEFAULTS.dim})

Sampling
  --prompt TEXT         text to continue (default: a newline)
  --sample-length N     characters to generate (default: ${DEFAULTS.sampleLength}; 0 for none)
  --temperature X       >= 0; lower is more conservative, 0 is greedy (default: ${DEFAULTS.temperature})

Checkpoints
  --save FILE           write the model (safetensors, PyTorch parameter names) after training
  --load FILE           start from a saved model; its architecture and vocabulary are used

  --quiet               no progress line
  --help                this text

The last line printed is "validation loss: <number>".`;

function integer(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(value) || value < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got "${raw}".`);
  }
  return value;
}

function real(name: string, raw: string | undefined, fallback: number, ok: (v: number) => boolean, what: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || !ok(value)) throw new UsageError(`--${name} must be ${what}, got "${raw}".`);
  return value;
}

const ARCHITECTURE = ["context", "layers", "heads", "dim"] as const;

/**
 * Parses argv (without the node and script entries). Returns "help" for `--help`; throws a
 * {@link UsageError} on bad input.
 *
 * @example parseOptions(["--steps", "100", "--dim", "32"]);
 */
export function parseOptions(argv: readonly string[]): RunOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      // A leading "--" (from `pnpm start -- --steps 10`) separates nothing here.
      args: argv[0] === "--" ? argv.slice(1) : [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        steps: { type: "string" },
        "batch-size": { type: "string" },
        context: { type: "string" },
        layers: { type: "string" },
        heads: { type: "string" },
        dim: { type: "string" },
        lr: { type: "string" },
        seed: { type: "string" },
        "eval-every": { type: "string" },
        text: { type: "string" },
        prompt: { type: "string" },
        "sample-length": { type: "string" },
        temperature: { type: "string" },
        save: { type: "string" },
        load: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (e) {
    // Node's message is good ("Unknown option '--x'"); say where the list of options is.
    const first = (e as Error).message.split("\n")[0]!.replace(/\.$/, "");
    throw new UsageError(`${first}. Run with --help for the options.`);
  }
  const v = parsed.values;
  if (v.help) return "help";
  const options: RunOptions = {
    steps: integer("steps", v.steps, DEFAULTS.steps, 0),
    batchSize: integer("batch-size", v["batch-size"], DEFAULTS.batchSize, 1),
    context: integer("context", v.context, DEFAULTS.context, 1),
    layers: integer("layers", v.layers, DEFAULTS.layers, 1),
    heads: integer("heads", v.heads, DEFAULTS.heads, 1),
    dim: integer("dim", v.dim, DEFAULTS.dim, 1),
    lr: real("lr", v.lr, DEFAULTS.lr, (x) => x > 0, "a positive number"),
    seed: integer("seed", v.seed, DEFAULTS.seed, 0),
    evalEvery: integer("eval-every", v["eval-every"], DEFAULTS.evalEvery, 1),
    text: v.text ?? null,
    prompt: v.prompt ?? null,
    sampleLength: integer("sample-length", v["sample-length"], DEFAULTS.sampleLength, 0),
    temperature: real("temperature", v.temperature, DEFAULTS.temperature, (x) => x >= 0, "a number >= 0 (0 is greedy)"),
    save: v.save ?? null,
    load: v.load ?? null,
    quiet: v.quiet ?? false,
    architectureFlags: ARCHITECTURE.filter((k) => v[k] !== undefined).map((k) => `--${k}`),
  };
  if (options.dim % options.heads !== 0) {
    throw new UsageError(`--heads ${options.heads} does not divide --dim ${options.dim}: each head gets dim / heads features. Pick --heads among ${divisors(options.dim).join(", ")}, or change --dim.`);
  }
  if (options.load !== null && options.architectureFlags.length > 0) {
    throw new UsageError(`${options.architectureFlags.join(", ")} cannot be combined with --load: the checkpoint fixes the architecture. Drop ${options.architectureFlags.length === 1 ? "it" : "them"}, or train a new model without --load.`);
  }
  if (options.prompt === "") throw new UsageError('--prompt must hold at least one character, got "".');
  return options;
}

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}
