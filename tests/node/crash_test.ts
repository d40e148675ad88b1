/**
 * Crash safety, short version of bench/crash.ts: a real node (`main.ts`
 * under the runtime running this test) on a data directory with a large
 * address table, bans and two header chunks is SIGKILLed at seeded random
 * moments — while starting, while ban, header and 1–2 MB block writes are
 * in flight, and during the stop path's saves — and every next start loads
 * exactly what the directory holds (tests/support/crash_cycle.ts inspects
 * it first) and serves its newest stored blocks byte for byte. Then files
 * cut short and a stale lock of a dead process: the node sets each file
 * aside with a warning and starts fresh; it never refuses. Block files cut
 * short or holding another block are never served (notfound, deleted).
 */
import { platform } from "#platform";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/platform/random.ts";
import { BLOCKS_DIR } from "../../src/node/node.ts";
import { blockKey } from "../../src/sync/block_store.ts";
import { blockHeaderHash } from "../../src/wire/block_header.ts";
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
    const after = inspectDir(join(base, "kills"), platform.sha256, seed);
    expect(after.blocks).toBeGreaterThan(0);
    expect(after.wrongBlocks).toBe(0);
  }, 90_000);

  test("cut-short files and a dead process's lock: set aside, fresh start", async () => {
    const { run, dir } = runOn("corrupt", 12);
    truncateSync(join(dir, "peers.json"), 4096);
    truncateSync(join(dir, "headers-000001.bin"), 1000);
    const bans = readFileSync(join(dir, "bans.json"));
    writeFileSync(join(dir, "bans.json"), bans.subarray(0, bans.length >> 1));
    writeFileSync(join(dir, ".lock"), `${DEAD_PID}\n`);
    writeFileSync(join(dir, ".peers.json.deadbeef.0.tmp"), "partial");
    expect(inspectDir(dir, platform.sha256, seed)).toEqual({
      addresses: "corrupt",
      bans: "corrupt",
      height: "corrupt",
      blocks: 0,
      wrongBlocks: 0,
      tempFiles: 1,
      tempKeys: ["peers.json"],
    });

    expect(await run.finalStart()).toBe("set-aside");
    const after = inspectDir(dir, platform.sha256, seed);
    // Headers keep the full first chunk; the book and bans start empty, saved at the stop.
    expect(after).toEqual({
      addresses: 0,
      bans: 0,
      height: 1_999,
      blocks: 0,
      wrongBlocks: 0,
      tempFiles: 0,
      tempKeys: [],
    });
  }, 60_000);

  test("block files cut short or holding another block's bytes are never served", async () => {
    const { run, dir } = runOn("blocks", 13);
    const blocksDir = join(dir, BLOCKS_DIR);
    mkdirSync(blocksDir, { recursive: true });
    const at = (height: number) => seed.blocks[height - 1];
    const file = (height: number) =>
      join(blocksDir, blockKey(blockHeaderHash(platform.sha256, at(height)), at(height).length));
    writeFileSync(file(2_100), at(2_100));
    writeFileSync(file(2_099), at(2_099).subarray(0, 100)); // cut short
    writeFileSync(file(2_098), at(2_097)); // same size, another block
    expect(at(2_097).length).toBe(at(2_098).length);
    expect(inspectDir(dir, platform.sha256, seed)).toMatchObject({
      height: 2_100,
      blocks: 3,
      wrongBlocks: 2,
    });
    // The start loads the three names, serves 2,100 and answers notfound for the others.
    expect(await run.finalStart()).toBe("loaded");
    expect(readdirSync(blocksDir).filter((n) => n.startsWith("block-")).length).toBe(1);
    expect(inspectDir(dir, platform.sha256, seed)).toMatchObject({ blocks: 1, wrongBlocks: 0 });
  }, 60_000);
});
