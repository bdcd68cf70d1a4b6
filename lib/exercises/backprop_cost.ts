/**
 * Why backpropagation is efficient (sheet 002 Ex4), measured: the multiply-adds spent by
 * backpropagation, by central finite differences, and by a per-weight chain rule that reuses the
 * forward pass but not the error signals, as the number of parameters grows. All three gradients
 * are computed and compared, so the counts are of working implementations.
 *
 * @example
 * ```ts
 * import { backpropCostExercise } from "./backprop_cost.ts";
 * const r = backpropCostExercise.run();
 * if (r.claims[0].claim.status !== "verified") throw new Error(r.claims[0].claim.note);
 * ```
 *
 * @module
 */

import { fitLine } from "../optim/rates.ts";
import { type Exercise, tidy } from "./claim.ts";
import { type Experiments, sheetExercise } from "./sheets.ts";
import { experiment, type Outcome } from "./vocabulary.ts";
import { samplePoints } from "./support.ts";

const ID = "backprop_cost";
const SEED = 1101;
/** Hidden widths of the test networks (input = hidden width, 2 hidden layers, 1 output). */
const WIDTHS = [2, 4, 8, 16];
/** Finite-difference step. */
const EPS = 1e-6;
/** Agreement required between the three gradients. */
const AGREE = 1e-6;

/** A dense tanh network with a linear scalar output, weights only (no biases). */
interface Net {
  sizes: number[];
  weights: Float64Array[];
}

/** Counts multiply-adds. */
class Counter {
  #macs = 0;
  add(n: number): void {
    this.#macs += n;
  }
  get macs(): number {
    return this.#macs;
  }
}

function forward(net: Net, x: Float64Array, c: Counter): { s: Float64Array[]; z: Float64Array[] } {
  const s: Float64Array[] = [], z: Float64Array[] = [x];
  for (let l = 0; l < net.weights.length; l++) {
    const [m, n] = [net.sizes[l + 1], net.sizes[l]];
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += net.weights[l][i * n + j] * z[l][j];
      out[i] = acc;
    }
    c.add(m * n);
    s.push(out);
    z.push(l === net.weights.length - 1 ? out : out.map(Math.tanh));
  }
  return { s, z };
}

function loss(net: Net, x: Float64Array, t: number, c: Counter): number {
  const { z } = forward(net, x, c);
  return 0.5 * (z[z.length - 1][0] - t) ** 2;
}

function backprop(net: Net, x: Float64Array, t: number, c: Counter): Float64Array[] {
  const { s, z } = forward(net, x, c);
  const L = net.weights.length;
  let delta = Float64Array.of(z[L][0] - t);
  const grads: Float64Array[] = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const [m, n] = [net.sizes[l + 1], net.sizes[l]];
    const g = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[i * n + j] = delta[i] * z[l][j];
    c.add(m * n);
    grads[l] = g;
    if (l > 0) {
      const prev = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < m; i++) acc += net.weights[l][i * n + j] * delta[i];
        prev[j] = acc * (1 - Math.tanh(s[l - 1][j]) ** 2);
      }
      c.add(m * n);
      delta = prev;
    }
  }
  return grads;
}

function finiteDifferences(net: Net, x: Float64Array, t: number, c: Counter): Float64Array[] {
  return net.weights.map((w) =>
    w.map((_, k) => {
      const keep = w[k];
      w[k] = keep + EPS;
      const up = loss(net, x, t, c);
      w[k] = keep - EPS;
      const down = loss(net, x, t, c);
      w[k] = keep;
      return (up - down) / (2 * EPS);
    })
  );
}

/** For each weight, pushes a tangent from its layer to the output: no shared error signals. */
function perWeightChain(net: Net, x: Float64Array, t: number, c: Counter): Float64Array[] {
  const { s, z } = forward(net, x, c);
  const L = net.weights.length;
  const residual = z[L][0] - t;
  return net.weights.map((_, l) => {
    const [m, n] = [net.sizes[l + 1], net.sizes[l]];
    const g = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        // ∂s_l/∂W_l[i, j] = z_{l−1}[j] at row i; push it through the later layers.
        let tangent = new Float64Array(m);
        tangent[i] = z[l][j];
        for (let q = l; q < L - 1; q++) {
          const [mq, nq] = [net.sizes[q + 2], net.sizes[q + 1]];
          const act = tangent.map((v, r) => v * (1 - Math.tanh(s[q][r]) ** 2));
          const next = new Float64Array(mq);
          for (let r = 0; r < mq; r++) {
            let acc = 0;
            for (let k = 0; k < nq; k++) acc += net.weights[q + 1][r * nq + k] * act[k];
            next[r] = acc;
          }
          c.add(mq * nq);
          tangent = next;
        }
        g[i * n + j] = residual * tangent[0];
      }
    }
    return g;
  });
}

function maxGap(a: Float64Array[], b: Float64Array[]): number {
  let m = 0;
  a.forEach((w, l) => w.forEach((v, k) => (m = Math.max(m, Math.abs(v - b[l][k])))));
  return m;
}

/** The claim of sheet 002 Ex4. */
export function runBackpropCost(): Experiments {
  const outcomes: Record<string, Outcome> = {};
  const rows = WIDTHS.map((w, idx) => {
    const sizes = [w, w, w, 1];
    const weights = sizes.slice(1).map((m, l) =>
      Float64Array.from(samplePoints(m * sizes[l], SEED + 10 * idx + l, 1 / Math.sqrt(sizes[l])))
    );
    const net: Net = { sizes, weights };
    const x = Float64Array.from(samplePoints(w, SEED + 100 + idx, 1));
    const params = weights.reduce((s, a) => s + a.length, 0);
    const cb = new Counter(), cf = new Counter(), cn = new Counter();
    const gb = backprop(net, x, 0.5, cb);
    const gf = finiteDifferences(net, x, 0.5, cf);
    const gn = perWeightChain(net, x, 0.5, cn);
    return {
      params,
      backprop: cb.macs,
      fd: cf.macs,
      naive: cn.macs,
      gap: Math.max(maxGap(gb, gf), maxGap(gb, gn)),
    };
  });
  const logP = rows.map((r) => Math.log(r.params));
  const slope = (key: "backprop" | "fd" | "naive") =>
    fitLine(logP, rows.map((r) => Math.log(r[key]))).slope;
  const slopes = [slope("backprop"), slope("fd"), slope("naive")];
  const agree = rows.every((r) => r.gap <= AGREE);
  outcomes["ex4-cost-growth"] = experiment({
    computed: tidy(slopes),
    tolerance: null,
    holds: agree && slopes[0] < 1.2 && slopes[1] > 1.8 && slopes[2] > 1.5,
    note: `log-log slopes of multiply-adds against P (computed: backprop, finite ` +
      `differences, per-weight chain rule) for tanh networks of widths ${WIDTHS.join(", ")} ` +
      `(P = ${rows.map((r) => r.params).join(", ")}); at the largest, backprop costs ` +
      `${rows[rows.length - 1].backprop} multiply-adds against ${rows[rows.length - 1].fd} and ` +
      `${rows[rows.length - 1].naive}. All three gradients agree to ` +
      `${Math.max(...rows.map((r) => r.gap)).toExponential(1)}. Caching the forward pass is ` +
      `shared by backprop and the per-weight chain rule; the saving comes from reusing Δ`,
  });
  const ps = rows.map((r) => r.params);
  const figure = {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "backprop",
        x: ps,
        y: rows.map((r) => r.backprop),
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "finite differences",
        x: ps,
        y: rows.map((r) => r.fd),
      },
      {
        type: "scatter",
        mode: "lines+markers",
        name: "per-weight chain rule",
        x: ps,
        y: rows.map((r) => r.naive),
      },
    ],
    layout: {
      title: "Sheet 002 Ex4: cost of one gradient against the number of parameters",
      xaxis: { title: "parameters P", type: "log" },
      yaxis: { title: "multiply-adds", type: "log" },
    },
  };
  return { outcomes, figures: [figure] };
}

/** Exercise `backprop_cost`. */
export const backpropCostExercise: Exercise = sheetExercise({
  id: ID,
  title: "Why backprop is efficient: cost against finite differences and a per-weight chain rule",
  covers: ["002 Ex4"],
  experiments: runBackpropCost,
});
