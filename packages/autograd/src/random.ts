/**
 * The global random generator: a seed (the Philox key) and a counter. Every random op takes
 * the next `ceil(n / 4)` counters, so the same seed gives the same numbers on every backend.
 */
import { philoxBlocks } from "@tessera/kernels";

let key: [number, number] = [0x9e3779b9 >>> 0, 0x85ebca6b >>> 0];
let counter = 0;

/**
 * Seeds the generator: the random numbers that follow are the same on every run and every
 * device.
 *
 * @example manualSeed(0); const a = randn([3]); manualSeed(0); randn([3]) // equals a
 */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`manualSeed: seed must be a non-negative safe integer, got ${seed}`);
  }
  key = [seed % 0x100000000 >>> 0, Math.floor(seed / 0x100000000) >>> 0];
  counter = 0;
}

/** @internal The key and first counter for an op that draws `numel` values; advances the counter. */
export function nextPhilox(numel: number): { key: readonly [number, number]; counter: number } {
  const start = counter;
  counter += philoxBlocks(numel);
  return { key, counter: start };
}

/** The generator's state, to save and restore with {@link setRngState}. */
export function getRngState(): { key: [number, number]; counter: number } {
  return { key: [key[0], key[1]], counter };
}

/** Restores a state returned by {@link getRngState}. */
export function setRngState(state: { key: readonly [number, number]; counter: number }): void {
  key = [state.key[0] >>> 0, state.key[1] >>> 0];
  counter = state.counter;
}
