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
    leakySlope: 0.01,
    dW1: "∂L/∂W⁽¹⁾ = ((W⁽²⁾)ᵀ(ŷ − y) ⊙ g'(z⁽¹⁾)) xᵀ",
  },
} as const;
