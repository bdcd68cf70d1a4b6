/**
 * The batched FFT: every valid length up to 200 against the O(L²) definition, forward (zero rows
 * not read) and inverse (only the wanted rows written), on a column range of a wider grid; the
 * transposed passes give the bits of the normal ones; the convolution against its definition;
 * any even split of the columns gives the same bits; the size helpers; bad sizes named.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BatchedFft,
  convolutionSize,
  FFT_BLOCK_COLUMNS,
  fftKernels,
  type GridView,
  isFftSize,
  nextFftSize,
} from "../../lib/tsne/batched_fft.ts";
import { Random } from "../../lib/random.ts";

/** A memory with the twiddles at 0, a scratch, and room for grids from byte 2^20 on. */
class Bench {
  readonly memory = new WebAssembly.Memory({ initial: 160, maximum: 160, shared: true });
  readonly f64 = new Float64Array(this.memory.buffer);
  readonly plan: BatchedFft;
  readonly ws;
  #next = 1 << 20;

  constructor(size: number) {
    this.plan = new BatchedFft(size);
    assert.ok(this.plan.twiddleBytes <= 1 << 19 && this.plan.scratchBytes <= 1 << 19);
    this.ws = { kernels: fftKernels(this.memory), twiddles: 0, scratch: 1 << 19 };
    this.plan.writeTwiddles(this.f64, 0);
  }

  /** A rows × cols complex grid holding (re, im). */
  grid(rows: number, cols: number, re: Float64Array, im: Float64Array): GridView {
    const at = this.#next, bytes = 8 * rows * cols;
    this.#next += 2 * bytes;
    this.f64.set(re, at / 8);
    this.f64.set(im, (at + bytes) / 8);
    return { re: at, im: at + bytes, row: 8 * cols };
  }

  /** Element (j, c) of a grid as [re, im]. */
  at(g: GridView, j: number, c: number): [number, number] {
    const o = j * g.row + 8 * c;
    return [this.f64[(g.re + o) / 8], this.f64[(g.im + o) / 8]];
  }
}

/** Σⱼ x[j]·exp(sign·2πi·jk/L) for j < rows. */
function dft(
  re: (j: number) => number,
  im: (j: number) => number,
  rows: number,
  size: number,
  k: number,
  sign: number,
): [number, number] {
  let sr = 0, si = 0;
  for (let j = 0; j < rows; j++) {
    const a = (sign * 2 * Math.PI * ((j * k) % size)) / size;
    sr += re(j) * Math.cos(a) - im(j) * Math.sin(a);
    si += re(j) * Math.sin(a) + im(j) * Math.cos(a);
  }
  return [sr, si];
}

function randomGrid(rows: number, cols: number, seed: number): [Float64Array, Float64Array] {
  const rng = new Random(seed);
  return [
    rng.fillNormal(new Float64Array(rows * cols)),
    rng.fillNormal(new Float64Array(rows * cols)),
  ];
}

Deno.test("every valid length up to 200 matches the definition, forward and inverse", () => {
  for (let size = 2; size <= 200; size += 2) {
    if (!isFftSize(size / 2)) continue;
    const b = new Bench(size), cols = 6, c0 = 2, c1 = 6;
    for (const rows of new Set([1, Math.ceil(size / 4), size / 2])) {
      // Forward: rows ≥ `rows` hold garbage that must not be read.
      const [re, im] = randomGrid(size, cols, size + rows);
      const g = b.grid(size, cols, re, im);
      b.plan.forward(b.ws, g, rows, c0, c1);
      let err = 0;
      for (let c = c0; c < c1; c++) {
        for (let k = 0; k < size; k++) {
          const want = dft((j) => re[j * cols + c], (j) => im[j * cols + c], rows, size, k, -1);
          const got = b.at(g, k, c);
          err = Math.max(err, Math.abs(got[0] - want[0]), Math.abs(got[1] - want[1]));
        }
      }
      assert.ok(err < 1e-12 * size, `L = ${size}, rows ${rows}, forward: error ${err}`);
      // Inverse: all L rows in, rows < `rows` out, the others untouched.
      const [sr, si] = randomGrid(size, cols, 7 * size + rows);
      const s = b.grid(size, cols, sr, si);
      b.plan.inverse(b.ws, s, rows, c0, c1);
      err = 0;
      for (let c = c0; c < c1; c++) {
        for (let j = 0; j < size; j++) {
          const want = j < rows
            ? dft((k) => sr[k * cols + c], (k) => si[k * cols + c], size, size, j, 1)
            : [sr[j * cols + c], si[j * cols + c]];
          const got = b.at(s, j, c);
          err = Math.max(err, Math.abs(got[0] - want[0]), Math.abs(got[1] - want[1]));
        }
      }
      assert.ok(err < 1e-12 * size, `L = ${size}, rows ${rows}, inverse: error ${err}`);
      // Columns outside the range are untouched.
      assert.deepEqual(b.at(g, size - 1, 1), [
        re[(size - 1) * cols + 1],
        im[(size - 1) * cols + 1],
      ]);
    }
  }
});

Deno.test("larger mixed lengths (radix 4, 2, 3 and 5 stages together) round-trip", () => {
  for (const size of [480, 500, 750, 864, 1000]) {
    const b = new Bench(size), cols = 2 * FFT_BLOCK_COLUMNS + 4, rows = size / 2;
    const [re, im] = randomGrid(size, cols, size);
    const g = b.grid(size, cols, re, im);
    b.plan.forward(b.ws, g, rows, 0, cols);
    b.plan.inverse(b.ws, g, rows, 0, cols);
    let err = 0;
    for (let j = 0; j < rows; j++) {
      for (let c = 0; c < cols; c++) {
        const [gr, gi] = b.at(g, j, c);
        err = Math.max(
          err,
          Math.abs(gr / size - re[j * cols + c]),
          Math.abs(gi / size - im[j * cols + c]),
        );
      }
    }
    assert.ok(err < 1e-13 * size, `L = ${size}: error ${err}`);
  }
});

Deno.test("the transposed passes give the bits of the normal ones", () => {
  const size = 90, rows = 40, cols = 12;
  const b = new Bench(size);
  const [re, im] = randomGrid(size, cols, 5);
  const normal = b.grid(size, cols, re, im);
  const tr = new Float64Array(size * cols), ti = new Float64Array(size * cols);
  for (let j = 0; j < size; j++) {
    for (let c = 0; c < cols; c++) {
      tr[c * size + j] = re[j * cols + c];
      ti[c * size + j] = im[j * cols + c];
    }
  }
  const transposed = b.grid(cols, size, tr, ti);
  b.plan.forward(b.ws, normal, rows, 0, cols);
  const at = b.plan.forwardTransposed(b.ws, transposed, rows, 0, cols);
  const block = { re: at, im: at + b.plan.scratchArrayBytes, row: 8 * FFT_BLOCK_COLUMNS };
  for (let k = 0; k < size; k++) {
    for (let c = 0; c < cols; c++) assert.deepEqual(b.at(block, k, c), b.at(normal, k, c));
  }
});

Deno.test("convolveTransposed is the zero-padded linear convolution with a real kernel", () => {
  const size = 24, rows = 12, cols = 6;
  const b = new Bench(size);
  // A symmetric kernel (real transform); columns of the transposed grid are the sequences.
  const kern = (d: number) => 1 / (1 + d * d);
  const kt = new Float64Array(size * cols);
  for (let k = 0; k < size; k++) {
    const [s] = dft((j) => kern(j <= size / 2 ? j : size - j), () => 0, size, size, k, -1);
    for (let c = 0; c < cols; c++) kt[k * cols + c] = s / size;
  }
  const kAt = 1 << 21;
  b.f64.set(kt, kAt / 8);
  const [re, im] = randomGrid(cols, size, 9);
  for (let c = 0; c < cols; c++) {
    for (let j = rows; j < size; j++) re[c * size + j] = im[c * size + j] = NaN;
  }
  const g = b.grid(cols, size, re, im);
  b.plan.convolveTransposed(b.ws, g, rows, 0, cols, kAt, 8 * cols);
  let err = 0;
  for (let c = 0; c < cols; c++) {
    for (let i = 0; i < rows; i++) {
      let sr = 0, si = 0;
      for (let j = 0; j < rows; j++) {
        sr += kern(i - j) * re[c * size + j];
        si += kern(i - j) * im[c * size + j];
      }
      const [gr, gi] = b.at(g, c, i);
      err = Math.max(err, Math.abs(gr - sr), Math.abs(gi - si));
    }
  }
  assert.ok(err < 1e-12, `error ${err}`);
});

Deno.test("any even split of the columns gives the same bits", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(12, 30, 64, 90),
      fc.integer({ min: 1, max: 20 }),
      (size, cut) => {
        const cols = 40, rows = size / 2, split = 2 * cut;
        const b = new Bench(size);
        const [re, im] = randomGrid(size, cols, size + cut);
        const whole = b.grid(size, cols, re, im), parts = b.grid(size, cols, re, im);
        b.plan.forward(b.ws, whole, rows, 0, cols);
        b.plan.forward(b.ws, parts, rows, 0, split);
        b.plan.forward(b.ws, parts, rows, split, cols);
        b.plan.inverse(b.ws, whole, rows, 0, cols);
        b.plan.inverse(b.ws, parts, rows, split, cols);
        b.plan.inverse(b.ws, parts, rows, 0, split);
        for (let j = 0; j < size; j++) {
          for (let c = 0; c < cols; c++) assert.deepEqual(b.at(parts, j, c), b.at(whole, j, c));
        }
      },
    ),
    { numRuns: 30 },
  );
});

Deno.test("size helpers and bad sizes", () => {
  assert.deepEqual([1, 2, 7, 14, 49, 121].map(isFftSize), [true, true, false, false, false, false]);
  assert.deepEqual([1, 7, 121, 431, 1025].map(nextFftSize), [1, 8, 125, 432, 1080]);
  assert.deepEqual([1, 3, 7, 188, 432].map(convolutionSize), [2, 6, 16, 384, 864]);
  for (const bad of [7, 14, 0, 3, 2.5]) {
    assert.throws(
      () => new BatchedFft(bad),
      new RegExp(`BatchedFft: size must be twice a positive 2,3,5-smooth integer, got ${bad}`),
    );
  }
});
