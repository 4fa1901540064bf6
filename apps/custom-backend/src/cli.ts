/**
 * The command line of the example: register the tiny backend, train the spiral MLP on it,
 * print the loss as it goes and what the device held.
 */
import { parseArgs } from "node:util";
import { hasBackend, registerBackend, unregisterBackend } from "@tessera/backend";
import { OP_NAMES } from "@tessera/kernels";
import { createTinyBackend } from "./backend.js";
import { trainSpirals } from "./train.js";

/**
 * What the command line accepts.
 *
 * @example
 * parseCliOptions(["--steps", "100"]); // { steps: 100, logEvery: 25, seed: 0, device: "tiny" }
 */
export interface CliOptions {
  readonly steps: number;
  readonly logEvery: number;
  readonly seed: number;
  /** The device name the tiny backend is registered under. */
  readonly device: string;
}

const USAGE = "usage: node dist/main.js [--steps N (300)] [--log-every N (25)] [--seed N (0)] [--device NAME (tiny)]";

/** A non-negative integer flag, or an error naming the flag and what it got. */
function integerFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}". ${USAGE}`);
  return n;
}

/**
 * Parses `argv` (without the node and script paths).
 *
 * @example
 * parseCliOptions([]).steps; // 300
 */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  // `pnpm start -- --steps 50` hands the script a literal "--" first; accept it.
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    options: {
      steps: { type: "string" },
      "log-every": { type: "string" },
      seed: { type: "string" },
      device: { type: "string" },
    },
  });
  return {
    steps: integerFlag("steps", values.steps, 300, 1),
    logEvery: integerFlag("log-every", values["log-every"], 25, 1),
    seed: integerFlag("seed", values.seed, 0, 0),
    device: values.device ?? "tiny",
  };
}

/**
 * Runs the example: registers a tiny backend under `options.device` (and unregisters it at
 * the end), trains, and reports through `log`. The last line is `final loss: <number>`.
 * Returns the final loss.
 *
 * @example
 * await runCli(parseCliOptions(["--steps", "50"]), console.log);
 */
export async function runCli(options: CliOptions, log: (line: string) => void): Promise<number> {
  const tiny = createTinyBackend({ name: options.device });
  if (hasBackend(tiny.name)) throw new Error(`A backend named "${tiny.name}" is already registered; pick another --device name.`);
  registerBackend(tiny);
  try {
    log(`backend "${tiny.name}": ${tiny.nativeOps.length} of ${OP_NAMES.length} catalog ops native, the rest from the reference kernels`);
    const started = performance.now();
    const { losses, accuracy } = await trainSpirals({
      device: tiny.name,
      steps: options.steps,
      seed: options.seed,
      onStep: (step, loss) => {
        if (step === 1 || step % options.logEvery === 0) log(`step ${String(step).padStart(4)}  loss ${loss.toFixed(4)}`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const { buffers, peakBytes, allocations } = tiny.stats();
    log(`train accuracy ${(accuracy * 100).toFixed(1)}% after ${options.steps} steps in ${seconds.toFixed(1)} s`);
    log(`device memory: ${buffers} live buffers after cleanup, peak ${peakBytes} bytes, ${allocations} allocations`);
    const final = losses[losses.length - 1]!;
    log(`final loss: ${final}`);
    return final;
  } finally {
    unregisterBackend(tiny.name);
  }
}
