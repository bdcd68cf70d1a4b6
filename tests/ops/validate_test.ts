import assert from "node:assert/strict";
import { array } from "../../lib/ndarray.ts";
import {
  requireArray,
  requireInteger,
  requireNumber,
  requireShape,
} from "../../lib/ops/validate.ts";

Deno.test("requireArray names the op and the argument, and the layout when given", () => {
  const x = array([1, 2]);
  assert.equal(requireArray(x, "relu"), x);
  assert.throws(() => requireArray([1], "relu"), {
    name: "TypeError",
    message: "relu: x must be an NDArray",
  });
  assert.throws(() => requireArray(null, "conv2d", "w", "[F, C, KH, KW]"), {
    name: "TypeError",
    message: "conv2d: w must be an NDArray [F, C, KH, KW], got object",
  });
});

Deno.test("requireShape compares dout with the shape it must have", () => {
  assert.doesNotThrow(() => requireShape(array([[1, 2]]), [1, 2], "reluBackward"));
  assert.throws(() => requireShape(array([1, 2]), [1, 2], "reluBackward"), {
    name: "RangeError",
    message: "reluBackward: dout has shape [2] but x has shape [1, 2]",
  });
  assert.throws(
    () => requireShape(array([1]), [2], "softmaxBackward", "dout", "the softmax output"),
    /softmaxBackward: dout has shape \[1\] but the softmax output has shape \[2\]/,
  );
  assert.throws(() => requireShape("dout", [2], "reluBackward"), TypeError);
});

Deno.test("requireNumber and requireInteger say what they accept and what they got", () => {
  assert.equal(requireNumber(0, "dropout", "options.sigma", { min: 0 }), 0);
  assert.throws(
    () => requireNumber(-1, "dropout", "options.sigma", { min: 0 }),
    { name: "RangeError", message: "dropout: options.sigma must be a finite number ≥ 0, got -1" },
  );
  assert.throws(
    () => requireNumber(0, "softmax", "options.temperature", { positive: true }),
    /softmax: options.temperature must be a positive finite number, got 0/,
  );
  assert.throws(
    () => requireNumber(NaN, "elu", "options.alpha"),
    /must be a finite number, got NaN/,
  );
  assert.equal(requireInteger(3, "convOutputSize", "k", 1), 3);
  assert.throws(
    () => requireInteger(1.5, "convOutputSize", "k", 1),
    /convOutputSize: k must be an integer ≥ 1, got 1.5/,
  );
});
