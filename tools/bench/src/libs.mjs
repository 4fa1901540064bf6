/**
 * The libraries under comparison and the harness that times one case in each of them.
 *
 * - `tessera`: the built umbrella package (CPU backend).
 * - `tfjs-cpu`: TensorFlow.js core with its plain-JavaScript CPU backend.
 * - `tfjs-wasm`: TensorFlow.js core with its WebAssembly backend (XNNPACK). In Node it runs
 *   single-threaded: tfjs disables wasm threads under Node (`WASM_HAS_MULTITHREAD_SUPPORT`).
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
import { measure } from "./timing.mjs";

try {
  await import("../dist/tfjs-gradients.js");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  throw new Error("tools/bench/dist/tfjs-gradients.js is missing: build first (`pnpm bench` does; or `pnpm --filter @tessera/bench... build`).");
}

export { tf, ts };

/** Column order of the table. */
export const LIBS = ["tessera", "tfjs-cpu", "tfjs-wasm"];

const TF_BACKEND = { "tfjs-cpu": "cpu", "tfjs-wasm": "wasm" };

/**
 * Starts both tfjs backends (the wasm one loads its binary from its own package folder) and
 * silences tfjs's "install tfjs-node" notice. Returns facts worth printing.
 */
export async function initLibraries() {
  tf.enableProdMode();
  for (const backend of ["wasm", "cpu"]) {
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to start`);
  }
  await tf.ready();
  return {
    tfjsVersion: tf.version_core,
    wasmSimd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
    wasmThreads: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
  };
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

function liveTensors(lib) {
  return lib === "tessera" ? ts.memory().tensors : tf.memory().numTensors;
}

/**
 * Times one case in every library. `impls` maps a library name to a setup function that
 * creates the inputs and returns `{ fn, output, dispose }`: `fn` is the timed work (it must
 * dispose what it creates), `output` runs the work once more and returns its values as a
 * list of Float32Arrays, `dispose` frees the inputs.
 *
 * Before timing, every library's output is checked against Tessera's (a benchmark of a wrong
 * answer means nothing): a mismatch is reported and makes the process exit with status 1.
 * After timing, a library that ends with more live tensors than it started with is reported
 * too (a leak skews timings). Returns seconds per call by library.
 */
export async function compare(label, impls, profile) {
  const seconds = {};
  let reference;
  for (const lib of LIBS) {
    const setup = impls[lib];
    if (setup === undefined) continue;
    if (lib in TF_BACKEND) await tf.setBackend(TF_BACKEND[lib]);
    const before = liveTensors(lib);
    const { fn, output, dispose } = setup();
    const out = output();
    if (reference === undefined) reference = out;
    else {
      const problem = mismatch(out, reference);
      if (problem !== null) {
        console.error(`error: ${label}: ${lib} and ${LIBS[0]} disagree: ${problem}`);
        process.exitCode = 1;
      }
    }
    seconds[lib] = measure(fn, profile).seconds;
    dispose();
    const leaked = liveTensors(lib) - before;
    if (leaked !== 0) console.warn(`warning: ${label} on ${lib} left ${leaked} live tensor(s) behind`);
  }
  return seconds;
}

/** Null if the outputs agree to float32 accuracy (relative to the largest magnitude), else why not. */
function mismatch(actual, expected) {
  if (actual.length !== expected.length) return `${actual.length} outputs vs ${expected.length}`;
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k];
    const e = expected[k];
    if (a.length !== e.length) return `output ${k} has ${a.length} elements vs ${e.length}`;
    let scale = 1;
    for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]));
    for (let i = 0; i < e.length; i++) {
      if (!(Math.abs(a[i] - e[i]) <= 1e-4 * scale)) return `output ${k}[${i}] is ${a[i]} vs ${e[i]}`;
    }
  }
  return null;
}
