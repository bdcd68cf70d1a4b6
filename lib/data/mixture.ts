/**
 * A seeded Gaussian mixture: data of any size for t-SNE runs and benchmarks past the 10,000
 * MNIST digits, with no download.
 *
 * Cluster c has centre μ_c ~ N(0, `centerStd`²·I_D), drawn first; point i belongs to cluster
 * `labels[i]` and is μ_{labels[i]} + ε with ε ~ N(0, `std`²·I_D). Cluster sizes differ by at most
 * one (point i is in cluster i mod C before a seeded shuffle of the rows). In D dimensions two
 * centres lie about `centerStd`·√(2D) apart and two points of one cluster about `std`·√(2D), so
 * the default `centerStd = std = 1` gives clusters that touch in a few directions but whose
 * nearest neighbours are almost all their own.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { DEFAULT_SEED, Random } from "../random.ts";

/** Options of {@linkcode gaussianMixture}. */
export interface MixtureOptions {
  /** Points (rows), ≥ 1. */
  n: number;
  /** Dimensions (columns), ≥ 1. Default 50. */
  dims?: number;
  /** Clusters C, 1 ≤ C ≤ N. Default 10. */
  clusters?: number;
  /** Standard deviation of the cluster centres per coordinate. Default 1. */
  centerStd?: number;
  /** Standard deviation of the points around their centre per coordinate. Default 1. */
  std?: number;
  /** Seed; equal seeds give equal data. Default 42. */
  seed?: number;
}

/** Points of a mixture and the cluster each came from. */
export interface Mixture {
  /** The points, [N, D]. */
  x: NDArray;
  /** The cluster of each point, in 0..C−1. */
  labels: Int32Array;
  /** The cluster centres, [C, D]. */
  centers: NDArray;
}

/**
 * Draws N points from a mixture of C isotropic Gaussians in D dimensions.
 * @throws RangeError for a size, dimension or cluster count that is not a positive integer,
 * more clusters than points, or a negative or non-finite standard deviation
 *
 * @example
 * ```ts
 * import { gaussianMixture } from "./mixture.ts";
 * const { x, labels } = gaussianMixture({ n: 1000, dims: 20, clusters: 4, seed: 7 });
 * if (x.shape.join() !== "1000,20" || Math.max(...labels) !== 3) throw new Error();
 * ```
 */
export function gaussianMixture(options: MixtureOptions): Mixture {
  const fn = "gaussianMixture";
  const { n, dims = 50, clusters = 10, centerStd = 1, std = 1, seed = DEFAULT_SEED } = options;
  for (const [name, v] of [["n", n], ["dims", dims], ["clusters", clusters]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: ${name} must be a positive integer, got ${v}`);
    }
  }
  if (clusters > n) {
    throw new RangeError(`${fn}: clusters (${clusters}) must not exceed n (${n})`);
  }
  for (const [name, v] of [["centerStd", centerStd], ["std", std]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`${fn}: ${name} must be a finite number ≥ 0, got ${v}`);
    }
  }
  const rng = new Random(seed);
  const centers = rng.fillNormal(new Float64Array(clusters * dims), 0, centerStd);
  const order = rng.permutation(n);
  const labels = new Int32Array(n);
  const x = rng.fillNormal(new Float64Array(n * dims), 0, std);
  for (let i = 0; i < n; i++) {
    const c = order[i] % clusters;
    labels[i] = c;
    const o = i * dims, oc = c * dims;
    for (let j = 0; j < dims; j++) x[o + j] += centers[oc + j];
  }
  return { x: new NDArray(x, [n, dims]), labels, centers: new NDArray(centers, [clusters, dims]) };
}
