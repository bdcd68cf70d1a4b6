/**
 * Plotly figures as plain specs (`{ data, layout }`) that render themselves: in Jupyter through
 * the MIME bundle `application/vnd.plotly.v1+json` plus a `text/html` fallback plus `text/plain`;
 * in pages through {@linkcode figureHtml}.
 *
 * plotly.js itself (the cartesian bundle from npm: scatter, bar, heatmap, contour and the other
 * 2-D traces, 1.5 MB instead of 4.8 MB for the full bundle) travels once per notebook, in the
 * output of its first cell (`await show(await loadPlotly())`): every figure after it draws from
 * that copy, also when the saved notebook is reopened, however often its cells were run. A figure
 * whose script does not run (an untrusted notebook, a viewer without JavaScript) shows one line
 * saying why and what to do instead of an empty box.
 *
 * @module
 */

import { JUPYTER_DISPLAY, type MimeBundle } from "./display.ts";
import { escapeHtml } from "./table.ts";

/** A Plotly trace or layout: plain JSON. */
export type PlotlyObject = Record<string, unknown>;

/** What a figure is made of. */
export interface FigureSpec {
  /** Plotly traces. */
  data: PlotlyObject[];
  /** Plotly layout; `title` may be a string. */
  layout?: PlotlyObject;
}

/** The plotly.js bundle the project ships into pages and notebooks. */
export interface PlotlyBundleInfo {
  /** npm package name. */
  package: string;
  /** Its version. */
  version: string;
  /** Size of the minified script in bytes. */
  bytes: number;
}

let plotlyCache: string | undefined;
let plotlyInfoCache: PlotlyBundleInfo | undefined;

/**
 * The source of plotly.js (minified) from the npm package, read once. Needs read permission on
 * `node_modules`.
 */
export async function plotlySource(): Promise<string> {
  if (plotlyCache === undefined) {
    const url = new URL(import.meta.resolve("plotly.js"));
    let source: string;
    try {
      source = await Deno.readTextFile(url);
    } catch (e) {
      throw new Error(
        `plotlySource: cannot read plotly.js at ${url.pathname} (run \`deno install\`): ${
          e instanceof Error ? e.message : e
        }`,
      );
    }
    // Inlined into <script> elements: no "</script" may end them early.
    plotlyCache = source.replaceAll("</script", "<\\/script");
    let pkg = { name: "plotly.js", version: "unknown" };
    try {
      pkg = JSON.parse(await Deno.readTextFile(new URL("package.json", url)));
    } catch {
      // The version is only informative.
    }
    plotlyInfoCache = { package: pkg.name, version: pkg.version, bytes: source.length };
  }
  return plotlyCache;
}

/** Which plotly.js bundle {@linkcode plotlySource} reads (package, version, size). */
export async function plotlyInfo(): Promise<PlotlyBundleInfo> {
  await plotlySource();
  return { ...plotlyInfoCache! };
}

let elementCounter = 0;

function uniqueId(prefix: string): string {
  return `${prefix}-${++elementCounter}-${Date.now().toString(36)}`;
}

/**
 * What a figure shows while its script has not run: Jupyter runs the JavaScript of trusted
 * notebooks only, and viewers such as GitHub's run none.
 */
export const FIGURE_FALLBACK_TEXT: string =
  "Figure not drawn: its JavaScript did not run. In Jupyter, trust the notebook " +
  "(File → Trust Notebook) and reload it, or run its cells.";

/** What a figure shows when it runs but plotly.js is not on the page. */
export const FIGURE_NO_PLOTLY_TEXT: string =
  "Figure not drawn: plotly.js is not loaded on this page. Run the notebook's first code " +
  "cell (it loads plotly.js), then this one.";

/**
 * The output of a notebook's first cell: plotly.js, inlined once, and a line saying whether it
 * loaded. Returned by {@linkcode loadPlotly}.
 */
export class PlotlyScript {
  /** The bundle it carries. */
  readonly info: PlotlyBundleInfo;
  readonly #source: string;

  /** Wraps a plotly.js source; prefer {@linkcode loadPlotly}. */
  constructor(source: string, info: PlotlyBundleInfo) {
    this.#source = source;
    this.info = info;
  }

  /** One line for terminals. */
  toString(): string {
    const mb = (this.info.bytes / 1e6).toFixed(1);
    return `${this.info.package} ${this.info.version} (${mb} MB), for the figures of this notebook`;
  }

  /** `<script>` with plotly.js and a status line that the script rewrites once it has run. */
  html(): string {
    const id = uniqueId("plotly-status");
    const loaded = `${this.toString()}: loaded.`;
    return `<div id="${id}" class="plotly-status">plotly.js not loaded: Jupyter runs the ` +
      `JavaScript of trusted notebooks only. Trust this one (File → Trust Notebook) and ` +
      `reload it, or run this cell.</div>\n` +
      `<script type="text/javascript">${this.#source}</script>\n` +
      `<script type="text/javascript">(function(){var e=document.getElementById(${
        JSON.stringify(id)
      });if(e&&typeof Plotly!=="undefined")e.textContent=${JSON.stringify(loaded)};})();` +
      `</script>`;
  }

  /** Jupyter MIME bundle: the HTML above and a plain-text line. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.html(), "text/plain": this.toString() };
  }
}

/**
 * Reads plotly.js and returns it as a displayable {@linkcode PlotlyScript}. A notebook shows it
 * once, in its first cell: `await show(await loadPlotly())`.
 */
export async function loadPlotly(): Promise<PlotlyScript> {
  const source = await plotlySource();
  return new PlotlyScript(source, await plotlyInfo());
}

/**
 * plotly.js 3 and later ignore a `title` given as a plain string (layout, axes, colour bars):
 * this returns a copy of a Plotly object with every such title written as `{ text }`.
 */
export function withTextTitles<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withTextTitles(v)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = k === "title" && typeof v === "string" ? { text: v } : withTextTitles(v);
  }
  return out as T;
}

const AXIS_KEY = /^([xy])axis(\d*)$/;

/**
 * Below this many decades of data a log axis gets ticks at 1, 2 and 5 times powers of ten,
 * written in full (0.2, 0.5, 2). Plotly's own choice there labels the in-between ticks with their
 * first digit alone, so that 0.2 and 2 both read "2".
 */
const FULL_LABEL_DECADES = 3;
/** Below this many decades, ticks at every integer multiple (0.5, 0.6, 0.7): 1-2-5 leaves one. */
const DENSE_TICK_DECADES = 0.5;
/** Above that, one labelled tick per power of ten, up to this many labels. */
const MAX_DECADE_LABELS = 12;

/** Decades spanned by the positive values that the traces put on one axis (NaN if none). */
function decadesOnAxis(data: readonly PlotlyObject[], letter: string, suffix: string): number {
  let lo = Infinity, hi = 0;
  for (const trace of data) {
    const ref = String(trace[`${letter}axis`] ?? letter);
    if (ref !== `${letter}${suffix === "1" ? "" : suffix}`) continue;
    const values = trace[letter];
    if (!Array.isArray(values)) continue;
    for (const v of values) {
      if (typeof v === "number" && v > 0 && Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return hi > 0 ? Math.log10(hi / lo) : NaN;
}

/**
 * Log axes that read unambiguously, unless the layout sets their ticks itself: ticks as powers
 * of ten (10⁻¹²) instead of Plotly's SI suffixes (1e-15 as "1f", 1e-4 as "100µ"); over less
 * than three decades of data, ticks at 1, 2, 5 × 10ᵏ written in full; over more, labels at powers
 * of ten only (Plotly would label the ticks between them "2" and "5" whatever the decade). Returns
 * a copy of the layout.
 */
export function withReadableLogAxes(
  layout: PlotlyObject,
  data: readonly PlotlyObject[] = [],
): PlotlyObject {
  const out: PlotlyObject = { ...layout };
  for (const [k, v] of Object.entries(layout)) {
    const m = k.match(AXIS_KEY);
    if (!m || v === null || typeof v !== "object") continue;
    const axis = v as PlotlyObject;
    if (axis.type !== "log") continue;
    const fixed: PlotlyObject = { ...axis };
    if (fixed.exponentformat === undefined) fixed.exponentformat = "power";
    const decades = decadesOnAxis(data, m[1], m[2] || "1");
    const own = ["dtick", "tickvals", "tickformat", "tickmode", "nticks"].some((t) =>
      fixed[t] !== undefined
    );
    if (!own && Number.isFinite(decades)) {
      if (decades < FULL_LABEL_DECADES) {
        fixed.dtick = decades < DENSE_TICK_DECADES ? "D1" : "D2";
        fixed.tickformat = "~g";
      } else {
        fixed.dtick = Math.ceil(decades / MAX_DECADE_LABELS);
      }
    }
    out[k] = fixed;
  }
  return out;
}

/**
 * Significant digits kept when a figure is written out for display: far finer than any screen
 * resolves, and half the bytes of float64's 17 (a 1,000-point curve takes 20 kB, not 40 kB).
 */
export const FIGURE_DIGITS = 8;

function rounded(_key: string, value: unknown): unknown {
  return typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(FIGURE_DIGITS))
    : value;
}

/**
 * A figure spec as JSON text for display: every title as `{ text }`, numbers to
 * {@linkcode FIGURE_DIGITS} significant digits, `<` escaped so that it can sit in a `<script>`.
 */
export function figureJson(fig: FigureSpec): string {
  const spec = withTextTitles({ data: fig.data, layout: fig.layout ?? {} });
  return JSON.stringify(spec, rounded).replace(/</g, "\\u003c");
}

/** Points kept per curve by {@linkcode logSpacedIndices} unless told otherwise. */
export const LOG_AXIS_POINTS = 300;

/**
 * Indices 0 … n − 1 thinned for a curve on a logarithmic x axis: about `count` of them, evenly
 * spaced in log(index + 1), so the first iterations are all kept and later ones ever more
 * sparsely (5,001 iterations become about 270 points that draw the same line at a twentieth of
 * the size). All indices when n ≤ count.
 *
 * @example
 * ```ts
 * import { logSpacedIndices } from "./figure.ts";
 * const keep = logSpacedIndices(5001, 300);
 * if (keep[0] !== 0 || keep.at(-1) !== 5000 || keep.length > 300) throw new Error();
 * ```
 */
export function logSpacedIndices(n: number, count: number = LOG_AXIS_POINTS): number[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`logSpacedIndices: n must be an integer ≥ 0, got ${n}`);
  }
  if (!Number.isInteger(count) || count < 2) {
    throw new RangeError(`logSpacedIndices: count must be an integer ≥ 2, got ${count}`);
  }
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const keep = new Set<number>([0, n - 1]);
  for (let j = 0; j < count; j++) {
    keep.add(Math.min(n - 1, Math.round(Math.exp((j / (count - 1)) * Math.log(n))) - 1));
  }
  return [...keep].sort((a, b) => a - b);
}

/** A Plotly figure. */
export class Figure implements FigureSpec {
  /** Plotly traces. */
  data: PlotlyObject[];
  /** Plotly layout. */
  layout: PlotlyObject;

  /** A figure from Plotly traces and layout. */
  constructor(spec: FigureSpec) {
    if (!spec || !Array.isArray(spec.data)) {
      throw new TypeError("Figure: spec.data must be an array of Plotly traces");
    }
    this.data = withTextTitles(spec.data);
    this.layout = withReadableLogAxes(withTextTitles({ ...spec.layout }), this.data);
  }

  /** The figure's title, if any. */
  get title(): string {
    const t = this.layout.title;
    if (typeof t === "string") return t;
    if (t && typeof t === "object" && typeof (t as PlotlyObject).text === "string") {
      return (t as PlotlyObject).text as string;
    }
    return "";
  }

  /** `{ data, layout }`. */
  toJSON(): FigureSpec {
    return { data: this.data, layout: this.layout };
  }

  /** A one-line summary for terminals. */
  toString(): string {
    const kinds = [...new Set(this.data.map((d) => String(d.type ?? "scatter")))].join(", ");
    return `Figure${this.title ? ` "${this.title}"` : ""}: ${this.data.length} trace(s) (${kinds})`;
  }

  /**
   * Jupyter MIME bundle: the Plotly MIME type (drawn by VS Code and JupyterLab), HTML that draws
   * the figure with the page's plotly.js (see {@linkcode loadPlotly}), and plain text.
   */
  [JUPYTER_DISPLAY](): MimeBundle {
    return {
      "application/vnd.plotly.v1+json": JSON.parse(figureJson(this)),
      "text/html": figureHtml(this),
      "text/plain": this.toString(),
    };
  }
}

/**
 * A `<div>` and the script that draws the figure into it with the page's plotly.js. Marks the div
 * `data-figure` (class `plotly-figure`) so tests can find every figure. Until the script runs the
 * div holds {@linkcode FIGURE_FALLBACK_TEXT}; on a page without plotly.js the script writes
 * {@linkcode FIGURE_NO_PLOTLY_TEXT} instead of failing.
 */
export function figureHtml(fig: FigureSpec, id: string = uniqueId("fig")): string {
  const json = figureJson(fig);
  return `<div id="${
    escapeHtml(id)
  }" class="plotly-figure" data-figure style="width:100%;min-height:420px">` +
    `<p class="plotly-fallback" style="color:#9a6700">${
      escapeHtml(FIGURE_FALLBACK_TEXT)
    }</p></div>\n` +
    `<script type="text/javascript">(function(){var d=document.getElementById(${
      JSON.stringify(id)
    });if(!d)return;` +
    `if(typeof Plotly==="undefined"){d.firstChild.textContent=${
      JSON.stringify(FIGURE_NO_PLOTLY_TEXT)
    };return;}` +
    `var f=${json};d.innerHTML="";` +
    `Plotly.newPlot(d,f.data,f.layout,{responsive:true,displaylogo:false});})();</script>`;
}

/**
 * A standalone, offline HTML page: plotly.js inlined once, then `body` (HTML, may contain
 * {@linkcode figureHtml} blocks).
 */
export async function htmlPage(title: string, body: string): Promise<string> {
  const plotly = await plotlySource();
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title>\n<style>${PAGE_CSS}</style>\n` +
    `<script type="text/javascript">${plotly}</script>\n</head><body>\n<h1>${
      escapeHtml(title)
    }</h1>\n` +
    `${body}\n</body></html>\n`;
}

const PAGE_CSS =
  "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1f2328}" +
  "table{border-collapse:collapse;margin:1em 0;font-size:14px}" +
  "th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}" +
  "th{background:#f6f8fa}caption{text-align:left;font-weight:600;padding:4px 0}" +
  ".verified{color:#1a7f37}.erratum{color:#cf222e;font-weight:600}.unverifiable{color:#9a6700}" +
  ".extension{color:#0969da}code{background:#f6f8fa;padding:0 3px}";
