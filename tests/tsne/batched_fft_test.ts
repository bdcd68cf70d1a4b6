/**
 * The batched mixed-radix FFT: every 2,3,5-smooth length against the O(L²) definition, forward
 * and inverse, on a column range of a wider grid; any split of the columns gives the same bits;
 * the size helpers; bad sizes named.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { BatchedFft, isFftSize, nextFftSize } from "../../lib/tsne/batched_fft.ts";
import { Random } from "../../lib/random.ts";

/** The DFT of columns [c0, c1) of (re, im) [L][stride] by its definition. */
function dft(
  re: Float64Array,
  im: Float64Array,
  size: number,
  stride: number,
  c0: number,
  c1: number,
  inverse: boolean,
): [Float64Array, Float64Array] {
  const outRe = new Float64Array(size * stride), outIm = new Float64Array(size * stride);
  const sign = inverse ? 1 : -1;
  for (let c = c0; c < c1; c++) {
    for (let k = 0; k < size; k++) {
      let sr = 0, si = 0;
      for (let j = 0; j < size; j++) {
        const a = (sign * 2 * Math.PI * ((j * k) % size)) / size;
        const xr = re[j * stride + c], xi = im[j * stride + c];
        sr += xr * Math.cos(a) - xi * Math.sin(a);
        si += xr * Math.sin(a) + xi * Math.cos(a);
      }
      outRe[k * stride + c] = sr;
      outIm[k * stride + c] = si;
    }
  }
  return [outRe, outIm];
}

function run(size: number, stride: number, c0: number, c1: number, inverse: boolean, seed: number) {
  const rng = new Random(seed);
  const re = rng.fillNormal(new Float64Array(size * stride));
  const im = rng.fillNormal(new Float64Array(size * stride));
  const [wantRe, wantIm] = dft(re, im, size, stride, c0, c1, inverse);
  const cells = size * stride, buf = new Float64Array(4 * cells);
  buf.set(re, 0);
  buf.set(im, cells);
  const at = new BatchedFft(size).transform(
    buf,
    0,
    cells,
    2 * cells,
    3 * cells,
    stride,
    c0,
    c1,
    inverse,
  );
  const o = at === "data" ? 0 : 2 * cells;
  const gotRe = buf.subarray(o, o + cells), gotIm = buf.subarray(o + cells, o + 2 * cells);
  let err = 0;
  for (let k = 0; k < size; k++) {
    for (let c = c0; c < c1; c++) {
      const o = k * stride + c;
      err = Math.max(err, Math.abs(gotRe[o] - wantRe[o]), Math.abs(gotIm[o] - wantIm[o]));
    }
  }
  return err;
}

Deno.test("every smooth length up to 128 matches the definition, both directions", () => {
  for (let size = 1; size <= 128; size++) {
    if (!isFftSize(size)) continue;
    for (const inverse of [false, true]) {
      const err = run(size, 5, 1, 4, inverse, size);
      assert.ok(err < 1e-11 * size, `L = ${size}, inverse ${inverse}: error ${err}`);
    }
  }
});

Deno.test("larger mixed lengths (radix 4, 2, 3 and 5 stages together)", () => {
  for (const size of [240, 250, 360, 405, 432]) {
    const err = run(size, 3, 0, 3, false, size);
    assert.ok(err < 1e-10 * size, `L = ${size}: error ${err}`);
  }
});

Deno.test("any split of the columns gives the same bits", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(12, 30, 64, 90),
      fc.integer({ min: 1, max: 11 }),
      fc.boolean(),
      (size, cut, inverse) => {
        const stride = 12;
        const rng = new Random(size + cut);
        const re = rng.fillNormal(new Float64Array(size * stride));
        const im = rng.fillNormal(new Float64Array(size * stride));
        const f = new BatchedFft(size), cells = size * stride;
        const whole = new Float64Array(4 * cells);
        whole.set(re, 0);
        whole.set(im, cells);
        const parts = whole.slice();
        const a = f.transform(whole, 0, cells, 2 * cells, 3 * cells, stride, 0, stride, inverse);
        f.transform(parts, 0, cells, 2 * cells, 3 * cells, stride, 0, cut, inverse);
        f.transform(parts, 0, cells, 2 * cells, 3 * cells, stride, cut, stride, inverse);
        const o = a === "data" ? 0 : 2 * cells;
        assert.deepEqual(parts.subarray(o, o + 2 * cells), whole.subarray(o, o + 2 * cells));
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("size helpers and bad sizes", () => {
  assert.deepEqual([1, 2, 7, 14, 49, 121].map(isFftSize), [true, true, false, false, false, false]);
  assert.deepEqual([1, 7, 121, 431, 1025].map(nextFftSize), [1, 8, 125, 432, 1080]);
  assert.throws(
    () => new BatchedFft(7),
    /BatchedFft: size must be a positive 2,3,5-smooth integer, got 7/,
  );
  assert.throws(() => new BatchedFft(0), /got 0/);
});
