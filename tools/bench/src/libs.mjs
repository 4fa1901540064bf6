/**
 * The libraries under comparison and the harness that times one case in each of them.
 *
 * On the CPU (the default, `--device cpu`):
 * - `tessera`: the built umbrella package (CPU backend).
 * - `tfjs-cpu`: TensorFlow.js core with its plain-JavaScript CPU backend.
 * - `tfjs-wasm`: TensorFlow.js core with its WebAssembly backend (XNNPACK). In Node it runs
 *   single-threaded: tfjs disables wasm threads under Node (`WASM_HAS_MULTITHREAD_SUPPORT`).
 *
 * With `--device webgpu`:
 * - `tessera`: the umbrella package with `@tessera/backend-webgpu` started by `initWebGPU()`;
 *   every tensor of a case lives on the device `"webgpu"`.
 * - `tfjs-webgpu`: TensorFlow.js core with `@tensorflow/tfjs-backend-webgpu`.
 * Both run on the same Dawn GPU object (`navigator.gpu`), each on its own device.
 *
 * tfjs-core's Node entry registers no gradients; `dist/tfjs-gradients.js` (built from
 * `src/tfjs-gradients.mjs`) adds them, as `@tensorflow/tfjs` does.
 *
 * tfjs has one global backend, so the harness switches it before each tfjs run and every
 * case creates its tensors after the switch.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as ts from "tessera";
import { measure, measureAsync } from "./timing.mjs";

try {
  await import("../dist/tfjs-gradients.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  throw new Error("tools/bench/dist/tfjs-gradients.js is missing: build first (`pnpm bench` does; or `pnpm --filter @tessera/bench... build`).");
}

export { tf, ts };

/** The libraries of each device, in the table's column order (Tessera first: the reference). */
export const LIBS_BY_DEVICE = {
  cpu: ["tessera", "tfjs-cpu", "tfjs-wasm"],
  webgpu: ["tessera", "tfjs-webgpu"],
};

/** Column order of the table for this run's device (set by {@link initLibraries}). */
export let LIBS = LIBS_BY_DEVICE.cpu;

/** This run's device, `"cpu"` or `"webgpu"` (set by {@link initLibraries}). */
export let DEVICE = "cpu";

const TF_BACKEND = { "tfjs-cpu": "cpu", "tfjs-wasm": "wasm", "tfjs-webgpu": "webgpu" };

/**
 * Starts the libraries of `device` and returns facts worth printing.
 *
 * - `"cpu"`: both tfjs backends (the wasm one loads its binary from its own package folder).
 * - `"webgpu"`: `gpu` (a `GPU` object from the `webgpu` package, which has an adapter) becomes
 *   `navigator.gpu`, which `@tensorflow/tfjs-backend-webgpu` needs before it is imported (it
 *   registers itself only where `navigator.gpu` exists) and which `initWebGPU()` uses when
 *   present; then both backends start.
 *
 * Also silences tfjs's "install tfjs-node" notice (`enableProdMode`, which changes no op).
 */
export async function initLibraries({ device = "cpu", gpu } = {}) {
  tf.enableProdMode();
  DEVICE = device;
  LIBS = LIBS_BY_DEVICE[device];
  const facts = { tfjsVersion: tf.version_core };
  if (device === "cpu") {
    for (const backend of ["wasm", "cpu"]) {
      if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`);
    }
    await tf.ready();
    facts.wasmSimd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    facts.wasmThreads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    return facts;
  }
  const nav = globalThis.navigator;
  Object.defineProperty(globalThis, "navigator", {
    value: { userAgent: nav?.userAgent ?? "node", gpu },
    configurable: true,
    writable: true,
  });
  const adapter = await gpu.requestAdapter();
  const info = adapter?.info ?? {};
  facts.adapter = {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    description: info.description ?? "",
  };
  facts.swiftshader = /swiftshader/i.test(`${facts.adapter.vendor} ${facts.adapter.architecture} ${facts.adapter.description}`);
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) throw new Error("tfjs backend webgpu failed to start");
  await tf.ready();
  const { initWebGPU } = await import("@tessera/backend-webgpu");
  facts.tesseraBackend = await initWebGPU();
  return facts;
}

/** `n` float32 values in [-1, 1), the same for a given seed in every library. */
export function values(n, seed = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** A Tessera float32 tensor of `shape` holding `data`. */
export function tsTensor(data, shape, options = {}) {
  return ts.tensor(nest(data, shape, 0, 0), options);
}

function nest(data, shape, dim, offset) {
  if (shape.length === 0) return data[0];
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d];
  if (dim === shape.length - 1) return data.subarray(offset, offset + shape[dim]);
  const rows = [];
  for (let i = 0; i < shape[dim]; i++) rows.push(nest(data, shape, dim + 1, offset + i * inner));
  return rows;
}

/** A tfjs float32 tensor of `shape` holding `data`, on the active tfjs backend. */
export function tfTensor(data, shape) {
  return tf.tensor(data, shape, "float32");
}

/** A copy of a tfjs tensor's values; disposes the tensor. */
export function readTf(t) {
  const v = Float32Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** A copy of a Tessera tensor's values; disposes the tensor. */
export function readTs(t) {
  const v = Float32Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** {@link readTf} for any backend, GPU included: awaits `data()`. */
export async function readTfAsync(t) {
  const v = Float32Array.from(await t.data());
  t.dispose();
  return v;
}

/** {@link readTs} for any device, GPU included: awaits `data()`. */
export async function readTsAsync(t) {
  const v = Float32Array.from(await t.data());
  t.dispose();
  return v;
}

/**
 * Reads back the first element of a tfjs tensor (`await data()` of a one-element slice), then
 * disposes the tensor. On a GPU this waits for every command queued before, so it closes a
 * timed batch; reading one element keeps the transfer itself out of the figure.
 */
export async function syncTf(t) {
  const flat = tf.reshape(t, [-1]);
  const first = tf.slice(flat, [0], [1]);
  await first.data();
  tf.dispose([first, flat, t]);
}

/** {@link syncTf} for Tessera: `await data()` of a one-element view, then disposes the tensor. */
export async function syncTs(t) {
  const flat = t.flatten();
  const first = flat.narrow(0, 0, 1);
  await first.data();
  first.dispose();
  flat.dispose();
  t.dispose();
}

function liveTensors(lib) {
  return lib === "tessera" ? ts.memory().tensors : tf.memory().numTensors;
}

/**
 * Why a library cannot run a case, or null when `error` is a real failure. tfjs throws
 * "Kernel 'X' not registered for backend 'Y'" when a backend lacks a kernel (tfjs-wasm has no
 * `Conv2DBackpropFilter`, so it cannot train a convolution).
 */
function cannotReason(error) {
  const m = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(String(error?.message ?? error));
  return m === null ? null : { cannot: `no ${m[1]}`, detail: `tfjs's ${m[2]} backend has no ${m[1]} kernel` };
}

/**
 * Times one case in every library of this run's device. `impls` maps a library name to a
 * setup function that creates the inputs and returns `{ fn, output, dispose }`:
 *
 * - `fn` is the timed work and must dispose what it creates. On the CPU it is synchronous,
 *   `() => void`, and timed by `measure`. With `--device webgpu` it is `(sync) => …`, timed by
 *   `measureAsync`: it issues one call, and when `sync` is true returns a promise that reads
 *   back (part of) its result, e.g. with {@link syncTs} / {@link syncTf}.
 * - `output` runs the work once more and returns (or resolves to) its values as a list of
 *   Float32Arrays. It runs once, right after setup, before any timing.
 * - `dispose` frees the inputs.
 *
 * Before timing, every library's output is checked against Tessera's (a benchmark of a wrong
 * answer means nothing): the outputs must agree within `rtol` times the largest magnitude
 * (at least 1). A mismatch is reported and makes the process exit with status 1. A tfjs
 * backend that lacks a kernel the case needs gets `{ cannot, detail }` instead of a time. After
 * timing, a library that ends with more live tensors than it started with is reported too (a
 * leak skews timings). Returns, by library, seconds per call or `{ cannot, detail }`.
 */
export async function compare(label, impls, profile, { rtol = 1e-4 } = {}) {
  const seconds = {};
  let reference;
  for (const lib of LIBS) {
    const setup = impls[lib];
    if (setup === undefined) continue;
    if (lib in TF_BACKEND) await tf.setBackend(TF_BACKEND[lib]);
    const before = liveTensors(lib);
    const { fn, output, dispose } = setup();
    let out;
    try {
      out = await output();
    } catch (e) {
      const reason = cannotReason(e);
      if (reason === null) throw e;
      seconds[lib] = reason;
      dispose();
      continue;
    }
    if (reference === undefined) reference = out;
    else {
      const problem = mismatch(out, reference, rtol);
      if (problem !== null) {
        console.error(`error: ${label}: ${lib} and ${LIBS[0]} disagree: ${problem}`);
        process.exitCode = 1;
      }
    }
    seconds[lib] = DEVICE === "cpu" ? measure(fn, profile).seconds : (await measureAsync(fn, profile)).seconds;
    dispose();
    const leaked = liveTensors(lib) - before;
    if (leaked !== 0) console.warn(`warning: ${label} on ${lib} left ${leaked} live tensor(s) behind`);
  }
  return seconds;
}

/**
 * Applies `f` to each library's seconds per call (to turn it into the table's unit), passing
 * `{ cannot }` entries through unchanged.
 */
export function perLib(seconds, f) {
  return Object.fromEntries(Object.entries(seconds).map(([lib, s]) => [lib, typeof s === "number" ? f(s) : s]));
}

/** Null if the outputs agree within `rtol` relative to the largest magnitude (at least 1), else why not. */
function mismatch(actual, expected, rtol) {
  if (actual.length !== expected.length) return `${actual.length} outputs vs ${expected.length}`;
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k];
    const e = expected[k];
    if (a.length !== e.length) return `output ${k} has ${a.length} elements vs ${e.length}`;
    let scale = 1;
    for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]));
    for (let i = 0; i < e.length; i++) {
      if (!(Math.abs(a[i] - e[i]) <= rtol * scale)) return `output ${k}[${i}] is ${a[i]} vs ${e[i]} (tolerance ${rtol} × ${scale})`;
    }
  }
  return null;
}
