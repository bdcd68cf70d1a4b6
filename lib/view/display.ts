/**
 * The symbol through which objects render themselves in the Deno Jupyter kernel: a cell whose
 * last expression has a `[JUPYTER_DISPLAY]()` method shows the MIME bundle it returns.
 *
 * @module
 */

/** `Symbol.for("Jupyter.display")`, typed so that classes can declare the method. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: MIME type → content. */
export type MimeBundle = Record<string, unknown>;
