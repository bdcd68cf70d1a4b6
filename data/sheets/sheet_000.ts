/**
 * What sheet 000 ("Deep Learning Assignment 3", `seeds/000_3a29c3c52a485f8b.txt`) states that the
 * conv exercise's experiments read: Q5's sizes and the 5x5 matrix of part c (every claim of the
 * sheet is in `sheet_000.json`).
 *
 * @module
 */

/** Sheet 000's statements. */
export const SHEET_000 = {
  file: "000_3a29c3c52a485f8b.txt",
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
