/**
 * What `bench/tsne_bench.ts` needs to measure every t-SNE tool the same way: each tool runs in its
 * own process under `/usr/bin/time -v` (peak memory = its "Maximum resident set size"), data and
 * embeddings travel as raw little-endian float64 files, and the 10-NN accuracy of a 2-D
 * embedding is computed with a grid search (the same result as `knnAccuracy`, in O(N·k) instead
 * of O(N²)).
 *
 * @module
 */

import { NDArray } from "../lib/ndarray.ts";

/** GNU time, which reports a process's peak resident memory (Debian package `time`). */
export const TIME_BINARY = "/usr/bin/time";
/** coreutils' stdbuf: line-buffers a child's stdout so its progress lines can be timed. */
export const STDBUF_BINARY = "/usr/bin/stdbuf";

/** A finished, measured process. */
export interface Measured {
  /** Exit code of the measured command. */
  code: number;
  /** Its stdout. */
  stdout: string;
  /** Its stderr (without GNU time's report). */
  stderr: string;
  /** Wall-clock seconds from spawn to exit. */
  wallSeconds: number;
  /** Peak resident memory in bytes ("Maximum resident set size"), null when not reported. */
  peakBytes: number | null;
  /** Seconds after spawn at which the first stdout line matching each `marks` pattern came. */
  marks: (number | null)[];
}

/** Whether a file exists (and can be stat'ed). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `cmd args` under `/usr/bin/time -v` and reports its output, wall time and peak memory.
 * `marks` are matched against stdout lines as they arrive (for a tool that prints its own phases;
 * pair it with `lineBuffered` so a C program's stdout is not held back in a 4 KiB buffer).
 */
export async function runMeasured(
  cmd: string,
  args: string[],
  options: {
    /** Folder for GNU time's report (a file removed afterwards). */
    scratch: string;
    cwd?: string;
    env?: Record<string, string>;
    marks?: RegExp[];
    lineBuffered?: boolean;
  },
): Promise<Measured> {
  // Absolute, because the command may run in another folder (`cwd`).
  const report = await Deno.realPath(
    await Deno.makeTempFile({ dir: options.scratch, prefix: "time_", suffix: ".txt" }),
  );
  const marks = options.marks ?? [];
  const times: (number | null)[] = marks.map(() => null);
  const prefix = options.lineBuffered ? [STDBUF_BINARY, "-oL"] : [];
  const t0 = performance.now();
  try {
    const child = new Deno.Command(TIME_BINARY, {
      args: ["-v", "-o", report, "--", ...prefix, cmd, ...args],
      cwd: options.cwd,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const decoder = new TextDecoder();
    let stdout = "";
    let pending = "";
    const readOut = (async () => {
      for await (const chunk of child.stdout) {
        const text = decoder.decode(chunk, { stream: true });
        stdout += text;
        pending += text;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        const now = (performance.now() - t0) / 1000;
        for (const line of lines) {
          marks.forEach((re, i) => {
            if (times[i] === null && re.test(line)) times[i] = now;
          });
        }
      }
    })();
    const errBytes = new Response(child.stderr).arrayBuffer();
    const status = await child.status;
    await readOut;
    const wallSeconds = (performance.now() - t0) / 1000;
    const stderr = new TextDecoder().decode(await errBytes);
    const text = await Deno.readTextFile(report).catch(() => "");
    const rss = text.match(/Maximum resident set size \(kbytes\): (\d+)/);
    // GNU time exits 127 (not found) or 126 (not executable) itself, and says so in the report.
    const notRun = /Command exited with non-zero status 12[67]/.test(text) &&
      /No such file|Permission denied|cannot run/.test(stderr);
    return {
      code: notRun ? 127 : status.code,
      stdout,
      stderr,
      wallSeconds,
      peakBytes: rss ? Number(rss[1]) * 1024 : null,
      marks: times,
    };
  } finally {
    await Deno.remove(report).catch(() => {});
  }
}

/** Writes the data of `a` as raw little-endian float64 (row-major). */
export async function writeF64(path: string, a: NDArray | Float64Array): Promise<void> {
  const data = a instanceof NDArray ? a.data : a;
  await Deno.writeFile(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Reads a raw little-endian float64 file as an [N, d] array. */
export async function readF64(path: string, n: number, d: number): Promise<NDArray> {
  const bytes = await Deno.readFile(path);
  if (bytes.byteLength !== n * d * 8) {
    throw new RangeError(
      `readF64: ${path} has ${bytes.byteLength} bytes, expected ${n}×${d} doubles`,
    );
  }
  const data = new Float64Array(n * d);
  new Uint8Array(data.buffer).set(bytes);
  return new NDArray(data, [n, d]);
}

/**
 * Leave-one-out k-NN accuracy of a 2-D embedding `y` [N, 2] with a uniform grid: the same value
 * as `knnAccuracy(y, labels, { k })` (neighbours by squared distance, ties by lower index; the
 * majority label, a tied vote going to the nearest tied voter), in about O(N·k).
 */
export function gridKnnAccuracy(y: NDArray, labels: ArrayLike<number>, k: number): number {
  const [n, d] = y.shape;
  if (d !== 2) throw new RangeError(`gridKnnAccuracy: y must be [N, 2], got [${y.shape}]`);
  if (labels.length !== n || !(k >= 1 && k < n)) {
    throw new RangeError(`gridKnnAccuracy: ${labels.length} labels, k = ${k} for N = ${n}`);
  }
  const a = y.data;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, a[2 * i]);
    maxX = Math.max(maxX, a[2 * i]);
    minY = Math.min(minY, a[2 * i + 1]);
    maxY = Math.max(maxY, a[2 * i + 1]);
  }
  // About two points per cell on average.
  const side = Math.max(1, Math.ceil(Math.sqrt(n / 2)));
  const cell = Math.max(maxX - minX, maxY - minY, 1e-300) / side;
  const gx = (v: number) => Math.min(side - 1, Math.floor((v - minX) / cell));
  const gy = (v: number) => Math.min(side - 1, Math.floor((v - minY) / cell));
  const start = new Int32Array(side * side + 1);
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    cellOf[i] = gx(a[2 * i]) * side + gy(a[2 * i + 1]);
    start[cellOf[i] + 1]++;
  }
  for (let c = 0; c < side * side; c++) start[c + 1] += start[c];
  const fill = start.slice(0, side * side);
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) members[fill[cellOf[i]]++] = i; // ascending i within a cell
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const xi = a[2 * i], yi = a[2 * i + 1];
    const cx = gx(xi), cy = gy(yi);
    let found = 0;
    const offer = (j: number) => {
      const dx = a[2 * j] - xi, dy = a[2 * j + 1] - yi;
      const dd = dx * dx + dy * dy;
      if (found === k && (dd > bestD[k - 1] || (dd === bestD[k - 1] && j > bestI[k - 1]))) return;
      let pos = found < k ? found++ : k - 1;
      while (pos > 0 && (bestD[pos - 1] > dd || (bestD[pos - 1] === dd && bestI[pos - 1] > j))) {
        bestD[pos] = bestD[pos - 1];
        bestI[pos] = bestI[pos - 1];
        pos--;
      }
      bestD[pos] = dd;
      bestI[pos] = j;
    };
    for (let ring = 0; ring <= side; ring++) {
      // Every point outside rings 0..ring−1 is at least (ring − 1)·cell away.
      if (found === k && ring >= 1 && ((ring - 1) * cell) ** 2 > bestD[k - 1]) break;
      for (let u = cx - ring; u <= cx + ring; u++) {
        if (u < 0 || u >= side) continue;
        const edge = u === cx - ring || u === cx + ring;
        for (let v = cy - ring; v <= cy + ring; v += edge ? 1 : 2 * ring) {
          if (v >= 0 && v < side) {
            const c = u * side + v;
            for (let m = start[c]; m < start[c + 1]; m++) if (members[m] !== i) offer(members[m]);
          }
          if (ring === 0) break;
        }
      }
    }
    const votes = new Map<number, number>();
    for (let t = 0; t < k; t++) {
      const l = labels[bestI[t]];
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    let best = -1, label = labels[bestI[0]];
    for (let t = 0; t < k; t++) {
      const v = votes.get(labels[bestI[t]])!;
      if (v > best) {
        best = v;
        label = labels[bestI[t]];
      }
    }
    if (label === labels[i]) correct++;
  }
  return correct / n;
}
