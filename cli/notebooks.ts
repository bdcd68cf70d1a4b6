/**
 * `deno task notebooks`: executes every notebook (or the named ones) under the Deno Jupyter
 * kernel into `out/notebooks/` as executed `.ipynb` and offline HTML.
 *
 * @module
 */

import { textTable } from "../mod.ts";
import { fail, numberOption, parseCommand, usageError } from "./args.ts";
import {
  installKernel,
  listNotebooks,
  notebookToolsMissing,
  repoRoot,
  runNotebook,
} from "./notebook_runner.ts";

const spec = {
  usage: "deno task notebooks [NAME...] [--repeat K] [--out DIR] [--json]",
  description:
    "Runs notebooks under the real Deno kernel and writes executed notebooks and HTML.\n" +
    "NAME is a notebook file name or its number prefix (00, 01, ...). Exits 1 when a cell fails.",
  options: {
    repeat: {
      type: "string" as const,
      value: "K",
      description: "run each notebook K times in fresh kernels; output counts must agree",
      default: "1",
    },
    out: {
      type: "string" as const,
      value: "DIR",
      description: "output folder",
      default: "out/notebooks",
    },
    json: { type: "boolean" as const, description: "print a JSON array of run summaries" },
  },
};

const { values, positionals } = parseCommand(Deno.args, spec);
const repeat = numberOption(values, "repeat", { integer: true, min: 1 }) ?? 1;
const outDir = String(values.out ?? `${repoRoot()}/out/notebooks`);
const all = await listNotebooks();
const chosen = positionals.length === 0 ? all : positionals.map((p) => {
  const hit = all.find((n) => n.split("/").pop()!.startsWith(p.replace(/\.ipynb$/, "")));
  if (!hit) {
    usageError(
      `no notebook matches "${p}" (have: ${all.map((n) => n.split("/").pop()).join(", ")})`,
    );
  }
  return hit;
});
const missing = await notebookToolsMissing();
if (missing) fail(missing);
try {
  await Deno.mkdir(outDir, { recursive: true });
} catch (e) {
  fail(`cannot create ${outDir}: ${e instanceof Error ? e.message : e}`);
}
await installKernel();
const results = [];
for (const path of chosen) {
  const base = path.split("/").pop()!.replace(/\.ipynb$/, "");
  if (!values.json) console.error(`running ${base} ...`);
  results.push(
    await runNotebook(path, {
      out: `${outDir}/${base}.ipynb`,
      html: `${outDir}/${base}.html`,
      repeat,
    }),
  );
}
if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  console.log(textTable({
    headers: ["notebook", "outputs", "figures", "runs consistent", "errors", "seconds"],
    rows: results.map((r) => [
      r.notebook.split("/").pop()!,
      r.outputsPerRun.join("/"),
      String(r.figures),
      r.consistent ? "yes" : "NO",
      r.errors.map((e) => `cell ${e.cell}: ${e.ename}`).join("; ") || "none",
      String(r.seconds),
    ]),
  }));
  console.log(`\nexecuted notebooks and HTML in ${outDir}/`);
}
if (results.some((r) => r.errors.length || !r.consistent)) Deno.exit(1);
