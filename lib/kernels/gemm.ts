/**
 * Float64 matrix products in WebAssembly SIMD (two f64 lanes per instruction, no bounds checks),
 * about 2.5x the best plain-JS loop and 5x a simple one on the shapes the exercises use. The source
 * is `gemm.wat` beside this file; `gemm_wasm.ts` holds its compiled bytes.
 *
 * Results are bit for bit those of the plain triple loop: each entry sums its products in
 * ascending order of the inner index, multiply then add, starting from +0. When the left operand
 * is mostly zeros (images with blank borders, inputs after ReLU) and the right one is finite, the
 * zero products are skipped, which leaves every sum unchanged (0·x = ±0 for finite x); with an
 * Inf or NaN in the right operand every product is taken, so 0·Inf still gives NaN.
 *
 * @example
 * ```ts
 * import { gemm } from "./gemm.ts";
 * // [1 2; 3 4] · [1; 1] = [3; 7]
 * const c = gemm(Float64Array.of(1, 2, 3, 4), Float64Array.of(1, 1), 2, 2, 1);
 * if (String(c) !== "3,7") throw new Error("row sums");
 * ```
 *
 * @module
 */

import { GEMM_WASM } from "./gemm_wasm.ts";

interface Kernels {
  memory: WebAssembly.Memory;
  gemm(a: number, b: number, c: number, m: number, k: number, n: number): void;
  gemm_sparse(a: number, b: number, c: number, m: number, k: number, n: number, s: number): void;
  nonzeros(a: number, len: number): number;
  finite(a: number, len: number): number;
  transpose(src: number, dst: number, rows: number, cols: number): void;
}

/** Options of {@linkcode gemm}. */
export interface GemmOptions {
  /** `a` holds Aᵀ, row-major `[k, m]`, instead of A `[m, k]`. Default false. */
  transposeA?: boolean;
  /** `b` holds Bᵀ, row-major `[n, k]`, instead of B `[k, n]`. Default false. */
  transposeB?: boolean;
}

/** The left operand goes through the zero-skipping kernel when at most this share is nonzero. */
export const SPARSE_DENSITY = 0.5;

const PAGE = 65536;
/** Memory the shared instance may keep between calls; larger products get an instance of their own. */
const SHARED_LIMIT = 64 * 1024 * 1024;
/** A wasm32 memory addresses 4 GiB; the kernels' offsets are unsigned 32-bit. */
const ADDRESS_LIMIT = 2 ** 32 - PAGE;

let module: WebAssembly.Module | null = null;
let shared: Kernels | null = null;

function instantiate(): Kernels {
  module ??= new WebAssembly.Module(Uint8Array.from(atob(GEMM_WASM), (c) => c.charCodeAt(0)));
  return new WebAssembly.Instance(module).exports as unknown as Kernels;
}

/** An instance whose memory holds at least `bytes`: the shared one, or a one-off for big work. */
function kernelsFor(bytes: number, fn: string): Kernels {
  if (bytes > ADDRESS_LIMIT) {
    throw new RangeError(
      `${fn}: the operands and result need ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB ` +
        `a WebAssembly memory can address`,
    );
  }
  const k = bytes <= SHARED_LIMIT ? (shared ??= instantiate()) : instantiate();
  const have = k.memory.buffer.byteLength;
  if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / PAGE));
  return k;
}

/**
 * `C = A · B` in float64 for row-major `A [m, k]` and `B [k, n]` (either given transposed, see
 * {@linkcode GemmOptions}); returns C `[m, n]`, row-major. Shapes are the caller's to check: this
 * reads exactly `m·k` and `k·n` entries.
 *
 * @throws RangeError when the operands do not hold `m·k` and `k·n` entries, or the work needs
 *   more than the 4 GiB a WebAssembly memory can address
 */
export function gemm(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  options: GemmOptions = {},
): Float64Array {
  const fn = "gemm";
  if (a.length !== m * k || b.length !== k * n) {
    throw new RangeError(
      `${fn}: for [${m}, ${k}] · [${k}, ${n}] the operands need ${m * k} and ${k * n} entries, ` +
        `got ${a.length} and ${b.length}`,
    );
  }
  if (m * n === 0) return new Float64Array(m * n);
  const transposeA = options.transposeA === true, transposeB = options.transposeB === true;
  // Layout in f64 slots: A | B | C | scratch (the sparse kernel's lists, or an operand before
  // it is transposed into place).
  const offA = 0, offB = m * k, offC = offB + k * n, offS = offC + m * n;
  const scratch = Math.max(2 * k, transposeA ? m * k : 0, transposeB ? k * n : 0);
  const K = kernelsFor((offS + scratch) * 8, fn);
  const f64 = new Float64Array(K.memory.buffer);
  if (transposeA) {
    f64.set(a, offS);
    K.transpose(offS * 8, offA * 8, k, m);
  } else {
    f64.set(a, offA);
  }
  if (transposeB) {
    f64.set(b, offS);
    K.transpose(offS * 8, offB * 8, n, k);
  } else {
    f64.set(b, offB);
  }
  const sparse = K.nonzeros(offA * 8, m * k) <= SPARSE_DENSITY * m * k &&
    K.finite(offB * 8, k * n) === 1;
  if (sparse) K.gemm_sparse(offA * 8, offB * 8, offC * 8, m, k, n, offS * 8);
  else K.gemm(offA * 8, offB * 8, offC * 8, m, k, n);
  return f64.slice(offC, offC + m * n);
}
