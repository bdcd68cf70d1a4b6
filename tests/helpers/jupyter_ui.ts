// The functions handed to page.evaluate run in the browser, against the notebook's untyped
// `Jupyter` global.
// deno-lint-ignore-file no-explicit-any

/**
 * Drives the real Jupyter front end the way a person does: Debian's Jupyter Notebook (classic,
 * 6.4) on loopback with the Deno kernel, and Debian's Chromium driven by `playwright-core` from
 * npm (no browser download). Menus are clicked (Kernel → Restart & Run All, Cell → Run All,
 * File → Save and Checkpoint); what the page shows is read back from the notebook's own model
 * and DOM.
 *
 * @module
 */

import { type Browser, chromium, type Page } from "playwright-core";

/** Where Debian installs the classic notebook server and Chromium. */
export const JUPYTER_NOTEBOOK = "/usr/bin/jupyter-notebook";
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for a closed network and a root user: no sandbox, no GPU, no background requests. */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A running notebook server. */
export interface NotebookServer {
  /** Base URL, e.g. `http://127.0.0.1:8890/`. */
  url: string;
  /** The token that authenticates requests. */
  token: string;
  /** Stops the server (and the kernels it started). */
  stop(): Promise<void>;
}

/**
 * Starts Jupyter Notebook on 127.0.0.1 serving `dir`, with its own signature database under
 * `stateDir` (so trust decisions do not touch the user's), `--allow-root` when running as root.
 */
export async function startNotebookServer(dir: string, stateDir: string): Promise<NotebookServer> {
  const token = crypto.randomUUID().replaceAll("-", "");
  const port = 18_000 + Math.floor(Math.random() * 2_000);
  const args = [
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--port-retries=50",
    `--notebook-dir=${dir}`,
    `--NotebookApp.token=${token}`,
    `--NotebookNotary.data_dir=${stateDir}`,
  ];
  if (Deno.uid() === 0) args.push("--allow-root");
  const child = new Deno.Command(JUPYTER_NOTEBOOK, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { JUPYTER_CONFIG_DIR: `${stateDir}/config`, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  }).spawn();
  const log: string[] = [];
  let resolveUrl!: (url: string) => void;
  const found = new Promise<string>((r) => (resolveUrl = r));
  const reading = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      log.push(chunk);
      const m = log.join("").match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolveUrl(`http://127.0.0.1:${m[1]}/`);
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`jupyter-notebook did not start in 60 s:\n${log.join("")}`)),
      60_000,
    );
  });
  const exited = child.status.then((s) => {
    throw new Error(`jupyter-notebook exited with ${s.code}:\n${log.join("")}`);
  });
  try {
    const url = await Promise.race([found, timeout, exited]);
    return {
      url,
      token,
      async stop() {
        try {
          child.kill("SIGTERM");
        } catch {
          // already gone
        }
        await child.status;
        await reading.catch(() => {});
      },
    };
  } catch (e) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status.catch(() => {});
    throw e;
  } finally {
    clearTimeout(timer);
    exited.catch(() => {});
  }
}

/** Launches Debian's Chromium, headless. */
export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** A console message or page error the browser reported. */
export interface ConsoleEntry {
  kind: "console.error" | "pageerror";
  text: string;
  url: string;
}

/**
 * Messages that come from Debian's notebook server or its MathJax, not from the project: a 404
 * for an nbextension the packaged server lists but does not ship (ipywidgets) and the refused
 * script that follows, and the web font that Debian's MathJax asks for at `about:blank` whenever
 * a Markdown cell holds math (a notebook with only `$x^2$` in it shows the same two lines).
 */
export function serverNoise(e: ConsoleEntry): boolean {
  return /\/(nbextensions|static|custom|kernelspecs)\//.test(e.url) ||
    /\/nbextensions\/|widgets\/notebook\/js\/extension\.js/.test(e.text) ||
    /favicon/.test(e.url) ||
    /^Access to font at 'about:blank' from origin /.test(e.text) ||
    (e.url === "about:blank" && /^Failed to load resource: net::ERR_FAILED/.test(e.text));
}

/** Opens a page that records console errors and page errors. */
export async function openPage(
  browser: Browser,
  url: string,
): Promise<{ page: Page; console: ConsoleEntry[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const entries: ConsoleEntry[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") {
      entries.push({ kind: "console.error", text: m.text(), url: m.location().url ?? "" });
    }
  });
  page.on("pageerror", (e) => entries.push({ kind: "pageerror", text: String(e), url: "" }));
  await page.goto(url, { waitUntil: "load" });
  await page.waitForFunction(
    () => {
      const nb = (globalThis as any).Jupyter?.notebook;
      return nb?._fully_loaded === true && nb.kernel?.is_connected?.() === true;
    },
    null,
    { timeout: 120_000 },
  );
  return { page, console: entries };
}

/** Clicks a menu item: the menu's link, then the item. */
export async function clickMenu(page: Page, menu: string, item: string): Promise<void> {
  await page.click(`#${menu}`);
  await page.click(`#${item} > a`);
}

/**
 * Runs every cell through the menus and waits until each code cell has finished and the kernel is
 * idle, then `settleMs` more for late output. `restart`: Kernel → Restart & Run All (and confirm);
 * otherwise Cell → Run All in the running kernel.
 */
export async function runAll(
  page: Page,
  options: { restart: boolean; timeoutMs: number; settleMs: number },
): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as any;
    const nb = g.Jupyter.notebook;
    if (!g.__uiRun) {
      g.__uiRun = { started: 0, finished: 0 };
      nb.events.on("execute.CodeCell", () => g.__uiRun.started++);
      nb.events.on("finished_execute.CodeCell", () => g.__uiRun.finished++);
    }
    g.__uiRun.started = 0;
    g.__uiRun.finished = 0;
  });
  if (options.restart) {
    await clickMenu(page, "kernellink", "restart_run_all");
    await page.click(".modal-footer button.btn-danger");
  } else {
    await clickMenu(page, "celllink", "run_all_cells");
  }
  await page.waitForFunction(
    () => {
      const g = globalThis as any;
      const code = g.Jupyter.notebook.get_cells().filter((c: any) => c.cell_type === "code");
      const icon = g.document.querySelector("#kernel_indicator_icon");
      return g.__uiRun.started >= code.length && g.__uiRun.finished >= code.length &&
        code.every((c: any) => typeof c.input_prompt_number === "number") &&
        icon?.classList.contains("kernel_idle_icon");
    },
    null,
    { timeout: options.timeoutMs, polling: 250 },
  );
  await page.waitForTimeout(options.settleMs);
}

/** One output as the notebook model holds it, reduced to what the checks need. */
export interface OutputSummary {
  type: string;
  /** The code-cell number of a marker output, if it is one. */
  marker?: number;
  /** `Out[n]` of an execute_result. */
  executionCount?: number;
  /** Plain text (stream text, text/plain, or error name and value), cut to 300 characters. */
  text: string;
  /** Whether it carries a Plotly figure. */
  figure: boolean;
}

/** The outputs under each code cell, in page order. */
export async function outputsByCell(page: Page): Promise<OutputSummary[][]> {
  return await page.evaluate(() => {
    const nb = (globalThis as any).Jupyter.notebook;
    return nb.get_cells().filter((c: any) => c.cell_type === "code").map((c: any) =>
      c.output_area.outputs.map((o: any) => {
        const data = o.data ?? {};
        const html = String(data["text/html"] ?? "");
        const m = html.match(/data-ui-marker="(\d+)"/);
        const text = o.output_type === "stream"
          ? String(o.text)
          : o.output_type === "error"
          ? `${o.ename}: ${o.evalue}`
          : String(data["text/plain"] ?? Object.keys(data).join(", "));
        return {
          type: o.output_type,
          ...(m ? { marker: Number(m[1]) } : {}),
          ...(o.output_type === "execute_result" ? { executionCount: o.execution_count } : {}),
          text: text.slice(0, 300),
          figure: "application/vnd.plotly.v1+json" in data,
        };
      })
    );
  });
}

/** What the figures on the page look like. */
export interface FigureState {
  /** Figure containers (`.plotly-figure`). */
  figures: number;
  /** Of those, how many hold an `svg` that Plotly drew. */
  drawn: number;
  /** The text each undrawn figure shows instead. */
  undrawn: string[];
}

/** Counts figure containers and drawn figures on the page. */
export async function figureState(page: Page): Promise<FigureState> {
  return await page.evaluate(() => {
    const doc = (globalThis as any).document;
    const figs: any[] = [...doc.querySelectorAll("#notebook .plotly-figure")];
    const undrawn = figs.filter((f) => !f.querySelector("svg.main-svg"))
      .map((f) => String(f.textContent ?? "").trim().slice(0, 200));
    return { figures: figs.length, drawn: figs.length - undrawn.length, undrawn };
  });
}

/** Waits (up to `timeoutMs`) until every figure on the page is drawn; returns the final state. */
export async function waitForFigures(page: Page, timeoutMs: number): Promise<FigureState> {
  const deadline = Date.now() + timeoutMs;
  let state = await figureState(page);
  while (state.drawn < state.figures && Date.now() < deadline) {
    await page.waitForTimeout(250);
    state = await figureState(page);
  }
  return state;
}

/** File → Save and Checkpoint, then waits until the server confirmed the save. */
export async function save(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as any;
    g.__uiSaved = false;
    g.Jupyter.notebook.events.one("notebook_saved.Notebook", () => (g.__uiSaved = true));
  });
  await clickMenu(page, "filelink", "save_checkpoint");
  await page.waitForFunction(() => (globalThis as any).__uiSaved === true, null, {
    timeout: 60_000,
  });
}

/** Whether the open notebook is trusted. */
export async function isTrusted(page: Page): Promise<boolean> {
  return await page.evaluate(() => (globalThis as any).Jupyter.notebook.trusted === true);
}

/**
 * Removes the test's markers from the page (not from the file): their outputs, and the marker
 * line at the top of each code cell, so that screenshots show what a person sees. Autosave is
 * switched off first, so the edited cells are never written back.
 */
export async function hideMarkers(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as any;
    g.Jupyter.notebook.set_autosave_interval(0);
    for (const m of g.document.querySelectorAll("[data-ui-marker]")) {
      m.closest(".output_area")?.remove();
    }
    for (const c of g.Jupyter.notebook.get_cells()) {
      if (c.cell_type !== "code") continue;
      const text: string = c.get_text();
      if (text.startsWith('await Deno.jupyter.display({ "text/plain": "[code cell ')) {
        c.code_mirror.setValue(text.slice(text.indexOf("\n") + 1));
      }
    }
  });
}

/** Waits until MathJax has typeset every formula on the page (Markdown cells, outputs). */
export async function waitForMath(page: Page): Promise<void> {
  await page.evaluate(() =>
    new Promise<void>((resolve) => {
      const hub = (globalThis as any).MathJax?.Hub;
      if (!hub) return resolve();
      hub.Queue(() => resolve());
    })
  );
}

/**
 * A screenshot of the whole notebook once its formulas are typeset: the classic notebook scrolls
 * inside `#site`, which is unrolled first so the page is as tall as the notebook.
 */
export async function screenshot(page: Page, path: string, fullPage = true): Promise<void> {
  await waitForMath(page);
  if (fullPage) {
    await page.addStyleTag({
      content: "html,body{height:auto!important;overflow:visible!important}" +
        "#site{height:auto!important;overflow:visible!important;display:block!important}",
    });
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path, fullPage });
}

/** Stops the kernel of the open notebook and forgets its session. */
export async function shutdownKernel(page: Page): Promise<void> {
  await page.evaluate(() =>
    new Promise<void>((resolve) =>
      (globalThis as any).Jupyter.notebook.session.delete(resolve, resolve)
    )
  ).catch(() => {});
}
