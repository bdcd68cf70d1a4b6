import assert from "node:assert/strict";
import { array } from "../lib/ndarray.ts";
Deno.test("array roundtrip", () => {
  assert.deepEqual(array([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
});
