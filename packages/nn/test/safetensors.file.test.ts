/** saveFile / loadFile on a real file system: round trips, replacement, failures that leave no trace. */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type Tensor, tensor } from "@tessera/autograd";
import { safetensors } from "../src/index.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-st-file-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const state = (): Record<string, Tensor> => ({
  "0.weight": tensor([[1, 2, 3], [4, 5, 6]]),
  "0.bias": tensor([0.5, -0.5]),
  mask: tensor([true, false]),
  steps: tensor([7], { dtype: "int32" }),
});

describe("saveFile / loadFile", () => {
  test("round-trip; the file holds serialize()'s bytes; only that file is left", async () => {
    const path = join(dir, "model.safetensors");
    await safetensors.saveFile(path, state(), { metadata: { format: "pt" } });
    expect(Array.from(await readFile(path))).toEqual(Array.from(safetensors.serialize(state(), { metadata: { format: "pt" } })));
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
    const back = await safetensors.loadFile(path);
    expect(Object.keys(back).sort()).toEqual(["0.bias", "0.weight", "mask", "steps"]);
    expect(back["0.weight"]!.tolistSync()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(back.mask!.tolistSync()).toEqual([true, false]);
    expect(back.steps!.dtype).toBe("int32");
    expect(safetensors.readMetadata(await readFile(path))).toEqual({ format: "pt" });
  });

  test("saving over an existing file replaces it", async () => {
    const path = join(dir, "model.safetensors");
    await writeFile(path, "an older, longer file that is not safetensors at all ".repeat(20));
    await safetensors.saveFile(path, { w: tensor([1]) });
    expect(Array.from(await readFile(path))).toEqual(Array.from(safetensors.serialize({ w: tensor([1]) })));
    await safetensors.saveFile(path, state());
    expect(Object.keys(await safetensors.loadFile(path))).toHaveLength(4);
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
  });

  test("a save that fails midway leaves the old file unchanged and no temporary file", async () => {
    const path = join(dir, "model.safetensors");
    await safetensors.saveFile(path, state());
    const before = await readFile(path);
    const broken = tensor([1, 2, 3]);
    broken.dispose(); // its header entry is written, then reading its values fails
    const bad = { ...state(), "z.broken": broken };
    await expect(safetensors.saveFile(path, bad)).rejects.toThrow(/saveFile\(".*model.safetensors"\): can't read tensor "z.broken": .*disposed/);
    await expect(safetensors.saveFile(path, bad)).rejects.toBeInstanceOf(safetensors.SafetensorsError);
    expect(Buffer.compare(await readFile(path), before)).toBe(0);
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
  });

  test("a failed rename removes the temporary file", async () => {
    // A non-empty directory where the file should go: everything succeeds but the rename.
    const path = join(dir, "taken");
    await mkdir(path);
    await writeFile(join(path, "keep.txt"), "x");
    await expect(safetensors.saveFile(path, state())).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(["taken"]);
    expect(await readdir(path)).toEqual(["keep.txt"]);
  });

  test("errors before any byte is written create nothing", async () => {
    const path = join(dir, "model.safetensors");
    await expect(safetensors.saveFile(path, { x: "not a tensor" as unknown as Tensor })).rejects.toThrow(/entry "x" is string, not a Tensor/);
    await expect(safetensors.saveFile(join(dir, "missing", "model.safetensors"), state())).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  test("loadFile: a missing file is Node's error; a malformed one names the path", async () => {
    await expect(safetensors.loadFile(join(dir, "nope.safetensors"))).rejects.toMatchObject({ code: "ENOENT" });
    const path = join(dir, "bad.safetensors");
    await writeFile(path, new Uint8Array([16, 0, 0, 0, 0, 0, 0, 0, 123]));
    await expect(safetensors.loadFile(path)).rejects.toThrow(/^safetensors.loadFile\(".*bad.safetensors"\): the header is 16 bytes long but the file has only 1 bytes/);
    await expect(safetensors.loadFile(path)).rejects.toBeInstanceOf(safetensors.SafetensorsError);
  });
});
