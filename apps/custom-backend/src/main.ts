/**
 * Entry point of `node dist/main.js`: trains the spiral MLP on the tiny backend and prints
 * the loss. See `cli.ts` for the options.
 */
import { parseCliOptions, runCli } from "./cli.js";

try {
  await runCli(parseCliOptions(process.argv.slice(2)), (line) => console.log(line));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
