/**
 * Crash safety, short version of bench/crash.ts: a real node (`main.ts`
 * under the runtime running this test) on a data directory with a large
 * address table, bans and two header chunks is SIGKILLed at seeded random
 * moments — while starting, while ban and header saves are in flight, and
 * during the stop path's saves — and every next start loads exactly what
 * the directory holds (tests/support/crash_cycle.ts inspects it first).
 * Then files cut short and a stale lock of a dead process: the node sets
 * each file aside with a warning and starts fresh; it never refuses.
 */
import { platform } from "#platform";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/platform/random.ts";
import { runtimeName } from "../runtime_command.ts";
import {
  CrashRun,
  type CrashRun as Run,
  type CrashSeed,
  inspectDir,
  type KillMode,
  makeSeed,
  seedDir,
} from "../support/crash_cycle.ts";

/** The kills, in order: each mode twice. */
const MODES: readonly KillMode[] = ["stop", "live", "start", "stop", "live", "start"];
/** A pid no process has (above Linux's pid_max, 2^22). */
const DEAD_PID = 999_999_999;

let base = "";
let seed: CrashSeed;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "btc-edge-crash-test-"));
  seed = await makeSeed(join(base, "seed"), platform.sha256, {
    gossip: 12_000,
    bans: 50,
    headers: 2_100,
    spareBlocks: 30,
  });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function runOn(name: string, rngSeed: number): { run: Run; dir: string } {
  const dir = join(base, name);
  seedDir(seed, dir);
  return { run: new CrashRun(runtimeName, dir, seed, platform.sha256, seededRandom(rngSeed)), dir };
}

describe(`crash safety under ${runtimeName}`, () => {
  test("after every SIGKILL the next start loads the last complete save", async () => {
    expect(seed.addresses).toBeGreaterThan(8_000);
    const { run } = runOn("kills", 11);
    for (const mode of MODES) {
      const result = await run.cycle(mode);
      expect(result.outcome === "loaded" || result.outcome === "killed-in-start").toBe(true);
    }
    expect(await run.finalStart()).toBe("loaded");
  }, 60_000);

  test("cut-short files and a dead process's lock: set aside, fresh start", async () => {
    const { run, dir } = runOn("corrupt", 12);
    truncateSync(join(dir, "peers.json"), 4096);
    truncateSync(join(dir, "headers-000001.bin"), 1000);
    const bans = readFileSync(join(dir, "bans.json"));
    writeFileSync(join(dir, "bans.json"), bans.subarray(0, bans.length >> 1));
    writeFileSync(join(dir, ".lock"), `${DEAD_PID}\n`);
    writeFileSync(join(dir, ".peers.json.deadbeef.0.tmp"), "partial");
    expect(inspectDir(dir, platform.sha256)).toEqual({
      addresses: "corrupt",
      bans: "corrupt",
      height: "corrupt",
      tempFiles: 1,
      tempKeys: ["peers.json"],
    });

    expect(await run.finalStart()).toBe("set-aside");
    const after = inspectDir(dir, platform.sha256);
    // Headers keep the full first chunk; the book and bans start empty, saved at the stop.
    expect(after).toEqual({ addresses: 0, bans: 0, height: 1_999, tempFiles: 0, tempKeys: [] });
  }, 60_000);
});
