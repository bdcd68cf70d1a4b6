/**
 * Seeded pseudo-random numbers. Every random thing in the project takes a seed and draws from a
 * {@linkcode Random}, so a result is reproducible bit for bit; nothing in `lib/` calls
 * `Math.random`.
 *
 * The generator is xoshiro128** (Blackman & Vigna, 2018): 128 bits of state, period 2^128 − 1,
 * seeded through splitmix32 so that nearby seeds give unrelated streams.
 *
 * @module
 */

/** Seed used when an options object leaves `seed` out. */
export const DEFAULT_SEED = 42;

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * A seeded generator of uniform, normal and integer variates and permutations.
 *
 * @example
 * ```ts
 * import { Random } from "./random.ts";
 * const a = new Random(7), b = new Random(7);
 * if (a.uniform() !== b.uniform()) throw new Error("same seed, same stream");
 * ```
 */
export class Random {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;
  #spareNormal: number | undefined;

  /**
   * A generator seeded by `seed`.
   * @param seed any finite number; equal seeds give equal streams.
   */
  constructor(seed: number = DEFAULT_SEED) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`Random: seed must be a finite number, got ${seed}`);
    }
    // splitmix32 over the seed's low and high words fills the state.
    let x = (Math.floor(seed) | 0) ^ Math.floor(seed / TWO_POW_32);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /**
   * Fills `out` with the next `out.length` outputs of {@linkcode Random.nextUint32} (the same
   * stream, in one tight loop) and returns it.
   */
  fillUint32(out: Uint32Array): Uint32Array {
    let s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
    }
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = s3;
    return out;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  /** Uniform on [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Standard normal N(0, 1) by the Marsaglia polar method (pairs cached). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const z = this.#spareNormal;
      this.#spareNormal = undefined;
      return z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spareNormal = v * m;
    return u * m;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new RangeError(`Random.int: n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let r: number;
    do r = this.nextUint32(); while (r >= limit);
    return r % n;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** `k` distinct integers from [0, n), in random order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new RangeError(`Random.sample: k (${k}) exceeds n (${n})`);
    if (4 * k >= n) return this.permutation(n).slice(0, k);
    // Few of many: draw with rejection, O(k) expected, instead of permuting all n.
    const seen = new Set<number>();
    const out = new Int32Array(k);
    for (let i = 0; i < k;) {
      const j = this.int(n);
      if (!seen.has(j)) {
        seen.add(j);
        out[i++] = j;
      }
    }
    return out;
  }

  /** Fills `out` with N(mean, std²) variates and returns it. */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fills `out` with uniform variates on [low, high) and returns it. */
  fillUniform(out: Float64Array, low = 0, high = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
