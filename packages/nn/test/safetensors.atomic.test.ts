/**
 * saveFile's atomicity when the file system fails: node:fs/promises is mocked so that rename
 * or fsync fails on demand, and the old file must survive with no temporary file left behind.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { tensor } from "@tessera/autograd";
import { safetensors } from "../src/index.js";

const failures = vi.hoisted(() => ({ rename: false, sync: false, write: false }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  const fail = (what: string) => Object.assign(new Error(`${what}: simulated failure`), { code: "EIO" });
  return {
    ...fs,
    rename: async (from: string, to: string) => {
      if (failures.rename) throw fail("rename");
      return fs.rename(from, to);
    },
    open: async (...args: Parameters<typeof fs.open>) => {
      const handle = await fs.open(...args);
      return new Proxy(handle, {
        get(target, key, receiver) {
          if (key === "sync" && failures.sync) return async () => Promise.reject(fail("fsync"));
          if (key === "write" && failures.write) return async () => Promise.reject(fail("write"));
          const value = Reflect.get(target, key, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
  };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tessera-st-atomic-"));
});
afterEach(async () => {
  failures.rename = failures.sync = failures.write = false;
  await rm(dir, { recursive: true, force: true });
});

for (const what of ["rename", "sync", "write"] as const) {
  test(`when ${what} fails, the old file is unchanged and no temporary file remains`, async () => {
    const path = join(dir, "model.safetensors");
    await writeFile(path, "old contents");
    failures[what] = true;
    await expect(safetensors.saveFile(path, { w: tensor([1, 2, 3]) })).rejects.toThrow(/simulated failure/);
    expect(await readFile(path, "utf8")).toBe("old contents");
    expect(await readdir(dir)).toEqual(["model.safetensors"]);
    failures[what] = false;
    await safetensors.saveFile(path, { w: tensor([1, 2, 3]) });
    expect((await safetensors.loadFile(path)).w!.tolistSync()).toEqual([1, 2, 3]);
  });
}
