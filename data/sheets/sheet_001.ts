/**
 * What sheet 001 (IFT-3395/6390 Homework 3 solution, `seeds/001_fbcbadcb69d089ca.txt`) states that
 * the conv exercise's experiments read: Q3.c's signal, kernel and printed convolutions (every claim
 * of the sheet is in `sheet_001.json`).
 *
 * @module
 */

/** Sheet 001's statements. */
export const SHEET_001 = {
  file: "001_fbcbadcb69d089ca.txt",
  q3: {
    signal: [1, 1, 4, 4, 4, 1, 1],
    kernel: [0.25, 0.25, 0.25],
    valid: [3 / 2, 9 / 4, 3, 9 / 4, 3 / 2],
    full: [1 / 4, 1 / 2, 3 / 2, 9 / 4, 3, 9 / 4, 3 / 2, 1 / 2, 1 / 4],
    same: [1 / 2, 3 / 2, 9 / 4, 3, 9 / 4, 3 / 2, 1 / 2],
  },
} as const;
