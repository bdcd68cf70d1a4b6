/**
 * The cost of checking derivations written as formulas (`checkClaims`, `deno task check`):
 * ten claims about a small two-layer network (five right, four wrong and repaired, one whose shapes
 * do not fit), and the gradient of a 256x784 weight matrix, checked on sampled entries and random
 * projections. Run: `deno task bench:formula`. The whole process (`deno task check` on the same
 * files, start-up and imports included) is timed in README with `/usr/bin/time`.
 */
import { checkClaims } from "../mod.ts";

const read = (name: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`./problems/${name}`, import.meta.url)));
const small = read("mlp_ten_claims.json");
const wide = read("wide_layer.json");
const wideRight = { ...wide, claims: wide.claims.slice(0, 1) };

Deno.bench("ten claims on a 4-5-3 network (with repairs)", { group: "formula" }, () => {
  checkClaims(small);
});

Deno.bench("ten claims on a 4-5-3 network, verdicts only", { group: "formula" }, () => {
  checkClaims(small, { fix: false });
});

Deno.bench("dW of a 256x784 layer, right claim", { group: "wide" }, () => {
  checkClaims(wideRight);
});

Deno.bench(
  "dW of a 256x784 layer, right and wrong claims (with repair search)",
  { group: "wide" },
  () => {
    checkClaims(wide);
  },
);
