/**
 * Where the training text comes from: Tessera's own documentation, read from the repository at
 * run time (so nothing is downloaded and no third-party text is copied), or any UTF-8 file.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** A text that cannot be used for training: the message names the file and the fix. */
export class CorpusError extends Error {
  override name = "CorpusError";
}

/** A training text and the files it was read from. */
export interface Corpus {
  text: string;
  /** The files, relative to the repository root (or the one `--text` file as given). */
  files: string[];
}

/**
 * The repository root: the first directory at or above `from` that holds
 * `pnpm-workspace.yaml`. Starting from this module's own directory, it is found the same way
 * from `src/` (tests) and from `dist/` (the built command).
 *
 * @example findRepoRoot(); // "/home/me/tessera"
 */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new CorpusError(`cannot find the Tessera repository root (a directory with pnpm-workspace.yaml) above ${from}. Pass a text to train on with --text FILE.`);
    }
    dir = parent;
  }
}

function markdownIn(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(dir, name));
}

function readmesUnder(root: string, dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(abs, e.name, "README.md")))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name, "README.md"));
}

/**
 * Tessera's documentation as one text: `README.md`, `docs/*.md`, `packages/*\/README.md` and
 * `apps/*\/README.md` of the repository at `root`, in that order (names sorted within each
 * group, so the text is the same on every machine), separated by blank lines.
 *
 * @example
 * const { text, files } = docsCorpus();
 * files[0]; // "README.md"
 */
export function docsCorpus(root = findRepoRoot()): Corpus {
  const files = [
    ...(existsSync(join(root, "README.md")) ? ["README.md"] : []),
    ...markdownIn(root, "docs"),
    ...readmesUnder(root, "packages"),
    ...readmesUnder(root, "apps"),
  ];
  if (files.length === 0) throw new CorpusError(`found no documentation (README.md, docs/*.md, …) in ${root}. Pass a text to train on with --text FILE.`);
  const text = files.map((f) => decodeUtf8(readFileSync(join(root, f)), join(root, f)).trimEnd()).join("\n\n") + "\n";
  return { text, files: files.map((f) => relative(root, join(root, f))) };
}

/**
 * The UTF-8 text of the file at `path` (the `--text` option). A missing file, a directory and
 * bytes that are not UTF-8 are {@link CorpusError}s that say so.
 *
 * @example const { text } = textFileCorpus("notes.txt");
 */
export function textFileCorpus(path: string): Corpus {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new CorpusError(`--text ${path}: no such file. Pass the path of a UTF-8 text file.`);
    if (err.code === "EISDIR") throw new CorpusError(`--text ${path} is a directory. Pass the path of a UTF-8 text file.`);
    throw new CorpusError(`--text ${path} cannot be read: ${err.message}`);
  }
  return { text: decodeUtf8(bytes, `--text ${path}`), files: [path] };
}

/** `label` names the file in the error: `--text notes.txt`, or a documentation path. */
function decodeUtf8(bytes: Uint8Array, label: string): string {
  try {
    // fatal: a binary file is an error here, not a text full of U+FFFD.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CorpusError(`${label} is not UTF-8 text. Convert it (e.g. iconv -t UTF-8) or pass another file.`);
  }
}
