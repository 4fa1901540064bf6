/**
 * The `tessera-char-transformer` command: parse the options, read the text, train, sample, and
 * print the results. The last line printed is `validation loss: <number>`.
 */
import { CheckpointError } from "./checkpoint.js";
import { CorpusError, docsCorpus, textFileCorpus, type Corpus } from "./corpus.js";
import { DataError } from "./data.js";
import { parseOptions, UsageError, USAGE } from "./options.js";
import { generate } from "./sample.js";
import { train } from "./train.js";

/** Where the command writes: results to `out`, problems to `err`. */
export interface ConsoleLike {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processConsole: ConsoleLike = { out: (l) => console.log(l), err: (l) => console.error(l) };

const NAME = "tessera-char-transformer";

/**
 * Runs the command with `argv` (no node/script entries); resolves to the exit code: 0 on
 * success, 2 for a bad command line, 1 for a text or checkpoint that cannot be used.
 *
 * @example process.exitCode = await main(["--steps", "100", "--quiet"]);
 */
export async function main(argv: readonly string[], io: ConsoleLike = processConsole): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${NAME}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (options === "help") {
    io.out(USAGE);
    return 0;
  }
  let result;
  try {
    const corpus: Corpus = options.text === null ? docsCorpus() : textFileCorpus(options.text);
    result = await train(options, corpus, { log: io.out });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${NAME}: ${e.message}`);
      return 2;
    }
    if (e instanceof CorpusError || e instanceof DataError || e instanceof CheckpointError) {
      io.err(`${NAME}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const { model, vocab } = result;
  try {
    if (options.sampleLength > 0) {
      const prompt = options.prompt ?? (vocab.has("\n") ? "\n" : vocab.chars[0]!);
      const text = generate(model, vocab, { prompt, length: options.sampleLength, temperature: options.temperature, seed: options.seed });
      io.out(`sample (prompt ${JSON.stringify(prompt)}, temperature ${options.temperature}, seed ${options.seed}):`);
      io.out(prompt + text);
    }
    io.out(`validation loss: ${result.validationLoss.toFixed(4)}`);
    return 0;
  } finally {
    model.dispose();
  }
}
