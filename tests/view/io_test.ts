import assert from "node:assert/strict";
import { writeTextAtomic } from "../../lib/view/io.ts";

Deno.test("writeTextAtomic writes whole files and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeTextAtomic(`${dir}/a.txt`, "one");
    await writeTextAtomic(`${dir}/a.txt`, "two");
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "two");
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeTextAtomic names a missing folder and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => writeTextAtomic(`${dir}/missing/a.txt`, "x"),
      /cannot write .*missing\/a\.txt: folder .*missing does not exist/,
    );
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
