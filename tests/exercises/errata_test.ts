/**
 * The errata, re-derived here independently of the exercise files: each sheet formula, evaluated
 * as printed, fails its check with the diagnosis the catalog reports, and the corrected formula
 * passes.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { array, type NDArray } from "../../lib/ndarray.ts";
import { checkGradient } from "../../lib/grad/check.ts";
import { meanOnlyBatchNormBackward, meanOnlyBatchNormForward } from "../../lib/ops/batch_norm.ts";
import { SHEET_002 } from "../../data/sheets/sheet_002.ts";

const sig = (v: number) => 1 / (1 + Math.exp(-v));
function softmax(v: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(v));
  const e = Array.from(v, (t) => Math.exp(t - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((t) => t / s);
}

Deno.test("000 2.1: −x_j·y_i·(1 − ŷ_i) is right only on the true class's row", () => {
  const x = [0.5, -1.2, 2];
  const y = 1;
  const W = array([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9]]);
  const p = (w: NDArray) => softmax(w.matmul(array(x).reshape([3, 1])).data);
  const loss = (w: NDArray) => -Math.log(p(w)[y]);
  const sheet = (w: NDArray) => {
    const q = p(w);
    return w.map((_, k) => {
      const i = Math.floor(k / 3), j = k % 3;
      return -x[j] * (i === y ? 1 : 0) * (1 - q[i]);
    });
  };
  const fixed = (w: NDArray) => {
    const q = p(w);
    return w.map((_, k) => (q[Math.floor(k / 3)] - (Math.floor(k / 3) === y ? 1 : 0)) * x[k % 3]);
  };
  const bad = checkGradient(loss, sheet, W);
  assert.equal(bad.ok, false);
  assert.equal(bad.diagnosis.kind, "partial");
  assert.equal(bad.diagnosis.wrongEntries, 6);
  assert.ok(checkGradient(loss, fixed, W).ok);
});

Deno.test("001 Q2.Q: σ(hᵃ) in place of φ'(hᵃ) fails for a ReLU layer; H(hᵃ) passes", () => {
  const w2 = array([[0.3, -0.2, 0.5, 0.1], [-0.4, 0.6, 0.2, -0.3]]);
  const ha = array([0.7, -0.4, 1.3, -1.1]);
  const lossOfHs = (hs: NDArray) => -Math.log(softmax(w2.matmul(hs.reshape([4, 1])).data)[0]);
  const gHs = (hs: NDArray) => {
    const q = softmax(w2.matmul(hs.reshape([4, 1])).data);
    return w2.transpose().matmul(array([[q[0] - 1], [q[1]]])).reshape([4]);
  };
  const relu = (v: NDArray) => v.map((t) => Math.max(t, 0));
  const f = (h: NDArray) => lossOfHs(relu(h));
  assert.equal(checkGradient(f, (h) => gHs(relu(h)).mul(h.map(sig)), ha).ok, false);
  assert.ok(checkGradient(f, (h) => gHs(relu(h)).mul(h.map((t) => (t > 0 ? 1 : 0))), ha).ok);
});

Deno.test("001 Q2.D: [σ(z), 1 − σ(z)] with z = x₂ − x₁ is not the softmax; z = x₁ − x₂ is", () => {
  const finite = fc.double({ min: -20, max: 20, noNaN: true });
  fc.assert(fc.property(finite, finite, (x1, x2) => {
    const s = softmax([x1, x2]);
    assert.ok(Math.abs(s[0] - sig(x1 - x2)) < 1e-12);
    if (Math.abs(x1 - x2) > 0.1) assert.ok(Math.abs(s[0] - sig(x2 - x1)) > 1e-3);
  }));
});

Deno.test("002 Ex2: Ex1's ½‖·‖² does not give the printed loss; the batch mean does", () => {
  const e = SHEET_002.ex2;
  const X = array(e.X as unknown as number[][]);
  const s1 = array(e.W1 as unknown as number[][]).matmul(X).map((v) => Math.max(v, 0));
  const out = array(e.W2 as unknown as number[][]).matmul(s1);
  const r = out.sub(array(e.y as unknown as number[][]));
  const half = 0.5 * r.dot(r);
  assert.notEqual(Math.round(half * 1e4) / 1e4, e.loss);
  assert.equal(Math.round((half / X.shape[1]) * 1e4) / 1e4, e.loss);
});

Deno.test("004 Q2.d: as n grows, ∂L/∂x does not approach ∂L/∂y; it stays γ(dout − mean)", () => {
  const n = 2000, gamma = 2;
  const x = array(Array.from({ length: n }, (_, i) => [Math.sin(i)]));
  const dout = array(Array.from({ length: n }, (_, i) => [1 + 0.1 * Math.cos(3 * i)]));
  const { cache } = meanOnlyBatchNormForward(x, { gamma: array([gamma]), beta: array([0]) });
  const dx = meanOnlyBatchNormBackward(dout, cache).dx;
  const mean = dout.mean().item();
  assert.ok(dx.sub(dout).norm() > 0.5 * dout.norm(), "the sheet's limit is far off");
  assert.ok(dx.sub(dout.sub(mean).mul(gamma)).norm() < 1e-9, "the exact form holds");
});

Deno.test("001 Q2.G: the MSE/CE gradient ratio carries a factor 2/n the sheet drops", () => {
  const o = array([0.3, -1.2, 2.1, 0.4]);
  const y = [1, 0, 1, 0];
  const n = o.size;
  const mse = (v: NDArray) => v.data.reduce((s, t, i) => s + (sig(t) - y[i]) ** 2, 0) / n;
  const sheet = (v: NDArray) => v.map((t, i) => (sig(t) - y[i]) * sig(t) * (1 - sig(t)));
  const bad = checkGradient(mse, sheet, o);
  assert.equal(bad.diagnosis.kind, "scaled");
  assert.ok(Math.abs((bad.diagnosis.factor ?? 0) - n / 2) < 1e-6);
  assert.ok(checkGradient(mse, (v) => sheet(v).mul(2 / n), o).ok);
});

Deno.test("003 eq. 19: a scalar σ{1 − σ}ᵀ in place of ⊙σ' fails; the element-wise form passes", () => {
  const W1 = array([[0.2, -0.5, 0.3], [0.7, 0.1, -0.4]]); // Dx = 2, H = 3
  const W2 = array([[0.6, -0.2], [0.3, 0.8], [-0.5, 0.4]]); // H × Dy, Dy = 2
  const yv = array([[0, 1]]);
  const J = (x: NDArray) => -Math.log(softmax(x.matmul(W1).map(sig).matmul(W2).data)[1]);
  const parts = (x: NDArray) => {
    const pre = x.matmul(W1);
    const d = array([softmax(pre.map(sig).matmul(W2).data)]).sub(yv).matmul(W2.transpose());
    return { pre, d };
  };
  const fixed = (x: NDArray) => {
    const { pre, d } = parts(x);
    return d.mul(pre.map((t) => sig(t) * (1 - sig(t)))).matmul(W1.transpose());
  };
  const sheet = (x: NDArray) => {
    const { pre, d } = parts(x);
    const s = pre.map(sig);
    return d.mul(s.dot(s.map((t) => 1 - t))).matmul(W1.transpose());
  };
  const x = array([[0.9, -0.6]]);
  assert.equal(checkGradient(J, sheet, x).ok, false);
  assert.ok(checkGradient(J, fixed, x).ok);
});
