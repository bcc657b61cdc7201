/**
 * Durable file operations: every file redeno persists is written to a
 * temporary name, fsynced, renamed over its final name, and the directory is
 * fsynced, so a crash at any moment leaves the old file or the new one.
 */
import { join } from "@std/path";

/** fsync of a directory, so that renames and creations in it are durable. */
export async function syncDir(dir: string): Promise<void> {
  const f = await Deno.open(dir, { read: true });
  try {
    await f.sync();
  } finally {
    f.close();
  }
}

/** fsync of a file's data by path. */
export async function syncFile(path: string): Promise<void> {
  const f = await Deno.open(path, { read: true });
  try {
    await f.syncData();
  } finally {
    f.close();
  }
}

/**
 * Puts a file at `dir/name` atomically: `fill` creates `dir/tmpName`, which
 * is then renamed over `dir/name`, and the directory is fsynced. The
 * temporary file is removed on failure.
 */
async function replaceAtomic(
  dir: string,
  name: string,
  tmpName: string,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  const tmp = join(dir, tmpName);
  try {
    await fill(tmp);
    await Deno.rename(tmp, join(dir, name));
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/** Writes `data` to `dir/name` atomically, through Deno.writeFile and an fsync. */
export function writeFileAtomic(
  dir: string,
  name: string,
  tmpName: string,
  data: Uint8Array | ReadableStream<Uint8Array>,
): Promise<void> {
  return replaceAtomic(dir, name, tmpName, async (tmp) => {
    await Deno.writeFile(tmp, data);
    await syncFile(tmp);
  });
}

/**
 * Gives `dir/name` the contents of `source` atomically, as a hard link (no
 * copy) where the file system allows, else as a copy.
 */
export function linkAtomic(
  source: string,
  dir: string,
  name: string,
  tmpName: string,
): Promise<void> {
  return replaceAtomic(dir, name, tmpName, async (tmp) => {
    await Deno.remove(tmp).catch(() => {});
    try {
      await Deno.link(source, tmp);
    } catch {
      await Deno.copyFile(source, tmp);
      await syncFile(tmp);
    }
  });
}

/** Size of a file in bytes, or 0 when it is missing. */
export function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}
