/**
 * Writing files without ever leaving a partial one behind: write to a temporary file in the same
 * folder, then rename it over the target (atomic on POSIX file systems).
 *
 * @module
 */

/**
 * Writes `text` to `path` atomically. The folder must exist.
 * @throws Error naming the path when the folder is missing or not writable
 */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new Error(`${dir} is not a folder`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`cannot write ${path}: folder ${dir} does not exist`);
    }
    throw new Error(`cannot write ${path}: ${e instanceof Error ? e.message : e}`);
  }
  const tmp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`cannot write ${path}: ${e instanceof Error ? e.message : e}`);
  }
}
