import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CHECK_FAILED,
  ClaimList,
  decideStatus,
  flat,
  maxAbsDiff,
  roundTo,
  tidy,
} from "../../lib/exercises/claim.ts";

const base = {
  sheet: "000",
  question: "1",
  statement: "s",
  expected: 1,
  computed: 1,
  note: "n",
};

Deno.test("decideStatus: the verdict follows the checks, not the recorded status", () => {
  assert.equal(decideStatus({ recorded: "verified", holds: true }), "verified");
  assert.equal(decideStatus({ recorded: "erratum", holds: true }), "verified");
  assert.equal(decideStatus({ recorded: "verified", holds: false, corrected: true }), "erratum");
  assert.equal(
    decideStatus({ recorded: "erratum", holds: false, corrected: false }),
    "unverifiable",
  );
  assert.equal(decideStatus({ recorded: "extension", holds: true }), "extension");
  assert.equal(decideStatus({ recorded: "extension", holds: false }), "unverifiable");
  assert.equal(decideStatus({ recorded: "unverifiable", holds: true }), "unverifiable");
});

Deno.test("ClaimList: stamps the exercise, flags failed checks, refuses duplicate ids", () => {
  const list = new ClaimList("demo");
  list.add({ ...base, claim: "a", recorded: "verified", holds: true });
  list.add({ ...base, claim: "b", recorded: "erratum", holds: false, corrected: false });
  assert.equal(list.claims[0].claim.exercise, "demo");
  assert.equal(list.claims[0].claim.tolerance, null);
  assert.equal(list.claims[1].claim.status, "unverifiable");
  assert.ok(list.claims[1].claim.note.startsWith(CHECK_FAILED));
  assert.equal(list.claims[1].recorded, "erratum");
  assert.throws(
    () => list.add({ ...base, claim: "a", recorded: "verified", holds: true }),
    (e: unknown) => e instanceof RangeError && /duplicate claim id a in demo/.test(e.message),
  );
});

Deno.test("tidy: 12 significant digits, nested arrays, non-finite as text", () => {
  assert.equal(tidy(0.1 + 0.2), 0.3);
  assert.deepEqual(tidy([1 / 3, [2 / 3]]), [0.333333333333, [0.666666666667]]);
  assert.deepEqual(tidy([NaN, -Infinity]), ["NaN", "-Infinity"]);
  assert.deepEqual(tidy(Float64Array.of(-0)), [0]);
});

Deno.test("roundTo rounds half away from zero, like a printed table", () => {
  assert.equal(roundTo(0.00005, 4), 0.0001);
  assert.equal(roundTo(-0.00005, 4), -0.0001);
  assert.equal(roundTo(-0.00004, 4), 0);
  assert.ok(Object.is(roundTo(-0.00004, 4), 0));
});

Deno.test("property: roundTo is idempotent and within half a unit", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.integer({ min: 0, max: 6 }),
      (v, d) => {
        const r = roundTo(v, d);
        assert.equal(roundTo(r, d), r);
        assert.ok(Math.abs(r - v) <= 0.5 * 10 ** -d + 1e-9 * Math.abs(v));
      },
    ),
  );
});

Deno.test("flat and maxAbsDiff", () => {
  assert.deepEqual(flat([[1, 2], [3, [4]]]), [1, 2, 3, 4]);
  assert.equal(maxAbsDiff([1, 2], [1, 2.5]), 0.5);
  assert.equal(maxAbsDiff([1], [1, 2]), Infinity);
});
