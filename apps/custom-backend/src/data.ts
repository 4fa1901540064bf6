/** The synthetic task the example trains on: three interleaved spirals in the plane. */
import * as ts from "tessera";

/**
 * A labelled 2-D point set: `points` holds `[x, y]` pairs row by row, `labels` the class of
 * each point.
 *
 * @example
 * const { points, labels, count } = makeSpirals({ perClass: 100, seed: 0 });
 * points.length === 2 * count; // true
 */
export interface PointSet {
  readonly points: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly classes: number;
}

/**
 * Options of {@link makeSpirals}.
 *
 * @example
 * const options: SpiralOptions = { perClass: 100, classes: 3, noise: 0.2, seed: 0 };
 */
export interface SpiralOptions {
  /** Points per class. Default 100. */
  readonly perClass?: number;
  /** Number of spiral arms (classes). Default 3. */
  readonly classes?: number;
  /** Standard deviation of the angular jitter, in radians. Default 0.2. */
  readonly noise?: number;
  /** Seed of the jitter. Default 0. */
  readonly seed?: number;
}

/**
 * The classic spiral toy problem (as in CS231n): arm `c` runs from the centre outwards with
 * its angle sweeping 4 radians, jittered by Gaussian noise. No straight line separates the
 * arms, so a linear model is stuck near chance and an MLP has something to learn. The jitter
 * comes from Tessera's seeded generator on the CPU, so a seed gives the same points everywhere.
 *
 * @example
 * const data = makeSpirals({ seed: 0 }); // 300 points, 3 classes
 */
export function makeSpirals(options: SpiralOptions = {}): PointSet {
  const perClass = options.perClass ?? 100;
  const classes = options.classes ?? 3;
  const noise = options.noise ?? 0.2;
  const count = perClass * classes;
  ts.manualSeed(options.seed ?? 0);
  const jitter = ts.tidy(() => ts.randn([count], { device: "cpu" }).dataSync());
  const points = new Float32Array(2 * count);
  const labels = new Int32Array(count);
  for (let c = 0; c < classes; c++) {
    for (let j = 0; j < perClass; j++) {
      const i = c * perClass + j;
      const radius = j / (perClass - 1);
      const angle = c * 4 + radius * 4 + noise * jitter[i]!;
      points[2 * i] = radius * Math.sin(angle);
      points[2 * i + 1] = radius * Math.cos(angle);
      labels[i] = c;
    }
  }
  return { points, labels, count, classes };
}
