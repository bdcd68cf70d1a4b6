/**
 * `deno task demo`: the gradient-check demo over the checker's own examples — correct
 * gradients and the classic wrong ones — printing each verdict and why.
 *
 * @module
 */

import { formatNumber, GRAD_CHECK_EXAMPLES, textTable } from "../mod.ts";
import { parseCommand } from "./args.ts";

const spec = {
  usage: "deno task demo [--json]",
  description:
    "Checks correct and deliberately wrong gradients with the float64 gradient checker\n" +
    "and prints the diagnosis of each. Exits 1 if any diagnosis differs from the expected one.",
  options: {
    json: { type: "boolean" as const, description: "print one JSON array of results on stdout" },
  },
};

const { values } = parseCommand(Deno.args, spec);
const results = GRAD_CHECK_EXAMPLES.map((ex) => {
  const report = ex.run();
  return { ex, report, asExpected: report.diagnosis.kind === ex.expected };
});

if (values.json) {
  console.log(JSON.stringify(
    results.map(({ ex, report, asExpected }) => ({
      id: ex.id,
      function: ex.fn,
      candidate: ex.candidate,
      expected: ex.expected,
      asExpected,
      report,
    })),
    null,
    2,
  ));
} else {
  console.log(textTable({
    caption: "Gradient checks (central differences, float64, eps 1e-6, atol 1e-5, rtol 1e-3)",
    headers: ["example", "function", "candidate", "verdict", "diagnosis", "max rel err", "evals"],
    rows: results.map(({ ex, report, asExpected }) => [
      ex.id,
      ex.fn,
      ex.candidate,
      report.ok ? "pass" : "FAIL",
      report.diagnosis.kind + (asExpected ? "" : ` (expected ${ex.expected})`),
      formatNumber(report.maxRelError),
      String(report.evaluations),
    ]),
  }));
  console.log("\nWhy each wrong gradient is wrong:");
  for (const { ex, report } of results) {
    if (report.diagnosis.kind !== "match") console.log(`- ${ex.id}: ${report.diagnosis.message}`);
  }
}
const unexpected = results.filter((r) => !r.asExpected);
if (unexpected.length) {
  console.error(`error: ${unexpected.length} example(s) got an unexpected diagnosis`);
  Deno.exit(1);
}
