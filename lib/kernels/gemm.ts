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
 * Each product shape gets an instance with its own memory (up to 8 shapes and 64 MiB are kept),
 * which remembers the last left operand: when the next product of that shape has a left operand
 * with the same bits, as when a gradient checker perturbs weights against fixed data, its zeros are
 * not searched again.
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
  nonzero_lists(
    a: number,
    m: number,
    k: number,
    rb: number,
    vals: number,
    offs: number,
    ends: number,
  ): number;
  gemm_lists(
    vals: number,
    offs: number,
    ends: number,
    b: number,
    c: number,
    m: number,
    n: number,
  ): void;
  nonzeros(a: number, len: number): number;
  finite(a: number, len: number): number;
  same(x: number, y: number, len: number): number;
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
/** Memory the cached instances may keep between calls, all together. */
const CACHE_LIMIT = 64 * 1024 * 1024;
/** Shapes with an instance of their own kept between calls. */
const CACHE_SLOTS = 8;
/** A wasm32 memory addresses 4 GiB; the kernels' offsets are unsigned 32-bit. */
const ADDRESS_LIMIT = 2 ** 32 - PAGE;

/**
 * An instance of the kernels whose memory is laid out for one product shape. Besides the work
 * area it keeps a copy of the last left operand and, when that was sparse enough, its nonzero
 * lists: a product of the same shape whose left operand has the same bits (the data, while a
 * checker perturbs the weights) reuses them.
 */
interface Slot {
  kernels: Kernels;
  bytes: number;
  /** Whether the memory holds a left operand to compare with (and its lists, when sparse). */
  remembered: boolean;
  nonzeros: number;
}

let module: WebAssembly.Module | null = null;
/** Cached slots by shape key, least recently used first. */
const slots = new Map<string, Slot>();
let cachedBytes = 0;

/** The slot for a shape: cached, new and cached, or a one-off when it is too big to keep. */
function slotFor(key: string, bytes: number, fn: string): Slot {
  if (bytes > ADDRESS_LIMIT) {
    throw new RangeError(
      `${fn}: the operands and result need ${(bytes / 2 ** 30).toFixed(1)} GiB, over the 4 GiB ` +
        `a WebAssembly memory can address`,
    );
  }
  const cached = slots.get(key);
  if (cached) {
    slots.delete(key);
    slots.set(key, cached);
    return cached;
  }
  module ??= new WebAssembly.Module(Uint8Array.from(atob(GEMM_WASM), (c) => c.charCodeAt(0)));
  const kernels = new WebAssembly.Instance(module).exports as unknown as Kernels;
  const have = kernels.memory.buffer.byteLength;
  if (have < bytes) kernels.memory.grow(Math.ceil((bytes - have) / PAGE));
  const slot: Slot = { kernels, bytes, remembered: false, nonzeros: 0 };
  if (bytes <= CACHE_LIMIT) {
    slots.set(key, slot);
    cachedBytes += bytes;
    for (const [k, old] of slots) {
      if (cachedBytes <= CACHE_LIMIT && slots.size <= CACHE_SLOTS) break;
      slots.delete(k);
      cachedBytes -= old.bytes;
    }
  }
  return slot;
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
  // Layout in f64 slots: A | B | C | T (an operand before it is transposed into place) | the
  // nonzero lists of A (values, then i32 offsets, then i32 row ends) | the remembered A.
  const mk = m * k;
  const offB = mk, offC = offB + k * n, offT = offC + m * n;
  const offVals = offT + Math.max(transposeA ? mk : 0, transposeB ? k * n : 0);
  const offOffs = offVals + mk, offEnds = offOffs + Math.ceil(mk / 2);
  const offPrev = offEnds + Math.ceil(m / 2);
  const slot = slotFor(`${m},${k},${n},${transposeA},${transposeB}`, (offPrev + mk) * 8, fn);
  const K = slot.kernels;
  const f64 = new Float64Array(K.memory.buffer);
  if (transposeA) {
    f64.set(a, offT);
    K.transpose(offT * 8, 0, k, m);
  } else {
    f64.set(a, 0);
  }
  if (transposeB) {
    f64.set(b, offT);
    K.transpose(offT * 8, offB * 8, n, k);
  } else {
    f64.set(b, offB);
  }
  if (!slot.remembered || K.same(0, offPrev * 8, mk) !== 1) {
    slot.nonzeros = K.nonzeros(0, mk);
    if (slot.nonzeros <= SPARSE_DENSITY * mk) {
      K.nonzero_lists(0, m, k, n * 8, offVals * 8, offOffs * 8, offEnds * 8);
    }
    f64.copyWithin(offPrev, 0, mk);
    slot.remembered = true;
  }
  if (slot.nonzeros <= SPARSE_DENSITY * mk && K.finite(offB * 8, k * n) === 1) {
    K.gemm_lists(offVals * 8, offOffs * 8, offEnds * 8, offB * 8, offC * 8, m, n);
  } else {
    K.gemm(0, offB * 8, offC * 8, m, k, n);
  }
  return f64.slice(offC, offC + m * n);
}
