/**
 * `cli/tsne.ts` as a subprocess with the task's permissions: the file and JSON contract, input
 * order, determinism, the MNIST default, one-line errors without partial files, a bad row of a
 * large file named before any work, runs that cannot fit refused up front, and Ctrl-C.
 */
import assert from "node:assert/strict";
import { runCli } from "../helpers/run_cli.ts";
import { Random } from "../../lib/random.ts";
import { chromiumAvailable, renderPage } from "../helpers/chromium.ts";
import { estimateTsneMemory, formatBytes } from "../../lib/tsne/memory.ts";

const SCRIPT = new URL("../../cli/tsne.ts", import.meta.url).pathname;

/** The `deno task tsne` permissions, with writing limited to `writable`. */
function perms(writable: string): string[] {
  return ["--allow-read", `--allow-write=${writable}`, "--allow-sys=systemMemoryInfo"];
}

function run(args: string[], writable: string) {
  return runCli(SCRIPT, args, { perms: perms(writable) });
}

/** Three separated blobs in 4-D as CSV text with a header; labels in the last column. */
function blobCsv(n: number, seed = 1): string {
  const rng = new Random(seed);
  const lines = ["a,b,c,d,label"];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const row = [0, 1, 2, 3].map((t) => (rng.normal() + (t === c ? 15 : 0)).toPrecision(17));
    lines.push([...row, c].join(","));
  }
  return lines.join("\n") + "\n";
}

async function files(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("CSV in: embedding.csv (N rows × 2, input order), tsne.html, one JSON object", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_cli_" });
  try {
    const input = `${dir}/in.csv`;
    await Deno.writeTextFile(input, blobCsv(60));
    const out = `${dir}/out`;
    const args = [
      "--input",
      input,
      "--n",
      "45",
      "--perplexity",
      "8",
      "--iters",
      "300",
      "--seed",
      "3",
    ];
    const r = await run([...args, "--out", out, "--json", "--label-column", "label"], dir);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    for (const key of ["n", "seconds", "kl", "iterations", "method"]) {
      assert.ok(key in summary, key);
    }
    assert.equal(summary.n, 45);
    assert.equal(summary.iterations, 300);
    assert.equal(summary.method, "exact");
    assert.equal(summary.dims, 4, "the label column is not a feature");
    assert.ok(summary.kl > 0 && summary.seconds > 0);
    assert.deepEqual(await files(out), ["embedding.csv", "tsne.html"]);
    const rows = (await Deno.readTextFile(`${out}/embedding.csv`)).trim().split("\n");
    assert.equal(rows.length, 45);
    const y = rows.map((l) => l.split(",").map(Number));
    assert.ok(y.every((r) => r.length === 2 && r.every(Number.isFinite)));
    // Input order: rows of the same blob (i ≡ c mod 3) are each other's neighbours.
    const near = (i: number) => {
      let best = -1, bd = Infinity;
      for (let j = 0; j < 45; j++) {
        const d = (y[i][0] - y[j][0]) ** 2 + (y[i][1] - y[j][1]) ** 2;
        if (j !== i && d < bd) [best, bd] = [j, d];
      }
      return best;
    };
    for (let i = 0; i < 45; i++) assert.equal(near(i) % 3, i % 3, `row ${i}`);
    const html = await Deno.readTextFile(`${out}/tsne.html`);
    assert.equal((html.match(/data-figure/g) ?? []).length, 2);
    assert.ok(html.includes("Plotly.newPlot") && !html.includes("<script src="));
    assert.match(r.stderr, /iteration 300\/300|KL/);
    // Deterministic for a seed.
    const again = await run(
      [...args, "--out", `${dir}/again`, "--json", "--label-column", "5"],
      dir,
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      await Deno.readTextFile(`${dir}/again/embedding.csv`),
      await Deno.readTextFile(`${out}/embedding.csv`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MNIST by default (small N, Barnes-Hut with 2 workers); the page renders", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_cli_" });
  try {
    const r = await run(["--n", "400", "--iters", "260", "--json", "--out", dir], dir);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.n, 400);
    assert.equal(s.method, "bh");
    assert.equal(s.input, "mnist");
    assert.equal(s.dims, 50);
    const html = await Deno.readTextFile(`${dir}/tsne.html`);
    assert.ok(html.includes("coloured by digit"));
    if (await chromiumAvailable()) {
      const page = await renderPage(`${dir}/tsne.html`);
      assert.deepEqual(page, { figures: 2, rendered: 2, errors: [] });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad input: one-line error, non-zero exit, no files written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_cli_" });
  try {
    const good = blobCsv(30).split("\n").slice(0, 31);
    const cases: [string, string, string[], RegExp][] = [
      ["few", good.slice(0, 4).join("\n"), [], /at least 4/],
      ["perp", good.join("\n"), ["--perplexity", "29", "--method", "exact"], /below N − 1 = 29/],
      [
        "nan",
        [...good.slice(0, 5), "1,2,NaN,4,0", ...good.slice(5)].join("\n"),
        [],
        /line 6 \(row 4\) column 3 is NaN/,
      ],
      [
        "inf",
        [...good.slice(0, 3), "1,Infinity,3,4,0"].join("\n"),
        [],
        /line 4 \(row 2\) column 2 is Infinity/,
      ],
      [
        "ragged",
        [...good.slice(0, 8), "1,2,3"].join("\n"),
        [],
        /line 9 \(row 7\) has 3 fields, expected 5/,
      ],
      ["dup", [...good, good[3]].join("\n"), [], /rows 2 and 30 are identical/],
      [
        "const",
        good.map((l, i) => (i === 0 ? l : l.replace(/,[^,]*$/, ",7"))).join("\n"),
        [],
        /column 5 is constant/,
      ],
      ["short", good.join("\n"), ["--n", "50"], /has 30 data rows, fewer than --n 50/],
    ];
    for (const [name, text, extra, pattern] of cases) {
      const input = `${dir}/${name}.csv`;
      await Deno.writeTextFile(input, text);
      const out = `${dir}/out_${name}`;
      const r = await run(["--input", input, "--iters", "50", "--out", out, ...extra], dir);
      assert.notEqual(r.code, 0, name);
      const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("error:"));
      assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
      assert.match(lines[0], pattern, name);
      assert.equal(r.stdout, "", name);
      const written = await files(out).catch(() => []);
      assert.deepEqual(written, [], `${name}: ${written}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("usage errors exit 2; an unwritable --out fails before any work", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_cli_" });
  try {
    for (
      const args of [
        ["--n", "x"],
        ["--method", "fast"],
        ["--perplexity", "0"],
        ["--bogus"],
        ["--max-memory", "lots"],
      ]
    ) {
      const r = await run([...args, "--out", dir], dir);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, /^error: .*\(see --help\)\n$/);
    }
    // Write permission only for `dir`, so another folder is unwritable.
    const r = await run(["--n", "50", "--out", "/proc/tsne_out"], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: cannot write to --out \/proc\/tsne_out/);
    assert.ok(!r.stderr.includes("affinities"), "no work was started");
    const help = await run(["--help"], dir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--perplexity P/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a NaN in row 73,412 of a 100,000-row CSV is named before any work starts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_cli_" });
  try {
    const lines = blobCsv(100000, 7).split("\n");
    const bad = 73412; // data row, counted from 0; the header is line 1, so this is line 73414
    lines[bad + 1] = lines[bad + 1].replace(/^[^,]*,[^,]*,/, (m) => m.replace(/,[^,]*,$/, ",NaN,"));
    await Deno.writeTextFile(`${dir}/big.csv`, lines.join("\n"));
    const t0 = performance.now();
    const r = await run(["--input", `${dir}/big.csv`, "--out", `${dir}/out`], dir);
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: ${dir}/big.csv: line 73414 (row 73412) column 2 is NaN, expected a finite number\n`,
      "one line, and no affinity or progress output before it",
    );
    assert.ok(seconds < 60, `${seconds} s`);
    assert.deepEqual(await files(`${dir}/out`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run that cannot fit in memory is refused up front with the estimate", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_cli_" });
  try {
    await Deno.writeTextFile(`${dir}/in.csv`, blobCsv(3000));
    const out = `${dir}/out`;
    const exact = await run(
      ["--input", `${dir}/in.csv`, "--method", "exact", "--max-memory", "200M", "--out", out],
      dir,
    );
    assert.equal(exact.code, 1);
    const est = estimateTsneMemory(3000, 5, { method: "exact", workers: 2 });
    const affinities = est.parts.find((p) => p.name === "affinities")!;
    assert.equal(
      exact.stderr,
      `error: t-SNE of 3000 points (5-D, method exact) needs about ${formatBytes(est.bytes)} ` +
        `(affinities ${formatBytes(affinities.bytes)}), more than the 200.0 MiB of --max-memory; ` +
        "use fewer points or --method bh\n",
    );
    assert.deepEqual(await files(out), []);
    // Barnes-Hut on the same rows fits in the same limit.
    const bh = await run(
      [
        "--input",
        `${dir}/in.csv`,
        "--n",
        "500",
        "--iters",
        "20",
        "--max-memory",
        "200M",
        "--out",
        out,
      ],
      dir,
    );
    assert.equal(bh.code, 0, bh.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C while optimizing: exit 130, one line, no embedding and no temporary file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsne_cli_" });
  try {
    await Deno.writeTextFile(`${dir}/in.csv`, blobCsv(3000));
    const out = `${dir}/out`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...perms(dir), SCRIPT, "--input", `${dir}/in.csv`, "--out", out],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = new Response(child.stdout).text();
    let stderr = "";
    const decoder = new TextDecoder();
    let sent = false;
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      if (!sent && /iteration \d+\/1000/.test(stderr)) {
        child.kill("SIGINT");
        sent = true;
      }
    }
    const status = await child.status;
    assert.ok(sent, `the run reached the optimization: ${stderr}`);
    assert.equal(status.code, 130, stderr);
    assert.equal(await stdout, "");
    const errors = stderr.trim().split("\n").filter((l) => l.startsWith("error:"));
    assert.deepEqual(errors, [`error: interrupted; nothing written to ${out}`]);
    assert.deepEqual(await files(out), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
