/**
 * The code of a GEMM worker, as a string: Node runs it with `new Worker(code, { eval: true })`,
 * browsers from a Blob URL, so the bundled ESM and CJS builds need no worker file and no
 * bundler configuration.
 *
 * A worker instantiates the shared-memory GEMM build on the shared `WebAssembly.Memory`, marks
 * its control slot ready, then loops: it polls for {@link WORKER_SPIN_MS}, then waits
 * (`Atomics.wait`), for the slot's generation counter to change; claims the job
 * ({@link CLAIM}) unless the caller took it back; runs `gemm` with the arguments in the slot,
 * stores the generation into the slot's `done` word and notifies. It never returns to its
 * event loop, so it takes no messages after the first. Test seams: a job with `M` =
 * {@link HANG} makes it block forever, one with {@link STALL} makes it wait to be robbed.
 */

/**
 * Milliseconds a worker keeps polling for its next job before it sleeps in `Atomics.wait`
 * (like OpenMP's spin-then-block wait policy). Measured on a 2-vCPU VM: with a sleeping
 * worker, the MLP benchmark's threaded GEMMs spent a quarter of their time waiting for the
 * worker to wake; spinning removes that at the price of one busy core for this long after
 * the last GEMM.
 */
export const WORKER_SPIN_MS = 2;

/** Int32 words per worker control slot (128 bytes). */
export const SLOT_WORDS = 32;
/** Slot word: the job generation the main thread bumps to start a job. */
export const GEN = 0;
/** Slot word: the generation of the last finished job. */
export const DONE = 1;
/** Slot word: 0 starting, 1 ready, -1 failed to start. */
export const STATE = 2;
/** Slot word: 0 when the last job ran, 1 when `gemm` threw. */
export const STATUS = 3;
/** Slot words `ARGS … ARGS + 12`: the 13 arguments of `gemm`. */
export const ARGS = 4;
/**
 * Slot word: what the worker is doing, one of {@link WORKER_PHASES}' indices. Written by the
 * worker only, read by the caller to say where a worker that timed out was last seen.
 */
export const PHASE = 17;
/** The worker's phases, by their value in the {@link PHASE} word. */
export const WORKER_PHASES = ["starting", "polling for a job", "sleeping in Atomics.wait for a job", "running its GEMM"] as const;
/**
 * Slot word: the generation of the last job claimed, by the worker (which then runs it) or by
 * the caller, which takes back a job its worker has not claimed by the time the caller's own
 * block is done. Whoever moves it from `g − 1` to `g` with `Atomics.compareExchange` runs job `g`.
 */
export const CLAIM = 18;
/** Slot word no one writes: a worker told to hang waits on it forever. */
const NEVER = SLOT_WORDS - 1;
/**
 * A job whose first argument (`M`) is this value makes the worker block forever without
 * answering: the test seam `injectGemmWorkerFault("hang")` uses it to test the caller's timeout.
 */
export const HANG = -1;
/**
 * A job whose first argument (`M`) is this value makes the worker wait, before claiming it,
 * until the caller has taken it back: the test seam `injectGemmWorkerFault("stall")` uses it
 * to test that a worker that does not start its block costs time, never an error.
 */
export const STALL = -2;

/** The worker's code: `start(module, memory, slotByteOffset)` plus the Node or browser entry. */
export const WORKER_SOURCE = `"use strict";
function start(module, memory, slot) {
  const ctl = new Int32Array(memory.buffer, slot, ${SLOT_WORDS});
  let gemm;
  try {
    gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  } catch (e) {
    Atomics.store(ctl, ${STATE}, -1);
    Atomics.notify(ctl, ${STATE});
    throw e;
  }
  let seen = Atomics.load(ctl, ${GEN});
  Atomics.store(ctl, ${STATE}, 1);
  Atomics.notify(ctl, ${STATE});
  for (;;) {
    Atomics.store(ctl, ${PHASE}, 1);
    // Spin a while before sleeping: a sleeping thread takes tens of microseconds to wake
    // (more in a VM), a large share of a GEMM of a millisecond, and the next GEMM of a
    // training step usually follows within microseconds.
    const until = performance.now() + ${WORKER_SPIN_MS};
    while (Atomics.load(ctl, ${GEN}) === seen && performance.now() < until) {
      for (let i = 0; i < 256 && Atomics.load(ctl, ${GEN}) === seen; i++);
    }
    Atomics.store(ctl, ${PHASE}, 2);
    Atomics.wait(ctl, ${GEN}, seen);
    const g = Atomics.load(ctl, ${GEN});
    if (g === seen) continue;
    seen = g;
    const a = ${ARGS};
    // The stall seam: let the caller take this job back first (or give up after a while).
    if (ctl[a] === ${STALL}) Atomics.wait(ctl, ${CLAIM}, (g - 1) | 0, 10000);
    // Claim the job; the caller may have taken it back already (it runs such jobs itself).
    if (Atomics.compareExchange(ctl, ${CLAIM}, (g - 1) | 0, g) !== ((g - 1) | 0)) continue;
    Atomics.store(ctl, ${PHASE}, 3);
    if (ctl[a] === ${HANG}) for (;;) Atomics.wait(ctl, ${NEVER}, 0);
    let status = 0;
    try {
      gemm(ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3] >>> 0, ctl[a + 4], ctl[a + 5], ctl[a + 6] >>> 0, ctl[a + 7], ctl[a + 8],
        ctl[a + 9] >>> 0, ctl[a + 10], ctl[a + 11], ctl[a + 12] >>> 0);
    } catch (e) {
      status = 1;
    }
    Atomics.store(ctl, ${STATUS}, status);
    Atomics.store(ctl, ${DONE}, g);
    Atomics.notify(ctl, ${DONE});
  }
}
if (typeof require === "function" && typeof process === "object" && process.versions && process.versions.node) {
  const { workerData } = require("node:worker_threads");
  start(workerData.module, workerData.memory, workerData.slot);
} else {
  self.onmessage = (event) => start(event.data.module, event.data.memory, event.data.slot);
}
`;
