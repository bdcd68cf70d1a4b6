/**
 * What sheet 004 (Deep Learning HW 2, Fall 2024, `seeds/004_94547eedab5c53ea.txt`) states, as
 * data.
 *
 * @module
 */

/** Sheet 004's statements. */
export const SHEET_004 = {
  file: "004_94547eedab5c53ea.txt",
  q1: {
    uniqueMinimum: "E(w, b) is convex, which guarantees a unique minimum",
    stationarity: "Σ_n y_n/ŷ(x_n) − (1 − y_n)/(1 − ŷ(x_n)) = 0 → ŷ(x) = Σ_n y_n",
    dEdw: "∂E/∂w = Σ_n (ŷ(x_n) − y_n) x_n",
    dEdb: "∂E/∂b = Σ_n (ŷ(x_n) − y_n)",
  },
  q3: {
    softmaxJacobian: "∂ŷ_k/∂z_i = ŷ_k(1 − ŷ_k) (i = k), −ŷ_k ŷ_i (i ≠ k)",
    ceGradient: "∂L/∂z_i = ŷ_i − y_i",
    leakySlope: 0.01,
    dW1: "∂L/∂W⁽¹⁾ = ((W⁽²⁾)ᵀ(ŷ − y) ⊙ g'(z⁽¹⁾)) xᵀ",
  },
  q4: { hessian: "H = Jacobian of ∇y, H_ij = ∂²y/∂x_i∂x_j" },
  q6: {
    newtonStep: "x_{n+1} = x_n − f(x_n)/f'(x_n)",
    oneStep: "x_{n+1} = x_n − f'(x*)(x_n − x*)/f'(x*) = x*",
    quadratic: "Newton's method converges quadratically",
    optimum: "the critical point found (f = g') is the optimal point of g",
  },
  q7: {
    gradient: "∂L/∂z = ŷ − y",
    hessian: "H = diag(ŷ) − ŷŷᵀ",
    psd: "vᵀHv = Σ v_i² ŷ_i − (Σ v_i ŷ_i)² ≥ 0",
    convex: "the cross-entropy is convex in z",
  },
} as const;
