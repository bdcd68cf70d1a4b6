/**
 * The symbol through which objects render themselves in the Deno Jupyter kernel: a cell whose
 * last expression has a `[JUPYTER_DISPLAY]()` method shows the MIME bundle it returns; and
 * {@linkcode show}, the way the project's notebooks hand a cell's results to the front end.
 *
 * @module
 */

/** `Symbol.for("Jupyter.display")`, typed so that classes can declare the method. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: MIME type → content. */
export type MimeBundle = Record<string, unknown>;

/**
 * How long {@linkcode show} waits after its last display, at least (milliseconds). The Deno
 * kernel (2.9, `cli/js/jupyter_kernel.js`) publishes a cell's outputs from a queue and stamps
 * each with the request being handled when it leaves the queue, not when it entered; during Run
 * All the next request is already waiting, so output still queued when a cell ends is published
 * under the next cell (or after its own cell was reported finished, and dropped). Waiting here
 * lets the queue drain while the cell is still running.
 */
export const SHOW_SETTLE_MS = 40;

/** Extra settling time per megabyte displayed: the kernel signs and sends every byte. */
export const SHOW_SETTLE_MS_PER_MB = 60;

/** What the kernel's `Deno.jupyter` offers that {@linkcode show} uses. */
interface JupyterApi {
  display(bundle: MimeBundle, options: { raw: true }): Promise<void>;
}

/** `Deno.jupyter` inside the kernel, `undefined` elsewhere (where reading it may throw). */
function jupyterApi(): JupyterApi | undefined {
  try {
    const api = (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
    return api && typeof api.display === "function" ? api : undefined;
  } catch {
    return undefined;
  }
}

function hasDisplay(value: unknown): value is { [JUPYTER_DISPLAY](): unknown } {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function";
}

/**
 * The MIME bundle that shows `value`: its own `[JUPYTER_DISPLAY]()` bundle when it has one, a
 * string as plain text, anything else as `Deno.inspect` prints it.
 *
 * @example
 * ```ts
 * import { mimeBundle } from "./display.ts";
 * const b = await mimeBundle("hello");
 * if (b["text/plain"] !== "hello") throw new Error();
 * ```
 */
export async function mimeBundle(value: unknown): Promise<MimeBundle> {
  if (hasDisplay(value)) {
    const bundle = await value[JUPYTER_DISPLAY]();
    if (bundle === null || typeof bundle !== "object") {
      throw new TypeError(
        `mimeBundle: [JUPYTER_DISPLAY]() returned ${typeof bundle}, not a bundle`,
      );
    }
    return bundle as MimeBundle;
  }
  if (typeof value === "string") return { "text/plain": value };
  return { "text/plain": Deno.inspect(value, { colors: false, depth: 4 }) };
}

function bundleBytes(bundle: MimeBundle): number {
  let n = 0;
  for (const v of Object.values(bundle)) {
    n += typeof v === "string" ? v.length : JSON.stringify(v).length;
  }
  return n;
}

/**
 * Shows each value in order. In a Deno Jupyter notebook each becomes a `display_data` output of
 * the running cell, and `show` returns only once the kernel has had time to publish them
 * ({@linkcode SHOW_SETTLE_MS} plus {@linkcode SHOW_SETTLE_MS_PER_MB} per megabyte), so nothing
 * of the cell is still queued when it ends. End a notebook cell with `await show(...)` rather
 * than with a bare expression: the kernel publishes a last expression's value after the cell has
 * finished, and under Restart & Run All that value can land under the next cell. Outside Jupyter
 * it prints each value's plain-text form.
 *
 * @example
 * ```ts
 * import { show } from "./display.ts";
 * await show("1 + 1 =", 2); // prints two lines outside Jupyter
 * ```
 */
export async function show(...values: unknown[]): Promise<void> {
  const bundles = [];
  for (const v of values) bundles.push(await mimeBundle(v));
  const api = jupyterApi();
  if (!api) {
    for (const b of bundles) {
      const text = b["text/plain"];
      console.log(typeof text === "string" ? text : JSON.stringify(b));
    }
    return;
  }
  let bytes = 0;
  for (const b of bundles) {
    await api.display(b, { raw: true });
    bytes += bundleBytes(b);
  }
  const wait = SHOW_SETTLE_MS + SHOW_SETTLE_MS_PER_MB * bytes / 1e6;
  await new Promise((resolve) => setTimeout(resolve, wait));
}
