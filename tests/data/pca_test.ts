/**
 * PCA: Jacobi eigen-decomposition, the subspace iteration against the direct method, and the
 * defining properties (orthonormal axes, score variances = eigenvalues).
 */
import assert from "node:assert/strict";
import { array, NDArray, randn } from "../../lib/ndarray.ts";
import { Random } from "../../lib/random.ts";
import { pca, symmetricEigen } from "../../lib/data/pca.ts";

Deno.test("symmetricEigen: A V = V Λ, V orthonormal, values descending", () => {
  const m = 12;
  const b = randn([m, m], { seed: 1 }).data;
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) a[i * m + j] = b[i * m + j] + b[j * m + i];
  }
  const { values, vectors } = symmetricEigen(a.slice(), m);
  for (let k = 1; k < m; k++) assert.ok(values[k] <= values[k - 1]);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < m; i++) {
      let av = 0;
      for (let j = 0; j < m; j++) av += a[i * m + j] * vectors[j * m + c];
      assert.ok(Math.abs(av - values[c] * vectors[i * m + c]) < 1e-10);
    }
    for (let d = 0; d < m; d++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += vectors[i * m + c] * vectors[i * m + d];
      assert.ok(Math.abs(dot - (c === d ? 1 : 0)) < 1e-12);
    }
  }
});

/** Data with a known spectrum: N rows in D dims, variances decaying along random axes. */
function spectrumData(n: number, d: number, seed: number): NDArray {
  const rng = new Random(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) x[i * d + t] = rng.normal() * Math.pow(0.9, t) + (t === 0 ? 5 : 0);
  }
  return new NDArray(x, [n, d]);
}

Deno.test("subspace iteration (D > 120) agrees with the direct Jacobi method", () => {
  const x = spectrumData(300, 140, 2);
  const iterative = pca(x, { components: 10 });
  assert.ok(iterative.iterations > 0);
  // Reference: Jacobi on the full covariance, computed here from the definition.
  const d = 140;
  const c = new Float64Array(d * d);
  for (let i = 0; i < 300; i++) {
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) {
        c[p * d + q] += (x.data[i * d + p] - iterative.mean[p]) *
          (x.data[i * d + q] - iterative.mean[q]) / 299;
      }
    }
  }
  const e = symmetricEigen(c, d);
  for (let k = 0; k < 10; k++) {
    assert.ok(Math.abs(iterative.explainedVariance[k] - e.values[k]) < 1e-8 * e.values[0], `λ${k}`);
    let dot = 0;
    for (let t = 0; t < d; t++) dot += iterative.components.data[k * d + t] * e.vectors[t * d + k];
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-6, `axis ${k}: |cos| = ${Math.abs(dot)}`);
  }
});

Deno.test("scores are centred with variances equal to the eigenvalues; axes orthonormal", () => {
  const x = spectrumData(200, 8, 3);
  const r = pca(x, { components: 3 });
  const s = r.scores.data;
  for (let j = 0; j < 3; j++) {
    let m = 0, v = 0;
    for (let i = 0; i < 200; i++) m += s[i * 3 + j] / 200;
    for (let i = 0; i < 200; i++) v += (s[i * 3 + j] - m) ** 2 / 199;
    assert.ok(Math.abs(m) < 1e-10);
    assert.ok(Math.abs(v - r.explainedVariance[j]) < 1e-10);
  }
  const comps = r.components.data;
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let dot = 0;
      for (let t = 0; t < 8; t++) dot += comps[a * 8 + t] * comps[b * 8 + t];
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-12);
    }
  }
});

Deno.test("sparse rows (mostly zeros) take the same result as dense arithmetic", () => {
  const rng = new Random(4);
  const x = new Float64Array(100 * 10);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform() < 0.7 ? 0 : rng.normal();
  const sparse = pca(new NDArray(x, [100, 10]), { components: 4 });
  // Shifting every entry by 1 makes the data dense; PCA is shift-invariant.
  const dense = pca(new NDArray(x.map((v) => v + 1), [100, 10]), { components: 4 });
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(sparse.explainedVariance[k] - dense.explainedVariance[k]) < 1e-10);
  }
  for (let i = 0; i < sparse.scores.size; i++) {
    assert.ok(Math.abs(sparse.scores.data[i] - dense.scores.data[i]) < 1e-9);
  }
});

Deno.test("pca: sign convention, rank-deficient data, bad arguments", () => {
  const r = pca(array([[1, 1], [2, 2], [3, 3], [4, 4]]), { components: 2 });
  assert.ok(r.explainedVariance[1] < 1e-12);
  assert.ok(r.components.data[0] > 0);
  assert.throws(() => pca(array([[1, 2]])), /at least 2 rows/);
  assert.throws(
    () => pca(randn([5, 3]), { components: 4 }),
    /components must be an integer in \[1, 3\]/,
  );
  const bad = randn([5, 3]);
  bad.data[4] = NaN;
  assert.throws(() => pca(bad), /row 1 column 1 is NaN/);
});
