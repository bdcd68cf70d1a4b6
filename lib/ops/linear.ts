/**
 * Affine layers in the two conventions of the sheets, each named in its function name:
 *
 * - `Wx + b`, batch as columns (sheets 001, 002, 004): {@linkcode linearColumnsForward},
 *   `x [D, N]`, `w [M, D]`, `b [M]` or `[M, 1]`, out `[M, N]`;
 * - `xW + b`, batch as rows (sheet 003): {@linkcode linearRowsForward},
 *   `x [N, D]`, `w [D, M]`, `b [M]` or `[1, M]`, out `[N, M]`.
 *
 * The bias is optional in both; when present its gradient comes back in its own shape.
 * tfjs and PyTorch store `w` as `[M, D]` and compute `x wᵀ + b` on rows: that is
 * `linearRowsForward(x, { w: wᵀ, b })`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { linearColumnsForward, linearRowsForward } from "./linear.ts";
 * const w = array([[1, 2], [3, 4]]), b = array([1, -1]);
 * const cols = linearColumnsForward(array([[1], [1]]), { w, b }).out; // Wx + b, x a column
 * const rows = linearRowsForward(array([[1, 1]]), { w: w.transpose(), b }).out; // xWᵀ + b
 * if (String(cols.toArray()) !== "4,6" || String(rows.toArray()) !== "4,6") throw new Error("same");
 * ```
 *
 * @module
 */

import { formatShape, matmul, NDArray } from "../ndarray.ts";
import { requireArray } from "./validate.ts";

/** The two conventions, as the cache records them. */
export type LinearConvention = "Wx+b" | "xW+b";

/** Parameters of an affine layer. */
export interface LinearParams {
  /** Weights: `[M, D]` for `Wx + b`, `[D, M]` for `xW + b`. */
  w: NDArray;
  /** Optional bias: `[M]`, or `[M, 1]` (`Wx + b`) / `[1, M]` (`xW + b`). */
  b?: NDArray;
}

/** Cache of the linear forward passes. */
export interface LinearCache {
  /** Which convention produced it. */
  convention: LinearConvention;
  /** The input. */
  x: NDArray;
  /** The weights. */
  w: NDArray;
  /** Shape of the bias, or null when there is none. */
  bShape: readonly number[] | null;
}

/** Gradients of a linear layer. */
export type LinearGrads = {
  /** Same shape as x. */
  dx: NDArray;
  /** Same shape as w. */
  dw: NDArray;
  /** Same shape as b; absent without a bias. */
  db?: NDArray;
};

function check2d(value: unknown, fn: string, name: string, layout: string): NDArray {
  const a = requireArray(value, fn, name);
  if (a.ndim !== 2) {
    throw new RangeError(`${fn}: ${name} must be ${layout}, got shape ${formatShape(a.shape)}`);
  }
  return a;
}

function checkBias(value: unknown, m: number, fn: string, column: boolean): NDArray | undefined {
  if (value === undefined) return undefined;
  const b = requireArray(value, fn, "b");
  const ok = b.size === m &&
    (b.ndim === 1 || (b.ndim === 2 && (column ? b.shape[1] === 1 : b.shape[0] === 1)));
  if (!ok) {
    throw new RangeError(
      `${fn}: b must be [${m}] or ${column ? `[${m}, 1]` : `[1, ${m}]`}, got shape ${
        formatShape(b.shape)
      }`,
    );
  }
  return b;
}

/**
 * Forward pass of `out = W x + b` with the batch as columns (sheets 001, 002, 004):
 * `x [D, N]`, `w [M, D]`, `b [M]` or `[M, 1]` added to every column, `out [M, N]`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { linearColumnsForward } from "./linear.ts";
 * const { out } = linearColumnsForward(array([[1, 2], [3, 4]]), { w: array([[1, 1]]) });
 * if (String(out.toArray()) !== "4,6") throw new Error("column sums");
 * ```
 */
export function linearColumnsForward(
  x: NDArray,
  params: LinearParams,
): { out: NDArray; cache: LinearCache } {
  const fn = "linearColumns (Wx + b)";
  check2d(x, fn, "x", "[D, N] (batch as columns)");
  const w = check2d(params?.w, fn, "w", "[M, D]");
  if (w.shape[1] !== x.shape[0]) {
    throw new RangeError(
      `${fn}: w ${formatShape(w.shape)} needs x with ${w.shape[1]} rows, got x ${
        formatShape(x.shape)
      }`,
    );
  }
  const [m] = w.shape, n = x.shape[1];
  const b = checkBias(params.b, m, fn, true);
  const out = matmul(w, x);
  if (b) {
    for (let i = 0; i < m; i++) {
      const bi = b.data[i];
      for (let j = 0; j < n; j++) out.data[i * n + j] += bi;
    }
  }
  return { out, cache: { convention: "Wx+b", x, w, bShape: b ? b.shape : null } };
}

/**
 * Backward pass of {@linkcode linearColumnsForward}: with `dout [M, N]`,
 * `dx = Wᵀ dout [D, N]`, `dw = dout xᵀ [M, D]`, `db = Σ_columns dout [M]` (in b's shape).
 */
export function linearColumnsBackward(dout: NDArray, cache: LinearCache): LinearGrads {
  const fn = "linearColumnsBackward (Wx + b)";
  const { x, w } = cache;
  check2d(dout, fn, "dout", "[M, N]");
  if (cache.convention !== "Wx+b") throw new TypeError(`${fn}: cache comes from xW + b`);
  const m = w.shape[0], n = x.shape[1];
  if (dout.shape[0] !== m || dout.shape[1] !== n) {
    throw new RangeError(`${fn}: dout has shape ${formatShape(dout.shape)}, expected [${m}, ${n}]`);
  }
  const grads: LinearGrads = {
    dx: matmul(w, dout, { transposeA: true }), // Wᵀ dout [D, N]
    dw: matmul(dout, x, { transposeB: true }), // dout xᵀ [M, D]
  };
  if (cache.bShape) {
    const db = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += dout.data[i * n + j];
      db[i] = s;
    }
    grads.db = new NDArray(db, cache.bShape);
  }
  return grads;
}

/**
 * Forward pass of `out = x W + b` with the batch as rows (sheet 003):
 * `x [N, D]`, `w [D, M]`, `b [M]` or `[1, M]` added to every row, `out [N, M]`.
 *
 * @example
 * ```ts
 * import { array } from "../ndarray.ts";
 * import { linearRowsForward } from "./linear.ts";
 * const { out } = linearRowsForward(array([[1, 2]]), { w: array([[1], [1]]), b: array([0.5]) });
 * if (out.item() !== 3.5) throw new Error("1 + 2 + 0.5");
 * ```
 */
export function linearRowsForward(
  x: NDArray,
  params: LinearParams,
): { out: NDArray; cache: LinearCache } {
  const fn = "linearRows (xW + b)";
  check2d(x, fn, "x", "[N, D] (batch as rows)");
  const w = check2d(params?.w, fn, "w", "[D, M]");
  if (w.shape[0] !== x.shape[1]) {
    throw new RangeError(
      `${fn}: w ${formatShape(w.shape)} needs x with ${w.shape[0]} columns, got x ${
        formatShape(x.shape)
      }`,
    );
  }
  const n = x.shape[0], m = w.shape[1];
  const b = checkBias(params.b, m, fn, false);
  const out = matmul(x, w);
  if (b) {
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out.data[i * m + j] += b.data[j];
  }
  return { out, cache: { convention: "xW+b", x, w, bShape: b ? b.shape : null } };
}

/**
 * Backward pass of {@linkcode linearRowsForward}: with `dout [N, M]`,
 * `dx = dout Wᵀ [N, D]`, `dw = xᵀ dout [D, M]`, `db = Σ_rows dout [M]` (in b's shape).
 */
export function linearRowsBackward(dout: NDArray, cache: LinearCache): LinearGrads {
  const fn = "linearRowsBackward (xW + b)";
  const { x, w } = cache;
  check2d(dout, fn, "dout", "[N, M]");
  if (cache.convention !== "xW+b") throw new TypeError(`${fn}: cache comes from Wx + b`);
  const n = x.shape[0], m = w.shape[1];
  if (dout.shape[0] !== n || dout.shape[1] !== m) {
    throw new RangeError(`${fn}: dout has shape ${formatShape(dout.shape)}, expected [${n}, ${m}]`);
  }
  const grads: LinearGrads = {
    dx: matmul(dout, w, { transposeB: true }), // dout Wᵀ [N, D]
    dw: matmul(x, dout, { transposeA: true }), // xᵀ dout [D, M]
  };
  if (cache.bShape) {
    const db = new Float64Array(m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) db[j] += dout.data[i * m + j];
    grads.db = new NDArray(db, cache.bShape);
  }
  return grads;
}
