/**
 * `cli/report.ts` (the future `deno task start`) as a subprocess: summary and errata on stdout,
 * the report page written atomically, bad output paths, `--help`; and the page opened in
 * headless Chromium, asserting every figure rendered, every formula of the section "Derivations
 * checked as formulas" laid out as MathML with coloured verdicts, the errata marked (two rendered
 * formulas and the repairing edit where the sheet's formula is data), the sheet view in each
 * sheet's question order beside the topic view, and nothing logged as an error.
 * Without Chromium the browser test is skipped loudly, except under CI=true where it fails.
 */
import assert from "node:assert/strict";
import { LATEX_ENV_FLAG, runCli } from "../helpers/run_cli.ts";
import { CHROMIUM, chromiumAvailable, dumpDom, renderPage } from "../helpers/chromium.ts";
import {
  compareQuestions,
  RIGHT_MARK,
  STATUS_COLOURS,
  WRONG_MARK,
} from "../../lib/exercises/report.ts";

const SCRIPT = new URL("../../cli/report.ts", import.meta.url).pathname;
const CI = Deno.env.get("CI") === "true";
const HAVE_CHROMIUM = await chromiumAvailable();
if (!HAVE_CHROMIUM && !CI) {
  console.warn(
    "\n*** SKIPPING the Chromium test of the report page: /usr/bin/chromium is missing " +
      "(apt-get install chromium) ***\n",
  );
}

function run(args: string[]) {
  return runCli(SCRIPT, args, { perms: ["--allow-read", "--allow-write", LATEX_ENV_FLAG] });
}

const dir = await Deno.makeTempDir({ prefix: "report-test-" });
const page = `${dir}/report.html`;
const first = await run(["--out", page]);

Deno.test({
  name: "report prints claims per status per sheet, the errata, and writes the page",
  sanitizeResources: false,
  fn: async () => {
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.split("\n");
    assert.equal(lines[0], "Claims per sheet and status");
    assert.match(lines[1], /^sheet\s+verified\s+erratum\s+unverifiable\s+extension\s+total$/);
    for (const sheet of ["000", "001", "002", "003", "004", "all"]) {
      assert.ok(lines.some((l) => l.startsWith(`${sheet} `)), sheet);
    }
    const errata = first.stdout.match(/Errata \((\d+)\):/);
    assert.ok(errata && Number(errata[1]) >= 15);
    assert.match(first.stdout, /- 000 2\.1 \(mlp\/dl-dW\)/);
    assert.match(first.stdout, /- 001 Q2\.Q /);
    assert.match(first.stdout, /- 002 Ex2 /);
    const formulas = first.stdout.match(
      /Derivations checked as formulas: (\d+) of (\d+) sheet formulas fail \((\d+) with a verified one-edit fix\), (\d+) of (\d+) corrections hold/,
    );
    assert.ok(formulas, first.stdout);
    const [failing, sheetFormulas, , holding, corrections] = formulas.slice(1).map(Number);
    assert.ok(sheetFormulas >= 15 && failing === sheetFormulas, formulas[0]);
    assert.ok(corrections >= 15 && holding === corrections, formulas[0]);
    const html = await Deno.readTextFile(page);
    assert.ok(html.startsWith("<!DOCTYPE html>") && html.trimEnd().endsWith("</html>"));
    assert.ok(!/<script[^>]+src=/.test(html), "plotly.js is inlined, nothing is fetched");
    assert.ok((html.match(/data-figure /g) ?? []).length >= 10);
    const section = html.slice(html.indexOf('<h2 id="formulas">'));
    assert.ok(section.startsWith('<h2 id="formulas">Derivations checked as formulas</h2>'));
    for (const id of ["000-2.1", "001-Q2.Q", "003-eq19"]) {
      assert.ok(section.includes(`<b>${id}</b>`), id);
      assert.ok(section.includes(`<b>${id}-corrected</b>`), `${id}-corrected`);
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["report.html"]);
  },
});

Deno.test("report --out into a missing folder fails in one line and leaves no file", async () => {
  const target = `${dir}/nope/report.html`;
  const { code, stderr } = await run(["--out", target]);
  assert.equal(code, 1);
  assert.equal(stderr.trim().split("\n").length, 1);
  assert.match(stderr, /^error: cannot write .*nope\/report\.html: folder .* does not exist/);
  assert.ok(!(await Deno.stat(`${dir}/nope`).then(() => true, () => false)));
});

Deno.test("report --help exits 0 and usage errors exit 2", async () => {
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: deno task start/);
  assert.match(help.stdout, /--out FILE/);
  assert.equal((await run(["extra"])).code, 2);
  assert.equal((await run(["--out"])).code, 2);
});

Deno.test({
  name: "the report renders in headless Chromium: every figure drawn, no errors",
  ignore: !HAVE_CHROMIUM && !CI,
  fn: async () => {
    assert.ok(HAVE_CHROMIUM, `CI=true but ${CHROMIUM} is missing`);
    assert.equal(first.code, 0, first.stderr);
    const dom = await dumpDom(page);
    const figures = dom.match(/<div[^>]*\bdata-figure\b[^>]*>/g) ?? [];
    assert.ok(figures.length >= 10, `${figures.length} figures`);
    const rendered = figures.filter((d) => /data-rendered="true"/.test(d));
    assert.equal(rendered.length, figures.length, "every figure marked rendered");
    const body = dom.match(/<body[^>]*>/)?.[0] ?? "";
    assert.match(body, new RegExp(`data-figures-rendered="${figures.length}"`));
    assert.ok(!/data-page-errors=/.test(body), `page errors: ${body}`);
    // The formulas: every <math> element laid out as MathML (a box of non-zero size).
    const maths = Number(body.match(/data-math="(\d+)"/)?.[1]);
    assert.ok(maths >= 30, `${maths} formulas on the page`);
    assert.match(body, new RegExp(`data-math-rendered="${maths}"`));
    const section = dom.slice(dom.indexOf('<h2 id="formulas">'));
    assert.match(section, /^<h2 id="formulas">Derivations checked as formulas<\/h2>/);
    const sectionMaths = section.match(/<math\b[^>]*>/g) ?? [];
    assert.ok(sectionMaths.length >= 30, `${sectionMaths.length} formulas in the section`);
    assert.ok(sectionMaths.every((m) => /data-rendered="true"/.test(m)));
    // Verdicts in colour: green for a correction that holds, red for a sheet formula that fails.
    const verdicts = [
      ...section.matchAll(/<span style="color:(#[0-9a-f]{6});[^"]*">([^<]+)<\/span>/g),
    ]
      .map((m) => [m[1], m[2]]);
    assert.ok(verdicts.filter(([c, v]) => c === "#1a7f37" && v === "holds").length >= 15);
    assert.ok(verdicts.filter(([c, v]) => c === "#cf222e" && v.startsWith("wrong (")).length >= 10);
    // The marked claims: both views, every card's verdict in its colour.
    const byTopic = dom.indexOf('<h2 id="by-topic">');
    const bySheet = dom.indexOf('<h2 id="by-sheet">');
    const errataAt = dom.indexOf('<h2 id="errata">');
    assert.ok(errataAt > 0 && bySheet > errataAt && byTopic > bySheet, "errata, sheets, topics");
    const cards = dom.split('<article class="mark" ').slice(1).map((c) =>
      c.slice(0, c.indexOf("</article>"))
    );
    for (const card of cards) {
      const v = card.match(/<span class="mark-verdict" data-status="(\w+)" style="color:([^"]+)">/);
      assert.ok(v, card.slice(0, 200));
      assert.equal(v[2], STATUS_COLOURS[v[1] as keyof typeof STATUS_COLOURS], card.slice(0, 200));
    }
    const sheetSection = dom.slice(bySheet, byTopic);
    const sheetCards = sheetSection.split('<article class="mark" ').length - 1;
    const total = Number(first.stdout.match(/\n(\d+) claims \(/)?.[1]);
    assert.equal(sheetCards, total, "every claim once in the sheet view");
    for (const s of ["000", "001", "002", "003", "004"]) {
      const at = sheetSection.indexOf(`<section class="sheet" id="sheet-${s}">`);
      assert.ok(at >= 0, `sheet ${s}`);
      const section = sheetSection.slice(at, sheetSection.indexOf("</section>", at));
      const questions = [...section.matchAll(/<span class="mark-q">([^<]+)<\/span>/g)].map((m) =>
        m[1].replace(/&amp;/g, "&")
      );
      assert.deepEqual(questions, [...questions].sort(compareQuestions), `sheet ${s} in order`);
    }
    // Every erratum marked: a formula claim shows the sheet's formula and the correct one as
    // laid-out MathML, with the wrong subterm and its replacement marked where a fix exists; one
    // stated in code shows the sheet's value beside the computed one.
    const errata = dom.slice(errataAt, bySheet).split('<article class="mark" ').slice(1);
    assert.equal(errata.length, Number(first.stdout.match(/Errata \((\d+)\):/)?.[1]));
    let withFormulas = 0, withFix = 0;
    for (const card of errata.map((c) => c.slice(0, c.indexOf("</article>")))) {
      assert.match(card, /^id="erratum-[^"]+" data-status="erratum"/);
      const sides = card.slice(card.indexOf('<div class="mark-sides">'), card.indexOf("<details"));
      if (!sides.includes("the sheet writes")) {
        assert.match(sides, /the sheet says.*computed/s, card.slice(0, 200));
        continue;
      }
      withFormulas++;
      const maths = sides.match(/<math\b[^>]*>/g) ?? [];
      assert.ok(maths.length >= 2, card.slice(0, 200));
      assert.ok(maths.every((m) => /data-rendered="true"/.test(m)), card.slice(0, 200));
      if (card.includes("The repairing edit:")) {
        withFix++;
        assert.match(sides, new RegExp(`<mstyle mathcolor="${WRONG_MARK}">`), card.slice(0, 200));
        assert.match(sides, new RegExp(`<mstyle mathcolor="${RIGHT_MARK}">`), card.slice(0, 200));
      }
      assert.match(card, /<details class="mark-evidence"><summary>evidence: /);
    }
    assert.ok(withFormulas >= 4 && withFix >= 3, `${withFormulas} with formulas, ${withFix} fixed`);
    // Second opinion with errors recorded from the top of <head> (plotly.js included).
    const page2 = await renderPage(page);
    assert.deepEqual(page2.errors, []);
    assert.equal(page2.rendered, page2.figures);
  },
});

Deno.test({
  name: "cleanup",
  sanitizeResources: false,
  fn: async () => {
    await Deno.remove(dir, { recursive: true });
  },
});
