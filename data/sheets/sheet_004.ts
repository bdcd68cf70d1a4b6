/**
 * What sheet 004 (Deep Learning HW 2, Fall 2024, `seeds/004_94547eedab5c53ea.txt`) states, as
 * data.
 *
 * @module
 */

/** Sheet 004's statements. */
export const SHEET_004 = {
  file: "004_94547eedab5c53ea.txt",
  q3: {
    softmaxJacobian: "∂ŷ_k/∂z_i = ŷ_k(1 − ŷ_k) (i = k), −ŷ_k ŷ_i (i ≠ k)",
    ceGradient: "∂L/∂z_i = ŷ_i − y_i",
    leakySlope: 0.01,
    dW1: "∂L/∂W⁽¹⁾ = ((W⁽²⁾)ᵀ(ŷ − y) ⊙ g'(z⁽¹⁾)) xᵀ",
  },
  q7: {
    gradient: "∂L/∂z = ŷ − y",
    hessian: "H = diag(ŷ) − ŷŷᵀ",
    psd: "vᵀHv = Σ v_i² ŷ_i − (Σ v_i ŷ_i)² ≥ 0",
    convex: "the cross-entropy is convex in z",
  },
} as const;
