import assert from "node:assert/strict";
import {
  Figure,
  figureHtml,
  htmlPage,
  loadPlotly,
  plotlySource,
  withTextTitles,
} from "../../lib/view/figure.ts";
import { JUPYTER_DISPLAY } from "../../lib/view/display.ts";

const fig = () =>
  new Figure({ data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: { title: "line" } });

Deno.test("Figure renders a Plotly MIME bundle with HTML and text fallbacks; plotly.js inlined once", async () => {
  await loadPlotly();
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
  assert.ok((first["text/html"] as string).includes(src.slice(0, 200)));
  const second = fig()[JUPYTER_DISPLAY]();
  assert.ok(!(second["text/html"] as string).includes(src.slice(0, 200)));
  assert.equal(second["text/plain"], 'Figure "line": 1 trace(s) (scatter)');
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
  assert.ok(page.length > 1_000_000);
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
