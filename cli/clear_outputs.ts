/**
 * `deno task notebooks:clear`: removes outputs, execution counts and view state from the
 * notebooks in `notebooks/` (or the named ones), so that they are committed as written. With
 * `--check` it changes nothing and exits 1 when a notebook would change.
 *
 * @module
 */

import { parseCommand, usageError } from "./args.ts";
import { clearedNotebook, listNotebooks } from "./notebook_runner.ts";

const spec = {
  usage: "deno task notebooks:clear [NAME...] [--check]",
  description: "Clears the outputs of the notebooks (all, or those named by file name or number\n" +
    "prefix: 00, 01, ...) before a commit.",
  options: {
    check: {
      type: "boolean" as const,
      description: "change nothing; exit 1 when a notebook holds outputs or view state",
    },
  },
};

const { values, positionals } = parseCommand(Deno.args, spec);
const all = await listNotebooks();
const chosen = positionals.length === 0 ? all : positionals.map((p) => {
  const hit = all.find((n) => n.split("/").pop()!.startsWith(p.replace(/\.ipynb$/, "")));
  if (!hit) usageError(`no notebook matches "${p}"`);
  return hit;
});
let dirty = 0;
for (const path of chosen) {
  const text = await Deno.readTextFile(path);
  const cleared = clearedNotebook(text);
  const name = path.split("/").pop();
  if (cleared === text) continue;
  dirty++;
  if (values.check) {
    console.log(`${name}: holds outputs or view state (deno task notebooks:clear)`);
  } else {
    await Deno.writeTextFile(path, cleared);
    console.log(`${name}: cleared`);
  }
}
if (dirty === 0) console.log(`${chosen.length} notebook(s) already clear`);
if (values.check && dirty > 0) Deno.exit(1);
