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
 * Writes `data` to `dir/name` atomically: `dir/tmpName` through
 * Deno.writeFile, fsync, rename, directory fsync. The temporary file is
 * removed on failure. Returns the number of bytes written.
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  tmpName: string,
  data: Uint8Array | ReadableStream<Uint8Array>,
): Promise<void> {
  const tmp = join(dir, tmpName);
  try {
    await Deno.writeFile(tmp, data);
    await syncFile(tmp);
    await Deno.rename(tmp, join(dir, name));
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/** Gives `dir/name` the contents of `source` without copying when the file system allows (hard link). */
export async function linkAtomic(
  source: string,
  dir: string,
  name: string,
  tmpName: string,
): Promise<void> {
  const tmp = join(dir, tmpName);
  await Deno.remove(tmp).catch(() => {});
  try {
    try {
      await Deno.link(source, tmp);
    } catch {
      // No hard links here (another file system): copy instead.
      await Deno.copyFile(source, tmp);
      await syncFile(tmp);
    }
    await Deno.rename(tmp, join(dir, name));
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  await syncDir(dir);
}

/** Size of a file in bytes, or 0 when it is missing. */
export function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}
