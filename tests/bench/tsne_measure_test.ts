/**
 * The t-SNE benchmark's own pieces: the grid 10-NN accuracy equals the brute-force
 * `knnAccuracy`, raw float64 files round-trip, GNU time's peak memory is read, and FIt-SNE's
 * input and output files have the layout `fast_tsne` 1.2.1 reads and writes.
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { NDArray } from "../../lib/ndarray.ts";
import { Random } from "../../lib/random.ts";
import { knnAccuracy } from "../../lib/tsne/quality.ts";
import {
  exists,
  gridKnnAccuracy,
  readF64,
  runMeasured,
  TIME_BINARY,
  writeF64,
} from "../../bench/tsne_measure.ts";
import { decodeFitsneResult, encodeFitsneInput, fitsneSettings } from "../../bench/tsne_fitsne.ts";

Deno.test("gridKnnAccuracy equals knnAccuracy (clusters, ties on an integer lattice, k = 1..10)", () => {
  const rng = new Random(5);
  for (const [n, lattice] of [[400, false], [300, true], [50, true]] as const) {
    const y = new Float64Array(2 * n);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 4;
      const cx = (i % 4) * 3, cy = (i % 2) * 5;
      y[2 * i] = lattice ? Math.round(rng.normal() * 3) : cx + rng.normal() * 2;
      y[2 * i + 1] = lattice ? Math.round(rng.normal() * 3) : cy + rng.normal() * 2;
    }
    const a = new NDArray(y, [n, 2]);
    for (const k of [1, 3, 10]) {
      assert.equal(gridKnnAccuracy(a, labels, k), knnAccuracy(a, labels, { k }), `${n} ${k}`);
    }
  }
  assert.throws(() => gridKnnAccuracy(new NDArray(new Float64Array(9), [3, 3]), [0, 1, 2], 1));
});

Deno.test("float64 files round-trip; GNU time reports a peak and timed output lines", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_bench_" });
  try {
    const a = new NDArray(Float64Array.from([1.5, -2, 1e-300, Math.PI, 0, 7]), [3, 2]);
    await writeF64(`${dir}/a.f64`, a);
    assert.deepEqual((await readF64(`${dir}/a.f64`, 3, 2)).data, a.data);
    await assert.rejects(() => readF64(`${dir}/a.f64`, 4, 2), /48 bytes, expected 4×2/);
    if (!(await exists(TIME_BINARY))) return;
    const r = await runMeasured(
      Deno.execPath(),
      ["eval", "console.log('one'); console.log('two')"],
      {
        scratch: dir,
        marks: [/^two$/, /^three$/],
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "one\ntwo\n");
    assert.ok(r.peakBytes !== null && r.peakBytes > 1e6, String(r.peakBytes));
    assert.ok(r.marks[0] !== null && r.marks[0] <= r.wallSeconds && r.marks[1] === null);
    // GNU time's report lands in `scratch` even when the command runs in another folder.
    await Deno.mkdir(`${dir}/sub`);
    const elsewhere = await runMeasured(Deno.execPath(), ["eval", "1"], {
      scratch: relative(Deno.cwd(), dir),
      cwd: `${dir}/sub`,
    });
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.ok(elsewhere.peakBytes !== null);
    const missing = await runMeasured(`${dir}/no_such_tool`, [], { scratch: dir });
    assert.equal(missing.code, 127);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, ["a.f64", "sub"], "reports removed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FIt-SNE input: header fields in fast_tsne 1.2.1's order, data, seed, init", () => {
  const x = new NDArray(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), [4, 3]);
  const init = new NDArray(Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]), [4, 2]);
  const s = fitsneSettings(6000, { seed: 9 });
  assert.equal(s.learningRate, 500);
  assert.equal(s.annoySearchK, 4500);
  const bytes = encodeFitsneInput(x, s, init);
  const v = new DataView(bytes.buffer);
  const header = 15 * 4 + 10 * 8; // then the data, then seed, df and load mode (16 bytes)
  assert.equal(bytes.byteLength, header + 8 * 12 + 16 + 8 * 8);
  assert.deepEqual([v.getInt32(0, true), v.getInt32(4, true)], [4, 3]);
  assert.deepEqual([v.getFloat64(8, true), v.getFloat64(16, true)], [0.5, 30]);
  // no_dims, max_iter, stop_lying_iter, mom_switch_iter
  assert.deepEqual([24, 28, 32, 36].map((o) => v.getInt32(o, true)), [2, 1000, 250, 250]);
  assert.equal(v.getFloat64(56, true), 500); // learning rate after the two momenta
  // K, σ, nbody_algo, knn_algo, early exaggeration
  assert.equal(v.getInt32(72, true), -1);
  assert.equal(v.getFloat64(76, true), -1);
  assert.deepEqual([v.getInt32(84, true), v.getInt32(88, true)], [2, 1]);
  assert.equal(v.getFloat64(92, true), 12);
  // The last header field (min_num_intervals) just before the data; then seed, df, load mode.
  assert.equal(v.getInt32(header - 4, true), 50);
  assert.equal(v.getFloat64(header, true), 1);
  assert.equal(v.getFloat64(header + 88, true), 12);
  assert.equal(v.getInt32(header + 96, true), 9);
  assert.equal(v.getFloat64(header + 100, true), 1);
  assert.equal(v.getInt32(header + 108, true), 0);
  assert.equal(v.getFloat64(header + 112, true), 0.1);
  assert.equal(encodeFitsneInput(x, s).byteLength, header + 8 * 12 + 16, "random init: no init");
  assert.throws(() => encodeFitsneInput(x, s, x), /init must be \[4, 2\]/);
});

Deno.test("FIt-SNE output: N, dims, the embedding, the iteration count and the costs", () => {
  const buf = new ArrayBuffer(8 + 8 * 6 + 4 + 8 * 2);
  const v = new DataView(buf);
  v.setInt32(0, 3, true);
  v.setInt32(4, 2, true);
  [1, 2, 3, 4, 5, 6].forEach((y, i) => v.setFloat64(8 + 8 * i, y, true));
  v.setInt32(56, 2, true);
  v.setFloat64(60, 0.5, true);
  v.setFloat64(68, 0.25, true);
  const r = decodeFitsneResult(new Uint8Array(buf));
  assert.deepEqual(r.embedding.shape, [3, 2]);
  assert.deepEqual([...r.embedding.data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(r.costs, [0.5, 0.25]);
  assert.throws(() => decodeFitsneResult(new Uint8Array(buf, 0, 20)), /20 bytes for N = 3/);
});
