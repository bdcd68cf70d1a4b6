/**
 * The notebooks as a person opens them: Debian's Jupyter Notebook with the Deno kernel, in
 * Debian's Chromium driven by playwright-core (see `helpers/jupyter_ui_driver.ts` for each step).
 * For every notebook: Kernel → Restart & Run All through the menus; no error output, every
 * figure drawn, every output under the cell that made it, no console error caused by the project;
 * Cell → Run All a second time, File → Save, reopen in a fresh page and every figure draws again;
 * the saved file carries plotly.js once and weighs under 2 MB; opened untrusted, each figure says
 * how to trust the notebook. Screenshots go to `out/ui/screenshots/`, saved sizes to
 * `out/ui/sizes.json`.
 *
 * The driver runs in its own Deno process with all permissions: playwright-core reads `/proc`
 * files that Deno grants only to `--allow-all`.
 */
import assert from "node:assert/strict";
import { clearedNotebook, listNotebooks, repoRoot } from "../cli/notebook_runner.ts";
import type { NotebookReport } from "./helpers/jupyter_ui_driver.ts";

const JUPYTER_NOTEBOOK = "/usr/bin/jupyter-notebook";
const CHROMIUM = "/usr/bin/chromium";

/** Why this test cannot run here, or `null` when it can. */
async function uiToolsMissing(): Promise<string | null> {
  const missing: string[] = [];
  for (const [path, pkg] of [[JUPYTER_NOTEBOOK, "jupyter-notebook"], [CHROMIUM, "chromium"]]) {
    try {
      if (!(await Deno.stat(path)).isFile) missing.push(pkg);
    } catch {
      missing.push(pkg);
    }
  }
  return missing.length === 0
    ? null
    : `missing ${missing.join(", ")}: apt-get install ${missing.join(" ")} ` +
      `(or run bash tools/install_test_tools.sh as root)`;
}

const CI = Deno.env.get("CI") === "true";
const missing = await uiToolsMissing();
if (missing && !CI) console.warn(`\n*** SKIPPING the Jupyter front-end test: ${missing} ***\n`);

Deno.test({
  name: "notebooks in the real Jupyter front end: Restart & Run All, Run All again, save, reopen",
  ignore: missing !== null && !CI,
  fn: async (t) => {
    if (missing) throw new Error(missing);
    // UI_NOTEBOOKS=00,07 limits a run to those notebooks (while working on them).
    const only = (Deno.env.get("UI_NOTEBOOKS") ?? "").split(",").filter((p) => p !== "");
    const driver = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", `${repoRoot()}/tests/helpers/jupyter_ui_driver.ts`, ...only],
      cwd: repoRoot(),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(driver.stderr).text();
    const lines = driver.stdout.pipeThrough(new TextDecoderStream());
    let buffered = "";
    let reported = 0;
    for await (const chunk of lines) {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith("{")) continue;
        const report: NotebookReport = JSON.parse(line);
        reported++;
        await t.step(report.notebook, () => {
          if (report.size) {
            console.log(
              `  saved after two Run Alls: ${
                (report.size.withoutMarkersBytes / 1e6).toFixed(2)
              } MB, ` +
                `${report.size.figures} figures, plotly.js ${report.size.plotlyCopies}x`,
            );
          }
          assert.deepEqual(
            report.problems,
            [],
            `${report.notebook}:\n${report.problems.join("\n")}`,
          );
        });
      }
    }
    const status = await driver.status;
    const err = await stderr;
    assert.ok(status.success, `the driver exited with ${status.code}:\n${err.slice(-3000)}`);
    assert.ok(reported > 0, `the driver reported no notebook:\n${err.slice(-3000)}`);
  },
});

Deno.test("notebooks:clear strips outputs, counts and view state, and leaves a clean notebook as it is", async () => {
  for (const path of await listNotebooks()) {
    const text = await Deno.readTextFile(path);
    const nb = JSON.parse(text);
    if (!nb.cells.some((c: { outputs?: unknown[] }) => (c.outputs ?? []).length > 0)) {
      assert.deepEqual(JSON.parse(clearedNotebook(text)), nb, `${path} changes when cleared`);
    }
  }
  const run = {
    cells: [
      {
        cell_type: "code",
        execution_count: 7,
        id: "a",
        metadata: { scrolled: true, tags: ["figure"], execution: { x: 1 } },
        outputs: [{ output_type: "stream", name: "stdout", text: ["hi\n"] }],
        source: ["1"],
      },
      { cell_type: "markdown", id: "b", metadata: { collapsed: false }, source: ["# t"] },
    ],
    metadata: {
      kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
      language_info: { name: "typescript", version: "5.9", codemirror_mode: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const cleared = clearedNotebook(JSON.stringify(run));
  assert.equal(
    cleared,
    JSON.stringify(
      {
        cells: [
          {
            cell_type: "code",
            execution_count: null,
            id: "a",
            metadata: { tags: ["figure"] },
            outputs: [],
            source: ["1"],
          },
          { cell_type: "markdown", id: "b", metadata: {}, source: ["# t"] },
        ],
        metadata: {
          kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
          language_info: { name: "typescript" },
        },
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    ) + "\n",
  );
  assert.equal(clearedNotebook(cleared), cleared, "clearing twice changes nothing");
  assert.throws(() => clearedNotebook("{}"), /clearedNotebook: no cells array: not a notebook/);
});
