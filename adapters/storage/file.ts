/**
 * A `KvStore` over one directory, one file per key, through
 * `node:fs/promises` (which Node, Deno and Bun all implement).
 *
 * `set` is atomic and durable: the value goes to a temp file in the same
 * directory, which is fsynced and renamed over the key, and then the
 * directory itself is fsynced so the rename survives a crash. Temp files
 * start with "." (keys may not), so `list` never sees them, and `openFileStore`
 * removes any left by a crash once it holds the directory's lock
 * (`dir_lock.ts`): one store per directory at a time, across processes.
 * `close` (after the last write has settled) releases the lock; the store's
 * operations reject after it.
 *
 * The node's data (api.cookie among it) is private: the directory is created
 * with mode 0700 and every file with mode 0600.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { KvStore } from "../../src/platform/storage.ts";
import { lockDir } from "./dir_lock.ts";
import { checkKey, missingKeyError } from "./key.ts";

const TEMP_SUFFIX = ".tmp";
/** Owner-only permissions for the data directory and its files. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Opens (creating if missing) the store rooted at `dir` and locks the
 * directory. Rejects naming the directory and the holder's pid when another
 * process, or another open store in this one, is using it.
 */
export async function openFileStore(dir: string): Promise<KvStore> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const lock = await lockDir(dir);
  try {
    await removeTempFiles(dir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  // Temp names are unique per store instance (random) and per write (serial).
  const token = crypto.randomUUID().slice(0, 8);
  let serial = 0;
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error(`the store in ${dir} is closed`);
  };
  const path = (key: string) => {
    ensureOpen();
    checkKey(key);
    return join(dir, key);
  };

  return {
    async close() {
      closed = true;
      await lock.release();
    },

    async get(key) {
      try {
        const bytes = await readFile(path(key));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async set(key, value) {
      const target = path(key);
      // Written as given, not copied: the port's contract keeps the caller's
      // array unchanged until the set settles (a block is up to 4 MB, and a
      // copy of it would run on the event loop while peers wait).
      const bytes = value;
      const temp = join(dir, `.${key}.${token}.${serial++}${TEMP_SUFFIX}`);
      try {
        const file = await open(temp, "w", FILE_MODE);
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, target);
      } catch (error) {
        await unlink(temp).catch(ignoreMissing);
        throw error;
      }
      await syncDir(dir);
    },

    async delete(key) {
      await unlink(path(key)).catch(ignoreMissing);
    },

    async list(prefix = "") {
      ensureOpen();
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((entry) =>
          entry.isFile() && !entry.name.startsWith(".") && entry.name.startsWith(prefix)
        )
        .map((entry) => entry.name)
        .sort();
    },

    async rename(from, to) {
      const source = path(from);
      const target = path(to);
      try {
        await rename(source, target);
      } catch (error) {
        if (isMissing(error)) throw missingKeyError(from);
        throw error;
      }
      await syncDir(dir);
    },
  };
}

/** Removes the temp files a crash left behind (ours: the lock is held). */
async function removeTempFiles(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.startsWith(".") && entry.name.endsWith(TEMP_SUFFIX)) {
      await unlink(join(dir, entry.name)).catch(ignoreMissing);
    }
  }
}

/** Error codes of platforms that cannot fsync a directory (Windows); the rename still happened. */
const DIR_SYNC_UNSUPPORTED = new Set(["EISDIR", "EPERM", "EINVAL", "EBADF", "EACCES"]);

/** Flushes the directory entry changes (the rename) to disk where the platform allows. */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    if (!DIR_SYNC_UNSUPPORTED.has(errorCode(error))) throw error;
  } finally {
    await handle?.close();
  }
}

function errorCode(error: unknown): string {
  return (error as { code?: unknown })?.code === undefined
    ? ""
    : String((error as { code: unknown }).code);
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === "ENOENT";
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}
