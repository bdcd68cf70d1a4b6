/**
 * What sheet 003 ("Assignment 1", softmax and neural-network basics,
 * `seeds/003_d289773554d10fef.txt`) states, as data. Row-vector convention: h = σ(xW₁ + b₁),
 * ŷ = softmax(hW₂ + b₂).
 *
 * @module
 */

/** Sheet 003's statements. */
export const SHEET_003 = {
  file: "003_d289773554d10fef.txt",
  nn: {
    /** Eq. 17 as printed. */
    lossRewritten: "J = −y log(hW₂ + b₂)ᵀ",
    /** Eq. 19 as printed. */
    dJdx: "∂J/∂x = (ŷ − y) W₂ᵀ σ(xW₁ + b₁){1 − σ(xW₁ + b₁)}ᵀ W₁ᵀ",
    vecIdentity: "vec(AXB) = (Bᵀ ⊗ A) vec(X)",
    shapes: { W1: "D_x × H", b1: "1 × H", W2: "H × D_y", b2: "1 × D_y" },
    parameterCount: "H(D_x + D_y + 1) + D_y",
    /** Eq. 33 as printed. */
    dW2Step: "∂J/∂W₂ = (W₂(ŷ − y)ᵀ)ᵀ",
    /** Eq. 34. */
    dW2: "∂J/∂W₂ = hᵀ(ŷ − y)",
    db2: "∂J/∂b₂ = ŷ − y",
    traceIdentity: "trace(Aᵀ(B ⊙ C)) = trace((A ⊙ B)ᵀ C)",
    dW1: "∂J/∂W₁ = xᵀ[(ŷ − y)W₂ᵀ ⊙ σ'(xW₁ + b₁)]",
    db1: "∂J/∂b₁ = (ŷ − y)W₂ᵀ ⊙ σ'(xW₁ + b₁)",
  },
} as const;
