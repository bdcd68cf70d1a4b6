/**
 * What sheet 001 (IFT-3395/6390 Homework 3 solution, `seeds/001_fbcbadcb69d089ca.txt`) states:
 * its numbers and formulas, as data.
 *
 * @module
 */

/** Sheet 001's statements. */
export const SHEET_001 = {
  file: "001_fbcbadcb69d089ca.txt",
  q2: {
    b1Shape: "d_h × 1",
    w2Shape: "m × d_h",
    b2Shape: "m × 1",
    parameterCount: "n_θ = d_h·d + d_h + d_o·d_h + d_o",
    w2Gradient: "∂L/∂W⁽²⁾ = (∂L/∂o^a)(h^s)ᵀ, ∂L/∂b⁽²⁾ = ∂L/∂o^a",
    hiddenGradient: "∂L/∂h^s = (W⁽²⁾)ᵀ ∂L/∂o^a",
    preactivationGradientQ: "∂L/∂h^a_j = ∂L/∂h^s_j · σ(h^a_j)",
    preactivationGradientR: "∂L/∂h^a = ∂L/∂h^s · diag(σ(h^a))",
  },
  q3: {
    signal: [1, 1, 4, 4, 4, 1, 1],
    kernel: [0.25, 0.25, 0.25],
    valid: [3 / 2, 9 / 4, 3, 9 / 4, 3 / 2],
    full: [1 / 4, 1 / 2, 3 / 2, 9 / 4, 3, 9 / 4, 3 / 2, 1 / 2, 1 / 4],
    same: [1 / 2, 3 / 2, 9 / 4, 3, 9 / 4, 3 / 2, 1 / 2],
  },
} as const;
