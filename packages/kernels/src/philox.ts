/**
 * Philox 4x32-10, the counter-based random number generator of Salmon, Moraes, Dror and Shaw,
 * "Parallel Random Numbers: As Easy as 1, 2, 3" (SC 2011), as in their Random123 library.
 * Every backend implements the same function and the same stream, so `manualSeed(s)` gives
 * the same numbers on every device.
 *
 * ## The stream (exact; every backend must reproduce it bit for bit)
 *
 * A random op with attributes `{ key, counter }` (see `PhiloxAttrs`) that produces `numel`
 * elements consumes {@link philoxBlocks}`(numel)` = ⌈numel / 4⌉ consecutive 64-bit counters
 * `counter, counter + 1, …`. Element `i` of the output (row-major order of the output's shape)
 * uses word `i % 4` of the block
 *
 * ```
 * c = counter + floor(i / 4)
 * [w0, w1, w2, w3] = philox4x32([c mod 2³², floor(c / 2³²), 0, 0], key)
 * ```
 *
 * - **uniform** (`randomUniform`): `u = (w >>> 8) · 2⁻²⁴` in [0, 1) (24 random bits, exact in
 *   float32); the value is `low + (high − low) · u`, computed in float64, then stored.
 * - **normal** (`randomNormal`, Box–Muller in float64, then stored): within a block, words
 *   (w0, w1) and (w2, w3) form pairs. For the pair (w_even, w_odd):
 *   `u1 = ((w_even >>> 8) + 1) · 2⁻²⁴` in (0, 1], `u2 = (w_odd >>> 8) · 2⁻²⁴` in [0, 1),
 *   `r = sqrt(−2 ln u1)`; the element on the even lane gets `z = r · cos(2π u2)`, the one on
 *   the odd lane `z = r · sin(2π u2)`; the value is `mean + std · z`.
 *
 * The caller (the Tensor layer's generator) advances its counter by `philoxBlocks(numel)` after
 * each op, so consecutive ops never reuse a block.
 *
 * @packageDocumentation
 */

/** First Philox 4x32 round multiplier. */
const PHILOX_M0 = 0xd2511f53;
/** Second Philox 4x32 round multiplier. */
const PHILOX_M1 = 0xcd9e8d57;
/** Weyl constant added to key word 0 between rounds (golden ratio). */
const PHILOX_W0 = 0x9e3779b9;
/** Weyl constant added to key word 1 between rounds (√3 − 1). */
const PHILOX_W1 = 0xbb67ae85;
/** Rounds of Philox 4x32-10. */
const PHILOX_ROUNDS = 10;

/**
 * High 32 bits of the 64-bit product of two unsigned 32-bit integers, without BigInt: the
 * operands are split into 16-bit halves so every partial product is exact in float64.
 */
function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  // product = hh·2³² + (lh + hl)·2¹⁶ + ll; carry the middle column into the high word.
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox 4x32-10 block: a bijection of the 128-bit `counter` keyed by the 64-bit `key`.
 * All words are unsigned 32-bit integers (`0 … 2³² − 1`); the result words are too.
 *
 * Ten rounds of `(c0, c1, c2, c3) → (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1,
 * lo(M0·c0))`, with the key bumped by the Weyl constants between rounds.
 *
 * @example
 * philox4x32([0, 0, 0, 0], [0, 0]); // [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < PHILOX_ROUNDS; round++) {
    if (round > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  return [c0, c1, c2, c3];
}

/**
 * The number of Philox blocks (64-bit counters) a random op producing `numel` elements
 * consumes: ⌈numel / 4⌉, four 32-bit words per block. A generator advances its counter by
 * this much after each op.
 *
 * @example
 * philoxBlocks(10); // 3
 */
export function philoxBlocks(numel: number): number {
  return Math.ceil(numel / 4);
}

/**
 * The four words of the Philox block at 64-bit counter `c` (a non-negative safe integer)
 * under `key`, laid out as the stream defines: `[c mod 2³², floor(c / 2³²), 0, 0]`.
 *
 * @example
 * philoxBlockAt([1, 2], 0); // philox4x32([0, 0, 0, 0], [1, 2])
 */
export function philoxBlockAt(key: readonly [number, number], c: number): [number, number, number, number] {
  const lo = c % 0x1_0000_0000;
  const hi = Math.floor(c / 0x1_0000_0000);
  return philox4x32([lo, hi, 0, 0], key);
}
