/**
 * The file store when a write fails midway: a child process under this
 * runtime writes a value larger than its file-size limit (RLIMIT_FSIZE, set
 * with the shell's `ulimit -f`; no root needed). Node and Bun see the write
 * fail (EFBIG) and reject; Deno is ended by the limit's signal in the middle
 * of the write, like a crash. Either way the key keeps its old value, and
 * the next open (taking over the dead child's lock) removes the partial temp
 * file.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { openFileStore } from "../../../adapters/storage/file.ts";
import { ROOT, runtimeCommand, runtimeName } from "../../runtime_command.ts";
import { runToExit } from "../../support/run_to_exit.ts";
import { tempDirs } from "../../support/temp_dir.ts";

/** The child's file-size limit in shell blocks (512 or 1024 bytes: 4 or 8 MiB). */
const LIMIT_BLOCKS = 8192;
/** The value the child writes: over the limit either way. */
const VALUE_BYTES = 16_000_000;
const FIXTURE = join(ROOT, "tests/adapters/storage/fixtures/limited_write.ts");

const tempDir = tempDirs();

/**
 * Runs the fixture (under the limit unless `limit` is false); resolves with
 * its output, exit code and signal.
 */
function limitedWrite(dir: string, bytes = VALUE_BYTES, limit = true) {
  const command = runtimeCommand(runtimeName, FIXTURE).map((a) => `'${a}'`).join(" ");
  const ulimit = limit ? `ulimit -f ${LIMIT_BLOCKS} && ` : "";
  return runToExit("/bin/sh", ["-c", `${ulimit}exec ${command} '${dir}' ${bytes}`]);
}

describe("file store: a write that fails midway", () => {
  test("leaves the old value intact and no temp file after the next open", async () => {
    const dir = tempDir("btc-edge-fsize-");
    const old = new TextEncoder().encode("the previous complete value\n");
    const before = await openFileStore(dir);
    await before.set("value", old);
    await before.close?.();

    // A first run without the limit fills the runtime's own caches (Deno
    // writes compiled code at start-up, which the limit would cut short).
    const warm = tempDir("btc-edge-fsize-warm-");
    expect((await limitedWrite(warm, 10, false)).out).toContain("written");
    const { out, code, signal } = await limitedWrite(dir);
    expect(out).toContain("writing");
    expect(out).not.toContain("written");
    // Rejected (EFBIG: over the limit; ENOSPC on a full disk), or ended by SIGXFSZ mid-write.
    const rejected = /rejected (EFBIG|ENOSPC)/.test(out) && code === 0;
    const killed = signal === "SIGXFSZ" || code === 128 + 25;
    expect(rejected || killed).toBe(true);

    const after = await openFileStore(dir);
    try {
      expect(await after.get("value")).toEqual(old);
      expect(await after.list()).toEqual(["value"]);
      expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    } finally {
      await after.close?.();
    }
  }, 30_000);
});
