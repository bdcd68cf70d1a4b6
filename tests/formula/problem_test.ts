/**
 * The problem contract: a bad `given`, `let` or `f` stops everything with a one-line
 * ProblemError naming the field; a bad claim is reported `invalid` with a one-line reason naming
 * the claim, and the other claims are still checked.
 */
import assert from "node:assert/strict";
import { checkContractProblems } from "../helpers/claim_contract.ts";
import { checkClaims } from "../../lib/formula/check_claims.ts";
import { ProblemError, readSetting } from "../../lib/formula/problem.ts";
import { drawGiven } from "../../lib/formula/draw.ts";

const BASE = {
  given: { W: "3x4", x: "4", y: "onehot 3" } as Record<string, unknown>,
  let: { p: "softmax(W * x)" },
  f: "-sum(y .* log(p))",
  claims: [{ id: "dW", d: "W", claim: "(p - y) * x'" }] as unknown[],
};

/** The ProblemError message of a problem that must not be checkable. */
function problemError(problem: unknown): string {
  try {
    checkClaims(problem);
  } catch (e) {
    assert.ok(e instanceof ProblemError, `not a ProblemError: ${e}`);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    return e.message;
  }
  assert.fail("the problem was accepted");
}

function withGiven(extra: Record<string, unknown>) {
  return { ...BASE, given: { ...BASE.given, ...extra } };
}

Deno.test("given: shapes, kinds and fixed values are read", () => {
  const { setting } = readSetting({
    given: {
      A: "3x4",
      b: "4",
      s: "1",
      y: "onehot 3",
      P: "prob 3x5",
      u: "pos 2",
      S: "sym 3x3",
      K: "spd 2 x 2",
      M: "2×3",
      F: [[1, 2], [3, 4]],
      v: [1, 2, 3],
      t: 0.5,
    },
    claims: [],
  });
  const shape = (n: string) => setting.variables.get(n)!.shape;
  const kind = (n: string) => setting.variables.get(n)!.kind;
  assert.deepEqual(shape("A"), [3, 4]);
  assert.deepEqual(shape("b"), [4, 1]);
  assert.deepEqual(shape("s"), [1, 1]);
  assert.deepEqual(shape("K"), [2, 2]);
  assert.deepEqual(shape("M"), [2, 3]);
  assert.deepEqual(shape("F"), [2, 2]);
  assert.deepEqual(shape("v"), [3, 1]);
  assert.deepEqual(shape("t"), [1, 1]);
  assert.equal(kind("A"), "real");
  assert.equal(kind("y"), "onehot");
  assert.equal(kind("P"), "prob");
  assert.equal(kind("u"), "pos");
  assert.equal(kind("S"), "sym");
  assert.equal(kind("K"), "spd");
  assert.deepEqual(setting.variables.get("F")!.fixed!.toArray(), [[1, 2], [3, 4]]);
  assert.equal(setting.seed, 42);
  assert.equal(setting.draws, 3);
});

Deno.test("draws honour the kinds", () => {
  const { setting } = readSetting({
    given: { y: "onehot 4x6", P: "prob 3x5", u: "pos 7", S: "sym 4x4", K: "spd 3x3", F: [2] },
    claims: [],
  });
  for (const seed of [1, 2, 3]) {
    const d = drawGiven(setting, seed);
    const col = (name: string, j: number) => {
      const a = d.get(name)!;
      return Array.from({ length: a.shape[0] }, (_, i) => a.data[i * a.shape[1] + j]);
    };
    for (let j = 0; j < 6; j++) {
      const c = col("y", j);
      assert.equal(c.filter((v) => v === 1).length, 1);
      assert.equal(c.filter((v) => v === 0).length, 3);
    }
    for (let j = 0; j < 5; j++) {
      const c = col("P", j);
      assert.ok(c.every((v) => v > 0));
      assert.ok(Math.abs(c.reduce((a, b) => a + b) - 1) < 1e-12);
    }
    assert.ok(d.get("u")!.data.every((v) => v > 0));
    const S = d.get("S")!, K = d.get("K")!;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) assert.equal(S.get(i, j), S.get(j, i));
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.equal(K.get(i, j), K.get(j, i));
    // Positive definite: a Cholesky factorisation exists.
    const L = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j <= i; j++) {
        let s = K.get(i, j);
        for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
        if (i === j) {
          assert.ok(s > 0, "K is positive definite");
          L[i][i] = Math.sqrt(s);
        } else L[i][j] = s / L[j][j];
      }
    }
    assert.deepEqual(d.get("F")!.toArray(), [[2]]);
  }
  // The same seed gives the same values bit for bit; another seed others.
  assert.deepEqual(drawGiven(setting, 5).get("S")!.data, drawGiven(setting, 5).get("S")!.data);
  assert.notDeepEqual(drawGiven(setting, 5).get("S")!.data, drawGiven(setting, 6).get("S")!.data);
});

Deno.test("a bad given stops everything with a one-line error naming it", () => {
  assert.equal(
    problemError(withGiven({ b: "2x" })),
    'given b: malformed shape "2x" (write RxC such as 3x4, R for a column vector, 1 for a scalar, ' +
      "optionally after a kind: real, onehot, prob, pos, sym, spd)",
  );
  assert.equal(
    problemError(withGiven({ b: "foo 3" })),
    'given b: unknown kind "foo" (one of real, onehot, prob, pos, sym, spd)',
  );
  assert.equal(
    problemError(withGiven({ b: "onehot 1x1" })),
    "given b: a onehot column needs at least 2 rows, got [1, 1]",
  );
  assert.equal(
    problemError(withGiven({ b: "prob 1" })),
    "given b: a prob column needs at least 2 rows, got [1, 1]",
  );
  assert.equal(
    problemError(withGiven({ S: "sym 2x3" })),
    "given S: a sym matrix must be square, got [2, 3]",
  );
  assert.equal(
    problemError(withGiven({ K: "spd 3x2" })),
    "given K: a spd matrix must be square, got [3, 2]",
  );
  assert.equal(problemError(withGiven({ b: "0x3" })), "given b: sizes must be at least 1");
  assert.equal(problemError(withGiven({ b: [[[1]]] })), "given b: at most 2-D values");
  assert.match(problemError(withGiven({ b: [1, Infinity] })), /^given\.b: /);
  assert.equal(
    problemError(withGiven({ "1b": "3" })),
    "given.1b: a name is a letter then letters, digits or _",
  );
  assert.match(problemError(withGiven({ b: true })), /^given\.b: /);
});

Deno.test("a bad let or f stops everything with a one-line error naming it", () => {
  assert.equal(
    problemError({ ...BASE, let: { p: "softmax(w * x)" } }),
    "let p: unknown name w (did you mean W?)",
  );
  assert.equal(problemError({ ...BASE, let: { x: "W' * y" } }), "let x: x is already given");
  assert.equal(
    problemError({ ...BASE, let: { p: "softmax(W' * x)" } }),
    "let p: W' * x: [4, 3] times [4, 1]: inner sizes 3 and 4 differ (did you mean W?)",
  );
  assert.equal(
    problemError({ ...BASE, let: { p: "softmax(W * x" } }),
    "let p: missing `)` at column 14",
  );
  assert.match(problemError({ ...BASE, let: { p: 3 } }), /^let\.p: /);
  // A later let may use an earlier one, not the other way round.
  assert.equal(
    problemError({ ...BASE, let: { q: "2 * p", p: "softmax(W * x)" } }),
    "let q: unknown name p",
  );
  assert.equal(
    problemError({ ...BASE, f: "W * x" }),
    "f: W * x is [3, 1], not a scalar (wrap it in sum(...)?)",
  );
  assert.equal(problemError({ ...BASE, f: "sum(" }), "f: the formula ends too early at column 5");
  assert.equal(problemError({ ...BASE, f: "sum(q)" }), "f: unknown name q");
});

Deno.test("a malformed problem object names the field", () => {
  assert.equal(problemError({ ...BASE, foo: 1 }), 'problem: Unrecognized key: "foo"');
  assert.equal(
    problemError({ ...BASE, draws: 2 }),
    "draws: at least 3 draws, so that a lucky draw cannot pass",
  );
  assert.match(problemError({ given: BASE.given }), /^claims: /);
  assert.match(problemError(42), /^problem: /);
  assert.match(problemError({ ...BASE, seed: 1.5 }), /^seed: /);
});

/** Checks `claims` next to a good one; returns the JSON of the bad ones and asserts the good one. */
function withBadClaims(claims: unknown[], extra: Record<string, unknown> = {}) {
  const report = checkClaims({
    ...BASE,
    ...extra,
    claims: [...claims, { id: "good", d: "W", claim: "(p - y) * x'" }],
  });
  const json = report.toJSON();
  const good = json.at(-1)!;
  assert.equal(good.id, "good");
  assert.equal(good.ok, true, "the good claim is still checked");
  assert.equal(good.kind, "match");
  return json.slice(0, -1);
}

Deno.test("a bad claim is invalid with a one-line reason naming it; the others are checked", () => {
  const cases: [unknown, string][] = [
    [{ id: "a", d: "X", claim: "W" }, "a: d X is not in given"],
    [
      { id: "b", d: "p", claim: "W" },
      "b: d p is not in given (p is a let: differentiate by a given variable)",
    ],
    [{ id: "c", d: "W", claim: "W", foo: 1 }, 'c: claim: Unrecognized key: "foo"'],
    [
      { id: "d", d: "W", jacobian: "p", hessian: "x", claim: "W" },
      "d: claims jacobian and hessian at once: one per claim",
    ],
    [
      { id: "e" },
      "e: say what is claimed: d (with claim), jacobian, hessian, identity or value",
    ],
    [{ id: "f", d: "W" }, "f: a gradient claim needs claim"],
    [{ id: "g", d: "W", claim: "W", tolerance: 1e-3 }, "g: tolerance belongs to value claims"],
    [
      { id: "h", d: "W", claim: "W[i, j]", entry: "ij" },
      'h: entry "ij": write one or two single-letter indices, e.g. "i,j"',
    ],
    [
      { id: "i", d: "W", claim: "W[i, i]", entry: "i,i" },
      'i: entry "i,i": the two indices must differ',
    ],
    [
      { id: "j", d: "W", claim: "W[i]", entry: "i" },
      'j: entry "i": the claim is [3, 4]: give two indices',
    ],
    [
      { id: "k", identity: "W * x", equals: "x" },
      "k: the two sides have different shapes: [3, 1] and [4, 1]",
    ],
    [
      { id: "l", value: "sum(x)", equals: [1, 2] },
      "l: the value is [1, 1] (1 entries) but equals has 2",
    ],
    [
      { id: "m", value: "sum(x)", equals: "abc" },
      'm: a value claim\'s equals must be numbers, got "abc"',
    ],
    [{ id: "n", identity: "x", equals: [1, 2, 3, 4] }, "n: an identity's equals must be a formula"],
    [{ id: "o", d: "W", claim: "(p - y * x'" }, "o: claim: missing `)` at column 12"],
    [
      { id: "q", hessian: "x", d: "W", claim: "W" },
      "q: hessian x and d W differ: give one variable",
    ],
    [
      { id: "r", identity: "x", equals: "x", entry: "i" },
      "r: entry belongs to derivative claims, not to identity claims",
    ],
    [
      { id: "s", value: "x", equals: "1", claim: "x" },
      "s: a value claim states its right side in equals, not in claim",
    ],
    [
      { id: "t", d: "W", claim: "(p - y) * x'", entry: "i,j" },
      "t: an entry formula must be a scalar, got [3, 4]",
    ],
    [
      { id: "v", d: "x", claim: "W[i, j]", entry: "i" },
      "v: claim: W[i, j]: i runs over 4 entries but W has 3 rows",
    ],
    [{ id: "z", d: "W", claim: "zz * x'" }, "z: claim: unknown name zz"],
    [{ id: "u", d: "W", claim: "(p - y) * x'", draws: 3 }, 'u: claim: Unrecognized key: "draws"'],
    [{ id: "fx", d: "F", claim: "F" }, "fx: d F has fixed values: give it as a shape"],
    ["str", "claims[23]: claim: Invalid input: expected object, received string"],
  ];
  const results = withBadClaims(cases.map(([c]) => c), { given: { ...BASE.given, F: [[1, 2]] } });
  assert.equal(results.length, cases.length);
  results.forEach((r, k) => {
    assert.equal(r.ok, false, r.id);
    assert.equal(r.kind, "invalid", r.id);
    assert.equal(r.message, cases[k][1]);
    assert.equal(r.shape, null, r.id);
    assert.ok(!r.message.includes("\n"));
  });
});

Deno.test("derivative claims without f are invalid, identities and values still work", () => {
  const report = checkClaims({
    given: { x: "3", c: [1, 2, 3] },
    claims: [
      { id: "g", d: "x", claim: "x" },
      { id: "h", hessian: "x", claim: "x * x'" },
      { id: "v", value: "sum(c)", equals: 6 },
      { id: "i", identity: "sum(x .^ 2)", equals: "x' * x" },
    ],
  }).toJSON();
  assert.deepEqual(report.map((r) => [r.id, r.kind]), [
    ["g", "invalid"],
    ["h", "invalid"],
    ["v", "match"],
    ["i", "match"],
  ]);
  assert.equal(report[0].message, "g: a derivative claim needs f, the function it differentiates");
  assert.equal(report[1].message, "h: a Hessian claim needs f, the function it differentiates");
});

Deno.test("a claim whose shapes do not fit is invalid, and keeps its parsed text", () => {
  const [r] = withBadClaims([{ id: "dW", d: "W", claim: "(p - y) * x" }]);
  assert.equal(r.kind, "invalid");
  assert.equal(
    r.message,
    "dW: claim: (p - y) * x: [3, 1] times [4, 1]: inner sizes 1 and 4 differ (did you mean x'?)",
  );
  assert.equal(r.parsed, "(p - y) * x");
  assert.equal(r.shape, null);
});

Deno.test("the report keeps input order and the JSON contract", () => {
  const report = checkClaims({
    ...BASE,
    title: "softmax regression",
    claims: [
      { id: "z", d: "W", claim: "(y - p) * x'" },
      { id: "a", d: "W", claim: "(p - y) * x'" },
      { id: "m", d: "X", claim: "W" },
    ],
  });
  assert.equal(report.ok, false);
  assert.equal(report.title, "softmax regression");
  const json = report.toJSON();
  assert.deepEqual(json.map((r) => r.id), ["z", "a", "m"]);
  for (const r of json) {
    assert.deepEqual(checkContractProblems(r as unknown as Record<string, unknown>), [], r.id);
  }
  assert.deepEqual(json[1].shape, [3, 4]);
  assert.equal(report.headline(), "softmax regression: 1 of 3 claims hold (1 could not be read)");
  assert.ok(report.toString().startsWith("softmax regression: 1 of 3 claims hold"));
  // The same problem gives the same verdicts (seeded draws).
  assert.deepEqual(
    checkClaims({ ...BASE, claims: [{ id: "z", d: "W", claim: "(y - p) * x'" }] })
      .toJSON()[0],
    json[0],
  );
});

Deno.test("sizes a check cannot afford are refused up front, naming the variable or claim", () => {
  assert.equal(
    problemError({ given: { W: "100000x100000" }, claims: [] }),
    "given W: [100000, 100000] has 10000000000 entries, more than the 10000000 a check can draw " +
      "several times",
  );
  const [h] = checkClaims({
    given: { z: "1000" },
    f: "sum(z .^ 3)",
    claims: [{ id: "h", hessian: "z", claim: "diag(6 * z)" }],
  }).results;
  assert.equal(h.kind, "invalid");
  assert.equal(
    h.message,
    "h: a 1000x1000 Hessian is too large to check entry by entry (at most 250000 entries): " +
      "check a smaller case",
  );
});
