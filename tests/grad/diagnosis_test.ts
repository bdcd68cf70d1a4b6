import assert from "node:assert/strict";
import fc from "fast-check";
import {
  close,
  type Comparison,
  diagnose,
  DIAGNOSIS_KINDS,
  DIAGNOSIS_RULES,
  EntryStatus,
} from "../../lib/grad/diagnosis.ts";

const ATOL = 1e-5, RTOL = 1e-3;

/** A comparison of `analytic` with `numeric` as the checker builds it (status from the tolerances). */
function comparison(
  analytic: number[],
  numeric: number[],
  extra: Partial<Comparison> = {},
): Comparison {
  const status = new Uint8Array(analytic.length);
  for (let i = 0; i < analytic.length; i++) {
    if (close(analytic[i], numeric[i], ATOL, RTOL)) status[i] = EntryStatus.Ok;
  }
  return {
    name: "x",
    shape: [analytic.length],
    indices: analytic.map((_, i) => [i]),
    analytic: Float64Array.from(analytic),
    numeric: Float64Array.from(numeric),
    status,
    atol: ATOL,
    rtol: RTOL,
    ...extra,
  };
}

Deno.test("diagnose: the rules are tried in a fixed order, every kind but mismatch has one", () => {
  assert.deepEqual(DIAGNOSIS_RULES.map((r) => r.kind), [
    "non-finite",
    "non-finite",
    "kink",
    "match",
    "zero",
    "sign-flipped",
    "scaled",
    "transposed",
    "partial",
  ]);
  const covered = new Set([...DIAGNOSIS_RULES.map((r) => r.kind), "mismatch"]);
  assert.deepEqual(DIAGNOSIS_KINDS.filter((k) => !covered.has(k)), []);
});

Deno.test("diagnose: the first rule that explains a comparison wins", () => {
  // A non-finite value at the point outranks entries that agree.
  const value = comparison([1, 2], [1, 2], { valueNonFinite: true });
  assert.equal(diagnose(value).kind, "non-finite");
  assert.match(diagnose(value).message, /function itself is not finite/);
  // A NaN entry outranks every pattern of the others.
  const nan = diagnose(comparison([-1, -2, 3], [1, 2, NaN]));
  assert.equal(nan.kind, "non-finite");
  assert.match(nan.message, /x\[2\] moves by ±eps/);
  // −1 is a factor too, but the sign rule comes first and says it better.
  assert.equal(diagnose(comparison([-1, -2], [1, 2])).kind, "sign-flipped");
  // All zero is a partial match where the numeric gradient is 0, but zero comes first.
  assert.equal(diagnose(comparison([0, 0, 0], [0, 0, 5])).kind, "zero");
  // A transposed square gradient matches on its diagonal: transposed comes before partial.
  const square = comparison([1, 2, 3, 4], [1, 3, 2, 4], {
    shape: [2, 2],
    indices: [[0, 0], [0, 1], [1, 0], [1, 1]],
    analyticTransposed: Float64Array.of(1, 3, 2, 4),
  });
  assert.equal(diagnose(square).kind, "transposed");
  // Excused kinks and no wrong entry: a pass that says where the kinks are.
  const kinked = comparison([1, 0], [1, 0.5]);
  kinked.status[1] = EntryStatus.Kink;
  assert.equal(diagnose(kinked).kind, "kink");
});

Deno.test("diagnose: with no pattern every rule passes and mismatch names the worst entry", () => {
  const c = comparison([1, -7, 0.5, 2], [2, 3, 0.25, -1]);
  const counts = { wrong: 4, kinks: 0 };
  for (const rule of DIAGNOSIS_RULES) assert.equal(rule.explain(c, counts), undefined, rule.kind);
  const d = diagnose(c);
  assert.equal(d.kind, "mismatch");
  assert.match(d.message, /worst at x\[1\]: analytic -7, numeric 3/);
});

Deno.test("property: diagnose gives the kind of the first rule that answers", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 6 }),
      fc.constantFrom(1, -1, 2, 0.5, 0),
      fc.nat(5),
      (n, c, wrong) => {
        const a = n.map((v, i) => (i === wrong ? v + 1 : c * v));
        const cmp = comparison(a, n);
        let wrongCount = 0, kinks = 0;
        for (const s of cmp.status) {
          if (s === EntryStatus.Wrong) wrongCount++;
          else if (s === EntryStatus.Kink) kinks++;
        }
        const first = DIAGNOSIS_RULES.map((r) => r.explain(cmp, { wrong: wrongCount, kinks }))
          .find((d) => d !== undefined);
        const d = diagnose(cmp);
        if (first) assert.deepEqual(d, first);
        else assert.equal(d.kind, "mismatch");
      },
    ),
    { numRuns: 200 },
  );
});
