/**
 * The report of `checkClaims`: a table in a terminal, a JSON array for machines (the contract of
 * `deno task check --json`), and rendered math with coloured verdicts in Jupyter and on pages.
 *
 * @module
 */

import { escapeHtml, type Table, textTable } from "../view/table.ts";
import { JUPYTER_DISPLAY } from "../view/display.ts";
import type { ClaimResult } from "./check_claims.ts";
import { renderMath, toLatex } from "./render_latex.ts";
import { children, type Node } from "./ast.ts";
import { toPlain } from "./print_plain.ts";

/** The JSON form of one claim's verdict: the contract of `deno task check --json`. */
export type ClaimJson =
  & Pick<ClaimResult, "id" | "ok" | "factor" | "wrongEntries" | "totalEntries" | "message">
  & Pick<ClaimResult, "fix" | "explanation" | "parsed" | "shape">
  & { kind: string };

/** `W2' [5, 2], o - y [2, 1]`: the shape of every factor of the claim's products. */
function factorShapes(r: ClaimResult): string {
  if (!r.tree || !r.shapes || r.shapes.size === 0) return "";
  const seen = new Map<string, string>();
  const walk = (n: Node) => {
    if (n.type === "binary" && (n.op === "*" || n.op === ".*")) {
      for (const side of [n.left, n.right]) {
        const s = r.shapes!.get(side);
        const isProduct = side.type === "binary" && (side.op === "*" || side.op === ".*");
        if (s && !isProduct && side.type !== "num" && s[0] * s[1] > 1) {
          seen.set(toPlain(side), `[${s.join(", ")}]`);
        }
      }
    }
    for (const c of children(n)) walk(c);
  };
  walk(r.tree);
  return [...seen].map(([f, s]) => `${f} ${s}`).join(", ");
}

/** A shape worth showing under a factor: not that of a scalar (an entry, a number). */
function matrixShape(s: readonly number[] | undefined): readonly number[] | undefined {
  return s && s[0] * s[1] > 1 ? s : undefined;
}

/** Escaped text with `formula` spans set as code. */
function withCode(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

const GREEN = "#1a7f37", RED = "#cf222e", GREY = "#6e7781";

/** The verdicts on a problem's claims, in input order. */
export class ClaimsReport {
  /** One result per claim. */
  readonly results: ClaimResult[];
  /** The problem's title. */
  readonly title?: string;

  /** A report of `results`. */
  constructor(results: ClaimResult[], title?: string) {
    this.results = results;
    if (title !== undefined) this.title = title;
  }

  /** True when every claim holds. */
  get ok(): boolean {
    return this.results.every((r) => r.ok);
  }

  /** The JSON contract: one object per claim, in input order. */
  toJSON(): ClaimJson[] {
    return this.results.map((r) => {
      const out: ClaimJson = {
        id: r.id,
        ok: r.ok,
        kind: r.kind,
        message: r.message,
        parsed: r.parsed,
        shape: r.shape,
      };
      if (r.factor !== undefined) out.factor = r.factor;
      if (r.wrongEntries !== undefined) out.wrongEntries = r.wrongEntries;
      if (r.totalEntries !== undefined) out.totalEntries = r.totalEntries;
      if (r.fix !== undefined) {
        out.fix = r.fix;
        out.explanation = r.explanation;
      }
      return out;
    });
  }

  /** One line: how many claims hold. */
  headline(): string {
    const n = this.results.length, good = this.results.filter((r) => r.ok).length;
    const invalid = this.results.filter((r) => r.kind === "invalid").length;
    return `${this.title ? `${this.title}: ` : ""}${good} of ${n} claim${n === 1 ? "" : "s"} ` +
      `${n === 1 ? "holds" : "hold"}` +
      (invalid ? ` (${invalid} could not be read)` : "");
  }

  /** The table of verdicts. */
  table(): Table {
    return {
      caption: this.headline(),
      headers: ["id", "claim as understood", "shape", "verdict", "reason", "fix"],
      rows: this.results.map((r) => [
        r.id,
        r.parsed,
        r.shape ? `[${r.shape.join(", ")}]` : "",
        r.ok ? "holds" : r.kind === "invalid" ? "invalid" : `wrong (${r.kind})`,
        r.message,
        r.fix ? `${r.fix} — ${r.explanation}` : "",
      ]),
    };
  }

  /** Terminal rendering: one block per claim. */
  toString(): string {
    const lines = [this.headline(), ""];
    for (const r of this.results) {
      const verdict = r.ok ? "HOLDS" : r.kind === "invalid" ? "INVALID" : `WRONG (${r.kind})`;
      lines.push(`${r.id}  ${verdict}`);
      lines.push(`  claim: ${r.parsed}${r.shape ? `   ${`[${r.shape.join(", ")}]`}` : ""}`);
      const factors = factorShapes(r);
      if (factors) lines.push(`  where: ${factors}`);
      lines.push(`  ${r.message}`);
      if (r.method) lines.push(`  checked: ${r.method}`);
      if (r.fix) lines.push(`  fix:   ${r.fix}`, `         ${r.explanation}`);
      lines.push("");
    }
    return lines.join("\n").trimEnd();
  }

  /** The plain table (for a compact terminal view). */
  textTable(): string {
    return textTable(this.table());
  }

  /** HTML: one card per claim with the formula rendered (shapes under each factor). */
  html(): string {
    const cards = this.results.map((r) => {
      const colour = r.ok ? GREEN : r.kind === "invalid" ? GREY : RED;
      const verdict = r.ok ? "holds" : r.kind === "invalid" ? "invalid" : `wrong (${r.kind})`;
      const math = r.tree
        ? renderMath(toLatex(r.tree, { shapeOf: (n) => matrixShape(r.shapes?.get(n)) }), {
          display: true,
        })
        : `<code>${escapeHtml(r.parsed)}</code>`;
      const fix = r.fixTree
        ? `<div><b>fix</b> ${renderMath(toLatex(r.fixTree))} <code>${
          escapeHtml(r.fix!)
        }</code><br>` +
          `${withCode(r.explanation ?? "")}</div>`
        : "";
      return `<div class="claim" style="border-left:4px solid ${colour};padding:4px 10px;margin:8px 0">` +
        `<div><b>${
          escapeHtml(r.id)
        }</b> <span style="color:${colour};font-weight:bold">${verdict}</span>` +
        (r.shape ? ` <span style="color:${GREY}">[${r.shape.join(", ")}]</span>` : "") + `</div>` +
        `<div>${math}</div><div>${withCode(r.message)}</div>` +
        (r.method
          ? `<div style="color:${GREY};font-size:90%">checked: ${escapeHtml(r.method)}</div>`
          : "") +
        fix + `</div>`;
    });
    return `<div class="claims-report"><p><b>${escapeHtml(this.headline())}</b></p>${
      cards.join("")
    }</div>`;
  }

  /** A standalone offline page (MathML needs no scripts, fonts or styles from elsewhere). */
  page(): string {
    return claimsPage([this], this.title);
  }

  /** Jupyter rendering: HTML with rendered math, plus plain text. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return { "text/plain": this.toString(), "text/html": this.html() };
  }
}

/**
 * A standalone offline page of several reports, one after the other (MathML needs no scripts,
 * fonts or styles from elsewhere).
 */
export function claimsPage(reports: readonly ClaimsReport[], title = "Claims checked"): string {
  const t = escapeHtml(title);
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${t}</title>` +
    `<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;` +
    `color:#1f2328}code{background:#f6f8fa;padding:0 3px}math{font-size:115%}</style></head>` +
    `<body><h1>${t}</h1>\n${reports.map((r) => r.html()).join("\n")}\n</body></html>\n`;
}
