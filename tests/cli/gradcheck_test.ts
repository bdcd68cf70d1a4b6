import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";

const SCRIPT = new URL("../../cli/gradcheck.ts", import.meta.url).pathname;

function run(...args: string[]) {
  return runCli(SCRIPT, args);
}

Deno.test("gradcheck --json prints only a JSON array, one passing row per op", async () => {
  const { code, stdout, stderr } = await run("--json");
  assert.equal(code, 0, stderr);
  const rows = JSON.parse(stdout);
  assert.ok(Array.isArray(rows) && rows.length > 40);
  const names = rows.map((r: { op: string }) => r.op);
  for (const op of ["softmax", "crossEntropy", "batchNorm", "conv2d", "maxPool2d"]) {
    assert.ok(names.includes(op), op);
  }
  for (const r of rows) {
    assert.equal(r.ok, true, `${r.op}: ${r.message}`);
    assert.equal(typeof r.shapes, "string");
    assert.ok(r.maxRelError < 1e-3, r.op);
    assert.ok(r.tfjsMaxRelError === null || r.tfjsMaxRelError < 1e-2, r.op);
    assert.equal(r.diagnosis, "match");
    assert.ok(r.ms >= 0);
  }
});

Deno.test("gradcheck prints a table with one row per selected op", async () => {
  const { code, stdout } = await run("--op", "relu,softmax");
  assert.equal(code, 0);
  const lines = stdout.split("\n");
  assert.ok(lines.some((l) => l.startsWith("relu ")));
  assert.ok(lines.some((l) => l.startsWith("softmax ")));
  assert.ok(!lines.some((l) => l.startsWith("tanh ")));
  assert.match(stdout, /2 passed, 0 failed/);
  assert.match(stdout, /max rel err \(FD\)/);
  assert.match(stdout, /tfjs autodiff \(float32, cpu backend\)/);
});

Deno.test("gradcheck --help prints the usage and exits 0", async () => {
  const { code, stdout } = await run("--help");
  assert.equal(code, 0);
  assert.match(stdout, /^usage: deno task gradcheck/);
  assert.match(stdout, /--json/);
  assert.match(stdout, /--op NAME/);
});

Deno.test("gradcheck: a bad flag, an unknown op or a bad backend exit 2 with one line", async () => {
  const bad = await run("--bogus");
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.equal(bad.stderr.trim().split("\n").length, 1);
  const op = await run("--op", "sofmax");
  assert.equal(op.code, 2);
  assert.match(op.stderr, /unknown op "sofmax"; did you mean "softmax"\?/);
  assert.equal(op.stderr.trim().split("\n").length, 1);
  const be = await run("--backend", "gpu");
  assert.equal(be.code, 2);
  assert.match(be.stderr, /--backend must be cpu or wasm/);
});
