/**
 * Plotly figures as plain specs (`{ data, layout }`) that render themselves: in Jupyter through
 * the MIME bundle `application/vnd.plotly.v1+json` plus a `text/html` fallback (plotly.js inlined
 * once per kernel session, so exported HTML works offline) plus `text/plain`; in pages through
 * {@linkcode figureHtml}.
 *
 * @module
 */

import { JUPYTER_DISPLAY } from "./display.ts";
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

let plotlyCache: string | undefined;
let inlinedInSession = false;

/**
 * The source of plotly.js (minified) from the npm package, read once. Needs read permission on
 * `node_modules`.
 */
export async function plotlySource(): Promise<string> {
  if (plotlyCache === undefined) {
    const url = new URL(import.meta.resolve("plotly.js"));
    try {
      plotlyCache = await Deno.readTextFile(url);
    } catch (e) {
      throw new Error(
        `plotlySource: cannot read plotly.js at ${url.pathname} (run \`deno install\`): ${
          e instanceof Error ? e.message : e
        }`,
      );
    }
  }
  return plotlyCache;
}

let figureCounter = 0;

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
    this.layout = withTextTitles({ ...spec.layout });
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
   * Jupyter MIME bundle. The HTML fallback carries plotly.js the first time a figure is shown in
   * a kernel session (call {@linkcode loadPlotly} once before, since display is synchronous).
   */
  [JUPYTER_DISPLAY](): Record<string, unknown> {
    let html = figureHtml(this);
    if (!inlinedInSession && plotlyCache !== undefined) {
      html = `<script type="text/javascript">${plotlyCache}</script>\n${html}`;
      inlinedInSession = true;
    }
    return {
      "application/vnd.plotly.v1+json": this.toJSON(),
      "text/html": html,
      "text/plain": this.toString(),
    };
  }
}

/** Reads plotly.js so that the first figure shown in Jupyter can inline it. */
export async function loadPlotly(): Promise<void> {
  await plotlySource();
}

/**
 * A `<div>` and the script that draws the figure into it (plotly.js must be on the page).
 * Marks the div `data-figure` so tests can find every figure.
 */
export function figureHtml(
  fig: FigureSpec,
  id = `fig-${++figureCounter}-${Date.now().toString(36)}`,
): string {
  const spec = withTextTitles({ data: fig.data, layout: fig.layout ?? {} });
  const json = JSON.stringify(spec).replace(
    /</g,
    "\\u003c",
  );
  return `<div id="${
    escapeHtml(id)
  }" class="plotly-figure" data-figure style="width:100%;min-height:420px"></div>\n` +
    `<script type="text/javascript">(function(){var f=${json};` +
    `Plotly.newPlot(${
      JSON.stringify(id)
    },f.data,f.layout,{responsive:true,displaylogo:false});})();</script>`;
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
