/**
 * What sheet 002 (University of Amsterdam DL Homework 1, `seeds/002_0db859d111552486.txt`)
 * states: the 3-layer batch-backprop formulas of Ex1 and every number of Ex2, as data.
 *
 * @module
 */

/** Sheet 002's statements. */
export const SHEET_002 = {
  file: "002_0db859d111552486.txt",
  ex1: {
    loss: "L = ½‖Y_out − Y_gt‖²_F",
    dLdY: "∂L/∂Y₃ = Y₃ − Y_gt",
    dW3: "∂L/∂W₃ = [(Y₃ − Y_gt) ⊙ f₃'(S₃)] Z₂ᵀ",
    dZ2: "∂L/∂Z₂ = W₃ᵀ Δ₃",
    dW2: "∂L/∂W₂ = [(W₃ᵀΔ₃) ⊙ f₂'(S₂)] Z₁ᵀ",
    dW1: "∂L/∂W₁ = [(W₂ᵀΔ₂) ⊙ f₁'(S₁)] Xᵀ",
  },
  ex2: {
    X: [[0.75, 0.2, -0.75, 0.2], [0.8, 0.05, 0.8, -0.05]],
    W1: [[0.6, 0.01], [0.7, 0.43], [0.0, 0.88]],
    W2: [[0.02, 0.03, 0.09]],
    y: [[1, 1, -1, -1]],
    S1: [
      [0.4580, 0.1205, -0.4420, 0.1195],
      [0.8690, 0.1615, -0.1810, 0.1185],
      [0.7040, 0.0440, 0.7040, -0.0440],
    ],
    Z1: [
      [0.4580, 0.1205, 0.0000, 0.1195],
      [0.8690, 0.1615, 0.0000, 0.1185],
      [0.7040, 0.0440, 0.7040, 0.0000],
    ],
    Yout: [[0.0986, 0.0112, 0.0634, 0.0059]],
    loss: 0.4916,
    deltaOut: [[-0.2254, -0.2472, 0.2658, 0.2515]],
    delta1: [
      [-0.0045, -0.0049, 0.0000, 0.0050],
      [-0.0068, -0.0074, 0.0000, 0.0075],
      [-0.0203, -0.0222, 0.0239, 0.0000],
    ],
    dW2: [[-0.1029, -0.2060, 0.0176]],
    dW1: [[-0.0034, -0.0041], [-0.0050, -0.0062], [-0.0376, 0.0018]],
    W1new: [[0.6017, 0.0121], [0.7025, 0.4331], [0.0188, 0.8791]],
    W2new: [[0.0715, 0.1330, 0.0812]],
    newLoss: 0.4657,
    /** Decimal places the sheet prints. */
    decimals: 4,
  },
  ex3: {
    loss: "L = Σ_{j≠y} max(0, p_j − p_y + C)",
    termDerivative: "∂(p_k − p_y)/∂o_j = p_j(δ_jk − δ_jy − p_k + p_y)",
  },
  ex4: {
    claim: "backprop is efficient because it reuses the next layer's error signal and caches " +
      "the forward pass",
  },
} as const;
