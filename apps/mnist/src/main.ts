/**
 * The `tessera-mnist` command: parse the options, start the device, train, print the results.
 * The last line printed is `test accuracy: <fraction>`.
 */
import { parseOptions, UsageError, USAGE } from "./options.js";
import { train } from "./train.js";
import { CheckpointError } from "./checkpoint.js";

/** Where the command writes: results to `out`, problems to `err`. */
export interface ConsoleLike {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processConsole: ConsoleLike = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Runs the command with `argv` (no node/script entries); resolves to the exit code. */
export async function main(argv: readonly string[], io: ConsoleLike = processConsole): Promise<number> {
  const console = { log: io.out, error: io.err };
  let options;
  try {
    options = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`tessera-mnist: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  if (options.device === "webgpu") {
    try {
      const { initWebGPU } = await import("@tessera/backend-webgpu");
      await initWebGPU();
    } catch (e) {
      console.error(`tessera-mnist: --device webgpu is not available here: ${(e as Error).message}`);
      return 1;
    }
  }
  try {
    const result = await train(options, undefined, io.out);
    console.log(`checkpoint: ${result.checkpointPath}`);
    console.log(`curves: ${result.curvesPath}`);
    console.log(`test accuracy: ${result.testAccuracy.toFixed(4)}`);
    return 0;
  } catch (e) {
    if (e instanceof CheckpointError) {
      console.error(`tessera-mnist: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

