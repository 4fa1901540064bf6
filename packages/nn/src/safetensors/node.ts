/**
 * Node's built-in modules, imported on first use. The specifier is not a literal, so bundlers
 * targeting browsers (esbuild, webpack, Vite) leave the import alone instead of failing to
 * resolve `node:fs/promises`; in a browser, calling a file function is a clear error.
 */
import { SafetensorsError } from "./errors.js";

type Fs = typeof import("node:fs/promises");
type Path = typeof import("node:path");

const importAtRunTime = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

async function load<T>(specifier: string, where: string): Promise<T> {
  try {
    return (await importAtRunTime(specifier)) as T;
  } catch (e) {
    throw new SafetensorsError(`${where}: files need Node.js (${specifier} could not be loaded); in a browser, use safetensors.serialize / deserialize on bytes`, { cause: e });
  }
}

/** `node:fs/promises` and `node:path`. */
export async function nodeModules(where: string): Promise<{ fs: Fs; path: Path }> {
  const [fs, path] = await Promise.all([load<Fs>("node:fs/promises", where), load<Path>("node:path", where)]);
  return { fs, path };
}
