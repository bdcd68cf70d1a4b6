/**
 * The catalog as a whole: every claim gets the status recorded for it (in its sheet's data file,
 * the only place statuses are kept),
 * every claim of a sheet file is in the catalog, the JSON contract of `deno task ex all --json`
 * holds, every sheet is covered, and lookups suggest the closest ids.
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
import { SHEET_DATA } from "../../lib/exercises/sheets.ts";
import { contractProblems } from "../helpers/claim_contract.ts";
import { editDistance } from "../../lib/suggest.ts";

const results = await runExercises();
const claims = claimsOf(results);

Deno.test("every claim a sheet file states is in the catalog, with the sheet's data", () => {
  const byKey = new Map(claims.map((c) => [`${c.exercise}/${c.claim}`, c]));
  for (const sheet of SHEET_DATA) {
    for (const c of sheet.claims) {
      const found = byKey.get(`${c.exercise}/${c.claim}`);
      assert.ok(found, `${sheet.sheet}: ${c.exercise}/${c.claim} is not in the catalog`);
      assert.equal(found.sheet, sheet.sheet);
      assert.equal(found.question, c.question);
      assert.deepEqual(found.expected, c.printed);
    }
  }
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
