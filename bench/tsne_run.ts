/**
 * One run of our t-SNE in its own process, for `bench/tsne_bench.ts`, so that its peak memory is
 * measured by `/usr/bin/time -v` exactly as every peer's is.
 *
 * usage: deno run --allow-read --allow-write=DIR bench/tsne_run.ts X.f64 N D OUT.f64 METHOD
 *          THETA WORKERS SEED
 * Reads X.f64 (N×D raw little-endian float64), runs `tsne()` with perplexity 30 and 1000
 * iterations, writes the N×2 embedding to OUT.f64 and prints one JSON line:
 * `{ seconds, secondsAffinities, secondsOptimize, method, kl }` (seconds: the fit, from the
 * `tsne()` call to its return; reading and writing the files are not counted).
 *
 * @module
 */

import { tsne, type TsneMethod } from "../lib/tsne/tsne.ts";
import { readF64, writeF64 } from "./tsne_measure.ts";

const [xPath, n, d, outPath, method, theta, workers, seed] = Deno.args;
const x = await readF64(xPath, Number(n), Number(d));
const r = await tsne(x, {
  method: method as TsneMethod,
  theta: Number(theta),
  workers: Number(workers),
  seed: Number(seed),
});
await writeF64(outPath, r.embedding);
console.log(JSON.stringify({
  seconds: r.seconds.total,
  secondsAffinities: r.seconds.affinities,
  secondsOptimize: r.seconds.optimize,
  method: r.method,
  kl: r.kl,
}));
