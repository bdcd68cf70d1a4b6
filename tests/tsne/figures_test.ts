/**
 * Figures: one trace per label, the KL trace with the exaggeration marker, the perplexity sweep.
 */
import assert from "node:assert/strict";
import { randn } from "../../lib/ndarray.ts";
import { embeddingFigure, klFigure, perplexitySweep } from "../../lib/tsne/figures.ts";

Deno.test("embeddingFigure: a trace per label in label order, all points present", () => {
  const y = randn([12, 2], { seed: 1 });
  const labels = [2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1];
  const fig = embeddingFigure(y, labels, { title: "t" });
  assert.deepEqual(fig.data.map((d) => d.name), ["0", "1", "2"]);
  assert.equal(fig.data.reduce((s, d) => s + (d.x as number[]).length, 0), 12);
  assert.equal((fig.data[0].x as number[])[0], y.data[2]);
  assert.equal(fig.title, "t");
  assert.equal(embeddingFigure(y).data.length, 1);
  assert.throws(() => embeddingFigure(y, [1, 2]), /2 labels for 12 points/);
  assert.throws(() => embeddingFigure(randn([4, 3])), /\[N, 2\]/);
});

Deno.test("klFigure plots the trace and marks the end of exaggeration", () => {
  const fig = klFigure([{ iteration: 0, kl: 3 }, { iteration: 50, kl: 2 }, {
    iteration: 300,
    kl: 1,
  }]);
  assert.deepEqual(fig.data[0].x, [0, 50, 300]);
  assert.deepEqual(fig.data[0].y, [3, 2, 1]);
  assert.equal((fig.layout.shapes as { x0: number }[])[0].x0, 250);
});

Deno.test("perplexitySweep: one panel per usable perplexity, shared legend", async () => {
  const x = randn([40, 3], { seed: 2 });
  const labels = Array.from({ length: 40 }, (_, i) => i % 2);
  const { figure, results } = await perplexitySweep(x, labels, {
    perplexities: [3, 10, 100],
    iterations: 50,
  });
  assert.deepEqual(results.map((r) => r.perplexity), [3, 10], "100 ≥ N − 1 is skipped");
  assert.equal(figure.data.length, 4);
  assert.deepEqual(figure.data.map((d) => d.showlegend), [true, true, false, false]);
  assert.ok(figure.layout.xaxis2);
});
