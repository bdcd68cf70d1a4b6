/**
 * The argument checks every op makes, in one place, so that every op words its errors the same
 * way: the op, the argument, what it must be and what it got (`relu: x must be an NDArray`,
 * `softmaxBackward: dout has shape [2] but x has shape [2, 3]`), as tfjs-core's ops do.
 *
 * @module
 */

import { formatShape, NDArray, shapesEqual } from "../ndarray.ts";

/**
 * `value` as an NDArray, or a TypeError naming the op and the argument. With `layout` (`"[N, C,
 * H, W]"`) the message says the layout wanted and the type given.
 *
 * @example
 * ```ts
 * import { requireArray } from "./validate.ts";
 * try {
 *   requireArray([1, 2], "relu");
 * } catch (e) {
 *   if ((e as Error).message !== "relu: x must be an NDArray") throw e;
 * }
 * ```
 */
export function requireArray(value: unknown, op: string, name = "x", layout?: string): NDArray {
  if (!(value instanceof NDArray)) {
    throw new TypeError(
      layout === undefined
        ? `${op}: ${name} must be an NDArray`
        : `${op}: ${name} must be an NDArray ${layout}, got ${typeof value}`,
    );
  }
  return value;
}

/**
 * `value` as an NDArray of exactly `shape` (a backward pass's `dout` against its input), or a
 * TypeError / RangeError: `op: dout has shape [..] but x has shape [..]`.
 */
export function requireShape(
  value: unknown,
  shape: readonly number[],
  op: string,
  name = "dout",
  other = "x",
): NDArray {
  const a = requireArray(value, op, name);
  if (!shapesEqual(a.shape, shape)) {
    throw new RangeError(
      `${op}: ${name} has shape ${formatShape(a.shape)} but ${other} has shape ${
        formatShape(shape)
      }`,
    );
  }
  return a;
}

/** What {@linkcode requireNumber} accepts beyond a finite number. */
export interface NumberRule {
  /** Accept only values ≥ min. */
  min?: number;
  /** Accept only values > 0. */
  positive?: boolean;
}

/**
 * `value` as a finite number (≥ `min`, or > 0 when `positive`), or a RangeError:
 * `op: name must be a finite number ≥ 0, got -1`.
 */
export function requireNumber(
  value: unknown,
  op: string,
  name: string,
  rule: NumberRule = {},
): number {
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (rule.min === undefined || value >= rule.min) && (!rule.positive || value > 0);
  if (!ok) {
    const what = rule.positive
      ? "a positive finite number"
      : `a finite number${rule.min === undefined ? "" : ` ≥ ${rule.min}`}`;
    throw new RangeError(`${op}: ${name} must be ${what}, got ${String(value)}`);
  }
  return value as number;
}

/** `value` as an integer ≥ `min`, or a RangeError: `op: name must be an integer ≥ 1, got 0`. */
export function requireInteger(value: unknown, op: string, name: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${op}: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}
