/**
 * The result of a gradient check: numbers, a diagnosis, and renderings for the terminal
 * (`toString`), Jupyter (`Symbol.for("Jupyter.display")`) and JSON (`JSON.stringify`).
 *
 * @module
 */

import { JUPYTER_DISPLAY } from "../view/display.ts";
import { formatNumber } from "../ndarray.ts";
import { escapeHtml, htmlTable, type Table, textTable } from "../view/table.ts";
import type { Diagnosis } from "./diagnosis.ts";

/** How a check chose the entries it compares. */
export type CheckMode = "full" | "sparse" | "fast";

/** The per-input part of a report. */
export interface InputReport {
  /** Input name (`x` for a single-array function). */
  name: string;
  /** Shape of the input. */
  shape: number[];
  /** Entries compared (projections in `fast` mode). */
  checked: number;
  /** Largest |analytic − numeric| over the checked entries. */
  maxAbsError: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|). */
  maxRelError: number;
  /** Verdict on this input's gradient. */
  diagnosis: Diagnosis;
}

/** The entry that fails worst (or agrees least well). */
export interface WorstEntry {
  /** Input the entry belongs to. */
  input: string;
  /** Multi-index of the entry (`[]` for a projection in `fast` mode). */
  index: number[];
  /** Analytic value. */
  analytic: number;
  /** Numeric value. */
  numeric: number;
}

/** An entry where the function has a kink within ±eps. */
export interface KinkEntry {
  /** Input the entry belongs to. */
  input: string;
  /** Multi-index of the entry. */
  index: number[];
  /** One-sided derivative from the left. */
  left: number;
  /** One-sided derivative from the right. */
  right: number;
  /** Analytic value there. */
  analytic: number;
  /** True when the analytic value is a valid one-sided derivative, so the entry is not a failure. */
  excused: boolean;
}

/** The comparison of the analytic gradient with tfjs autodiff (float32). */
export interface AutodiffReport {
  /** True when every entry agrees within the float32 tolerances. */
  ok: boolean;
  /** tfjs backend that ran (`wasm` or `cpu`). */
  backend: string;
  /** Always `float32`: tfjs 4 has no float64 kernels. */
  dtype: "float32";
  /** Absolute tolerance used (scaled for float32). */
  atol: number;
  /** Relative tolerance used (scaled for float32). */
  rtol: number;
  /** Largest |analytic − autodiff|. */
  maxAbsError: number;
  /** Largest relative error. */
  maxRelError: number;
  /** Verdict, with the same vocabulary as the numeric check. */
  diagnosis: Diagnosis;
  /** Why the tolerances are looser than the numeric check's. */
  note: string;
}

/** Second-order checks also report how far each Hessian is from symmetric. */
export interface Asymmetry {
  /** max |Hᵢⱼ − Hⱼᵢ| of the analytic Hessian. */
  analytic: number;
  /** max |Hᵢⱼ − Hⱼᵢ| of the finite-difference Jacobian of the gradient. */
  numeric: number;
}

/** Everything a {@linkcode GradCheckReport} holds. */
export interface GradCheckFields {
  /** Verdict. */
  ok: boolean;
  /** How entries were chosen. */
  mode: CheckMode;
  /** Largest absolute error. */
  maxAbsError: number;
  /** Largest relative error. */
  maxRelError: number;
  /** The entry that fails worst. */
  worst: WorstEntry | null;
  /** Why it fails, or `match`. */
  diagnosis: Diagnosis;
  /** Entries next to a kink. */
  kinks: KinkEntry[];
  /** Evaluations spent. */
  evaluations: number;
  /** Cautions. */
  warnings: string[];
  /** One row per input. */
  inputs: InputReport[];
  /** Step used. */
  eps: number;
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance. */
  rtol: number;
  /** Wall time. */
  seconds: number;
  /** Label for tables. */
  title?: string;
  /** Full re-check of a failed fast check. */
  located?: GradCheckReport;
  /** The tfjs comparison. */
  autodiff?: AutodiffReport;
  /** Hessian asymmetry. */
  asymmetry?: Asymmetry;
}

/**
 * The report of {@linkcode checkGradient} and friends. Never thrown: a wrong gradient is data.
 * Prints as a table, displays itself in Jupyter, and serializes with `JSON.stringify`.
 * Its fields are those of {@linkcode GradCheckFields}.
 */
export interface GradCheckReport extends GradCheckFields {}
/** See the interface of the same name for the fields. */
export class GradCheckReport {
  /** Builds a report from its fields (optional ones left out when undefined). */
  constructor(fields: GradCheckFields) {
    for (const [k, v] of Object.entries(fields)) {
      if (v !== undefined) Object.assign(this, { [k]: v });
    }
  }

  /** The per-input table. */
  table(): Table {
    return {
      caption: this.headline(),
      headers: ["input", "shape", "checked", "max abs err", "max rel err", "diagnosis"],
      rows: this.inputs.map((r) => [
        r.name,
        `[${r.shape.join(", ")}]`,
        String(r.checked),
        formatNumber(r.maxAbsError),
        formatNumber(r.maxRelError),
        r.diagnosis.kind,
      ]),
    };
  }

  /** One line: verdict, kind, mode and cost. */
  headline(): string {
    return `${this.title ? `${this.title}: ` : ""}${
      this.ok ? "PASS" : "FAIL"
    } (${this.diagnosis.kind}) — ` +
      `${this.mode} mode, ${this.evaluations} evaluations, eps ${formatNumber(this.eps)}, ` +
      `atol ${formatNumber(this.atol)}, rtol ${formatNumber(this.rtol)}`;
  }

  /** Lines under the table: message, worst entry, kinks, autodiff, warnings. */
  details(): string[] {
    const lines = [this.diagnosis.message];
    if (this.worst) {
      const w = this.worst;
      lines.push(
        `worst entry: ${w.input}[${w.index.join(", ")}] analytic ${formatNumber(w.analytic, 8)}, ` +
          `numeric ${formatNumber(w.numeric, 8)}`,
      );
    }
    const excused = this.kinks.filter((k) => k.excused).length;
    if (this.kinks.length) {
      lines.push(
        `kinks: ${this.kinks.length} entries (${excused} excused as valid one-sided derivatives)`,
      );
    }
    if (this.asymmetry) {
      lines.push(
        `asymmetry: analytic ${formatNumber(this.asymmetry.analytic)}, numeric ${
          formatNumber(this.asymmetry.numeric)
        }`,
      );
    }
    if (this.autodiff) {
      const a = this.autodiff;
      lines.push(
        `tfjs autodiff (${a.backend}, ${a.dtype}, atol ${formatNumber(a.atol)}, rtol ${
          formatNumber(a.rtol)
        }): ${a.ok ? "agrees" : "DISAGREES"} (${a.diagnosis.kind}), max rel err ${
          formatNumber(a.maxRelError)
        }`,
      );
    }
    if (this.located) lines.push(`located by a full re-check: ${this.located.headline()}`);
    for (const w of this.warnings) lines.push(`warning: ${w}`);
    return lines;
  }

  /** Terminal rendering. */
  toString(): string {
    return [textTable(this.table()), ...this.details()].join("\n");
  }

  /** Jupyter rendering: an HTML table with the verdict coloured, plus plain text. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    const colour = this.ok ? "#1a7f37" : "#cf222e";
    const details = this.details().map((l) => `<li>${escapeHtml(l)}</li>`).join("");
    return {
      "text/plain": this.toString(),
      "text/html": `<div style="border-left:4px solid ${colour};padding-left:8px">` +
        htmlTable(this.table()) + `<ul>${details}</ul></div>`,
    };
  }
}
