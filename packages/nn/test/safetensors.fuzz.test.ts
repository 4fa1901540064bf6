/**
 * Fuzzing the reader: thousands of deterministic corruptions of a valid file (bit flips, byte
 * overwrites in header and data, truncations, extensions, header-length edits, structural
 * JSON edits, character edits of the header text, and combinations). Every outcome must be
 * a SafetensorsError, or a successful load that agrees exactly with an independent decoding of
 * the same bytes (written here with JSON.parse and DataView, sharing no code with the reader)
 * and whose header satisfies the format: entries well-formed, sizes matching shapes, tensors
 * tiling the byte buffer exactly. Any other exception fails the test.
 */
import { describe, expect, test } from "vitest";
import type { Tensor } from "@tessera/autograd";
import { safetensors } from "../src/index.js";

// FUZZ_N=200000 FUZZ_SEED=7 npx vitest run test/safetensors.fuzz.test.ts for a longer run.
const ITERATIONS = Number(process.env.FUZZ_N ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5afe7e45);

// ---------------------------------------------------------------------------- PRNG

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------- the valid file

interface Spec {
  dtype: string;
  shape: number[];
  bytes: number[];
}

function le(Ctor: { new (v: number[]): ArrayBufferView }, v: number[]): number[] {
  return [...new Uint8Array((new Ctor(v) as ArrayBufferView).buffer)];
}

/** Tensors of every dtype the reader takes, in the reference writer's order. */
const SPECS: Record<string, Spec> = {
  "i64.steps": { dtype: "I64", shape: [3], bytes: [...new Uint8Array(new BigInt64Array([0n, -5n, 2147483647n]).buffer)] },
  "f64.w": { dtype: "F64", shape: [2, 2], bytes: le(Float64Array, [0.1, -2.5, 1e300, -0]) },
  "0.bias": { dtype: "F32", shape: [3], bytes: le(Float32Array, [1, -1, 0.5]) },
  "0.weight": { dtype: "F32", shape: [2, 3], bytes: le(Float32Array, [1, 2, 3, 4, 5, 6]) },
  "f32.scalar": { dtype: "F32", shape: [], bytes: le(Float32Array, [7.25]) },
  "f32.empty": { dtype: "F32", shape: [0, 4], bytes: [] },
  "i32.idx": { dtype: "I32", shape: [4], bytes: le(Int32Array, [0, -1, 2147483647, -2147483648]) },
  "bf16.x": { dtype: "BF16", shape: [3], bytes: le(Uint16Array, [0x3f80, 0xc049, 0x7fc1]) },
  "f16.x": { dtype: "F16", shape: [5], bytes: le(Uint16Array, [0x3c00, 0x8001, 0x0400, 0xfc00, 0x7e01]) },
  "mask": { dtype: "BOOL", shape: [5], bytes: [1, 0, 1, 1, 0] },
};
const METADATA = { format: "pt", note: "fuzz" };

interface Layout {
  header: Record<string, unknown>;
  data: number[];
}

function baseLayout(): Layout {
  const header: Record<string, unknown> = { __metadata__: { ...METADATA } };
  const data: number[] = [];
  for (const [name, s] of Object.entries(SPECS)) {
    header[name] = { dtype: s.dtype, shape: [...s.shape], data_offsets: [data.length, data.length + s.bytes.length] };
    data.push(...s.bytes);
  }
  return { header, data };
}

function assemble(headerText: string, data: ArrayLike<number>, pad = true): Uint8Array {
  let json = new TextEncoder().encode(headerText);
  if (pad && json.length % 8 !== 0) {
    const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const BASE = baseLayout();
const VALID = assemble(JSON.stringify(BASE.header), BASE.data);
const HEADER_END = 8 + new DataView(VALID.buffer).getUint32(0, true);

// ---------------------------------------------------------------------------- the independent decoder

function half(bits: number): number {
  // Through float32 bits, unlike the reader's arithmetic formula.
  const sign = (bits & 0x8000) << 16;
  let exp = (bits >> 10) & 0x1f;
  let frac = bits & 0x3ff;
  let out: number;
  if (exp === 0x1f) out = sign | 0x7f800000 | (frac << 13);
  else if (exp !== 0) out = sign | ((exp + 112) << 23) | (frac << 13);
  else if (frac === 0) out = sign;
  else {
    exp = 113;
    while ((frac & 0x400) === 0) {
      frac <<= 1;
      exp--;
    }
    out = sign | (exp << 23) | ((frac & 0x3ff) << 13);
  }
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, out >>> 0);
  return dv.getFloat32(0);
}

const SIZE: Record<string, number> = { F32: 4, F64: 8, I32: 4, BOOL: 1, I64: 8, F16: 2, BF16: 2 };
const TESSERA: Record<string, string> = { F32: "float32", F64: "float64", I32: "int32", BOOL: "bool", I64: "int32", F16: "float32", BF16: "float32" };

/** Element i of a tensor stored as `dtype` at byte `at` of `dv`. */
function element(dv: DataView, dtype: string, at: number): number {
  switch (dtype) {
    case "F32": return dv.getFloat32(at, true);
    case "F64": return dv.getFloat64(at, true);
    case "I32": return dv.getInt32(at, true);
    case "BOOL": return dv.getUint8(at);
    case "I64": return Number(dv.getBigInt64(at, true));
    case "F16": return half(dv.getUint16(at, true));
    case "BF16": {
      const f = new DataView(new ArrayBuffer(4));
      f.setUint32(0, dv.getUint16(at, true) << 16);
      return f.getFloat32(0);
    }
    default: throw new Error(`oracle: unexpected dtype ${dtype}`);
  }
}

/** The first key that appears twice in one object of (valid) JSON `text`, or null. */
function duplicateKey(text: string): string | null {
  const stack: (Set<string> | null)[] = [];
  const tokens = text.match(/"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^{}[\]:,"\s]+/g) ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "{") stack.push(new Set());
    else if (tok === "[") stack.push(null);
    else if (tok === "}" || tok === "]") stack.pop();
    else if (tok.startsWith('"') && tokens[i + 1] === ":") {
      const keys = stack[stack.length - 1]!;
      const key = JSON.parse(tok) as string;
      if (keys.has(key)) return key;
      keys.add(key);
    }
  }
  return null;
}

/**
 * Checks a successful load against the bytes: returns a description of the first
 * disagreement, or null.
 */
function disagreement(bytes: Uint8Array, loaded: Record<string, Tensor>): string | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > 100_000_000 || 8 + n > bytes.length) return `accepted a header length of ${n}`;
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    return `accepted a header JSON.parse rejects: ${e}`;
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) return "accepted a non-object header";
  const dup = duplicateKey(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  if (dup !== null) return `accepted a duplicate key ${JSON.stringify(dup)}`;
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  if (JSON.stringify(Object.keys(loaded)) !== JSON.stringify(names)) return `names ${JSON.stringify(Object.keys(loaded))} != header ${JSON.stringify(names)}`;

  const meta = Object.hasOwn(header, "__metadata__") ? header.__metadata__ : null;
  if (meta !== null && (typeof meta !== "object" || Array.isArray(meta) || Object.values(meta as object).some((v) => typeof v !== "string"))) {
    return `accepted bad metadata ${JSON.stringify(meta)}`;
  }
  if (JSON.stringify(safetensors.readMetadata(bytes)) !== JSON.stringify(meta)) return "metadata differs";

  const spans: [number, number][] = [];
  for (const name of names) {
    const e = header[name] as { dtype: unknown; shape: unknown; data_offsets: unknown };
    const t = loaded[name]!;
    if (typeof e !== "object" || e === null || typeof e.dtype !== "string" || !(e.dtype in SIZE)) return `${name}: accepted entry ${JSON.stringify(e)}`;
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `${name}: accepted shape ${JSON.stringify(shape)}`;
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) return `${name}: accepted offsets ${JSON.stringify(off)}`;
    const [begin, end] = off as [number, number];
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    if (begin > end || end > dataLength || end - begin !== count * SIZE[e.dtype]!) return `${name}: accepted offsets [${begin}, ${end}] for ${e.dtype} ${JSON.stringify(shape)}`;
    spans.push([begin, end]);
    if (t.dtype !== TESSERA[e.dtype]) return `${name}: dtype ${t.dtype} for ${e.dtype}`;
    if (JSON.stringify(t.shape) !== JSON.stringify(shape)) return `${name}: shape ${JSON.stringify(t.shape)} != ${JSON.stringify(shape)}`;
    const got = t.dataSync();
    if (got.length !== count) return `${name}: ${got.length} elements, want ${count}`;
    for (let i = 0; i < count; i++) {
      const want = element(dv, e.dtype, dataStart + begin + i * SIZE[e.dtype]!);
      if (e.dtype === "BOOL" && want > 1) return `${name}: accepted BOOL byte ${want}`;
      if (e.dtype === "I64" && (want > 2147483647 || want < -2147483648)) return `${name}: accepted I64 ${want}`;
      const expected = e.dtype === "F32" || e.dtype === "F16" || e.dtype === "BF16" ? Math.fround(want) : want;
      if (!Object.is(got[i], expected) && !(Number.isNaN(got[i]) && Number.isNaN(expected))) return `${name}[${i}]: ${got[i]} != ${expected}`;
    }
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end] of spans) {
    if (begin !== covered) return `accepted a buffer with an overlap or gap at ${begin}`;
    covered = end;
  }
  if (covered !== dataLength) return `accepted ${dataLength - covered} uncovered bytes`;
  return null;
}

// ---------------------------------------------------------------------------- corruptions

type Corruption = (bytes: Uint8Array, rnd: () => number) => Uint8Array;

const int = (rnd: () => number, n: number) => Math.floor(rnd() * n);
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[int(rnd, xs.length)]!;

function headerOf(bytes: Uint8Array): { text: string; data: Uint8Array } | null {
  if (bytes.length < 8) return null;
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  if (8 + n > bytes.length) return null;
  return { text: new TextDecoder().decode(bytes.subarray(8, 8 + n)), data: bytes.subarray(8 + n) };
}

const DTYPES = ["F32", "F64", "I32", "BOOL", "I64", "F16", "BF16", "U8", "I16", "F33", "", "f32"];
const WEIRD: unknown[] = [-1, 1.5, "2", null, true, [], {}, 2 ** 53, 1e20, 0];

/** Structural edits of the header's JSON (it stays valid JSON unless the edit makes it so). */
function jsonEdit(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const parts = headerOf(bytes);
  if (parts === null) return bytes;
  let header: Record<string, any>;
  try {
    header = JSON.parse(parts.text);
  } catch {
    return bytes;
  }
  if (typeof header !== "object" || header === null) return bytes;
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  let data = Array.from(parts.data);
  let text: string | null = null;
  const name = names.length > 0 ? pick(rnd, names) : null;
  const e = name === null ? null : header[name];
  const kind = int(rnd, 17);
  if (e !== null && typeof e === "object") {
    const off = Array.isArray(e.data_offsets) ? e.data_offsets : null;
    const shape = Array.isArray(e.shape) ? e.shape : null;
    switch (kind) {
      case 0: if (off) off[int(rnd, 2)] += pick(rnd, [-8, -4, -2, -1, 1, 2, 4, 8]); break;
      case 1: if (off) e.data_offsets = [off[1], off[0]]; break;
      case 2: { const other = header[pick(rnd, names)]; if (other?.data_offsets) e.data_offsets = [...other.data_offsets]; break; }
      case 3: if (shape) shape.push(pick(rnd, [1, 2, 0])); break;
      case 4: if (shape && shape.length > 0) shape.pop(); break;
      case 5: if (shape && shape.length > 0) shape[int(rnd, shape.length)] = pick(rnd, [0, 1, 2, 3, 6, ...WEIRD]); break;
      case 6: if (shape && shape.length >= 2) shape.reverse(); break;
      case 7: e.dtype = pick(rnd, [...DTYPES, 5, null]); break;
      case 8: delete e[pick(rnd, ["dtype", "shape", "data_offsets"])]; break;
      case 9: e[pick(rnd, ["dtype", "shape", "data_offsets"])] = pick(rnd, WEIRD); break;
      case 10: e.extra = pick(rnd, WEIRD); break;
      case 11: { // a duplicate key, spelled out in the text
        const json = JSON.stringify(header);
        text = json.replace(/^\{/, `{${JSON.stringify(name)}:${JSON.stringify(e)},`);
        break;
      }
      case 12: { // rename a tensor, possibly onto another one or onto __metadata__
        const to = pick(rnd, [...names, "__metadata__", "__proto__", "0", `${name}x`]);
        const json = JSON.stringify(header);
        text = json.replace(`${JSON.stringify(name)}:`, `${JSON.stringify(to)}:`);
        break;
      }
      case 13: { // grow or shrink a tensor's data consistently: offsets, shape and buffer agree
        if (off && shape && e.dtype in SIZE && shape.length === 1) {
          shape[0] += 1;
          const size = SIZE[e.dtype]!;
          for (const k of names) {
            const o = header[k]?.data_offsets;
            if (Array.isArray(o) && o[0] >= off[1] && k !== name) { o[0] += size; o[1] += size; }
          }
          const at = off[1];
          off[1] += size;
          data = [...data.slice(0, at), ...Array.from({ length: size }, () => int(rnd, 256)), ...data.slice(at)];
        }
        break;
      }
      case 15: delete header[name!]; break; // its bytes become a gap, or trailing bytes
      case 14: header.__metadata__ = pick(rnd, [null, { a: 1 }, { a: "b" }, "pt", [], { x: null }]); break;
      default: delete header.__metadata__; break;
    }
  }
  text ??= JSON.stringify(header);
  return assemble(text, data, rnd() < 0.8);
}

/** Character edits of the header text that keep the header length honest. */
function textEdit(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const parts = headerOf(bytes);
  if (parts === null || parts.text.length === 0) return bytes;
  const chars = [...parts.text];
  const at = int(rnd, chars.length);
  const c = pick(rnd, ['{', '}', '[', ']', ',', ':', '"', "0", "1", "9", "-", ".", "e", " ", "\\", "u", "n", "\u00e9", "\u{1F600}", "\u0000", "\n"]);
  const op = int(rnd, 3);
  if (op === 0) chars[at] = c;
  else if (op === 1) chars.splice(at, 0, c);
  else chars.splice(at, 1);
  return assemble(chars.join(""), parts.data, false);
}

const CORRUPTIONS: Record<string, Corruption> = {
  bitFlip: (b, rnd) => {
    if (b.length === 0) return b;
    const out = b.slice();
    for (let k = 1 + int(rnd, 3); k > 0; k--) out[int(rnd, out.length)]! ^= 1 << int(rnd, 8);
    return out;
  },
  headerByte: (b, rnd) => {
    const out = b.slice();
    out[8 + int(rnd, HEADER_END - 8)] = int(rnd, 256);
    return out;
  },
  dataByte: (b, rnd) => {
    const out = b.slice();
    if (out.length > HEADER_END) out[HEADER_END + int(rnd, out.length - HEADER_END)] = int(rnd, 256);
    return out;
  },
  truncate: (b, rnd) => b.slice(0, int(rnd, b.length)),
  extend: (b, rnd) => {
    const out = new Uint8Array(b.length + 1 + int(rnd, 16));
    out.set(b);
    for (let i = b.length; i < out.length; i++) out[i] = int(rnd, 256);
    return out;
  },
  headerLength: (b, rnd) => {
    if (b.length < 8) return b;
    const out = b.slice();
    const dv = new DataView(out.buffer);
    const n = dv.getUint32(0, true);
    const choice = int(rnd, 5);
    if (choice === 0) dv.setUint32(0, Math.max(0, n + pick(rnd, [-9, -8, -1, 1, 7, 8, 64])), true);
    else if (choice === 1) dv.setUint32(0, int(rnd, 2 ** 32), true);
    else if (choice === 2) dv.setUint32(4, 1 + int(rnd, 2 ** 32 - 1), true);
    else if (choice === 3) dv.setUint32(0, 0, true);
    else dv.setUint32(0, 100_000_001, true);
    return out;
  },
  jsonEdit,
  textEdit,
  combined: (b, rnd) => {
    let out = b;
    const ops = Object.values(CORRUPTIONS).filter((c) => c !== CORRUPTIONS.combined);
    for (let k = 2 + int(rnd, 2); k > 0; k--) out = pick(rnd, ops)(out, rnd);
    return out;
  },
};

// ---------------------------------------------------------------------------- the test

describe("fuzzing the reader", () => {
  test("the valid file loads and agrees with the independent decoder", () => {
    const loaded = safetensors.deserialize(VALID);
    expect(disagreement(VALID, loaded)).toBeNull();
    expect(Object.keys(loaded)).toEqual(Object.keys(SPECS));
  });

  test(`${ITERATIONS} corruptions: a SafetensorsError or exactly what the bytes say`, () => {
    const rnd = prng(SEED);
    const names = Object.keys(CORRUPTIONS);
    const stats: Record<string, { accepted: number; rejected: number }> = Object.fromEntries(names.map((n) => [n, { accepted: 0, rejected: 0 }]));
    const problems: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const name = names[i % names.length]!;
      const bytes = CORRUPTIONS[name]!(VALID, rnd);
      let loaded: Record<string, Tensor>;
      try {
        loaded = safetensors.deserialize(bytes);
      } catch (e) {
        if (!(e instanceof safetensors.SafetensorsError)) {
          problems.push(`#${i} ${name}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
        } else if (!e.message.startsWith("safetensors.deserialize: ") || e.message.length > 1000) {
          problems.push(`#${i} ${name}: odd message ${e.message.slice(0, 200)}`);
        }
        stats[name]!.rejected++;
        continue;
      }
      stats[name]!.accepted++;
      try {
        const why = disagreement(bytes, loaded);
        if (why !== null) problems.push(`#${i} ${name}: ${why}`);
      } finally {
        for (const t of Object.values(loaded)) t.dispose();
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // The fuzzer reaches both outcomes, through every kind of corruption that can yield both.
    for (const n of ["bitFlip", "headerByte", "dataByte", "jsonEdit", "textEdit", "combined"]) {
      expect(stats[n]!.accepted, `${n} accepted`).toBeGreaterThan(ITERATIONS / 2000);
      expect(stats[n]!.rejected, `${n} rejected`).toBeGreaterThan(ITERATIONS / 200);
    }
    for (const n of ["truncate", "extend", "headerLength", "headerByte"]) expect(stats[n]!.rejected, `${n} rejected`).toBeGreaterThan(100);
  });

  test("every byte of float data can change and still loads as what it says", () => {
    // Overwriting F32 / F64 bytes never breaks the file: the values change, exactly.
    const rnd = prng(SEED + 1);
    const header = safetensors.readHeader(VALID);
    const floats = header.tensors.filter((t) => (t.dtype === "F32" || t.dtype === "F64") && t.dataOffsets[1] > t.dataOffsets[0]);
    for (let i = 0; i < 500; i++) {
      const t = pick(rnd, floats);
      const out = VALID.slice();
      out[header.dataStart + t.dataOffsets[0] + int(rnd, t.dataOffsets[1] - t.dataOffsets[0])] = int(rnd, 256);
      const loaded = safetensors.deserialize(out);
      expect(disagreement(out, loaded)).toBeNull();
      for (const x of Object.values(loaded)) x.dispose();
    }
  });
});
