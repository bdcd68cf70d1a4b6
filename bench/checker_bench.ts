/**
 * The checker's own cost (issue: fast mode on 100,000 parameters in milliseconds; full mode costs
 * 2 evaluations per entry and nothing that grows with entries squared). Run: `deno task bench`.
 */
import { checkGradient, checkJacobian, type NDArray, randn } from "../mod.ts";

const halfSq = (x: NDArray) => 0.5 * x.dot(x);
const identity = (x: NDArray) => x;
const big = randn([100_000], { seed: 1 });

Deno.bench("fast mode, 100,000 parameters (½‖x‖², 2 projections)", { group: "fast" }, () => {
  checkGradient(halfSq, identity, big, { mode: "fast" });
});

for (const n of [10_000, 20_000, 40_000]) {
  const x = randn([n], { seed: 2 });
  // A function that reads two entries costs O(1) per evaluation, so the time is the checker's
  // own per-entry work: doubling n doubles it if that work is O(1) per entry (no n² term).
  const f = (v: NDArray) => Math.sin(v.data[0]) + 0.5 * v.data[n - 1] ** 2;
  const grad = (v: NDArray) => {
    const g = v.mul(0);
    g.data[0] = Math.cos(v.data[0]);
    g.data[n - 1] = v.data[n - 1];
    return g;
  };
  Deno.bench(`full mode, ${n} entries, O(1) function`, {
    group: "full-scaling",
    baseline: n === 10_000,
  }, () => {
    checkGradient(f, grad, x);
  });
}

const sampled = randn([100_000], { seed: 3 });
Deno.bench("sparse mode, 64 of 100,000 entries", { group: "sparse" }, () => {
  checkGradient(halfSq, identity, sampled, { mode: "sparse" });
});

// A Jacobian goes through the same core: 2 evaluations per input entry, every output at once.
const A = randn([100, 100], { seed: 4 });
const z = randn([100], { seed: 5 });
Deno.bench("full mode, Jacobian 100 × 100 of a linear map", { group: "jacobian" }, () => {
  checkJacobian((v) => A.matmul(v), () => A, z);
});
