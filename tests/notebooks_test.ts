/**
 * Every notebook runs under the real Deno Jupyter kernel (Debian's nbclient), three times in fresh
 * kernels with identical output counts, with no error, an output in every code cell, a Plotly
 * figure in every cell tagged `figure`, and an exported HTML page whose figures all render in
 * headless Chromium. Notebooks are committed without outputs and their code type-checks.
 */
import assert from "node:assert/strict";
import {
  installKernel,
  listNotebooks,
  notebookToolsMissing,
  repoRoot,
  runNotebook,
} from "../cli/notebook_runner.ts";
import { chromiumAvailable, renderPage } from "./helpers/chromium.ts";

const CI = Deno.env.get("CI") === "true";
const RUNS = 3;
const MAX_SECONDS_PER_RUN = 60;
const missing = await notebookToolsMissing();
const chromium = await chromiumAvailable();
if (missing && !CI) console.warn(`\n*** SKIPPING notebook tests: ${missing} ***\n`);
if (!chromium && !CI) {
  console.warn("\n*** SKIPPING Chromium checks of notebook HTML: apt-get install chromium ***\n");
}

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  metadata?: { tags?: string[] };
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

const notebooks = await listNotebooks();
const text = (s: string | string[]) => (Array.isArray(s) ? s.join("") : s);
const nameOf = (p: string) => p.split("/").pop()!.replace(/\.ipynb$/, "");

Deno.test("notebooks are committed without outputs and with the deno kernelspec", async () => {
  assert.ok(notebooks.length >= 1);
  for (const path of notebooks) {
    const nb: Notebook = JSON.parse(await Deno.readTextFile(path));
    assert.equal(nb.metadata.kernelspec?.name, "deno", path);
    for (const c of nb.cells) {
      if (c.cell_type === "code") assert.deepEqual(c.outputs ?? [], [], `${path} holds outputs`);
    }
  }
});

Deno.test("notebook code type-checks with deno check", async () => {
  // Outside the repository: deno.json excludes out/ from checking.
  const dir = await Deno.makeTempDir({ prefix: "nbcheck-" });
  const files: string[] = [];
  for (const path of notebooks) {
    const nb: Notebook = JSON.parse(await Deno.readTextFile(path));
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => text(c.source))
      .join("\n\n").replaceAll('"../mod.ts"', `"${repoRoot()}/mod.ts"`);
    const file = `${dir}/${nameOf(path)}.ts`;
    await Deno.writeTextFile(file, `// Code of ${nameOf(path)}.ipynb\n${code}\nexport {};\n`);
    files.push(file);
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--config", `${repoRoot()}/deno.json`, ...files],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
});

Deno.test("notebook code cells follow deno fmt", async () => {
  // Checked cell by cell as .ts files: `deno fmt --check` on .ipynb files is unreliable in
  // Deno 2.9.6 (a fresh cache reports files unformatted that `deno fmt` leaves unchanged).
  const dir = await Deno.makeTempDir({ prefix: "nbfmt-" });
  const files: string[] = [];
  for (const path of notebooks) {
    const nb: Notebook = JSON.parse(await Deno.readTextFile(path));
    let i = 0;
    for (const c of nb.cells) {
      if (c.cell_type !== "code") continue;
      const file = `${dir}/${nameOf(path)}_cell${++i}.ts`;
      await Deno.writeTextFile(file, text(c.source).trimEnd() + "\n");
      files.push(file);
    }
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--check", "--line-width", "100", ...files],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
});

Deno.test({
  name: "the runner loses no output to the kernel's late messages (40 cells, 80 outputs, 3 runs)",
  ignore: missing !== null && !CI,
  fn: async () => {
    if (missing) throw new Error(missing);
    await installKernel();
    const dir = await Deno.makeTempDir();
    try {
      const r = await runNotebook(`${repoRoot()}/tests/fixtures/kernel_race.ipynb`, {
        out: `${dir}/race.ipynb`,
        repeat: RUNS,
      });
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.outputsPerRun, Array(RUNS).fill(80));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

for (const path of notebooks) {
  Deno.test({
    name: `notebook ${
      nameOf(path)
    } runs cleanly under the Deno kernel, ${RUNS} times, no lost output`,
    ignore: missing !== null && !CI,
    fn: async () => {
      if (missing) throw new Error(missing);
      await installKernel();
      const outDir = `${repoRoot()}/out/notebooks`;
      await Deno.mkdir(outDir, { recursive: true });
      const html = `${outDir}/${nameOf(path)}.html`;
      const r = await runNotebook(path, {
        out: `${outDir}/${nameOf(path)}.ipynb`,
        html,
        repeat: RUNS,
      });
      assert.deepEqual(r.errors, [], JSON.stringify(r.errors));
      assert.equal(r.runs, RUNS);
      assert.ok(
        r.consistent,
        `output counts per cell differ between runs: ${JSON.stringify(r.cellOutputsPerRun)}`,
      );
      assert.deepEqual(r.codeCellsWithoutOutput, [], "every code cell shows something");
      assert.ok(r.seconds / RUNS < MAX_SECONDS_PER_RUN, `${r.seconds / RUNS} s per run`);
      const nb: Notebook = JSON.parse(await Deno.readTextFile(path));
      const tagged = nb.cells.filter((c) => c.metadata?.tags?.includes("figure")).length;
      assert.ok(r.figures >= tagged, `${r.figures} figures for ${tagged} cells tagged figure`);
      if (!chromium && !CI) return;
      const page = await renderPage(html);
      assert.deepEqual(page.errors, []);
      assert.equal(page.figures, r.figures, "every figure has its HTML fallback");
      assert.equal(page.rendered, page.figures, "every figure rendered in Chromium");
    },
  });
}
