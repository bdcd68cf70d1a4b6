/** The t-SNE memory estimate: its parts, how it grows, the methods, sizes as text. */
import assert from "node:assert/strict";
import {
  ARRAY_SLACK,
  estimateTsneMemory,
  formatBytes,
  parseBytes,
  RUNTIME_BYTES,
  WORKER_RUNTIME_BYTES,
} from "../../lib/tsne/memory.ts";

Deno.test("estimateTsneMemory: exact is the N² case, bh/fft grow linearly in N", () => {
  const exact = estimateTsneMemory(5000, 50, { method: "exact" });
  assert.equal(exact.method, "exact");
  // 40 bytes per pair while P is built, times the slack (measured: 393 MiB at N = 3000).
  const pairs = 40 * 5000 * 4999;
  assert.ok(exact.bytes > ARRAY_SLACK * pairs && exact.bytes < ARRAY_SLACK * pairs + 100e6);
  assert.deepEqual(exact.parts.map((p) => p.name), ["runtime", "input", "affinities"]);
  const [runtime, input, phase] = exact.parts.map((p) => p.bytes);
  assert.equal(exact.bytes, runtime + Math.round(ARRAY_SLACK * (input + phase)));
  const bh1 = estimateTsneMemory(50000, 50, { method: "bh", workers: 2 });
  const bh2 = estimateTsneMemory(100000, 50, { method: "bh", workers: 2 });
  const fixed = RUNTIME_BYTES + WORKER_RUNTIME_BYTES;
  assert.ok(Math.abs((bh2.bytes - fixed) / (bh1.bytes - fixed) - 2) < 1e-6, "linear in N");
  assert.ok(bh2.bytes < 2e9, String(bh2.bytes));
  const fft = estimateTsneMemory(100000, 50, { method: "fft" });
  assert.equal(fft.method, "fft");
  // At N = 100,000: 158 intervals of 4 nodes, M = 632, L = 1280; 3·L² doubles of grid.
  const grid = 3 * 1280 * 1280 * 8;
  const bhOnly = estimateTsneMemory(100000, 50, { method: "bh", workers: 1 });
  const [, , fftPhase] = fft.parts, [, , bhPhase] = bhOnly.parts;
  const embedding = fftPhase.bytes - grid * 1.1;
  assert.ok(embedding > 0 && embedding < bhPhase.bytes, `grid ${grid}, phase ${fftPhase.bytes}`);
  // More neighbours, more memory; auto resolves like tsne().
  assert.ok(
    estimateTsneMemory(20000, 50, { perplexity: 50 }).bytes >
      estimateTsneMemory(20000, 50, { perplexity: 30 }).bytes,
  );
  assert.equal(estimateTsneMemory(100, 5).method, "exact");
});

Deno.test("estimateTsneMemory: unusable arguments name themselves", () => {
  assert.throws(() => estimateTsneMemory(0, 5), /estimateTsneMemory: n must be a positive integer/);
  assert.throws(() => estimateTsneMemory(10, 2.5), /d must be a positive integer, got 2.5/);
  assert.throws(() => estimateTsneMemory(10, 2, { workers: 0 }), /workers must be/);
  assert.throws(() => estimateTsneMemory(10, 2, { perplexity: -1 }), /perplexity must be positive/);
});

Deno.test("formatBytes and parseBytes use powers of 1024", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(5 * 2 ** 20), "5.0 MiB");
  assert.equal(formatBytes(22.4 * 2 ** 30), "22.4 GiB");
  assert.equal(parseBytes("512M"), 512 * 2 ** 20);
  assert.equal(parseBytes("1.5GiB"), 1.5 * 2 ** 30);
  assert.equal(parseBytes(" 2g "), 2 * 2 ** 30);
  assert.equal(parseBytes("100kB"), 100 * 1024);
  assert.equal(parseBytes("1000"), 1000);
  for (const bad of ["", "M", "-1G", "1X", "1.2.3G", "lots"]) {
    assert.ok(Number.isNaN(parseBytes(bad)), bad);
  }
});
