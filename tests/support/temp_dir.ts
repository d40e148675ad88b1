/**
 * Temporary directories that remove themselves: `tempDirs()`, called once at
 * the top of a test file (or `describe` block), returns a maker of fresh
 * directories under the system's temporary folder, every one removed after
 * the file's (or block's) last test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAllCleanup } from "./cleanup.ts";

/** A maker of fresh directories named `prefix` + random characters, removed after the last test. */
export function tempDirs(): (prefix: string) => string {
  const cleanup = afterAllCleanup();
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
}
