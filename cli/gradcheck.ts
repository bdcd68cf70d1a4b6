/**
 * `deno task gradcheck`: checks the hand-written backward pass of every op in the explicit list
 * `OP_CASES` against float64 central differences and, where the op has a tfjs equivalent,
 * against tfjs autodiff (float32), and prints one row per op. Exit code 1 if any op fails,
 * 2 on a usage error.
 *
 * @module
 */

import {
  checkOp,
  checkOpWithAutodiff,
  closest,
  DEFAULT_ATOL,
  DEFAULT_EPS,
  DEFAULT_RTOL,
  formatNumber,
  type GradCheckReport,
  loadTf,
  OP_CASES,
  type OpCase,
  textTable,
} from "../mod.ts";
import { fail, parseCommand, usageError } from "./args.ts";

/** Backends the tfjs oracle can use. */
const BACKENDS = ["cpu", "wasm"] as const;
type Backend = typeof BACKENDS[number];

const spec = {
  usage: "deno task gradcheck [--op NAME[,NAME...]] [--backend cpu|wasm] [--json]",
  description:
    "Checks the backward pass of every op in OP_CASES against float64 finite differences and\n" +
    "against tfjs autodiff (float32) where tfjs has the same op, one row per op. Exits 1 if any\n" +
    "op fails. The tfjs cpu backend is the default: tfjs 4.22's wasm backend lacks the conv2d\n" +
    "filter gradient and gets some max-pool gradients wrong.",
  options: {
    op: {
      type: "string" as const,
      value: "NAME",
      description: "check only these ops (comma-separated)",
    },
    backend: {
      type: "string" as const,
      value: "cpu|wasm",
      description: "tfjs backend of the autodiff oracle",
      default: "cpu",
    },
    json: { type: "boolean" as const, description: "print only a JSON array, one object per op" },
  },
};

/** One row of the result. */
interface Row {
  op: string;
  shapes: string;
  ok: boolean;
  maxRelError: number;
  maxAbsError: number;
  tfjsMaxRelError: number | null;
  tfjsBackend: string | null;
  diagnosis: string;
  tfjsDiagnosis: string | null;
  message: string;
  tfNote: string | null;
  ms: number;
}

function select(filter: string | undefined): OpCase[] {
  if (filter === undefined) return [...OP_CASES];
  const names = OP_CASES.map((c) => c.name);
  const wanted = filter.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (wanted.length === 0) usageError("--op needs at least one op name");
  for (const w of wanted) {
    if (!names.includes(w)) {
      usageError(
        `unknown op ${JSON.stringify(w)}; did you mean ${JSON.stringify(closest(w, names)?.name)}?`,
      );
    }
  }
  return OP_CASES.filter((c) => wanted.includes(c.name));
}

async function runCase(c: OpCase, backend: Backend): Promise<Row> {
  const started = performance.now();
  let report: GradCheckReport;
  try {
    if (c.tf) {
      const { tf } = await loadTf({ backend });
      const forward = c.tf;
      report = await checkOpWithAutodiff(c.op, c.inputs(), {
        ...c.options,
        tf: (inputs) => forward(tf, inputs),
        backend,
      });
    } else {
      report = checkOp(c.op, c.inputs(), c.options);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      op: c.name,
      shapes: c.shapes,
      ok: false,
      maxRelError: NaN,
      maxAbsError: NaN,
      tfjsMaxRelError: null,
      tfjsBackend: null,
      diagnosis: "error",
      tfjsDiagnosis: null,
      message,
      tfNote: c.tfNote ?? null,
      ms: performance.now() - started,
    };
  }
  const auto = report.autodiff;
  return {
    op: c.name,
    shapes: c.shapes,
    ok: report.ok,
    maxRelError: report.maxRelError,
    maxAbsError: report.maxAbsError,
    tfjsMaxRelError: auto ? auto.maxRelError : null,
    tfjsBackend: auto ? auto.backend : null,
    diagnosis: report.diagnosis.kind,
    tfjsDiagnosis: auto ? auto.diagnosis.kind : null,
    message: auto && !auto.ok ? auto.diagnosis.message : report.diagnosis.message,
    tfNote: c.tfNote ?? null,
    ms: performance.now() - started,
  };
}

const { values } = parseCommand(Deno.args, spec);
const backend = (values.backend ?? "cpu") as string;
if (!(BACKENDS as readonly string[]).includes(backend)) {
  usageError(`--backend must be cpu or wasm, got ${JSON.stringify(backend)}`);
}
const cases = select(values.op as string | undefined);
// Load tfjs before the first case so its start-up time is not charged to that op's ms.
// The backend actually running is reported: loadTf falls back to cpu if wasm cannot start.
const running = cases.some((c) => c.tf)
  ? (await loadTf({ backend: backend as Backend })).backend
  : "none needed";
const rows: Row[] = [];
for (const c of cases) rows.push(await runCase(c, backend as Backend));

if (values.json) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const failed = rows.filter((r) => !r.ok).length;
  console.log(textTable({
    caption: `Gradient check of ${rows.length} ops: float64 central differences ` +
      `(eps ${DEFAULT_EPS.toExponential()}, atol ${DEFAULT_ATOL.toExponential()}, ` +
      `rtol ${DEFAULT_RTOL.toExponential()}) and tfjs autodiff (float32, ${running} backend)`,
    headers: [
      "op",
      "shapes",
      "verdict",
      "max rel err (FD)",
      "max rel err (tfjs)",
      "diagnosis",
      "ms",
    ],
    rows: rows.map((r) => [
      r.op,
      r.shapes,
      r.ok ? "pass" : "FAIL",
      formatNumber(r.maxRelError),
      r.tfjsMaxRelError === null ? "—" : formatNumber(r.tfjsMaxRelError),
      r.tfjsDiagnosis && r.tfjsDiagnosis !== r.diagnosis
        ? `${r.diagnosis} / tfjs ${r.tfjsDiagnosis}`
        : r.diagnosis,
      r.ms.toFixed(1),
    ]),
  }));
  console.log(`\n${rows.length - failed} passed, ${failed} failed`);
  for (const r of rows.filter((r) => !r.ok)) console.log(`- ${r.op}: ${r.message}`);
}
if (rows.some((r) => !r.ok)) {
  fail(`${rows.filter((r) => !r.ok).length} op(s) failed the gradient check`);
}
