/**
 * Safetensors files in Node: an atomic `saveFile` and `loadFile`. Node's modules are imported
 * on first use (see node.ts), so this package still bundles for browsers, where `serialize`
 * and `deserialize` work on bytes.
 */
import type { Tensor } from "@tessera/autograd";
import { type DeserializeOptions, decodeFile } from "./deserialize.js";
import { encodeValues } from "./encode.js";
import { SafetensorsError, quote, readFailure } from "./errors.js";
import { nodeModules } from "./node.js";
import { type SerializeOptions, planFile } from "./plan.js";

type FileHandle = import("node:fs/promises").FileHandle;

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
  return position + done;
}

function tempName(base: string): string {
  const pid = globalThis.process?.pid ?? 0;
  return `.${base}.${pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}.tmp`;
}

/**
 * Saves `stateDict` to a safetensors file at `path` (Node only), atomically: the bytes go to a
 * temporary file in the same directory, which is flushed to disk (fsync) and then renamed
 * over `path`. Readers see the old file or the new one, never a partial one; if anything
 * fails (a tensor that can't be read, a full disk), the temporary file is removed and `path`
 * is untouched. Tensors may be on any device; they are read one at a time, so the whole file
 * is never held in memory. The bytes are those of {@link serialize}.
 *
 * @example
 * await safetensors.saveFile("model.safetensors", model.stateDict(), { metadata: { format: "pt" } });
 */
export async function saveFile(path: string, stateDict: Record<string, Tensor>, options: SerializeOptions = {}): Promise<void> {
  const where = `safetensors.saveFile(${JSON.stringify(path)})`;
  const plan = planFile(stateDict, options, where);
  const { fs, path: paths } = await nodeModules(where);
  const { basename, dirname, join } = paths;
  const dir = dirname(path);
  const temp = join(dir, tempName(basename(path)));
  let handle: FileHandle | null = null;
  let created = false;
  try {
    handle = await fs.open(temp, "wx");
    created = true;
    let at = await writeAll(handle, plan.head, 0);
    for (const { name, tensor, byteLength } of plan.tensors) {
      let bytes: Uint8Array;
      try {
        bytes = encodeValues(tensor.dtype, await tensor.data());
      } catch (e) {
        throw readFailure(where, name, e);
      }
      if (bytes.length !== byteLength) {
        throw new SafetensorsError(`${where}: tensor ${quote(name)} read back ${bytes.length} bytes, but its shape and dtype need ${byteLength}`);
      }
      at = await writeAll(handle, bytes, at);
    }
    await handle.sync();
    const h = handle;
    handle = null;
    await h.close();
    await fs.rename(temp, path);
  } catch (e) {
    if (handle !== null) await handle.close().catch(() => {});
    if (created) await fs.rm(temp, { force: true }).catch(() => {});
    throw e;
  }
  // Make the rename itself durable. Not every platform can open a directory (Windows can't);
  // the file is already complete and in place, so a failure here is not an error.
  try {
    const d = await fs.open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}

/**
 * Loads the tensors of the safetensors file at `path` (Node only); see {@link deserialize}
 * for dtypes, order and checks. File-system errors (a missing file) are Node's own; a
 * malformed file is a {@link SafetensorsError} whose message starts with the path.
 *
 * @example
 * const state = await safetensors.loadFile("model.safetensors");
 * model.loadStateDict(state);
 */
export async function loadFile(path: string, options: DeserializeOptions = {}): Promise<Record<string, Tensor>> {
  const where = `safetensors.loadFile(${JSON.stringify(path)})`;
  const { fs } = await nodeModules(where);
  const bytes = await fs.readFile(path);
  return decodeFile(bytes, options, where);
}
