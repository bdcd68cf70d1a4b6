/**
 * Plotly figures for t-SNE: the embedding coloured by label, the KL divergence against the
 * iteration, and a perplexity sweep (5, 30, 100) in the spirit of Wattenberg, Viégas & Johnson,
 * "How to Use t-SNE Effectively" (Distill, 2016). Each returns a {@linkcode Figure}, which renders
 * itself in Jupyter and in pages through `figureHtml`.
 *
 * @module
 */

import { NDArray } from "../ndarray.ts";
import { Figure, type PlotlyObject } from "../view/figure.ts";
import { EARLY_EXAGGERATION_ITERS, type KlPoint } from "./optimize.ts";
import { tsne, type TsneOptions, type TsneResult } from "./tsne.ts";

/** Perplexities of the sweep. */
export const SWEEP_PERPLEXITIES: readonly number[] = [5, 30, 100];
const MARKER_SIZE = 4;
/** One colour per label, the same in every panel (Plotly's ten-colour palette). */
const LABEL_COLOURS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

function scatterTraces(
  y: NDArray,
  labels: ArrayLike<number> | undefined,
  axes: { xaxis?: string; yaxis?: string; showlegend?: boolean } = {},
): PlotlyObject[] {
  if (!(y instanceof NDArray) || y.ndim !== 2 || y.shape[1] !== 2) {
    throw new RangeError(`embeddingFigure: y must be [N, 2], got [${y?.shape?.join(", ")}]`);
  }
  const n = y.shape[0];
  if (labels !== undefined && labels.length !== n) {
    throw new RangeError(`embeddingFigure: ${labels.length} labels for ${n} points`);
  }
  const groups = new Map<number | string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = labels === undefined ? "points" : labels[i];
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const keys = [...groups.keys()].sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))
  );
  return keys.map((key, g) => {
    const idx = groups.get(key)!;
    return {
      type: "scatter",
      mode: "markers",
      name: String(key),
      legendgroup: String(key),
      showlegend: axes.showlegend ?? true,
      x: idx.map((i) => y.data[2 * i]),
      y: idx.map((i) => y.data[2 * i + 1]),
      text: idx.map((i) => `#${i}${labels === undefined ? "" : ` label ${key}`}`),
      hoverinfo: "text",
      marker: { size: MARKER_SIZE, opacity: 0.8, color: LABEL_COLOURS[g % LABEL_COLOURS.length] },
      ...(axes.xaxis ? { xaxis: axes.xaxis, yaxis: axes.yaxis } : {}),
    };
  });
}

/**
 * Scatter plot of a 2-D embedding, one trace (colour) per label.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { embeddingFigure } from "./figures.ts";
 * const fig = embeddingFigure(array([[0, 0], [1, 1], [2, 0]]), [0, 1, 0]);
 * if (fig.data.length !== 2) throw new Error();
 * ```
 */
export function embeddingFigure(
  y: NDArray,
  labels?: ArrayLike<number>,
  options: { title?: string } = {},
): Figure {
  return new Figure({
    data: scatterTraces(y, labels),
    layout: {
      title: options.title ?? "t-SNE embedding",
      xaxis: { zeroline: false, title: "t-SNE 1" },
      yaxis: { zeroline: false, title: "t-SNE 2", scaleanchor: "x" },
      legend: { title: { text: labels === undefined ? "" : "label" } },
      height: 600,
    },
  });
}

/**
 * KL(P‖Q) against the iteration, with the end of early exaggeration marked (the KL of the
 * un-exaggerated P is plotted throughout).
 *
 * @example
 * ```ts
 * import { klFigure } from "./figures.ts";
 * const fig = klFigure([{ iteration: 0, kl: 4 }, { iteration: 50, kl: 2 }]);
 * if (fig.data.length !== 1) throw new Error();
 * ```
 */
export function klFigure(
  trace: readonly KlPoint[],
  options: { title?: string; exaggerationIterations?: number } = {},
): Figure {
  const stop = options.exaggerationIterations ?? EARLY_EXAGGERATION_ITERS;
  return new Figure({
    data: [{
      type: "scatter",
      mode: "lines+markers",
      name: "KL(P‖Q)",
      x: trace.map((p) => p.iteration),
      y: trace.map((p) => p.kl),
    }],
    layout: {
      title: options.title ?? "KL divergence during optimization",
      xaxis: { title: "iteration" },
      yaxis: { title: "KL(P‖Q) (nats)" },
      shapes: [{
        type: "line",
        x0: stop,
        x1: stop,
        yref: "paper",
        y0: 0,
        y1: 1,
        line: { dash: "dot", color: "#888" },
      }],
      annotations: [{
        x: stop,
        yref: "paper",
        y: 1,
        text: "end of early exaggeration",
        showarrow: false,
        xanchor: "left",
      }],
    },
  });
}

/**
 * Side-by-side embeddings of already computed runs (one panel per result).
 */
export function sweepFigure(
  results: readonly TsneResult[],
  labels?: ArrayLike<number>,
  options: { title?: string } = {},
): Figure {
  const k = results.length;
  const data: PlotlyObject[] = [];
  const layout: PlotlyObject = {
    title: options.title ?? "t-SNE at several perplexities",
    height: 520,
    annotations: [] as PlotlyObject[],
    // Below the panels, in one row: a column of ten entries beside them did not fit.
    legend: {
      orientation: "h",
      x: 0.5,
      xanchor: "center",
      y: -0.04,
      yanchor: "top",
      title: { text: labels === undefined ? "" : "label" },
    },
  };
  const gap = 0.04;
  const width = (1 - gap * (k - 1)) / k;
  results.forEach((r, c) => {
    const suffix = c === 0 ? "" : String(c + 1);
    data.push(...scatterTraces(r.embedding, labels, {
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      showlegend: c === 0,
    }));
    const x0 = c * (width + gap);
    layout[`xaxis${suffix}`] = { domain: [x0, x0 + width], zeroline: false, showticklabels: false };
    layout[`yaxis${suffix}`] = {
      anchor: `x${suffix}`,
      zeroline: false,
      showticklabels: false,
      scaleanchor: `x${suffix}`,
    };
    (layout.annotations as PlotlyObject[]).push({
      text: `perplexity ${r.perplexity}, KL ${r.kl.toFixed(3)}`,
      xref: "paper",
      yref: "paper",
      x: x0 + width / 2,
      y: 1.02,
      showarrow: false,
      xanchor: "center",
      yanchor: "bottom",
    });
  });
  return new Figure({ data, layout });
}

/**
 * Runs t-SNE at each perplexity (default 5, 30, 100; those ≥ N − 1 are skipped) with the same
 * seed and returns the runs and their side-by-side figure.
 *
 * @example
 * ```ts
 * import { randn } from "../ndarray.ts";
 * import { perplexitySweep } from "./figures.ts";
 * const { figure, results } = await perplexitySweep(randn([40, 3], { seed: 1 }), undefined, {
 *   perplexities: [5, 10],
 *   iterations: 100,
 * });
 * if (results.length !== 2 || figure.data.length !== 2) throw new Error();
 * ```
 */
export async function perplexitySweep(
  x: NDArray,
  labels?: ArrayLike<number>,
  options: TsneOptions & { perplexities?: readonly number[] } = {},
): Promise<{ figure: Figure; results: TsneResult[] }> {
  const n = x.shape[0];
  const results: TsneResult[] = [];
  for (const perplexity of options.perplexities ?? SWEEP_PERPLEXITIES) {
    if (perplexity >= n - 1) continue;
    results.push(await tsne(x, { ...options, perplexity }));
  }
  return { figure: sweepFigure(results, labels), results };
}
