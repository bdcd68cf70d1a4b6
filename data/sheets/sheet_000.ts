/**
 * What sheet 000 ("Deep Learning Assignment 3", `seeds/000_3a29c3c52a485f8b.txt`) states: its
 * numbers and formulas, as data. Formulas are transcribed in plain text (PDF garbling removed).
 *
 * @module
 */

/** Sheet 000's statements. */
export const SHEET_000 = {
  file: "000_3a29c3c52a485f8b.txt",
  q1: {
    collapse: "W₂(W₁X) = W̄X: without the non-linearity the layers collapse into one linear map",
  },
  q2: {
    /** Eq. 11 as printed. */
    expDerivative: "∂exp(a_i)/∂W_ij = W_ij·exp(a_i)",
    /** Eq. 12 as printed. */
    softmaxDerivative: "∂ŷ_i/∂W_ij = W_ij·ŷ_i(1 − ŷ_i)",
    /** Eq. 13 as printed. */
    lossDerivative: "∂l/∂W_ij = −x_j·y_i·(1 − ŷ_i)",
    /** Section 2.2. */
    saturated: "y_c1 = 1, ŷ_c2 = 1 (c1 ≠ c2): the log in the loss goes to −∞ (the loss to +∞)",
  },
  q5: {
    inputSize: [5, 5],
    kernelSize: [3, 3],
    /** Part (c): the 5x5 matrix, without its question. */
    matrixC: [
      [4, 7, 10, 6, 3],
      [9, 17, 25, 16, 8],
      [11, 23, 34, 23, 11],
      [7, 16, 24, 17, 8],
      [2, 6, 9, 7, 3],
    ],
  },
} as const;
