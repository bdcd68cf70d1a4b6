/**
 * What sheet 002 (University of Amsterdam DL Homework 1, `seeds/002_0db859d111552486.txt`)
 * states: the numbers of Ex2 that the exercise's experiments and tests use (its formulas and
 * every printed number are claims of `sheet_002.json`).
 *
 * @module
 */

/** Sheet 002's statements. */
export const SHEET_002 = {
  file: "002_0db859d111552486.txt",
  ex2: {
    X: [[0.75, 0.2, -0.75, 0.2], [0.8, 0.05, 0.8, -0.05]],
    W1: [[0.6, 0.01], [0.7, 0.43], [0.0, 0.88]],
    W2: [[0.02, 0.03, 0.09]],
    y: [[1, 1, -1, -1]],
    loss: 0.4916,
    W1new: [[0.6017, 0.0121], [0.7025, 0.4331], [0.0188, 0.8791]],
    W2new: [[0.0715, 0.1330, 0.0812]],
    newLoss: 0.4657,
    /** Decimal places the sheet prints. */
    decimals: 4,
  },
} as const;
