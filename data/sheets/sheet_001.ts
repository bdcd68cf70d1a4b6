/**
 * What sheet 001 (IFT-3395/6390 Homework 3 solution, `seeds/001_fbcbadcb69d089ca.txt`) states:
 * its numbers and formulas, as data.
 *
 * @module
 */

/** Sheet 001's statements. */
export const SHEET_001 = {
  file: "001_fbcbadcb69d089ca.txt",
  q1: {
    translation: "s(x + c) = s(x)",
    scaling: "softmax is not invariant under multiplication; scaling sharpens it",
    jacobianEntry: "∂S(x)_i/∂x_j = S(x)_i·δ_ij − S(x)_i·S(x)_j",
    jacobian: "∂S(x)/∂x = diag(S(x)) − S(x)S(x)ᵀ",
    logSoftmaxGradient: "∇_u log S(x(u))_i = ∇_u x_i − Σ_k S(x)_k ∇_u x_k",
    crossEntropyGradient: "∇_u L = Σ_j y_j ∇_u x_j − ∇_u x_k (c_k = 1)",
  },
  q2: {
    b1Shape: "d_h × 1",
    w2Shape: "m × d_h",
    b2Shape: "m × 1",
    softmaxSumsToOne: "o^s_k > 0 and Σ_k o^s_k = 1",
    twoClass: "S(x) = [σ(z), 1 − σ(z)]ᵀ with z = x₂ − x₁",
    nll: "−log o^s_y = −o^a_y + log Σ_i e^(o^a_i)",
    parameterCount: "n_θ = d_h·d + d_h + d_o·d_h + d_o",
    outputGradient: "∂L/∂o^a = o^s − onehot_m(y)",
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
