import assert from "node:assert/strict";
import {
  Figure,
  FIGURE_FALLBACK_TEXT,
  FIGURE_NO_PLOTLY_TEXT,
  figureHtml,
  figureJson,
  type FigureSpec,
  htmlPage,
  loadPlotly,
  logSpacedIndices,
  plotlyInfo,
  plotlySource,
  withTextTitles,
} from "../../lib/view/figure.ts";
import { JUPYTER_DISPLAY, mimeBundle, show } from "../../lib/view/display.ts";

const fig = () =>
  new Figure({ data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: { title: "line" } });

Deno.test("Figure renders a Plotly MIME bundle with HTML and text fallbacks, without plotly.js", async () => {
  const first = fig()[JUPYTER_DISPLAY]();
  assert.deepEqual(Object.keys(first).sort(), [
    "application/vnd.plotly.v1+json",
    "text/html",
    "text/plain",
  ]);
  assert.deepEqual((first["application/vnd.plotly.v1+json"] as { layout: unknown }).layout, {
    title: { text: "line" },
  });
  const src = await plotlySource();
  // Every figure is the same size: plotly.js travels in the notebook's first cell instead.
  for (const f of [first, fig()[JUPYTER_DISPLAY]()]) {
    assert.ok(!(f["text/html"] as string).includes(src.slice(0, 200)));
    assert.ok((f["text/html"] as string).length < 2_000);
  }
  assert.equal(first["text/plain"], 'Figure "line": 1 trace(s) (scatter)');
});

Deno.test("loadPlotly: the cartesian bundle, once, with a status line the script rewrites", async () => {
  const script = await loadPlotly();
  const info = await plotlyInfo();
  assert.equal(info.package, "plotly.js-cartesian-dist-min");
  assert.ok(info.bytes > 1_000_000 && info.bytes < 2_000_000, `${info.bytes} bytes`);
  const bundle = script[JUPYTER_DISPLAY]();
  const html = bundle["text/html"] as string;
  assert.equal(html.split("plotly.js (cartesian - minified) v").length - 1, 1, "inlined once");
  assert.ok(!/<\/script/i.test(await plotlySource()), "no </script inside the inlined source");
  assert.match(html, /^<div id="plotly-status-[^"]+" class="plotly-status">plotly.js not loaded: /);
  assert.match(html, /Trust Notebook/);
  assert.match(
    bundle["text/plain"] as string,
    /^plotly.js-cartesian-dist-min 4\.\d+\.\d+ \(1\.\d MB\)/,
  );
});

Deno.test("figureHtml says why a figure is missing when its script cannot or did not run", () => {
  const html = figureHtml(fig().toJSON(), "f2");
  assert.ok(
    html.includes(
      `<p class="plotly-fallback" style="color:#9a6700">${
        FIGURE_FALLBACK_TEXT.replace("→", "→")
      }</p>`,
    ),
  );
  assert.match(FIGURE_FALLBACK_TEXT, /File → Trust Notebook/);
  assert.ok(html.includes(JSON.stringify(FIGURE_NO_PLOTLY_TEXT)));
  assert.match(html, /if\(typeof Plotly==="undefined"\)/);
});

Deno.test("figureHtml marks the div and escapes < in the JSON", () => {
  const html = figureHtml({ data: [{ name: "</script>" }] }, "f1");
  assert.match(html, /<div id="f1" class="plotly-figure" data-figure/);
  assert.ok(!html.includes('"</script>"'));
});

Deno.test("htmlPage is offline: plotly.js inline, no external script src", async () => {
  const page = await htmlPage("T <1>", figureHtml(fig().toJSON(), "a"));
  assert.match(page, /<title>T &lt;1&gt;<\/title>/);
  assert.ok(!/<script[^>]+src=/.test(page));
  assert.ok(page.length > 1_000_000 && page.length < 2_000_000);
});

Deno.test("Figure rejects a spec without data", () => {
  assert.throws(() => new Figure({} as never), /Figure: spec.data must be an array/);
});

Deno.test("string titles become { text } everywhere, since plotly.js 3+ ignores plain strings", () => {
  const spec = withTextTitles({
    data: [{ marker: { colorbar: { title: "c" } } }],
    layout: { title: "t", xaxis: { title: "x" }, yaxis: { title: { text: "y" } }, annotations: [] },
  });
  assert.deepEqual(spec, {
    data: [{ marker: { colorbar: { title: { text: "c" } } } }],
    layout: {
      title: { text: "t" },
      xaxis: { title: { text: "x" } },
      yaxis: { title: { text: "y" } },
      annotations: [],
    },
  });
  assert.match(figureHtml({ data: [], layout: { title: "T" } }, "z"), /"title":\{"text":"T"\}/);
});

Deno.test("log axes default to powers of ten, not SI suffixes", () => {
  const f = new Figure({
    data: [{ x: [1e-15, 1e-3], y: [1, 1e6] }],
    layout: { xaxis: { type: "log" }, yaxis: { type: "log", exponentformat: "e" }, xaxis2: {} },
  });
  assert.deepEqual(f.layout.xaxis, { type: "log", exponentformat: "power", dtick: 1 });
  assert.deepEqual(f.layout.yaxis, { type: "log", exponentformat: "e", dtick: 1 });
  assert.deepEqual(f.layout.xaxis2, {});
});

Deno.test("log axes write every tick in full over a few decades (0.2 is not 2)", () => {
  const f = new Figure({
    data: [
      { x: [0, 0.25, 0.5, 1], y: [0.08, 0.3, 0.9, 2.5] },
      { x: [150, 400], y: [5, 6], xaxis: "x2", yaxis: "y2" },
    ],
    layout: {
      yaxis: { type: "log" },
      xaxis2: { type: "log" },
      yaxis2: { type: "log", dtick: 1 },
      yaxis3: { type: "log" },
    },
  });
  const axis = (k: string) => f.layout[k] as { dtick?: unknown; tickformat?: string };
  assert.deepEqual([axis("yaxis").dtick, axis("yaxis").tickformat], ["D2", "~g"]);
  assert.deepEqual([axis("xaxis2").dtick, axis("xaxis2").tickformat], ["D1", "~g"]);
  assert.deepEqual([axis("yaxis2").dtick, axis("yaxis2").tickformat], [1, undefined], "own ticks");
  assert.deepEqual([axis("yaxis3").dtick, axis("yaxis3").tickformat], [undefined, undefined]);
  const wide = new Figure({ data: [{ y: [1e-30, 1] }], layout: { yaxis: { type: "log" } } });
  assert.equal((wide.layout.yaxis as { dtick?: number }).dtick, 3, "at most 12 labels");
});

Deno.test("show prints plain text outside Jupyter and uses a value's own bundle", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await show("a string", 42, fig(), { [JUPYTER_DISPLAY]: () => ({ "text/plain": "own" }) });
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, ["a string", "42", 'Figure "line": 1 trace(s) (scatter)', "own"]);
  assert.deepEqual(await mimeBundle([1, 2]), { "text/plain": "[ 1, 2 ]" });
  await assert.rejects(
    () => mimeBundle({ [JUPYTER_DISPLAY]: () => 3 }),
    /mimeBundle: \[JUPYTER_DISPLAY\]\(\) returned number, not a bundle/,
  );
});

Deno.test("figures are written with 8 significant digits; the Figure keeps its numbers", () => {
  const f = new Figure({ data: [{ x: [0.1 + 0.2, 3, 1e-300], y: [2 / 3, -1.23456789012e-7, 0] }] });
  const shown = f[JUPYTER_DISPLAY]()["application/vnd.plotly.v1+json"] as FigureSpec;
  assert.deepEqual(shown.data[0].x, [0.3, 3, 1e-300]);
  assert.deepEqual(shown.data[0].y, [0.66666667, -1.2345679e-7, 0]);
  assert.deepEqual(f.data[0].x, [0.1 + 0.2, 3, 1e-300]);
  assert.ok(figureJson(f).includes("[0.3,3,1e-300]"));
  assert.ok(figureHtml(f, "r").includes("[0.66666667,-1.2345679e-7,0]"));
});

Deno.test("logSpacedIndices keeps the early points and thins the late ones", () => {
  assert.deepEqual(logSpacedIndices(5), [0, 1, 2, 3, 4]);
  const keep = logSpacedIndices(5001, 300);
  assert.equal(keep[0], 0);
  assert.equal(keep.at(-1), 5000);
  assert.ok(keep.length <= 300 && keep.length > 200, `${keep.length}`);
  assert.deepEqual(keep.slice(0, 20), Array.from({ length: 20 }, (_, i) => i));
  assert.ok(keep.every((k, i) => i === 0 || k > keep[i - 1]));
  assert.throws(() => logSpacedIndices(-1), /logSpacedIndices: n must be an integer ≥ 0, got -1/);
  assert.throws(() => logSpacedIndices(9, 1), /count must be an integer ≥ 2, got 1/);
});
