/**
 * Loads an HTML file in headless Chromium (Debian's `chromium`) and reports how many Plotly
 * figures it holds, how many rendered, and every script error or `console.error` on the page.
 * A probe script is injected at the top of `<head>` that records errors into the DOM, which
 * `--dump-dom` then returns after the page's scripts have run.
 *
 * @module
 */

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for a closed network: no background requests, no sandbox (root), no GPU. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--virtual-time-budget=30000",
  "--dump-dom",
];

const PROBE = `<script>(function(){var errs=[];function keep(m){errs.push(String(m));` +
  `document.documentElement.setAttribute("data-page-errors",JSON.stringify(errs));}` +
  `window.addEventListener("error",function(e){keep(e.message||"script error");});` +
  `window.addEventListener("unhandledrejection",function(e){keep("unhandled rejection: "+(e.reason&&e.reason.message||e.reason));});` +
  `var ce=console.error;console.error=function(){keep(Array.prototype.join.call(arguments," "));` +
  `return ce.apply(console,arguments);};})();</script>`;

/** What a page showed. */
export interface PageRender {
  /** Elements marked as Plotly figures (`plotly-figure` class). */
  figures: number;
  /** Of those, how many Plotly drew (it adds the `js-plotly-plot` class and an SVG). */
  rendered: number;
  /** Script errors, unhandled rejections and console.error messages. */
  errors: string[];
}

/** True when Chromium is installed here. */
export async function chromiumAvailable(): Promise<boolean> {
  try {
    return (await Deno.stat(CHROMIUM)).isFile;
  } catch {
    return false;
  }
}

/** Loads `htmlPath` in headless Chromium and returns the DOM after its scripts have run. */
export async function dumpDom(htmlPath: string): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  try {
    const out = await new Deno.Command(CHROMIUM, {
      args: [...FLAGS, `--user-data-dir=${profile}`, `file://${htmlPath}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) throw new Error(`chromium exited with ${out.code} on ${htmlPath}`);
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

/** Renders `htmlPath` in headless Chromium and reports figures and errors. */
export async function renderPage(htmlPath: string): Promise<PageRender> {
  const html = await Deno.readTextFile(htmlPath);
  const dir = await Deno.makeTempDir({ prefix: "chromium-page-" });
  try {
    const probed = /<head[^>]*>/i.test(html)
      ? html.replace(/<head[^>]*>/i, (h) => h + PROBE)
      : PROBE + html;
    const page = `${dir}/page.html`;
    await Deno.writeTextFile(page, probed);
    const dom = await dumpDom(page);
    const figures = (dom.match(/class="[^"]*\bplotly-figure\b[^"]*"/g) ?? []).length;
    const rendered =
      (dom.match(/class="[^"]*\bplotly-figure\b[^"]*\bjs-plotly-plot\b[^"]*"/g) ?? [])
        .length;
    const attr = dom.match(/data-page-errors="([^"]*)"/);
    const errors = attr
      ? JSON.parse(
        attr[1].replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">"),
      )
      : [];
    return { figures, rendered, errors };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
