/**
 * `npm test`: the static checks (deno check, deno lint, no console in src/,
 * deno fmt --check, deno publish --dry-run), then the whole unit suite under bun, deno and node (the
 * same files; deno and node reach `bun:test` through tests/shim). Prints
 * each runtime's counts, then the file and name of every test a runtime
 * skipped, and ends with one line `N passed, N failed, N skipped (bun N,
 * deno N, node N)` summing them (each static check counts as one), so a run
 * that skipped what it could not do here cannot pass for a full one.
 *
 * Every test file must report as many tests as it registered: deno and node
 * note each registration in a ledger (tests/runner/test_ledger.ts), bun
 * (which runs no shim) is held to node's ledger, or deno's, and a file that
 * reported fewer (a runner that lost results, a file that ended its process
 * early) is a failure, named. A test that one runtime cannot run is
 * registered there all the same and skipped (tests/transport/bip324_ports.ts'
 * slots), so every runtime declares the same tests.
 * The slowest files of each runtime are listed. Exit code 1 when anything
 * failed.
 *
 * Run with Node 24 from node_modules (`npm test` does this).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { PROJECT_ROOT, suiteCommand } from "./runner/suite_command.ts";
import { type FileTally, readSuiteFiles, shortfalls } from "./runner/suite_files.ts";
import { readSuiteOutput, type TestRuntime } from "./runner/suite_output.ts";
import { declaredPerFile, LEDGER_ENV, readLedger, type Registered } from "./runner/test_ledger.ts";

const root = PROJECT_ROOT;
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const only = process.argv.slice(2); // e.g. `npm test -- bun node` to run a subset
/** Longest one step may run before it is killed and counted as failed (a hung runner). */
const STEP_DEADLINE_MS = 60 * 60_000;
/** How many of each runtime's slowest files the summary lists. */
const SLOWEST_LISTED = 8;
/** Ledgers and node's per-file report, removed at the end. */
const work = mkdtempSync(join(tmpdir(), "btc-edge-test-"));
const ledgerOf = (runtime: TestRuntime) => join(work, `${runtime}.ledger`);

interface Outcome {
  name: string;
  passed: number;
  failed: number;
  seconds: number;
  /** Skipped tests (suites only) and the `file: name` of those the output named. */
  skipped?: { count: number; names: readonly string[]; runtime: TestRuntime };
  /** Tests and seconds per file, as the suite reported them. */
  files?: Map<string, FileTally>;
  /** The tests its files registered (deno and node). */
  registered?: Registered[];
  note?: string;
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const take = (chunk: Uint8Array) => {
      const text = new TextDecoder().decode(chunk);
      out += text;
      process.stdout.write(text);
    };
    const deadline = setTimeout(() => {
      out += `\nkilled: still running after ${STEP_DEADLINE_MS / 60_000} minutes\n`;
      child.kill("SIGKILL");
    }, STEP_DEADLINE_MS);
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => {
      clearTimeout(deadline);
      resolve({ code: code ?? 1, out });
    });
    child.on("error", (err) => {
      clearTimeout(deadline);
      resolve({ code: 1, out: String(err) });
    });
  });
}

async function check(name: string, cmd: string, args: string[]): Promise<Outcome> {
  const t0 = performance.now();
  const { code } = await run(cmd, args);
  return {
    name,
    passed: code === 0 ? 1 : 0,
    failed: code === 0 ? 0 : 1,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function suite(name: string, runtime: TestRuntime, paths: string[]): Promise<Outcome> {
  const t0 = performance.now();
  const filesReport = join(work, "node.files.jsonl");
  const [cmd, ...args] = suiteCommand(runtime, paths, { report: filesReport });
  const env: Record<string, string> = runtime === "bun" ? {} : { [LEDGER_ENV]: ledgerOf(runtime) };
  const { code, out } = await run(cmd, args, env);
  const seconds = (performance.now() - t0) / 1000;
  const read = readSuiteOutput(runtime, out);
  if (read === undefined) {
    return { name, passed: 0, failed: 1, seconds, note: `no summary (exit ${code})` };
  }
  const { passed, failed } = read;
  const skipped = { count: read.skipped, names: read.skippedNames, runtime };
  const ledger = ledgerOf(runtime);
  const registered = existsSync(ledger) ? readLedger(readFileSync(ledger, "utf8")) : undefined;
  const report = runtime !== "node"
    ? out
    : existsSync(filesReport)
    ? readFileSync(filesReport, "utf8")
    : "";
  const files = readSuiteFiles(runtime, report, registered);
  // A non-zero exit with zero counted failures (a crash, an unhandled error) is a failure.
  if (code !== 0 && failed === 0) {
    return { name, passed, failed: 1, seconds, skipped, files, registered, note: `exit ${code}` };
  }
  return { name, passed, failed, seconds, skipped, files, registered };
}

const steps: Array<[string, () => Promise<Outcome>]> = [
  [
    "check",
    () =>
      check("deno check", bin("deno"), [
        "check",
        "mod.ts",
        "main.ts",
        "src/",
        "adapters/",
        "sim/",
        "tests/",
        "bench/",
        "scripts/",
      ]),
  ],
  ["lint", () => check("deno lint", bin("deno"), ["lint"])],
  [
    "lint",
    () => check("no console in src/", bin("deno"), ["lint", "--rules-include=no-console", "src/"]),
  ],
  ["fmt", () => check("deno fmt --check", bin("deno"), ["fmt", "--check"])],
  // JSR readiness (no slow types, the files deno.json publishes); needs no network.
  [
    "check",
    () => check("publish --dry-run", bin("deno"), ["publish", "--dry-run", "--allow-dirty"]),
  ],
  ["bun", () => suite("bun test", "bun", ["tests/"])],
  ["deno", () => suite("deno test", "deno", ["tests/"])],
  ["node", () => suite("node --test", "node", ["tests/**/*_test.ts"])],
];

const outcomes: Outcome[] = [];
for (const [key, step] of steps) {
  if (only.length && !only.includes(key)) continue;
  outcomes.push(await step());
}

// Each suite against the tests its files declared: its own ledger, bun node's or deno's.
rmSync(work, { recursive: true, force: true });
const ledgers = new Map<TestRuntime, Map<string, number>>();
for (const o of outcomes) {
  if (o.skipped && o.registered) ledgers.set(o.skipped.runtime, declaredPerFile(o.registered));
}
const missing: string[] = [];
for (const o of outcomes) {
  if (o.skipped === undefined || o.files === undefined) continue;
  const { runtime } = o.skipped;
  const declared = ledgers.get(runtime) ?? ledgers.get("node") ?? ledgers.get("deno");
  if (declared === undefined) {
    o.note = [o.note, "counts per file not checked: no ledger"].filter(Boolean).join("; ");
    continue;
  }
  const short = shortfalls(runtime, declared, o.files);
  o.failed += short.length;
  missing.push(...short);
}

console.log("\n== btc-edge test summary ==");
for (const o of outcomes) {
  const skipped = o.skipped === undefined ? "" : `${String(o.skipped.count).padStart(5)} skipped`;
  console.log(
    `${o.name.padEnd(20)} ${String(o.passed).padStart(5)} passed ${
      String(o.failed).padStart(4)
    } failed${skipped.padStart(14)}` +
      `  ${o.seconds.toFixed(1)}s${o.note ? `  (${o.note})` : ""}`,
  );
}
for (const o of outcomes) {
  if (o.files === undefined || o.files.size === 0) continue;
  const slowest = [...o.files].sort(([, a], [, b]) => b.seconds - a.seconds).slice(
    0,
    SLOWEST_LISTED,
  );
  console.log(`\nslowest files under ${o.name}:`);
  for (const [file, t] of slowest) console.log(`${t.seconds.toFixed(1).padStart(8)}s  ${file}`);
}
if (missing.length) {
  console.log("\nFAILED: files that reported fewer tests than they registered:");
  for (const line of missing) console.log(`  ${line}`);
}
for (const { skipped } of outcomes) {
  if (skipped === undefined || skipped.count === 0) continue;
  const unnamed = skipped.count - skipped.names.length;
  console.log(
    `\nskipped under ${skipped.runtime} (${skipped.count}${
      unnamed === 0 ? "" : `, ${skipped.names.length} named in its output`
    }):`,
  );
  for (const name of skipped.names) console.log(`  ${name}`);
}
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
const perRuntime = outcomes.flatMap((o) => o.skipped ? [o.skipped] : []);
const skipped = perRuntime.reduce((n, s) => n + s.count, 0);
const skippedBy = perRuntime.map((s) => `${s.runtime} ${s.count}`).join(", ");
console.log(
  `\n${passed} passed, ${failed} failed, ${skipped} skipped${skippedBy ? ` (${skippedBy})` : ""}`,
);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
