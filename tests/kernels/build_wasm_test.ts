/**
 * Every generated kernel module (lib/kernels/gemm_wasm.ts, lib/tsne/knn_approx_wasm.ts,
 * lib/tsne/batched_fft_wasm.ts) holds exactly the bytes that wat2wasm makes of its .wat file.
 * Without wat2wasm the check is skipped with a warning, except in CI, where it must run.
 */
import assert from "node:assert/strict";
import { compileWat, KERNELS, wasmModuleText } from "../../tools/build_wasm.ts";

const CI = Deno.env.get("CI") === "true";
const hasWat2wasm = await new Deno.Command("wat2wasm", { args: ["--version"] }).output().then(
  (o) => o.success,
  () => false,
);
if (!hasWat2wasm && !CI) {
  console.warn(
    "\n*** SKIPPING the .wat build checks: wat2wasm missing (apt-get install wabt) ***\n",
  );
}

for (const kernel of KERNELS) {
  Deno.test({
    name: `${kernel.target} holds exactly the compiled ${kernel.source}`,
    ignore: !hasWat2wasm && !CI,
  }, async () => {
    const committed = await Deno.readTextFile(new URL(`../../${kernel.target}`, import.meta.url));
    assert.equal(
      committed,
      wasmModuleText(await compileWat(kernel), kernel),
      "deno task build:wasm",
    );
  });
}
