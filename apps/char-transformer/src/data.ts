/**
 * Text as model input: a character vocabulary, the train/validation split, and windows of
 * consecutive characters (inputs and the same window shifted by one as targets).
 */
import * as ts from "tessera";

/** A text that cannot be used with the chosen settings: the message says which and the fix. */
export class DataError extends Error {
  override name = "DataError";
}

/**
 * The characters of a text, sorted by code point, each with its id (its index). Characters are
 * Unicode code points, so `é` or `—` is one token even though it is several UTF-8 bytes.
 *
 * @example
 * const vocab = CharVocab.fromText("hello");
 * vocab.chars;                       // ["e", "h", "l", "o"]
 * vocab.decode(vocab.encode("hole")); // "hole"
 */
export class CharVocab {
  readonly chars: readonly string[];
  readonly #ids: Map<string, number>;

  constructor(chars: readonly string[]) {
    this.chars = [...chars];
    this.#ids = new Map(this.chars.map((c, i) => [c, i]));
    if (this.#ids.size !== this.chars.length) throw new DataError("CharVocab: the characters must be distinct.");
  }

  /** The vocabulary of every character in `text`. */
  static fromText(text: string): CharVocab {
    return new CharVocab([...new Set(Array.from(text))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  /** Number of characters. */
  get size(): number {
    return this.chars.length;
  }

  /** Whether `char` (one code point) has an id. */
  has(char: string): boolean {
    return this.#ids.has(char);
  }

  /** The distinct characters of `text` that have no id, in order of appearance. */
  missing(text: string): string[] {
    return [...new Set(Array.from(text).filter((c) => !this.#ids.has(c)))];
  }

  /** The ids of `text`'s characters. Throws a {@link DataError} naming unknown characters. */
  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const ids = new Int32Array(chars.length);
    for (let i = 0; i < chars.length; i++) {
      const id = this.#ids.get(chars[i]!);
      if (id === undefined) throw new DataError(`the vocabulary has no ${describeChars(this.missing(text))}.`);
      ids[i] = id;
    }
    return ids;
  }

  /** The text of `ids`. */
  decode(ids: ArrayLike<number>): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]!] ?? "";
    return s;
  }
}

/** `"é" and "€"` style list of characters, with escapes for the invisible ones. */
export function describeChars(chars: readonly string[]): string {
  const shown = chars.slice(0, 8).map((c) => JSON.stringify(c));
  const more = chars.length > 8 ? ` and ${chars.length - 8} more` : "";
  return `character${chars.length === 1 ? "" : "s"} ${shown.join(", ")}${more}`;
}

/** Ids of the training text and of the held-out validation text. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/** The fraction of the text (its end) held out for validation. */
export const VALIDATION_FRACTION = 0.1;

/** Length of the validation part of a text of `n` characters: the last ⌈n/10⌉. */
function validationLength(n: number): number {
  return Math.ceil(n * VALIDATION_FRACTION);
}

/**
 * The shortest text (in characters) that trains with windows of `context` characters: both
 * parts need one window plus the character after it, and the validation part is a tenth.
 *
 * @example minimumTextLength(64); // 641
 */
export function minimumTextLength(context: number): number {
  return 10 * context + 1;
}

/**
 * Splits `ids` into training (the first 90%) and validation (the last 10%) parts, views of
 * `ids`. Holding out the end rather than random windows keeps the two parts from sharing text.
 * `source` names the text in the error for a text too short for `context`.
 *
 * @example
 * const { train, validation } = splitIds(vocab.encode(text), 64, "the documentation");
 */
export function splitIds(ids: Int32Array, context: number, source: string): Split {
  const n = ids.length;
  if (n < minimumTextLength(context)) {
    throw new DataError(
      `${source} has ${n} characters, too few for --context ${context}: the last 10% is held out for validation and must hold a window of ${context + 1} characters, so it needs at least ${minimumTextLength(context)}. Use a longer text or a smaller --context (at most ${Math.max(0, Math.floor((n - 1) / 10))} for this one).`,
    );
  }
  const cut = n - validationLength(n);
  return { train: ids.subarray(0, cut), validation: ids.subarray(cut) };
}

/** A batch: input ids [batch, context] and target ids (the next characters), both int32. */
export interface Batch {
  x: ts.Tensor;
  y: ts.Tensor;
}

/** The windows starting at `starts` as a batch of tensors. */
export function windowsAt(ids: Int32Array, starts: ArrayLike<number>, context: number): Batch {
  const x = new Int32Array(starts.length * context);
  const y = new Int32Array(starts.length * context);
  for (let b = 0; b < starts.length; b++) {
    const s = starts[b]!;
    x.set(ids.subarray(s, s + context), b * context);
    y.set(ids.subarray(s + 1, s + 1 + context), b * context);
  }
  const shape = [starts.length, context];
  return { x: ts.tensor(x, { dtype: "int32" }).reshape(shape), y: ts.tensor(y, { dtype: "int32" }).reshape(shape) };
}

/**
 * `batchSize` windows at random places in `ids`, drawn from Tessera's seeded generator
 * (`manualSeed` fixes them along with the weights).
 *
 * @example const { x, y } = randomBatch(split.train, 16, 64);
 */
export function randomBatch(ids: Int32Array, batchSize: number, context: number): Batch {
  const starts = ts.randint(0, ids.length - context, [batchSize]);
  const values = starts.dataSync();
  starts.dispose();
  return windowsAt(ids, values, context);
}

/**
 * Start offsets of up to `maxWindows` non-overlapping windows spread evenly over `ids`: a fixed
 * evaluation set, so losses measured at different steps (and runs) compare the same text.
 *
 * @example evaluationStarts(split.validation, 64, 256);
 */
export function evaluationStarts(ids: Int32Array, context: number, maxWindows: number): number[] {
  const available = Math.floor((ids.length - 1) / context);
  const count = Math.max(1, Math.min(available, maxWindows));
  const stride = count === 1 ? 0 : (ids.length - 1 - context) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.floor(i * stride));
}
