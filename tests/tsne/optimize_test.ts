/**
 * The optimizer: KL decreases, seeds reproduce, the phases and options behave as documented.
 */
import assert from "node:assert/strict";
import { randn } from "../../lib/ndarray.ts";
import { exactAffinities } from "../../lib/tsne/affinity.ts";
import { exactKlGradient } from "../../lib/tsne/kl.ts";
import {
  defaultLearningRate,
  EARLY_EXAGGERATION_ITERS,
  KL_EVERY,
  optimizeEmbedding,
  type OptimizeProgress,
} from "../../lib/tsne/optimize.ts";

const p = exactAffinities(randn([40, 6], { seed: 1 }), { perplexity: 6 }).p;
const engine = (y: Float64Array, a: number, dy: Float64Array) =>
  exactKlGradient(y, p, dy, { exaggeration: a });

Deno.test("KL after exaggeration decreases and the trace has one point per 50 updates", async () => {
  const seen: OptimizeProgress[] = [];
  const r = await optimizeEmbedding(p, randn([40, 2], { seed: 2, std: 1e-4 }), {
    iterations: 600,
    engine,
    onProgress: (pr) => seen.push(pr),
  });
  assert.equal(r.trace.length, 600 / KL_EVERY);
  assert.deepEqual(r.trace.map((t) => t.iteration), Array.from({ length: 12 }, (_, k) => 50 * k));
  const after = r.trace.filter((t) => t.iteration >= EARLY_EXAGGERATION_ITERS + KL_EVERY);
  for (let k = 1; k < after.length; k++) assert.ok(after[k].kl <= after[k - 1].kl + 1e-3);
  assert.ok(after[after.length - 1].kl < r.trace[0].kl);
  assert.equal(seen.length, 600);
  assert.equal(seen[249].phase, "exaggeration");
  assert.equal(seen[250].phase, "final");
  assert.equal(seen.filter((s) => s.kl !== undefined).length, 12);
  // Re-centred every update.
  const y = r.embedding.data;
  let mx = 0, my = 0;
  for (let i = 0; i < 40; i++) {
    mx += y[2 * i];
    my += y[2 * i + 1];
  }
  assert.ok(Math.abs(mx) < 1e-9 && Math.abs(my) < 1e-9);
});

Deno.test("same input, same result bit for bit; y0 is not modified", async () => {
  const y0 = randn([40, 2], { seed: 3, std: 1e-4 });
  const copy = y0.data.slice();
  const a = await optimizeEmbedding(p, y0, { iterations: 300, engine });
  const b = await optimizeEmbedding(p, y0, { iterations: 300, engine });
  assert.deepEqual(a.embedding.data, b.embedding.data);
  assert.deepEqual(y0.data, copy);
});

Deno.test("zero iterations return y0; learning rate defaults to max(N/12, 200)", async () => {
  const y0 = randn([40, 2], { seed: 4 });
  const r = await optimizeEmbedding(p, y0, { iterations: 0, engine });
  assert.deepEqual(r.embedding.data, y0.data);
  assert.equal(r.learningRate, 200);
  assert.equal(defaultLearningRate(12000), 1000);
  assert.equal(defaultLearningRate(100), 200);
});

Deno.test("a non-finite gradient stops with an error naming the iteration", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      optimizeEmbedding(p, randn([40, 2], { seed: 5 }), {
        iterations: 10,
        engine: (_y, _a, dy) => {
          dy.fill(++calls === 4 ? NaN : 0.1);
          return 1;
        },
      }),
    /iteration 3/,
  );
});

Deno.test("invalid options are RangeErrors naming the option", async () => {
  const y0 = randn([40, 2]);
  await assert.rejects(
    () => optimizeEmbedding(p, y0, { engine, learningRate: -1 }),
    /learningRate/,
  );
  await assert.rejects(() => optimizeEmbedding(p, y0, { engine, iterations: 1.5 }), /iterations/);
  await assert.rejects(
    () => optimizeEmbedding(p, randn([39, 2]), { engine }),
    /y0 must be \[40, d\]/,
  );
});
