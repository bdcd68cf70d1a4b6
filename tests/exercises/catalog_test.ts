/**
 * The catalog as a whole: every claim gets the status this table expects (written down by hand
 * from reading the sheets, independently of the status each exercise records), the JSON
 * contract of `deno task ex all --json` holds, every sheet is covered, and lookups suggest the
 * closest ids.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  changedClaims,
  claimsOf,
  EXERCISES,
  findExercise,
  runExercises,
  SHEETS,
  suggestIds,
  summarizeBySheet,
} from "../../lib/exercises/catalog.ts";
import { contractProblems } from "../helpers/claim_contract.ts";
import { editDistance } from "../../lib/suggest.ts";

/** The expected verdict of every claim, `exercise/claim` → status. */
const EXPECTED: ReadonlyMap<string, string> = new Map([
  ["activations/sign-indicators", "verified"],
  ["activations/relu-derivative", "verified"],
  ["activations/relu-integral", "verified"],
  ["activations/relu-heaviside-forms", "verified"],
  ["activations/sigmoid-limit", "verified"],
  ["activations/sigmoid-derivative", "verified"],
  ["activations/sigmoid-jacobian-step-sign", "erratum"],
  ["activations/sigmoid-jacobian", "verified"],
  ["activations/log-sigmoid-softplus", "verified"],
  ["activations/softplus-difference", "verified"],
  ["activations/softplus-derivative", "verified"],
  ["activations/sigmoid-derivative-003", "verified"],
  ["softmax/translation-invariance-001", "verified"],
  ["softmax/translation-invariance-003", "verified"],
  ["softmax/scaling-sharpens", "verified"],
  ["softmax/jacobian-entries", "verified"],
  ["softmax/jacobian-matrix", "verified"],
  ["softmax/jacobian-004", "verified"],
  ["softmax/log-softmax-gradient", "verified"],
  ["softmax/cross-entropy-gradient-u", "verified"],
  ["softmax/probability-vector", "verified"],
  ["softmax/two-class-sigmoid", "erratum"],
  ["softmax/nll-logsumexp", "verified"],
  ["softmax/ce-gradient-001", "verified"],
  ["softmax/ce-gradient-003", "verified"],
  ["softmax/ce-gradient-004-q3", "verified"],
  ["softmax/ce-gradient-004-q7", "verified"],
  ["softmax/ce-hessian", "verified"],
  ["softmax/ce-hessian-psd", "verified"],
  ["softmax/ce-convex", "verified"],
  ["mlp/linear-collapse", "verified"],
  ["mlp/dl-dW", "erratum"],
  ["mlp/dyhat-dW", "erratum"],
  ["mlp/saturated-loss", "verified"],
  ["mlp/shape-b1", "verified"],
  ["mlp/shapes-layer-2", "verified"],
  ["mlp/parameter-count-001", "verified"],
  ["mlp/second-layer-gradients-m", "verified"],
  ["mlp/second-layer-gradients-n", "verified"],
  ["mlp/hidden-gradient-o", "verified"],
  ["mlp/hidden-gradient-p", "verified"],
  ["mlp/preactivation-gradient-q", "erratum"],
  ["mlp/preactivation-gradient-r", "erratum"],
  ["mlp/loss-rewritten", "erratum"],
  ["mlp/dJ-dx", "erratum"],
  ["mlp/vec-kronecker", "verified"],
  ["mlp/parameter-count-003", "verified"],
  ["mlp/dJ-dW2-step", "erratum"],
  ["mlp/all-gradients-003", "verified"],
  ["mlp/trace-hadamard", "verified"],
  ["mlp/dL-dW1-leaky", "verified"],
  ["mse_vs_ce/q2e-mse-gradient", "erratum"],
  ["mse_vs_ce/q2f-ce-gradient", "erratum"],
  ["mse_vs_ce/q2g-ratio", "erratum"],
  ["mse_vs_ce/q2g-saturation", "verified"],
  ["batch_backprop/ex1-dL-dY", "verified"],
  ["batch_backprop/ex1-dL-dZ2", "verified"],
  ["batch_backprop/ex1-weight-gradients", "verified"],
  ["batch_backprop/ex2-S1", "verified"],
  ["batch_backprop/ex2-Z1", "verified"],
  ["batch_backprop/ex2-Yout", "verified"],
  ["batch_backprop/ex2-loss-normalization", "erratum"],
  ["batch_backprop/ex2-loss", "verified"],
  ["batch_backprop/ex2-delta-out", "verified"],
  ["batch_backprop/ex2-delta-1", "verified"],
  ["batch_backprop/ex2-dW2", "verified"],
  ["batch_backprop/ex2-dW1", "verified"],
  ["batch_backprop/ex2-gradients-check", "verified"],
  ["batch_backprop/ex2-W1-update", "verified"],
  ["batch_backprop/ex2-W2-update", "verified"],
  ["batch_backprop/ex2-learning-rate", "verified"],
  ["batch_backprop/ex2-new-loss", "verified"],
  ["batch_backprop/ex3-term-derivative", "verified"],
  ["batch_backprop/ex3-hinge-gradient", "verified"],
  ["backprop_cost/ex4-cost-growth", "verified"],
  ["conv/5a-output-size", "verified"],
  ["conv/5b-output", "unverifiable"],
  ["conv/5c-kernel", "verified"],
  ["conv/q3a-formula", "verified"],
  ["conv/q3a-sizes", "unverifiable"],
  ["conv/q3b-arithmetic", "verified"],
  ["conv/q3b-layer", "unverifiable"],
  ["conv/q3c-valid", "verified"],
  ["conv/q3c-full", "verified"],
  ["conv/q3c-same", "verified"],
  ["conv/q3d-smoothing", "verified"],
  ["normalization/q2c-jacobian", "verified"],
  ["normalization/q2a-normalizes", "verified"],
  ["normalization/q2d-n-one", "verified"],
  ["normalization/q2d-n-infinity", "erratum"],
  ["normalization/q2b-batch-noise", "verified"],
  ["normalization/q2a-helps-training", "verified"],
  ["dropout/q5-expected-gradient", "verified"],
  ["dropout/q5-regularizer", "verified"],
  ["optimization/q1-gradient", "verified"],
  ["optimization/q1-stationarity", "erratum"],
  ["optimization/q1-unique-minimum", "erratum"],
  ["optimization/q4-hessian-jacobian", "verified"],
  ["optimization/q6-one-step", "erratum"],
  ["optimization/q6-quadratic", "verified"],
  ["optimization/q6-optimum", "erratum"],
  ["optimization/q2k-weight-decay", "verified"],
  ["optimization/q2j-gradient-descent", "verified"],
  ["optimization/s6-linear-rate", "extension"],
  ["proximal/s9-soft-threshold", "verified"],
  ["proximal/s9-zero-region", "verified"],
  ["extensions/s3-chain-rule", "extension"],
  ["extensions/s4-pooling-gradients", "extension"],
  ["extensions/s4-max-pool-tie", "extension"],
  ["extensions/s7-top-k", "extension"],
  ["extensions/s8-tsne-gradient", "extension"],
  ["extensions/s8-tsne-embedding", "extension"],
]);

const results = await runExercises();
const claims = claimsOf(results);

Deno.test("every claim has the status expected from reading the sheets", () => {
  const seen = new Set<string>();
  for (const c of claims) {
    const key = `${c.exercise}/${c.claim}`;
    seen.add(key);
    assert.equal(c.status, EXPECTED.get(key), `${key}: ${c.note}`);
  }
  assert.deepEqual([...EXPECTED.keys()].filter((k) => !seen.has(k)), [], "claims that vanished");
});

Deno.test("no claim's status differs from the status the catalog records", () => {
  assert.deepEqual(changedClaims(results).map((c) => c.claim.claim), []);
  assert.ok(claims.every((c) => !c.note.startsWith("CHECK FAILED")));
});

Deno.test("every claim obeys the JSON contract and survives a JSON round trip", () => {
  const parsed = JSON.parse(JSON.stringify(claims)) as Record<string, unknown>[];
  for (const c of parsed) assert.deepEqual(contractProblems(c), [], `${c.exercise}/${c.claim}`);
  const ids = claims.map((c) => `${c.exercise}/${c.claim}`);
  assert.equal(new Set(ids).size, ids.length, "claim ids are unique");
});

Deno.test("every sheet has claims, errata where the sheets are wrong, extensions for sheet 000", () => {
  const summary = summarizeBySheet(claims);
  assert.deepEqual(summary.map((s) => s.sheet), [...SHEETS]);
  for (const { sheet, counts } of summary) {
    assert.ok(counts.verified > 0, `sheet ${sheet} has verified claims`);
    assert.ok(counts.erratum > 0, `sheet ${sheet} has errata`);
  }
  assert.ok(summary[0].counts.extension >= 5, "000's named-only topics");
  assert.ok(
    claims.some((c) => c.sheet === "000" && c.question === "5b" && c.status === "unverifiable"),
  );
  assert.ok(
    claims.some((c) => c.sheet === "001" && c.question === "Q3.a" && c.status === "unverifiable"),
  );
});

Deno.test("every exercise lists the questions it covers and they match its claims", () => {
  for (const r of results) {
    const ex = findExercise(r.id)!;
    const covered = new Set(r.claims.map((c) => `${c.claim.sheet} ${c.claim.question}`));
    for (const q of covered) {
      const [sheet, question] = q.split(" ");
      const parts = question.split("–");
      const ok = ex.covers.includes(q) ||
        ex.covers.some((c) => c.startsWith(`${sheet} ${parts[0]}`));
      assert.ok(ok, `${r.id} covers ${q}`);
    }
  }
});

Deno.test("the catalog is deterministic: two runs give identical claims", async () => {
  assert.deepEqual(claimsOf(await runExercises()), claims);
});

Deno.test("lookup and suggestions", () => {
  assert.equal(findExercise("nope"), undefined);
  assert.deepEqual(suggestIds("softmx")[0], "softmax");
  assert.deepEqual(suggestIds("batch")[0], "batch_backprop");
  assert.ok(suggestIds("zzzzzzzz").length <= 3);
});

Deno.test("property: an exact id is always its own first suggestion", () => {
  const ids = EXERCISES.map((e) => e.id);
  fc.assert(fc.property(fc.constantFrom(...ids), (id) => suggestIds(id)[0] === id));
});

Deno.test("property: edit distance is a metric on short strings", () => {
  const s = fc.string({ maxLength: 8 });
  fc.assert(fc.property(s, s, s, (a, b, c) => {
    assert.equal(editDistance(a, a), 0);
    assert.equal(editDistance(a, b), editDistance(b, a));
    assert.ok(editDistance(a, c) <= editDistance(a, b) + editDistance(b, c));
  }));
});

Deno.test("changedClaims reports a claim whose verdict moved away from the recorded one", () => {
  const moved = results[0].claims[0];
  const fake = {
    ...results[0],
    claims: [{ claim: { ...moved.claim, status: "erratum" as const }, recorded: moved.recorded }],
  };
  assert.equal(changedClaims([fake]).length, 1);
  assert.equal(changedClaims([results[0]]).length, 0);
});
