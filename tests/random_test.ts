import assert from "node:assert/strict";
import { Random } from "../lib/random.ts";

Deno.test("Random: same seed gives the same stream, different seeds differ", () => {
  const a = new Random(123), b = new Random(123), c = new Random(124);
  const sa = Array.from({ length: 10 }, () => a.nextUint32());
  const sb = Array.from({ length: 10 }, () => b.nextUint32());
  const sc = Array.from({ length: 10 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

Deno.test("Random.uniform lies in [0, 1) with mean 1/2 and variance 1/12", () => {
  const r = new Random(5);
  const n = 50000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  const mean = s / n, variance = s2 / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.005, `variance ${variance}`);
});

Deno.test("Random.int is unbiased over a small range and rejects bad n", () => {
  const r = new Random(9);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[r.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `counts ${counts}`);
  assert.throws(() => r.int(0), /Random.int: n must be an integer/);
  assert.throws(() => new Random(NaN), /Random: seed must be a finite number/);
});

Deno.test("Random.permutation and sample return distinct indices", () => {
  const r = new Random(1);
  const p = Array.from(r.permutation(100)).sort((a, b) => a - b);
  assert.deepEqual(p, Array.from({ length: 100 }, (_, i) => i));
  const s = r.sample(50, 10);
  assert.equal(new Set(s).size, 10);
  assert.throws(() => r.sample(3, 4), /Random.sample: k \(4\) exceeds n \(3\)/);
});

Deno.test("Random.normal has mean 0, variance 1 and symmetric tails", () => {
  const r = new Random(77);
  const n = 40000;
  let s = 0, s2 = 0, beyond2 = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    if (Math.abs(z) > 2) beyond2++;
  }
  assert.ok(Math.abs(s / n) < 0.02);
  assert.ok(Math.abs(s2 / n - 1) < 0.03);
  // P(|Z| > 2) = 0.0455
  assert.ok(Math.abs(beyond2 / n - 0.0455) < 0.005, `tail ${beyond2 / n}`);
});
