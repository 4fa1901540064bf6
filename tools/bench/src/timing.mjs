/**
 * Timing helpers: warm up, calibrate a batch size, then time several batches and report the
 * median time per call. Pure JavaScript; knows nothing about tensors.
 */
import { performance } from "node:perf_hooks";

/** Milliseconds, sub-microsecond resolution. */
export const now = () => performance.now();

/** The median of a list of numbers (the mean of the two middle values for an even count). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Timing settings of a full run and of a `--quick` smoke run. */
export const PROFILES = {
  full: { warmupMs: 300, batchMs: 150, batches: 7, minBatches: 5, budgetMs: 3000 },
  quick: { warmupMs: 20, batchMs: 10, batches: 5, minBatches: 5, budgetMs: 200 },
};

/**
 * Times `fn` and returns seconds per call (the median over batches) plus the raw samples.
 *
 * 1. Warm-up: calls `fn` until `warmupMs` has passed (at least twice), so the JIT settles.
 * 2. Calibration: times 1, 2, 4, … calls until a run takes at least a quarter of `batchMs`,
 *    and derives how many calls fill one batch of `batchMs` (at least one).
 * 3. Measurement: `batches` timed batches (fewer, but never under `minBatches`, when a case
 *    is so slow that they would exceed `budgetMs`); the result is the median per-call time.
 *
 * @param {() => void} fn the work to time; must be synchronous and leave no garbage behind.
 * @param {{ warmupMs: number, batchMs: number, batches: number, minBatches: number, budgetMs: number }} profile
 */
export function measure(fn, profile) {
  const { warmupMs, batchMs, batches, minBatches, budgetMs } = profile;

  let calls = 0;
  const w0 = now();
  while (calls < 2 || now() - w0 < warmupMs) {
    fn();
    calls++;
  }

  let iters = 1;
  let perCallMs;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < iters; i++) fn();
    const elapsed = now() - t0;
    if (elapsed >= batchMs / 4 || iters >= 1 << 24) {
      perCallMs = elapsed / iters;
      break;
    }
    iters *= 2;
  }
  const perBatch = Math.max(1, Math.round(batchMs / perCallMs));
  const batchCount = Math.max(minBatches, Math.min(batches, Math.floor(budgetMs / (perBatch * perCallMs))));

  const samples = [];
  for (let b = 0; b < batchCount; b++) {
    const t0 = now();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push((now() - t0) / perBatch / 1000);
  }
  return { seconds: median(samples), samples, itersPerBatch: perBatch };
}

/**
 * {@link measure} for work that a device queues (WebGPU): `fn(sync)` issues one call; with
 * `sync` true it also returns a promise that settles once that call's result has been read
 * back (`await data()`). Each batch issues its calls back to back and reads back after the
 * last one; a device queue runs in order, so that read waits for every call of the batch,
 * and the batch's time covers all of the device's work, not just the issuing. Warm-up and
 * calibration end every run with a read in the same way.
 *
 * @param {(sync: boolean) => (void | Promise<void>)} fn
 * @param {{ warmupMs: number, batchMs: number, batches: number, minBatches: number, budgetMs: number }} profile
 */
export async function measureAsync(fn, profile) {
  const { warmupMs, batchMs, batches, minBatches, budgetMs } = profile;
  const run = async (n) => {
    for (let i = 0; i < n - 1; i++) fn(false);
    await fn(true);
  };

  let calls = 0;
  const w0 = now();
  while (calls < 2 || now() - w0 < warmupMs) {
    await run(1);
    calls++;
  }

  let iters = 1;
  let perCallMs;
  for (;;) {
    const t0 = now();
    await run(iters);
    const elapsed = now() - t0;
    if (elapsed >= batchMs / 4 || iters >= 1 << 20) {
      perCallMs = elapsed / iters;
      break;
    }
    iters *= 2;
  }
  const perBatch = Math.max(1, Math.round(batchMs / perCallMs));
  const batchCount = Math.max(minBatches, Math.min(batches, Math.floor(budgetMs / (perBatch * perCallMs))));

  const samples = [];
  for (let b = 0; b < batchCount; b++) {
    const t0 = now();
    await run(perBatch);
    samples.push((now() - t0) / perBatch / 1000);
  }
  return { seconds: median(samples), samples, itersPerBatch: perBatch };
}
