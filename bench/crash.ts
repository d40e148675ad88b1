/**
 * Crash safety: a real node (`main.ts` as a child process, regtest,
 * loopback) SIGKILLed at seeded random moments, at least 100 times per
 * runtime, on one data directory seeded with a large address table
 * (peers.json of tens of thousands of addresses), bans and 2,100 headers
 * (a full chunk and a partial one). Kills land during the start (loading,
 * the stale lock of the previous kill), while ban, header and block store
 * writes (1–2 MB blocks submitted through the API) are in flight, and
 * during the stop path after SIGTERM (the final headers, peers.json and
 * bans writes, the queued block writes). Before every start the directory
 * is inspected on its own; the start must load exactly that, or set an
 * unusable file aside with a warning — never fail to start — and serve its
 * newest stored blocks byte for byte (tests/support/crash_cycle.ts).
 * Prints kills per mode, outcomes, failures, temp files left by killed
 * writes, blocks on disk, and time.
 *
 * Run: node_modules/.bin/node bench/crash.ts [deno|bun|node|all] [kills]
 *      (default: the runtime running the bench, 100 kills; the bench process
 *      itself runs under any runtime)
 */
import { platform } from "#platform";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { seededRandom } from "../src/platform/random.ts";
import { printResult } from "./_result.ts";
import { type RuntimeName, runtimeName, RUNTIMES } from "../tests/runtime_command.ts";
import {
  CrashRun,
  type CycleResult,
  inspectDir,
  type KillMode,
  makeSeed,
  seedDir,
} from "../tests/support/crash_cycle.ts";
import { median } from "./_stats.ts";

/** Kills per runtime unless given. */
const DEFAULT_KILLS = 100;
/** Addresses gossiped into the seed table (about 36,000 fit its buckets). */
const GOSSIP = 60_000;
/** Share of kills per mode, in percent: start, live saves, stop path. */
const MODE_SHARES: readonly [KillMode, number][] = [["start", 25], ["live", 35], ["stop", 40]];

const wanted = process.argv[2] ?? runtimeName;
const kills = Number(process.argv[3] ?? DEFAULT_KILLS);
const runtimes: readonly RuntimeName[] = wanted === "all"
  ? RUNTIMES
  : RUNTIMES.filter((r) => r === wanted);
if (runtimes.length === 0 || !(kills > 0)) {
  console.error(`usage: bench/crash.ts [${RUNTIMES.join("|")}|all] [kills]`);
  process.exit(2);
}

function pickMode(roll: number): KillMode {
  for (const [mode, share] of MODE_SHARES) {
    if (roll < share) return mode;
    roll -= share;
  }
  return "stop";
}

const base = mkdtempSync(join(tmpdir(), "btc-edge-crash-"));
let failed = 0;
try {
  const seedStart = performance.now();
  const seed = await makeSeed(join(base, "seed"), platform.sha256, {
    gossip: GOSSIP,
    bans: 300,
    headers: 2_100,
    spareBlocks: kills * 3 + 10,
  });
  console.log(
    `crash safety: ${kills} SIGKILLs per runtime; seed: ${seed.addresses} addresses, ` +
      `300 bans, ${seed.seededHeight} headers, ${kills * 3 + 10} spare 1–2 MB blocks ` +
      `(${Math.round(performance.now() - seedStart)} ms)`,
  );
  for (const runtime of runtimes) {
    const datadir = join(base, runtime);
    seedDir(seed, datadir);
    const r = seededRandom(2024 + RUNTIMES.indexOf(runtime));
    const run = new CrashRun(runtime, datadir, seed, platform.sha256, r);
    const results: CycleResult[] = [];
    const failures: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < kills; i++) {
      try {
        results.push(await run.cycle(pickMode(r.int(100))));
      } catch (error) {
        failures.push(`kill ${i}: ${(error as Error).message}`);
        break; // the directory's history is unknown from here
      }
    }
    let final = "not reached";
    if (failures.length === 0) {
      try {
        final = await run.finalStart();
      } catch (error) {
        failures.push(`final start: ${(error as Error).message}`);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const count = (f: (c: CycleResult) => boolean) => results.filter(f).length;
    const last = results.at(-1)?.state;
    const end = inspectDir(datadir, platform.sha256, seed);
    const rows: [string, string][] = [
      ["kills", `${results.length} of ${kills} in ${seconds.toFixed(1)} s`],
      ...MODE_SHARES.map(([mode]): [string, string] => [
        `  during ${mode}`,
        `${count((c) => c.mode === mode)}` +
        (mode === "stop"
          ? ` (${count((c) => c.mode === "stop" && c.exitedFirst)} stops finished first)`
          : ""),
      ]),
      ["starts that loaded the last save", `${count((c) => c.outcome === "loaded")}`],
      ["starts that set a file aside", `${count((c) => c.outcome === "set-aside")}`],
      ["starts killed before answering", `${count((c) => c.outcome === "killed-in-start")}`],
      [
        "kills that left a temp file",
        `${count((c) => c.state.tempFiles > 0)} (${tempsByKey(results)})`,
      ],
      ["final clean start", final],
      [
        "blocks on disk at the end",
        `${end.blocks} (files holding wrong bytes: ${end.wrongBlocks})`,
      ],
      [
        "state at the end",
        last === undefined
          ? "-"
          : `${last.addresses} addresses, ${last.bans} bans, height ${last.height}`,
      ],
      ["median start", `${median(results.map((c) => c.startMs)).toFixed(0)} ms`],
      ["failures", `${failures.length}`],
    ];
    console.log(`\n  [${runtime}]`);
    const width = Math.max(...rows.map(([k]) => k.length)) + 2;
    for (const [k, v] of rows) console.log(`    ${k.padEnd(width)}${v}`);
    for (const f of failures) console.log(`    FAILURE ${f}`);
    printResult("crash", [
      { name: "crash: SIGKILLs", unit: "", value: results.length },
      {
        name: "crash: starts that loaded the last save",
        unit: "",
        value: count((c) => c.outcome === "loaded"),
      },
      {
        name: "crash: starts that set a file aside",
        unit: "",
        value: count((c) => c.outcome === "set-aside"),
      },
      {
        name: "crash: kills that left a temp file",
        unit: "",
        value: count((c) => c.state.tempFiles > 0),
      },
      {
        name: "crash: block files holding wrong bytes at the end",
        unit: "",
        value: end.wrongBlocks,
      },
      { name: "crash: failures", unit: "", value: failures.length },
      {
        name: "crash: median start",
        unit: "ms",
        value: Math.round(median(results.map((c) => c.startMs))),
      },
    ], runtime);
    failed += failures.length;
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
process.exitCode = failed === 0 ? 0 : 1;

/** "peers.json 3, bans.json 2, …": which writes the kills interrupted. */
function tempsByKey(results: readonly CycleResult[]): string {
  const byKey = new Map<string, number>();
  for (const c of results) {
    for (const key of c.state.tempKeys) {
      const k = key.startsWith("headers-") ? "headers" : key.startsWith("block-") ? "blocks" : key;
      byKey.set(k, (byKey.get(k) ?? 0) + 1);
    }
  }
  return [...byKey].map(([k, n]) => `${k} ${n}`).join(", ") || "none";
}
