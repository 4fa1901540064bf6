/**
 * Shader scaffolding. A kernel describes a program by its element types and a small body;
 * this module writes everything around it: the storage bindings (`in0…` read-only, `out0…`
 * read-write, then `meta`, the per-dispatch metadata words), metadata accessors, the helper
 * library, and `main` with the linear workgroup index `wg` (dispatches larger than 65,535
 * workgroups are split over a 2-D grid).
 *
 * Shapes, strides, offsets and scalar attributes travel in `meta`, never in the source, so one
 * pipeline serves every shape: the cache key names only the op, its variant and its dtypes.
 */
import type { DType } from "@tessera/storage";
import { type Library, librarySource } from "./library.js";

/** The WGSL element type a tensor of each dtype is stored as (bool: one u32 per element). */
export type ElemType = "f32" | "i32" | "u32";

/**
 * The storage element type of a dtype on this backend.
 *
 * @example
 * elemType("bool"); // "u32"
 */
export function elemType(dtype: DType): ElemType {
  switch (dtype) {
    case "float32":
      return "f32";
    case "int32":
      return "i32";
    case "bool":
      return "u32";
    default:
      throw new Error(`webgpu: no WGSL storage type for dtype ${dtype}`);
  }
}

/**
 * A compute program: its cache key, the element types of its read-only inputs and read-write
 * outputs, and how to write its source (called once, when the pipeline is first built).
 */
export interface Program {
  readonly key: string;
  readonly inputs: readonly ElemType[];
  readonly outputs: readonly ElemType[];
  readonly workgroupSize: number;
  source(): string;
}

/** What a kernel says about its program. */
export interface ProgramSpec {
  /** Unique among programs: op, variant and element types (never shapes). */
  readonly key: string;
  readonly inputs: readonly ElemType[];
  readonly outputs: readonly ElemType[];
  /** Invocations per workgroup (1-D). Default 64. */
  readonly workgroupSize?: number;
  /** Helper groups to include. */
  readonly libs?: readonly Library[];
  /** Module-scope declarations: helper functions, workgroup arrays, constants. */
  readonly decls?: string;
  /**
   * The statements of `main`. In scope: `wg` (linear workgroup index), `lid` (local
   * invocation index), and the accessors `mu(i)`, `mi(i)`, `mf(i)` for metadata word `i` as
   * u32, i32 and f32.
   */
  readonly body: string;
}

const programs = new Map<string, Program>();

/**
 * The program for `spec.key`, made by `make` the first time the key is seen (so kernels build
 * their spec strings once per key, not once per call).
 *
 * @example
 * const p = program("neg:f32", () => ({ key: "neg:f32", inputs: ["f32"], outputs: ["f32"], body: "…" }));
 */
export function program(key: string, make: () => ProgramSpec): Program {
  let p = programs.get(key);
  if (p === undefined) {
    const spec = make();
    if (spec.key !== key) throw new Error(`webgpu: program key mismatch (${key} vs ${spec.key})`);
    const size = spec.workgroupSize ?? 64;
    p = { key, inputs: spec.inputs, outputs: spec.outputs, workgroupSize: size, source: () => buildSource(spec, size) };
    programs.set(key, p);
  }
  return p;
}

function buildSource(spec: ProgramSpec, size: number): string {
  const lines: string[] = [];
  let binding = 0;
  spec.inputs.forEach((t, i) => lines.push(`@group(0) @binding(${binding++}) var<storage, read> in${i}: array<${t}>;`));
  spec.outputs.forEach((t, i) => lines.push(`@group(0) @binding(${binding++}) var<storage, read_write> out${i}: array<${t}>;`));
  lines.push(`@group(0) @binding(${binding}) var<storage, read> md: array<u32>;`);
  lines.push(`fn mu(i: u32) -> u32 { return md[i]; }`);
  lines.push(`fn mi(i: u32) -> i32 { return bitcast<i32>(md[i]); }`);
  lines.push(`fn mf(i: u32) -> f32 { return bitcast<f32>(md[i]); }`);
  lines.push(librarySource(spec.libs ?? []));
  if (spec.decls) lines.push(spec.decls);
  lines.push(`@compute @workgroup_size(${size})`);
  lines.push(
    `fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {`,
  );
  lines.push(`  let wg = wid.y * nwg.x + wid.x;`);
  lines.push(spec.body);
  lines.push(`}`);
  return lines.join("\n");
}

/**
 * Metadata words of one dispatch, built from JavaScript numbers: u32 and i32 (stored as their
 * 32-bit pattern) and f32 (stored as its bit pattern).
 *
 * @example
 * const m = new Meta().u(10).i(-1).f(0.5);
 * m.words; // [10, 4294967295, 1056964608]
 */
export class Meta {
  readonly words: number[] = [];
  /** Appends an unsigned integer. */
  u(x: number): this {
    this.words.push(x >>> 0);
    return this;
  }
  /** Appends a signed 32-bit integer. */
  i(x: number): this {
    this.words.push(x >>> 0);
    return this;
  }
  /** Appends a float32 (rounded from `x`). */
  f(x: number): this {
    F32[0] = x;
    this.words.push(U32[0]!);
    return this;
  }
  /** Appends several unsigned/signed integers. */
  all(xs: readonly number[]): this {
    for (const x of xs) this.words.push(x >>> 0);
    return this;
  }
  /** Number of words so far (the index the next word will have). */
  get length(): number {
    return this.words.length;
  }
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
