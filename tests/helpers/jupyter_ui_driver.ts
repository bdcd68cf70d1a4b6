/**
 * Opens each notebook the way a person does and reports what is wrong, one JSON line per
 * notebook on stdout (`tests/jupyter_ui_test.ts` runs it and asserts). Usage:
 * `deno run --allow-all tests/helpers/jupyter_ui_driver.ts [PREFIX...]` (all notebooks, or those
 * whose names start with a prefix such as 07).
 *
 * For every notebook, on a copy: Kernel → Restart & Run All through the menus, then Cell → Run
 * All in the same kernel, each time checking for error outputs, undrawn figures, outputs under
 * the wrong cell and console errors; File → Save; reopen in a fresh page, where every figure must
 * draw again; the saved size and the number of plotly.js copies in it; and the same file changed
 * behind Jupyter's back (so untrusted), where each figure must say how to trust the notebook.
 *
 * To tell which cell made an output, each code cell of the copy starts by displaying a marker
 * with its number. The kernel publishes a cell's outputs in order, so an output of cell k that
 * lands under a later cell comes before that cell's marker (or after the marker of a cell in
 * between): any output above a cell's own marker, or any foreign marker, is an output under the
 * wrong cell.
 *
 * @module
 */

import { installKernel, listNotebooks, repoRoot } from "../../cli/notebook_runner.ts";
import type { Browser } from "playwright-core";
import {
  type ConsoleEntry,
  figureState,
  hideMarkers,
  isTrusted,
  launchChromium,
  type NotebookServer,
  openPage,
  outputsByCell,
  type OutputSummary,
  runAll,
  save,
  screenshot,
  serverNoise,
  shutdownKernel,
  startNotebookServer,
  waitForFigures,
} from "./jupyter_ui.ts";
import { FIGURE_FALLBACK_TEXT } from "../../lib/view/figure.ts";

/** The saved notebook, after two Run Alls, must weigh less than this (bytes). */
const MAX_SAVED_BYTES = 2_000_000;
/** Time for one Run All of one notebook, kernel restart included. */
const RUN_TIMEOUT_MS = 300_000;
/** Quiet time after the kernel went idle, for output that arrives late. */
const SETTLE_MS = 1_500;
/** How long a reopened page may take to draw its figures. */
const DRAW_TIMEOUT_MS = 30_000;

/**
 * The copies sit in `out/`, one level below the repository root like `notebooks/`, so that the
 * paths the notebooks use (`../mod.ts`, `../data/...`) reach the same files; the server serves
 * `out/`. Screenshots and sizes go to `out/ui/`.
 */
const NB_DIR = `${repoRoot()}/out`;
const OUT = `${NB_DIR}/ui`;
const SHOTS = `${OUT}/screenshots`;
const PLOTLY_BANNER = "plotly.js (cartesian - minified) v";

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; data?: Record<string, unknown> }[];
  metadata?: { tags?: string[] };
}
interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
}

const text = (s: string | string[]) => (Array.isArray(s) ? s.join("") : s);
const nameOf = (p: string) => p.split("/").pop()!.replace(/\.ipynb$/, "");

/** Serialized the way Jupyter saves notebooks (one-space indent, sorted keys). */
function nbJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v !== null && typeof v === "object"
      ? Object.fromEntries(
        Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      )
      : v;
  return JSON.stringify(sort(value), null, 1) + "\n";
}

function markerLine(k: number): string {
  const html = `<span data-ui-marker="${k}" style="color:#888">[code cell ${k}]</span>`;
  return `await Deno.jupyter.display({ "text/plain": "[code cell ${k}]", "text/html": ${
    JSON.stringify(html)
  } }, { raw: true });\n`;
}

/** The copy the front end runs: every code cell starts by displaying its marker. */
async function prepareCopy(path: string): Promise<{ copy: string; figureCells: number }> {
  const nb: Notebook = JSON.parse(await Deno.readTextFile(path));
  let k = 0;
  for (const c of nb.cells) {
    if (c.cell_type === "code") c.source = markerLine(++k) + text(c.source);
  }
  const copy = `${NB_DIR}/${nameOf(path)}.ipynb`;
  await Deno.writeTextFile(copy, nbJson(nb));
  const figureCells = nb.cells.filter((c) => c.metadata?.tags?.includes("figure")).length;
  return { copy, figureCells };
}

/** The saved notebook as a person's would be: marker lines and marker outputs removed. */
function withoutMarkers(nb: Notebook): Notebook {
  const copy: Notebook = structuredClone(nb);
  for (const c of copy.cells) {
    if (c.cell_type !== "code") continue;
    const src = text(c.source);
    c.source = src.slice(src.indexOf("\n") + 1);
    c.outputs = (c.outputs ?? []).filter((o) =>
      !String(o.data?.["text/html"] ?? "").includes("data-ui-marker")
    );
  }
  return copy;
}

function describe(o: OutputSummary | undefined): string {
  if (!o) return "nothing";
  if (o.marker !== undefined) return `the marker of code cell ${o.marker}`;
  return `${o.type} "${o.text.replace(/\s+/g, " ").slice(0, 80)}"`;
}

/** Everything wrong with the outputs of one run. */
function outputProblems(cells: OutputSummary[][], run: string): string[] {
  const problems: string[] = [];
  cells.forEach((outs, i) => {
    const k = i + 1;
    if (outs[0]?.marker !== k) {
      problems.push(`${run}: code cell ${k} starts with ${describe(outs[0])}, not its own marker`);
    }
    for (const o of outs) {
      if (o.marker !== undefined && o.marker !== k) {
        problems.push(`${run}: the marker of code cell ${o.marker} is under code cell ${k}`);
      }
      if (o.type === "error") problems.push(`${run}: code cell ${k} failed: ${o.text}`);
      if (o.type === "execute_result") {
        problems.push(
          `${run}: code cell ${k} ends with a bare expression (Out[${o.executionCount}]); the ` +
            `kernel publishes it after the cell has finished, where Run All can put it under ` +
            `the next cell: end the cell with await show(...)`,
        );
      }
    }
    if (!outs.some((o) => o.marker === undefined)) {
      problems.push(`${run}: code cell ${k} shows nothing`);
    }
  });
  return problems;
}

function consoleProblems(entries: ConsoleEntry[], where: string): string[] {
  return entries.filter((e) => !serverNoise(e)).map((e) =>
    `${where}: ${e.kind} ${e.text.slice(0, 300)}${e.url ? ` (${e.url})` : ""}`
  );
}

interface SizeRecord {
  notebook: string;
  savedBytes: number;
  withoutMarkersBytes: number;
  plotlyCopies: number;
  figures: number;
}

/** What the driver reports for one notebook (one JSON line on stdout). */
export interface NotebookReport {
  notebook: string;
  problems: string[];
  size?: SizeRecord;
}

/** Opens each notebook as a person does and reports what is wrong with it, one line each. */
async function main(names: string[]): Promise<void> {
  await installKernel();
  await Deno.remove(OUT, { recursive: true }).catch(() => {});
  await Deno.mkdir(SHOTS, { recursive: true });
  const state = await Deno.makeTempDir({ prefix: "jupyter-ui-" });
  const server = await startNotebookServer(NB_DIR, state);
  const browser = await launchChromium();
  const sizes: SizeRecord[] = [];
  try {
    const chosen = (await listNotebooks()).filter((p) =>
      names.length === 0 || names.some((prefix) => nameOf(p).startsWith(prefix))
    );
    for (const path of chosen) {
      const report = await checkNotebook(path, server, browser).catch((e) => ({
        notebook: nameOf(path),
        problems: [`the check itself failed: ${e instanceof Error ? e.stack ?? e.message : e}`],
      }));
      if ("size" in report && report.size) sizes.push(report.size);
      console.log(JSON.stringify(report));
    }
  } finally {
    await Deno.writeTextFile(`${OUT}/sizes.json`, JSON.stringify(sizes, null, 2) + "\n");
    await browser.close().catch(() => {});
    await server.stop();
    await Deno.remove(state, { recursive: true }).catch(() => {});
  }
}

async function checkNotebook(
  path: string,
  server: NotebookServer,
  browser: Browser,
): Promise<NotebookReport> {
  const name = nameOf(path);
  const { copy, figureCells } = await prepareCopy(path);
  const url = `${server.url}notebooks/${name}.ipynb?token=${server.token}`;
  const problems: string[] = [];

  // 1. Kernel → Restart & Run All.
  const first = await openPage(browser, url);
  await runAll(first.page, {
    restart: true,
    timeoutMs: RUN_TIMEOUT_MS,
    settleMs: SETTLE_MS,
  });
  const cells = await outputsByCell(first.page);
  problems.push(...outputProblems(cells, "Restart & Run All"));
  const figures = cells.flat().filter((o) => o.figure).length;
  if (figures < figureCells) {
    problems.push(`${figures} figures for ${figureCells} cells tagged figure`);
  }
  const drawn = await figureState(first.page);
  if (drawn.figures !== figures || drawn.drawn !== figures) {
    problems.push(
      `Restart & Run All: ${drawn.drawn} of ${figures} figures drawn ` +
        `(${drawn.figures} containers): ${drawn.undrawn.join(" | ")}`,
    );
  }

  // 2. Cell → Run All again in the same kernel, then File → Save.
  await runAll(first.page, {
    restart: false,
    timeoutMs: RUN_TIMEOUT_MS,
    settleMs: SETTLE_MS,
  });
  problems.push(...outputProblems(await outputsByCell(first.page), "second Run All"));
  const again = await figureState(first.page);
  if (again.drawn !== figures) {
    problems.push(`second Run All: ${again.drawn} of ${figures} figures drawn`);
  }
  await save(first.page);
  problems.push(...consoleProblems(first.console, "running"));
  await first.page.context().close();

  const savedText = await Deno.readTextFile(copy);
  const saved: Notebook = JSON.parse(savedText);
  const record: SizeRecord = {
    notebook: name,
    savedBytes: new TextEncoder().encode(savedText).length,
    withoutMarkersBytes: new TextEncoder().encode(nbJson(withoutMarkers(saved))).length,
    plotlyCopies: savedText.split(PLOTLY_BANNER).length - 1,
    figures,
  };
  if (figures > 0 ? record.plotlyCopies !== 1 : record.plotlyCopies > 1) {
    problems.push(`the saved notebook holds ${record.plotlyCopies} copies of plotly.js`);
  }
  if (record.withoutMarkersBytes >= MAX_SAVED_BYTES) {
    problems.push(`the saved notebook weighs ${record.withoutMarkersBytes} bytes`);
  }

  // 3. Reopen the saved notebook in a fresh page: every figure draws again.
  const reopened = await openPage(browser, url);
  if (!(await isTrusted(reopened.page))) problems.push("the saved notebook is not trusted");
  const after = await waitForFigures(reopened.page, DRAW_TIMEOUT_MS);
  if (after.figures !== figures || after.drawn !== figures) {
    problems.push(
      `reopened: ${after.drawn} of ${figures} figures drawn (${after.figures} ` +
        `containers): ${after.undrawn.join(" | ")}`,
    );
  }
  await hideMarkers(reopened.page);
  await screenshot(reopened.page, `${SHOTS}/${name}.png`);
  problems.push(...consoleProblems(reopened.console, "reopened"));
  await shutdownKernel(reopened.page);
  await reopened.page.context().close();

  // 4. The same file, untrusted (changed behind Jupyter's back): each figure says why.
  saved.metadata.ui_test_untrusted = true;
  const untrustedName = `${name}.untrusted`;
  await Deno.writeTextFile(`${NB_DIR}/${untrustedName}.ipynb`, nbJson(saved));
  const untrusted = await openPage(
    browser,
    `${server.url}notebooks/${untrustedName}.ipynb?token=${server.token}`,
  );
  if (await isTrusted(untrusted.page)) problems.push("a changed notebook stays trusted");
  const notes = await untrusted.page.evaluate((fallback) => {
    // deno-lint-ignore no-explicit-any
    const doc = (globalThis as any).document;
    const outs: { textContent: string | null }[] = [
      ...doc.querySelectorAll("#notebook .output_subarea"),
    ];
    return outs.filter((o) => (o.textContent ?? "").includes(fallback)).length;
  }, FIGURE_FALLBACK_TEXT);
  if (notes !== figures) {
    problems.push(
      `untrusted: ${notes} of ${figures} figures say how to trust the notebook`,
    );
  }
  await hideMarkers(untrusted.page);
  await screenshot(untrusted.page, `${SHOTS}/${untrustedName}.png`, false);
  await shutdownKernel(untrusted.page);
  await untrusted.page.context().close();

  return { notebook: name, problems, size: record };
}

if (import.meta.main) await main(Deno.args);
