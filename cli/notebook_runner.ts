/**
 * Runs notebooks under the real Deno Jupyter kernel through `tools/run_notebook.py` (Debian's
 * `python3-nbclient` / `jupyter-client`), which collects outputs the kernel sends after reporting
 * a cell finished — outputs stock nbconvert drops.
 *
 * @module
 */

/** Debian's own python3, which has the Jupyter packages (not a pyenv shim on PATH). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

const ROOT = new URL("../", import.meta.url);

/** The repository root as a file path. */
export function repoRoot(): string {
  return decodeURIComponent(ROOT.pathname).replace(/\/$/, "");
}

/** What the runner reports for one notebook. */
export interface NotebookRun {
  notebook: string;
  runs: number;
  outputs: number;
  outputsPerRun: number[];
  consistent: boolean;
  /** Outputs per code cell in each run, when the runs disagree. */
  cellOutputsPerRun: number[][] | null;
  codeCellsWithoutOutput: number[];
  figures: number;
  errors: { cell: number; ename: string; evalue: string }[];
  cellSeconds: number[];
  seconds: number;
}

/** Why the notebook tools are unavailable, or `null` when they are ready. */
export async function notebookToolsMissing(): Promise<string | null> {
  try {
    const probe = await new Deno.Command(SYSTEM_PYTHON, {
      args: ["-c", "import nbclient, nbconvert, jupyter_client, nbformat"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!probe.success) {
      return "Debian's python3 lacks nbclient/nbconvert: apt-get install jupyter-nbconvert python3-nbclient python3-ipykernel";
    }
  } catch {
    return `${SYSTEM_PYTHON} not found: apt-get install python3 jupyter-nbconvert python3-nbclient`;
  }
  return null;
}

/** Registers the Deno kernel (`deno jupyter --install`) for the running deno binary. */
export async function installKernel(): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", "--force"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `deno jupyter --install failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
}

/** Options of {@linkcode runNotebook}. */
export interface RunNotebookOptions {
  /** Executed notebook to write. */
  out: string;
  /** HTML export to write. */
  html?: string;
  /** Runs in fresh kernels whose output counts must agree. Default 1. */
  repeat?: number;
  /** Seconds per cell. Default 120. */
  timeout?: number;
}

/** Executes one notebook; resolves with the runner's summary (also when cells fail). */
export async function runNotebook(path: string, options: RunNotebookOptions): Promise<NotebookRun> {
  const args = [`${repoRoot()}/tools/run_notebook.py`, path, "--out", options.out];
  if (options.html) args.push("--html", options.html);
  args.push("--repeat", String(options.repeat ?? 1), "--timeout", String(options.timeout ?? 120));
  const out = await new Deno.Command(SYSTEM_PYTHON, {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  const last = text.split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as NotebookRun;
  } catch {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`running ${path} failed: ${err || text || `exit ${out.code}`}`);
  }
}

/** The notebooks in `notebooks/`, sorted by name. */
export async function listNotebooks(): Promise<string[]> {
  const dir = `${repoRoot()}/notebooks`;
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb")) names.push(`${dir}/${e.name}`);
  }
  return names.sort();
}

/** Cell metadata that records how a front end last showed a cell, not what the cell is. */
const VIEW_METADATA = ["collapsed", "scrolled", "execution", "jupyter", "trusted"];

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, sortedKeys(obj[k])]));
}

/**
 * A notebook's text as it is committed: no outputs, no execution counts, no view state in cell
 * metadata, `language_info` reduced to the language name; written the way Jupyter writes
 * notebooks (one-space indent, sorted keys, a final newline), so clearing an unchanged notebook
 * changes nothing.
 */
export function clearedNotebook(text: string): string {
  const nb = JSON.parse(text) as {
    cells?: Record<string, unknown>[];
    metadata?: Record<string, unknown>;
  };
  if (!Array.isArray(nb.cells)) {
    throw new TypeError("clearedNotebook: no cells array: not a notebook");
  }
  for (const cell of nb.cells) {
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
    const meta = (cell.metadata ?? {}) as Record<string, unknown>;
    for (const k of VIEW_METADATA) delete meta[k];
    cell.metadata = meta;
  }
  if (nb.metadata?.language_info) {
    const info = nb.metadata.language_info as { name?: string };
    nb.metadata.language_info = { name: info.name ?? "typescript" };
  }
  return JSON.stringify(sortedKeys(nb), null, 1) + "\n";
}
