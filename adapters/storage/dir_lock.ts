/**
 * The data-directory lock: a `.lock` file holding the owner's pid stops two
 * nodes from using one directory. It is created exclusively (`wx`, mode
 * 0600); when one exists already, its pid decides: a live process (other
 * than this one) holds the directory, and opening fails naming it; a dead or
 * unreadable pid — or this process's own pid, left by an earlier process
 * that had it (pid 1 in a container) — is a stale lock and is taken over.
 * Within one process a set of locked directories stops a second store on a
 * directory that is already open. Releasing removes the file only while it
 * still holds our pid.
 */
import { link, open, readFile, realpath, rename, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";

/** The lock file's name inside the data directory (hidden, so never a key). */
export const LOCK_FILE = ".lock";
/** Owner-only permissions, like every file in the data directory. */
const LOCK_MODE = 0o600;
/** Attempts at taking a stale lock before giving up (each loses only to a racing opener). */
const MAX_TAKEOVER_ATTEMPTS = 3;
/** A lock file read empty may be one a starting process has created but not yet written. */
const EMPTY_LOCK_RECHECK_MS = 50;

/** Directories (real paths) locked by stores open in this process. */
const lockedHere = new Set<string>();

/** A held lock. */
export interface DirLock {
  /** Removes the lock file if it is still ours; idempotent. */
  release(): Promise<void>;
}

/**
 * Locks the existing directory `dir` for this process. Rejects with an Error
 * naming the directory and the holder's pid when a live process (or another
 * open store in this one) holds it.
 */
export async function lockDir(dir: string): Promise<DirLock> {
  const shown = resolve(dir);
  const key = await realpath(dir);
  // Checked and claimed with no await between, so concurrent opens in this process can't both pass.
  if (lockedHere.has(key)) throw inUseError(shown, process.pid, "an open store in this process");
  lockedHere.add(key);
  const path = join(key, LOCK_FILE);
  const mine = `${process.pid}\n`;
  try {
    await acquire(path, mine, shown);
  } catch (error) {
    lockedHere.delete(key);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        if (await readFile(path, "utf8").catch(() => undefined) === mine) {
          await unlink(path).catch(ignoreMissing);
        }
      } finally {
        lockedHere.delete(key);
      }
    },
  };
}

/** Creates the lock file holding `mine`, taking over a stale one. */
async function acquire(path: string, mine: string, shown: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_TAKEOVER_ATTEMPTS; attempt++) {
    try {
      const file = await open(path, "wx", LOCK_MODE);
      try {
        await file.writeFile(mine);
      } finally {
        await file.close();
      }
      return;
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    }
    const held = await readHolder(path);
    if (held === undefined) continue; // removed between our create and our read
    const pid = parsePid(held);
    if (pid !== undefined && pid !== process.pid && isAlive(pid, shown, path)) {
      throw inUseError(shown, pid, "another btc-edge process");
    }
    await removeStale(path, held);
  }
  throw new Error(
    `cannot lock data directory ${shown}: its ${LOCK_FILE} keeps changing; ` +
      "is another btc-edge process starting on it?",
  );
}

/**
 * The lock file's text ("" when unreadable; re-read once if empty, as its
 * creator may still be writing), or `undefined` when it is gone.
 */
async function readHolder(path: string): Promise<string | undefined> {
  const read = () =>
    readFile(path, "utf8").catch((error) => errorCode(error) === "ENOENT" ? undefined : "");
  const text = await read();
  if (text !== "") return text;
  await new Promise((done) => setTimeout(done, EMPTY_LOCK_RECHECK_MS));
  return await read();
}

/**
 * Removes the stale lock that held `stale`. The file is first moved aside
 * (atomically, so of two processes taking over only one gets it); if what
 * was moved is no longer the stale lock, a racer has just taken the
 * directory, and its lock is put back for the next attempt to find.
 */
async function removeStale(path: string, stale: string): Promise<void> {
  // Ends in ".tmp" so the file store's start-up cleanup removes it if we crash here.
  const aside = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await rename(path, aside);
  } catch (error) {
    ignoreMissing(error);
    return;
  }
  try {
    if (await readFile(aside, "utf8").catch(() => "") !== stale) {
      await link(aside, path).catch(() => {});
    }
  } finally {
    await unlink(aside).catch(ignoreMissing);
  }
}

/** The pid in a lock file's text, or `undefined` when it holds none. */
function parsePid(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,10}$/.test(trimmed)) return undefined;
  const pid = Number(trimmed);
  return pid > 0 ? pid : undefined;
}

/**
 * Whether process `pid` exists (EPERM: it does, owned by someone else).
 * Deno without `--allow-run` may not probe it (NotCapable): the holder is
 * then taken to be alive, since two nodes on one directory would corrupt it.
 */
function isAlive(pid: number, dir: string, lockFile: string): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as Error)?.name === "NotCapable") {
      throw new Error(
        `data directory ${dir} is locked by pid ${pid}, and without --allow-run Deno cannot ` +
          `tell whether that process still runs: stop it, or if it is gone delete ${lockFile}`,
      );
    }
    return errorCode(error) === "EPERM";
  }
}

function inUseError(dir: string, pid: number, holder: string): Error {
  return new Error(
    `data directory ${dir} is in use by ${holder} (pid ${pid}); ` +
      "stop it or choose another --datadir",
  );
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return code === undefined ? "" : String(code);
}

function ignoreMissing(error: unknown): undefined {
  if (errorCode(error) !== "ENOENT") throw error;
  return undefined;
}
