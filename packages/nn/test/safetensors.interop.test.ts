/**
 * Interop with PyTorch, both directions (see tools/golden/README.md, "Safetensors interop").
 *
 * - pytorch_written.safetensors was written by tools/golden/safetensors_fixtures.py from
 *   PyTorch tensors; pytorch_written.json holds what each tensor must load as.
 * - tessera_written.safetensors is what `serialize` writes for the state dict built below;
 *   the Python script checked it in PyTorch (values, load_state_dict, a forward pass). This
 *   test pins those bytes, so CI proves Tessera still writes what PyTorch verified. After an
 *   intended change, regenerate with `TESSERA_UPDATE_FIXTURES=1 npx vitest run
 *   test/safetensors.interop.test.ts` and re-run the Python script.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { type Tensor, matmul, tensor, zeros } from "@tessera/autograd";
import { safetensors } from "../src/index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const UPDATE = process.env.TESSERA_UPDATE_FIXTURES === "1";

type JsonScalar = number | boolean | string;
interface Expected {
  fileDtype?: string;
  dtype: string;
  shape: number[];
  values: JsonScalar[];
}

/** JSON fixture values: floats exactly, NaN / ±Infinity / -0 as strings. */
function fromJson(v: JsonScalar): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return v === "-0" ? -0 : Number(v);
  return v;
}

function toJson(v: number, dtype: string): JsonScalar {
  if (dtype === "bool") return v !== 0;
  if (Number.isNaN(v) || !Number.isFinite(v)) return String(v);
  if (Object.is(v, -0)) return "-0";
  return v;
}

function describeTensor(t: Tensor, fileDtype?: string): Expected {
  const values = Array.from(t.dataSync(), (v) => toJson(v, t.dtype));
  return { ...(fileDtype === undefined ? {} : { fileDtype }), dtype: t.dtype, shape: [...t.shape], values };
}

function expectSame(t: Tensor, want: Expected, name: string): void {
  expect(t.dtype, name).toBe(want.dtype);
  expect([...t.shape], name).toEqual(want.shape);
  const got = Array.from(t.dataSync());
  expect(got.length, name).toBe(want.values.length);
  want.values.forEach((v, i) => expect(Object.is(got[i], fromJson(v)), `${name}[${i}]: got ${got[i]}, want ${v}`).toBe(true));
}

// ---------------------------------------------------------------------------- PyTorch → Tessera

describe("a file written by PyTorch", () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, "pytorch_written.json"), "utf8")) as {
    metadata: Record<string, string>;
    order: string[];
    tensors: Record<string, Expected>;
  };

  test("loads with every value, dtype and shape PyTorch wrote", async () => {
    const state = await safetensors.loadFile(join(FIXTURES, "pytorch_written.safetensors"));
    expect(Object.keys(state)).toEqual(expected.order);
    for (const [name, want] of Object.entries(expected.tensors)) expectSame(state[name]!, want, name);
    // A torch.nn MLP's names, and BatchNorm's int64 counter as an int32 scalar.
    expect(state["0.weight"]!.shape).toEqual([4, 3]);
    expect(state["2.bias"]!.shape).toEqual([2]);
    expect(state["bn.num_batches_tracked"]!.dtype).toBe("int32");
    expect(state["bn.num_batches_tracked"]!.itemSync()).toBe(3);
  });

  test("has the metadata and dtypes PyTorch wrote", () => {
    const bytes = readFileSync(join(FIXTURES, "pytorch_written.safetensors"));
    expect(safetensors.readMetadata(bytes)).toEqual(expected.metadata);
    const header = safetensors.readHeader(bytes);
    expect(header.tensors.map((t) => t.name)).toEqual(expected.order);
    for (const t of header.tensors) expect(t.dtype, t.name).toBe(expected.tensors[t.name]!.fileDtype);
    expect(new Set(header.tensors.map((t) => t.dtype))).toEqual(new Set(["F32", "F64", "I32", "I64", "BOOL", "F16", "BF16"]));
  });
});

// ---------------------------------------------------------------------------- Tessera → PyTorch

/** Exactly representable values (multiples of 1/16), so no engine rounds them differently. */
function dyadic(n: number, k: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (((i * 37 + k * 11) % 23) - 11) / 16);
}

function tesseraState(): Record<string, Tensor> {
  return {
    "0.weight": tensor(dyadic(12, 1)).reshape(4, 3),
    "0.bias": tensor(dyadic(4, 2)),
    "2.weight": tensor(dyadic(8, 3)).reshape(2, 4),
    "2.bias": tensor(dyadic(2, 4)),
    "extra.f64": tensor(new Float64Array([0.1, -2.5, 1e300, 5e-324]), { dtype: "float64" }).reshape(2, 2),
    "extra.i32": tensor(new Int32Array([0, -7, 2147483647, -2147483648])),
    "extra.bool": tensor([[true, false, true], [false, false, true]]),
    "extra.scalar": tensor(new Float32Array([2.5])).reshape([]),
    "extra.empty": zeros([0, 2]),
    "extra.special": tensor(new Float32Array([NaN, Infinity, -Infinity, -0, 1e-45])),
    "extra.transposed": tensor(dyadic(6, 5)).reshape(2, 3).transpose(0, 1),
  };
}
const METADATA = { format: "pt", producer: "tessera" };

/** The MLP (Linear 3→4, ReLU, Linear 4→2) computed with Tessera ops on a fixed input. */
function mlpForward(state: Record<string, Tensor>): { input: Expected; output: Expected } {
  const x = tensor(dyadic(6, 7)).reshape(2, 3);
  const h = matmul(x, state["0.weight"]!.transpose(0, 1)).add(state["0.bias"]!).relu();
  const y = matmul(h, state["2.weight"]!.transpose(0, 1)).add(state["2.bias"]!);
  return { input: describeTensor(x), output: describeTensor(y) };
}

function expectedJson(state: Record<string, Tensor>): string {
  const fileDtype = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" } as const;
  const tensors = Object.fromEntries(Object.entries(state).map(([name, t]) => [name, describeTensor(t, fileDtype[t.dtype])]));
  return `${JSON.stringify({ metadata: METADATA, tensors, mlp: mlpForward(state) }, null, 1)}\n`;
}

describe("the file Tessera writes for PyTorch", () => {
  const fileBytes = join(FIXTURES, "tessera_written.safetensors");
  const fileJson = join(FIXTURES, "tessera_written.json");
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test("serialize() still produces the committed bytes PyTorch verified", () => {
    const state = tesseraState();
    const bytes = serialize(state);
    const json = expectedJson(state);
    if (UPDATE) {
      writeFileSync(fileBytes, bytes);
      writeFileSync(fileJson, json);
    }
    expect(Buffer.compare(Buffer.from(bytes), readFileSync(fileBytes))).toBe(0);
    expect(readFileSync(fileJson, "utf8")).toBe(json);
  });

  test("saveFile() writes the same bytes, and they load back to the same state", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-st-"));
    dirs.push(dir);
    const path = join(dir, "mlp.safetensors");
    await safetensors.saveFile(path, tesseraState(), { metadata: METADATA });
    expect(Buffer.compare(await readFile(path), readFileSync(fileBytes))).toBe(0);
    const expected = JSON.parse(readFileSync(fileJson, "utf8")) as { tensors: Record<string, Expected> };
    const back = await safetensors.loadFile(path);
    for (const [name, want] of Object.entries(expected.tensors)) expectSame(back[name]!, want, name);
  });

  function serialize(state: Record<string, Tensor>): Uint8Array {
    return safetensors.serialize(state, { metadata: METADATA });
  }
});
