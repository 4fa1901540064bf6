import { describe, expect, test } from "vitest";
import { type Tensor, memory, tensor, zeros } from "@tessera/autograd";
import { TesseraError } from "@tessera/storage";
import { safetensors } from "../src/index.js";

const { SafetensorsError, deserialize, readHeader, readMetadata, serialize, serializeAsync } = safetensors;

// ---------------------------------------------------------------------------- helpers

const enc = new TextEncoder();

/** A file with `header` (JSON text, or an object to stringify) and `data`, unpadded. */
function rawFile(header: string | object, data: ArrayLike<number> = [], headerLength?: number): Uint8Array {
  const json = enc.encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  const dv = new DataView(out.buffer);
  const n = headerLength ?? json.length;
  dv.setUint32(0, n % 2 ** 32, true);
  dv.setUint32(4, Math.floor(n / 2 ** 32), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32Bytes(values: number[]): number[] {
  return [...new Uint8Array(new Float32Array(values).buffer)];
}

function expectError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected a SafetensorsError matching ${message}`).toBeInstanceOf(SafetensorsError);
  expect(caught).toBeInstanceOf(TesseraError);
  expect((caught as Error).message).toMatch(message);
}

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

const oneF32 = { dtype: "F32", shape: [1], data_offsets: [0, 4] };

// ---------------------------------------------------------------------------- writing

describe("serialize", () => {
  test("writes the reference writer's bytes (huggingface/safetensors test vectors)", () => {
    // {"attn.0": F32 [1, 2, 3] = 0..5}: a 64-byte header needs no padding.
    const attn = tensor(new Float32Array([0, 1, 2, 3, 4, 5])).reshape(1, 2, 3);
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    expect(Array.from(serialize({ "attn.0": attn }))).toEqual(Array.from(rawFile(header, f32Bytes([0, 1, 2, 3, 4, 5]))));

    // "attn0", [1, 1, 2, 3]: 65 bytes of JSON, padded with 7 spaces to 72.
    const attn0 = attn.reshape(1, 1, 2, 3);
    const header0 = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(Array.from(serialize({ attn0 }))).toEqual(Array.from(rawFile(`${header0}       `, f32Bytes([0, 1, 2, 3, 4, 5]))));

    // No tensors: "{}" and 6 spaces; with metadata, __metadata__ and padding.
    expect(Array.from(serialize({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(serialize({}, { metadata: { framework: "pt" } }))).toEqual(Array.from(rawFile('{"__metadata__":{"framework":"pt"}}     ')));
  });

  test("orders tensors by dtype alignment (F64, F32, I32, BOOL), then by name in code-point order", () => {
    const bytes = serialize({
      b: tensor([true]),
      i: tensor([1], { dtype: "int32" }),
      "z.f32": tensor([1]),
      "a.f64": tensor([1], { dtype: "float64" }),
      B: tensor([1]),
      a: tensor([1]),
      "\uFFFF": tensor([1]),
      "\u{1F600}": tensor([1]), // after U+FFFF in code points (and UTF-8), before it in UTF-16 units
      é: tensor([1]),
    });
    const { tensors } = readHeader(bytes);
    expect(tensors.map((t) => t.name)).toEqual(["a.f64", "B", "a", "z.f32", "é", "\uFFFF", "\u{1F600}", "i", "b"]);
    expect(tensors.map((t) => t.dtype)).toEqual(["F64", "F32", "F32", "F32", "F32", "F32", "F32", "I32", "BOOL"]);
    // Packed back to back from 0; header padded to a multiple of 8.
    let at = 0;
    for (const t of tensors) {
      expect(t.dataOffsets[0]).toBe(at);
      at = t.dataOffsets[1];
    }
    const headerLength = new DataView(bytes.buffer).getUint32(0, true);
    expect(headerLength % 8).toBe(0);
    expect(bytes.length).toBe(8 + headerLength + at);
  });

  test("metadata keys are sorted; the same state dict always gives the same bytes", () => {
    const a = serialize({ w: tensor([1, 2]) }, { metadata: { z: "1", a: "2" } });
    const b = serialize({ w: tensor([1, 2]) }, { metadata: { a: "2", z: "1" } });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(new TextDecoder().decode(a.subarray(8, 44))).toMatch(/^\{"__metadata__":\{"a":"2","z":"1"\}/);
  });

  test("writes non-contiguous tensors in row-major order", () => {
    const t = tensor(new Float32Array([0, 1, 2, 3, 4, 5])).reshape(2, 3).transpose(0, 1);
    const back = deserialize(serialize({ t }));
    expect(back.t!.shape).toEqual([3, 2]);
    expect(values(back.t!)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  test("serializeAsync gives the same bytes", async () => {
    const state = { w: tensor([[1, 2], [3, 4]]), m: tensor([false, true]) };
    expect(Array.from(await serializeAsync(state, { metadata: { format: "pt" } }))).toEqual(Array.from(serialize(state, { metadata: { format: "pt" } })));
  });

  test("rejects what can't be written, naming it", () => {
    expectError(() => serialize({ w: [1, 2] as unknown as Tensor }), /entry "w" is object, not a Tensor/);
    expectError(() => serialize({ __metadata__: tensor([1]) }), /can't be named "__metadata__"/);
    expectError(() => serialize({ "bad\uD800": tensor([1]) }), /lone UTF-16 surrogate/);
    expectError(() => serialize({}, { metadata: { epoch: 3 as unknown as string } }), /metadata values must be strings, but "epoch" is number/);
    expectError(() => serialize(null as unknown as Record<string, Tensor>), /expected a state dict/);
    const gone = tensor([1, 2]);
    gone.dispose();
    expectError(() => serialize({ ok: tensor([1]), gone }), /can't read tensor "gone": .*disposed/);
  });
});

// ---------------------------------------------------------------------------- reading

describe("deserialize", () => {
  test("round-trips every dtype, 0-dim and zero-size tensors, special floats and metadata", () => {
    const state: Record<string, Tensor> = {
      f32: tensor(new Float32Array([1.5, -0, NaN, Infinity, -Infinity, 1e-45])),
      f64: tensor(new Float64Array([0.1, 5e-324, -1e300, 2, 3, 4]), { dtype: "float64" }).reshape(2, 3),
      i32: tensor(new Int32Array([2147483647, -2147483648, 0])),
      bool: tensor([[true, false], [false, true]]),
      scalar: tensor(new Float32Array([7])).reshape([]),
      empty: zeros([2, 0, 3]),
    };
    const back = deserialize(serialize(state, { metadata: { format: "pt", note: "ünïcode ✓" } }));
    expect(Object.keys(back)).toEqual(["f64", "empty", "f32", "scalar", "i32", "bool"]); // file order
    for (const [name, t] of Object.entries(state)) {
      const u = back[name]!;
      expect(u.dtype, name).toBe(t.dtype);
      expect(u.shape, name).toEqual(t.shape);
      expect(u.device).toBe("cpu");
      const a = values(t);
      const b = values(u);
      expect(b.length).toBe(a.length);
      a.forEach((v, i) => expect(Object.is(b[i], v), `${name}[${i}]`).toBe(true));
    }
    expect(readMetadata(serialize(state, { metadata: { format: "pt" } }))).toEqual({ format: "pt" });
    expect(readMetadata(serialize(state))).toBeNull();
  });

  test("returns tensors in header order, as own properties even for __proto__", () => {
    const entry = (b: number) => `{"dtype":"F32","shape":[],"data_offsets":[${b},${b + 4}]}`;
    const bytes = rawFile(`{"z":${entry(4)},"__proto__":${entry(0)}}`, f32Bytes([1, 2]));
    const back = deserialize(bytes);
    expect(Object.keys(back)).toEqual(["z", "__proto__"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, "__proto__")!.value.itemSync()).toBe(1);
    expect(back.z!.itemSync()).toBe(2);
  });

  test("a tensor named __proto__ survives a round trip", () => {
    const state: Record<string, Tensor> = { ["__proto__"]: tensor([4, 5]), w: tensor([1]) };
    expect(Object.keys(state)).toEqual(["__proto__", "w"]);
    const back = deserialize(serialize(state));
    expect(Object.keys(back)).toEqual(["__proto__", "w"]);
    expect(values(Object.getOwnPropertyDescriptor(back, "__proto__")!.value)).toEqual([4, 5]);
  });

  test("creates exactly one live tensor per entry and nothing on failure", () => {
    const bytes = serialize({ a: tensor([[1, 2]]), b: tensor([3]), c: tensor(new Float32Array([4])).reshape([]) });
    const before = memory().tensors;
    const back = deserialize(bytes);
    expect(memory().tensors - before).toBe(3);
    for (const t of Object.values(back)) t.dispose();
    expect(memory().tensors).toBe(before);
    expect(() => deserialize(bytes, { device: "no-such-device" })).toThrow(/no-such-device/);
    expect(memory().tensors).toBe(before);
  });

  test("reads I64 as int32 when every value fits, and names the value that doesn't", () => {
    const i64 = (vals: bigint[]) => [...new Uint8Array(new BigInt64Array(vals).buffer)];
    const ok = deserialize(rawFile({ n: { dtype: "I64", shape: [4], data_offsets: [0, 32] } }, i64([0n, -1n, 2147483647n, -2147483648n])));
    expect(ok.n!.dtype).toBe("int32");
    expect(values(ok.n!)).toEqual([0, -1, 2147483647, -2147483648]);
    expectError(
      () => deserialize(rawFile({ "bn.num_batches_tracked": { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, i64([1n, 2147483648n]))),
      /tensor "bn.num_batches_tracked" is I64 .* element 1 is 2147483648, outside int32's range/,
    );
    expectError(() => deserialize(rawFile({ n: { dtype: "I64", shape: [], data_offsets: [0, 8] } }, i64([-(2n ** 40n)]))), /is -1099511627776/);
  });

  test("reads F16 and BF16 as float32, exactly", () => {
    const f16 = [0x3c00, 0x8000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x7e00, 0x3555];
    const bytes = rawFile({ h: { dtype: "F16", shape: [9], data_offsets: [0, 18] }, b: { dtype: "BF16", shape: [3], data_offsets: [18, 24] } },
      [...new Uint8Array(new Uint16Array([...f16, 0x3f80, 0xc049, 0xff80]).buffer)]);
    const back = deserialize(bytes);
    expect(back.h!.dtype).toBe("float32");
    const h = values(back.h!);
    expect(h.slice(0, 7)).toEqual([1, -0, 65504, 2 ** -24, 1023 * 2 ** -24, Infinity, -Infinity]);
    expect(Object.is(h[1], -0)).toBe(true);
    expect(h[7]).toBeNaN();
    expect(h[8]).toBe(Math.fround(0x155 / 1024 * 2 ** -2 + 2 ** -2)); // 0.333 in half
    expect(values(back.b!)).toEqual([1, -3.140625, -Infinity]);
  });

  test("names the tensor and dtype it can't load, and lists the supported ones", () => {
    expectError(() => deserialize(rawFile({ q: { dtype: "U8", shape: [1], data_offsets: [0, 1] } }, [1])), /tensor "q" has dtype "U8", which Tessera can't load. Supported dtypes: F32, F64, I32, BOOL.*I64.*F16 and BF16/);
    expectError(() => deserialize(rawFile({ q: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0])), /tensor "q" has an unknown dtype "F33"/);
  });

  test("ignores unknown fields of an entry, as the reference reader does", () => {
    const back = deserialize(rawFile({ w: { ...oneF32, extra: [1, { a: null }] } }, f32Bytes([3])));
    expect(values(back.w!)).toEqual([3]);
  });

  test("accepts whitespace around the JSON and __metadata__: null (no metadata)", () => {
    expect(readMetadata(rawFile(' \n{"__metadata__":null}\t\r '))).toBeNull();
    expect(readHeader(rawFile("{}")).tensors).toEqual([]);
  });
});

// ---------------------------------------------------------------------------- malformed files

describe("malformed files are SafetensorsErrors that say what is wrong", () => {
  const valid = serialize({ w: tensor([1, 2]), b: tensor([true]) });

  test("truncated files", () => {
    expectError(() => deserialize(new Uint8Array(0)), /0 bytes long, too short for the 8-byte header length/);
    expectError(() => deserialize(valid.subarray(0, 7)), /7 bytes long/);
    expectError(() => deserialize(valid.subarray(0, 20)), /header is \d+ bytes long but the file has only 12 bytes/);
    expectError(() => deserialize(valid.subarray(0, valid.length - 1)), /tensor "b": data_offsets \[8, 9\] run past the end of the byte buffer, which holds 8 bytes \(is the file truncated\?\)/);
  });

  test("absurd header lengths", () => {
    expectError(() => deserialize(rawFile("{}", [], 100_000_001)), /more than the 100 MB the format allows/);
    expectError(() => deserialize(rawFile("{}", [], 2 ** 40)), /more than 2\^32 bytes/);
    expectError(() => deserialize(rawFile('{"a":1}', [], 3)), /not valid JSON: unterminated string at character 1/);
    expectError(() => deserialize(rawFile("{}", [], 0)), /not valid JSON: expected a value but found end of header/);
  });

  test("bad JSON, bad UTF-8, a byte-order mark, deep nesting", () => {
    expectError(() => deserialize(rawFile('{"w": {"dtype": "F32",}}')), /not valid JSON: expected a string key but found '}' at character 22/);
    expectError(() => deserialize(rawFile("{\"w\": NaN}")), /not valid JSON: expected a value but found 'N'/);
    expectError(() => deserialize(rawFile('{"a":1} x')), /after the JSON value/);
    expectError(() => deserialize(rawFile('{"a":"\\x"}')), /invalid escape/);
    expectError(() => deserialize(rawFile('{"a":"\\ud800"}')), /lone high surrogate/);
    expectError(() => deserialize(rawFile('{"a":"tab\there"}')), /control character/);
    expectError(() => deserialize(rawFile('{"a":01}')), /invalid number/);
    const badUtf8 = rawFile('{"a":"xx"}');
    badUtf8[14] = 0xff;
    expectError(() => deserialize(badUtf8), /not valid UTF-8/);
    expectError(() => deserialize(rawFile("\uFEFF{}")), /expected a value but found U\+FEFF/);
    expectError(() => deserialize(rawFile(`{"a":${"[".repeat(100_000)}${"]".repeat(100_000)}}`)), /nested deeper than 128 levels/);
  });

  test("a header that is not an object, entries that are not objects", () => {
    expectError(() => deserialize(rawFile("[1,2]")), /header must be a JSON object, got an array/);
    expectError(() => deserialize(rawFile('"hi"')), /header must be a JSON object, got the string "hi"/);
    expectError(() => deserialize(rawFile({ w: 5 })), /tensor "w": the entry must be an object.*got the number 5/);
  });

  test("missing or mistyped fields", () => {
    expectError(() => deserialize(rawFile({ w: { shape: [1], data_offsets: [0, 4] } })), /tensor "w": the entry has no "dtype"/);
    expectError(() => deserialize(rawFile({ w: { dtype: "F32", data_offsets: [0, 4] } })), /tensor "w": the entry has no "shape"/);
    expectError(() => deserialize(rawFile({ w: { dtype: "F32", shape: [1] } })), /tensor "w": the entry has no "data_offsets"/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, dtype: 32 } })), /"dtype" must be a string like "F32", got the number 32/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, shape: "1" } })), /"shape" must be an array of non-negative integers, got the string "1"/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, shape: [-1] } })), /shape\[0\] must be a non-negative integer, got -1 \(negative\)/);
    expectError(() => deserialize(rawFile('{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}')), /shape\[0\] must be a non-negative integer written without a fraction or exponent, got 1.0/);
    expectError(() => deserialize(rawFile('{"w":{"dtype":"F32","shape":[1e0],"data_offsets":[0,4]}}')), /got 1e0/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, shape: [null] } })), /shape\[0\] must be a non-negative integer, got null/);
    expectError(() => deserialize(rawFile('{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,4]}}')), /too large/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, data_offsets: [0, 4, 8] } })), /"data_offsets" must be an array \[begin, end\] of two non-negative integers, got an array of 3/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, data_offsets: { begin: 0 } } })), /got an object/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, data_offsets: [0, -4] } })), /data_offsets\[1\] must be a non-negative integer, got -4/);
  });

  test("offsets that contradict the shape, the file or each other", () => {
    expectError(() => deserialize(rawFile({ w: { ...oneF32, data_offsets: [4, 0] } }, [0, 0, 0, 0])), /data_offsets \[4, 0\] begin after they end/);
    expectError(() => deserialize(rawFile({ w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 20] } }, new Array(20).fill(0))), /span 20 bytes, but shape \[2, 3\] of F32 needs 6 × 4 = 24 bytes/);
    expectError(() => deserialize(rawFile({ w: { dtype: "F32", shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 4] } }, [0, 0, 0, 0])), /needs more than 2\^53/);
    expectError(() => deserialize(rawFile({ w: { ...oneF32, data_offsets: [100, 104] } }, [0, 0, 0, 0])), /run past the end of the byte buffer, which holds 4 bytes/);
    expectError(
      () => deserialize(rawFile({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Array(8).fill(0))),
      /tensor "b": data_offsets \[4, 8\] overlap tensor "a" \[0, 8\]/,
    );
    expectError(
      () => deserialize(rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, [0, 0, 0, 0])),
      /overlap/,
    );
    expectError(
      () => deserialize(rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [8, 12] } }, new Array(12).fill(0))),
      /bytes \[4, 8\) of the byte buffer belong to no tensor \(before tensor "b"\)/,
    );
    expectError(() => deserialize(rawFile({ a: { ...oneF32, data_offsets: [4, 8] } }, new Array(8).fill(0))), /bytes \[0, 4\) of the byte buffer belong to no tensor/);
    expectError(() => deserialize(rawFile({ a: oneF32 }, new Array(6).fill(0))), /the last 2 bytes of the file belong to no tensor/);
    expectError(() => deserialize(rawFile({}, [0])), /the last 1 bytes of the file belong to no tensor/);
  });

  test("zero-size tensors may sit anywhere between others, but not inside one", () => {
    const ok = rawFile({ a: { ...oneF32 }, e: { dtype: "F32", shape: [0], data_offsets: [4, 4] }, z: { dtype: "I32", shape: [0, 5], data_offsets: [0, 0] } }, f32Bytes([1]));
    expect(Object.keys(deserialize(ok))).toEqual(["a", "e", "z"]);
    expectError(
      () => deserialize(rawFile({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, e: { dtype: "F32", shape: [0], data_offsets: [4, 4] } }, new Array(8).fill(0))),
      /tensor "e": data_offsets \[4, 4\] overlap tensor "a"/,
    );
  });

  test("duplicate keys, at every level", () => {
    const entry = JSON.stringify(oneF32);
    expectError(() => deserialize(rawFile(`{"w":${entry},"w":${entry}}`, [0, 0, 0, 0])), /duplicate key "w"/);
    expectError(() => deserialize(rawFile('{"w":{"dtype":"F32","dtype":"I32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0])), /duplicate key "dtype"/);
    expectError(() => deserialize(rawFile('{"__metadata__":{"a":"1","a":"2"}}')), /duplicate key "a"/);
    expectError(() => deserialize(rawFile('{"__metadata__":{},"__metadata__":{}}')), /duplicate key "__metadata__"/);
  });

  test("bad __metadata__", () => {
    expectError(() => deserialize(rawFile({ __metadata__: { epoch: 3 } })), /"__metadata__" must map strings to strings, but "epoch" is the number 3/);
    expectError(() => deserialize(rawFile({ __metadata__: ["a"] })), /"__metadata__" must be an object of string values, got an array/);
    expectError(() => deserialize(rawFile({ __metadata__: "pt" })), /got the string "pt"/);
  });

  test("BOOL bytes other than 0 and 1", () => {
    expectError(() => deserialize(rawFile({ m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, [0, 1, 2])), /tensor "m" is BOOL but element 2 holds the byte 2/);
  });

  test("not a Uint8Array", () => {
    expectError(() => deserialize("hello" as unknown as Uint8Array), /expected the file's bytes as a Uint8Array, got string/);
    expectError(() => deserialize(new ArrayBuffer(8) as unknown as Uint8Array), /got ArrayBuffer/);
  });

  test("messages name the function", () => {
    expectError(() => readMetadata(new Uint8Array(3)), /^safetensors.readMetadata: /);
    expectError(() => readHeader(new Uint8Array(3)), /^safetensors.readHeader: /);
    expectError(() => deserialize(new Uint8Array(3)), /^safetensors.deserialize: /);
  });

  test("works on a Uint8Array at any byte offset", () => {
    const padded = new Uint8Array(valid.length + 3);
    padded.set(valid, 3);
    const back = deserialize(padded.subarray(3));
    expect(values(back.w!)).toEqual([1, 2]);
    expect(values(back.b!)).toEqual([1]);
  });
});
