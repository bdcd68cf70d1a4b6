/**
 * tfjs autodiff as a third oracle. A student's analytic gradient is compared with `tf.grad` of a
 * tfjs version of the same function. tfjs 4 computes in float32 only, so the tolerances are
 * scaled for float32 and the report says so. The wasm backend is used by default (much faster
 * than cpu on matrix products); if it cannot start, the cpu backend is used and named.
 *
 * tfjs is imported lazily, on the first call, so importing `mod.ts` stays cheap.
 *
 * @module
 */

import type * as TF from "@tensorflow/tfjs";

import { NDArray } from "../ndarray.ts";
import { close, diagnose, EntryStatus } from "./diagnosis.ts";
import {
  checkGradient,
  checkOp,
  type CheckOpOptions,
  type CheckOptions,
  defaultDout,
  type OpUnderTest,
} from "./check.ts";
import { DEFAULT_SEED } from "../random.ts";
import { type Inputs, validateArray } from "./numeric.ts";
import type { AutodiffReport, GradCheckReport } from "./report.ts";

/** The tfjs module type. */
export type Tf = typeof TF;
/** A tfjs tensor (`tf.Tensor`). */
export type Tensor = ReturnType<Tf["tensor"]>;
/** A tfjs scalar tensor (`tf.Scalar`). */
export type Scalar = ReturnType<Tf["scalar"]>;
/** Backends the oracle can run on. */
export type TfBackend = "wasm" | "cpu";

/** Relative tolerance for float32 autodiff against a float64 gradient. */
export const FLOAT32_RTOL = 2e-3;
/** Absolute tolerance for float32 autodiff, times max(1, largest |gradient entry|). */
export const FLOAT32_ATOL = 1e-4;

let tfModule: Tf | undefined;

/**
 * Loads tfjs with the requested backend (default `wasm`, falling back to `cpu`).
 * @returns the module and the backend actually running
 */
export async function loadTf(
  options: { backend?: TfBackend } = {},
): Promise<{ tf: Tf; backend: string }> {
  const wanted = options.backend ?? "wasm";
  if (wanted !== "wasm" && wanted !== "cpu") {
    throw new RangeError(`loadTf: backend must be "wasm" or "cpu", got ${JSON.stringify(wanted)}`);
  }
  if (!tfModule) {
    const tf = await import("@tensorflow/tfjs");
    await import("@tensorflow/tfjs-backend-wasm");
    tf.enableProdMode();
    tfModule = tf;
  }
  const tf = tfModule;
  if (tf.getBackend() !== wanted) {
    let ok = false;
    try {
      ok = await tf.setBackend(wanted);
    } catch {
      ok = false;
    }
    if (!ok) await tf.setBackend("cpu");
    await tf.ready();
  }
  return { tf, backend: tf.getBackend() };
}

/** A tfjs function of one tensor or of named tensors, returning a scalar. */
export type TfFunction =
  | ((x: Tensor) => Scalar)
  | ((x: Record<string, Tensor>) => Scalar);

/**
 * Gradient of a tfjs function by `tf.grads`, returned as float64 NDArrays (values are float32).
 *
 * @example
 * ```ts
 * import { array, autodiffGradient } from "../../mod.ts";
 * const { grad } = await autodiffGradient((x) => x.square().sum(), array([1, 2]));
 * if (grad.x.data[1] !== 4) throw new Error("2x");
 * ```
 */
export async function autodiffGradient(
  // deno-lint-ignore no-explicit-any
  fTf: (x: any) => Scalar,
  x: NDArray | Inputs,
  options: { backend?: TfBackend } = {},
): Promise<{ grad: Record<string, NDArray>; backend: string }> {
  const fn = "autodiffGradient";
  if (typeof fTf !== "function") throw new TypeError(`${fn}: fTf must be a function`);
  const single = x instanceof NDArray;
  const inputs: Inputs = single ? { x: validateArray(x, fn) } : (x as Inputs);
  const names = Object.keys(inputs);
  for (const k of names) validateArray(inputs[k], fn, `x.${k}`);
  const { tf, backend } = await loadTf(options);
  const grads = tf.tidy(() => {
    const tensors = names.map((k) =>
      tf.tensor(Float32Array.from(inputs[k].data), [...inputs[k].shape])
    );
    const g = tf.grads((...ts: Tensor[]) => {
      if (single) return fTf(ts[0]);
      const rec: Record<string, Tensor> = {};
      names.forEach((k, i) => (rec[k] = ts[i]));
      return fTf(rec);
    })(tensors);
    return g.map((t) => t.dataSync().slice());
  });
  const grad: Record<string, NDArray> = {};
  names.forEach((k, i) => (grad[k] = new NDArray(Float64Array.from(grads[i]), inputs[k].shape)));
  return { grad, backend };
}

/**
 * Compares an analytic gradient with tfjs autodiff, with float32 tolerances
 * (`atol` = {@linkcode FLOAT32_ATOL}·max(1, max |g|), `rtol` = {@linkcode FLOAT32_RTOL} unless given).
 */
export async function checkAutodiff(
  // deno-lint-ignore no-explicit-any
  grad: (x: any) => NDArray | Record<string, NDArray>,
  // deno-lint-ignore no-explicit-any
  fTf: (x: any) => Scalar,
  x: NDArray | Inputs,
  options: { atol?: number; rtol?: number; backend?: TfBackend } = {},
): Promise<AutodiffReport> {
  const single = x instanceof NDArray;
  const { grad: auto, backend } = await autodiffGradient(fTf, x, options);
  const raw = single ? { x: grad((x as NDArray).clone()) } : grad(x);
  const names = Object.keys(auto);
  let scale = 1;
  for (const k of names) {
    const g = (raw as Record<string, NDArray>)[k] ?? (raw as Record<string, NDArray>)[`d${k}`];
    if (g instanceof NDArray) { for (const v of g.data) scale = Math.max(scale, Math.abs(v)); }
  }
  const atol = options.atol ?? FLOAT32_ATOL * scale;
  const rtol = options.rtol ?? FLOAT32_RTOL;
  let maxAbsError = 0, maxRelError = 0, ok = true;
  let diagnosis = {
    kind: "match" as const,
    message: "tfjs autodiff agrees.",
  } as AutodiffReport["diagnosis"];
  for (const k of names) {
    const g = (raw as Record<string, NDArray>)[k] ?? (raw as Record<string, NDArray>)[`d${k}`];
    const n = auto[k];
    if (!(g instanceof NDArray) || g.size !== n.size) {
      ok = false;
      diagnosis = {
        kind: "mismatch",
        message: `The analytic gradient of ${k} does not have ${k}'s shape.`,
      };
      continue;
    }
    const status = new Uint8Array(n.size);
    for (let i = 0; i < n.size; i++) {
      const err = Math.abs(g.data[i] - n.data[i]);
      const s = Math.max(Math.abs(g.data[i]), Math.abs(n.data[i]));
      maxAbsError = Math.max(maxAbsError, err);
      maxRelError = Math.max(maxRelError, err === 0 ? 0 : err / s);
      if (close(g.data[i], n.data[i], atol, rtol)) status[i] = EntryStatus.Ok;
    }
    const d = diagnose({
      name: k,
      shape: n.shape,
      indices: Array.from({ length: n.size }, (_, i) => n.unravel(i)),
      analytic: g.data,
      numeric: n.data,
      status,
      atol,
      rtol,
    });
    if (d.kind !== "match") {
      ok = false;
      diagnosis = d;
    }
  }
  return {
    ok,
    backend,
    dtype: "float32",
    atol,
    rtol,
    maxAbsError,
    maxRelError,
    diagnosis,
    note: `tfjs computes in float32 (about 7 significant digits), so it is compared with ` +
      `atol ${
        atol.toExponential(1)
      } and rtol ${rtol}, looser than the float64 finite-difference check.`,
  };
}

/**
 * `checkGradient` plus the tfjs oracle: the report's `autodiff` holds the float32 comparison and
 * `ok` requires both to agree.
 */
export async function checkGradientWithAutodiff(
  // deno-lint-ignore no-explicit-any
  f: (x: any) => number,
  // deno-lint-ignore no-explicit-any
  grad: (x: any) => any,
  x: NDArray | Inputs,
  // deno-lint-ignore no-explicit-any
  options: CheckOptions & { tf: (x: any) => Scalar; backend?: TfBackend },
): Promise<GradCheckReport> {
  if (typeof options?.tf !== "function") {
    throw new TypeError("checkGradientWithAutodiff: options.tf must be a tfjs function of x");
  }
  const report = checkGradient(f, grad, x as NDArray, options);
  report.autodiff = await checkAutodiff(grad, options.tf, x, { backend: options.backend });
  report.ok = report.ok && report.autodiff.ok;
  return report;
}

/**
 * `checkOp` plus the tfjs oracle: `options.tf` is the tfjs forward pass on the same named inputs;
 * its VJP with the same `dout` (by `tf.grads` of Σ dout ⊙ out) is compared with the hand-written
 * backward pass in float32 tolerance.
 */
export async function checkOpWithAutodiff<C>(
  op: OpUnderTest<C>,
  inputs: Inputs,
  options: CheckOpOptions & {
    tf: (x: Record<string, Tensor>) => Tensor;
    backend?: TfBackend;
  },
): Promise<GradCheckReport> {
  if (typeof options?.tf !== "function") {
    throw new TypeError("checkOpWithAutodiff: options.tf must be a tfjs forward pass");
  }
  const seed = options.seed ?? DEFAULT_SEED;
  const out = op.forward(cloneRecord(inputs)).out;
  const dout = options.dout ?? defaultDout(out.shape, seed);
  const report = checkOp(op, inputs, { ...options, dout });
  const wrt = report.inputs.map((r) => r.name);
  const fixed: Inputs = {};
  for (const k of Object.keys(inputs)) if (!wrt.includes(k)) fixed[k] = inputs[k];
  const checked: Inputs = {};
  for (const k of wrt) checked[k] = inputs[k];
  const { tf } = await loadTf({ backend: options.backend });
  const fixedTf = () => {
    const rec: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(fixed)) {
      rec[k] = tf.tensor(Float32Array.from(v.data), [...v.shape]);
    }
    return rec;
  };
  const doutTf = () => tf.tensor(Float32Array.from(dout.data), [...dout.shape]);
  report.autodiff = await checkAutodiff(
    (i: Inputs) => {
      const g = op.backward(dout, op.forward({ ...cloneRecord(fixed), ...cloneRecord(i) }).cache);
      const res: Record<string, NDArray> = {};
      for (const k of wrt) res[k] = (g[`d${k}`] ?? g[k]) as NDArray;
      return res;
    },
    (rec: Record<string, Tensor>) =>
      options.tf({ ...fixedTf(), ...rec }).mul(doutTf()).sum() as Scalar,
    checked,
    { backend: options.backend },
  );
  report.ok = report.ok && report.autodiff.ok;
  return report;
}

function cloneRecord(inputs: Inputs): Inputs {
  const out: Inputs = {};
  for (const [k, v] of Object.entries(inputs)) out[k] = v.clone();
  return out;
}
