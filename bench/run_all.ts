/**
 * `npm run bench`: runs every `bench/*.ts` (or those named on the command
 * line) under bun, deno and node, one after another so they do not compete
 * for the cores, shows each one's own output, collects the `RESULT {json}`
 * line(s) each prints (bench/_result.ts) and ends with ONE table: a row per
 * figure, columns bun | deno | node | bcoin | ratio (node ÷ bcoin, where
 * the bench measured bcoin doing the same work under node in the same run).
 * Figures are printed, never asserted.
 *
 * By default each bench runs with reduced counts (QUICK below) so that the
 * whole run takes about 15 minutes on 2 cores; `--full` uses each bench's
 * own defaults (fuzz alone may then take 8 minutes per runtime).
 *
 * Run: npm run bench [-- [--full] [bench-name-prefix ...]]
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type BenchResult, parseResult } from "./_result.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNTIMES = ["bun", "deno", "node"] as const;
type Runtime = typeof RUNTIMES[number];
/** How each runtime runs a bench (a forced collection is available in all three). */
const COMMANDS: Record<Runtime, string[]> = {
  bun: [`${ROOT}node_modules/.bin/bun`],
  deno: [`${ROOT}node_modules/deno/deno`, "run", "--allow-all", "--v8-flags=--expose-gc"],
  node: [`${ROOT}node_modules/.bin/node`, "--expose-gc"],
};
/** Longest one bench may run under one runtime. */
const BENCH_TIMEOUT_MS = 10 * 60_000;

/** Arguments of every run: benches that drive node processes test the bench's own runtime. */
const ALWAYS: Record<string, (rt: Runtime) => string[]> = {
  "relay.ts": () => ["--same"],
  "floods.ts": (rt) => [rt],
  "crash.ts": (rt) => [rt],
};
/**
 * Benches that start the node under test as a child process of the runtime
 * they are given and drive it over raw `node:net` sockets: the driver runs
 * under node (under Bun's `node:net` client a paused socket keeps reading
 * and some scripted handshakes fail, so the scenarios would not test the node).
 */
const DRIVEN_FROM_NODE = new Set(["floods.ts"]);
/** Reduced counts of the default (quick) run; `--full` leaves them out. */
const QUICK: Record<string, string[]> = {
  "fuzz.ts": ["--decoder", "200000", "--peer", "10000", "--time", "40"],
  "headers.ts": ["200000"],
  "relay.ts": ["20"],
  "crash.ts": ["20"],
  "block_store.ts": ["24"],
  "sim_network.ts": ["200", "20"],
  "sim_eclipse.ts": ["25", "2"],
  "sim_propagation.ts": ["200"],
};

const argv = process.argv.slice(2);
const full = argv.includes("--full");
const wanted = argv.filter((a) => !a.startsWith("--"));
const benches = readdirSync(`${ROOT}bench`)
  .filter((f) => f.endsWith(".ts") && f !== "run_all.ts" && !f.startsWith("_"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

/** Runs one bench, echoing its output; its exit status and result lines. */
function runBench(
  runtime: Runtime,
  bench: string,
): Promise<{ status: string | number; results: BenchResult[] }> {
  const [cmd, ...args] = COMMANDS[DRIVEN_FROM_NODE.has(bench) ? "node" : runtime];
  const extra = [...(ALWAYS[bench]?.(runtime) ?? []), ...(full ? [] : QUICK[bench] ?? [])];
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args, `bench/${bench}`, ...extra], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    const results: BenchResult[] = [];
    let partial = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      process.stdout.write(text);
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        const r = parseResult(line);
        if (r !== null) results.push(r);
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), BENCH_TIMEOUT_MS);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const r = parseResult(partial);
      if (r !== null) results.push(r);
      resolve({ status: code ?? signal ?? "?", results });
    });
  });
}

/** A figure with about 3 significant digits, thousands grouped. */
function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return v.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

const started = performance.now();
const all: BenchResult[] = [];
const failures: string[] = [];
const durations: string[] = [];
for (const bench of benches) {
  for (const runtime of RUNTIMES) {
    console.log(`\n=== ${bench} under ${runtime} ===`);
    const t0 = performance.now();
    const { status, results } = await runBench(runtime, bench);
    const s = (performance.now() - t0) / 1000;
    durations.push(`${bench} ${runtime} ${s.toFixed(0)} s`);
    all.push(...results);
    if (status !== 0) {
      failures.push(`${bench} under ${runtime}: ended with ${status}`);
      console.log(`(${bench} under ${runtime} ended with ${status})`);
    }
  }
}

// One table: a row per metric name (first-seen order), a column per runtime, bcoin, ratio.
const rows = new Map<string, { unit: string; values: Map<string, number> }>();
for (const r of all) {
  for (const m of r.metrics) {
    let row = rows.get(m.name);
    if (row === undefined) rows.set(m.name, row = { unit: m.unit, values: new Map() });
    row.values.set(r.runtime, m.value);
  }
}
const columns = [...RUNTIMES, "bcoin"];
const header = ["metric", "unit", ...columns, "ratio node/bcoin"];
const body = [...rows].map(([name, { unit, values }]) => {
  const node = values.get("node");
  const bcoin = values.get("bcoin");
  const ratio = node !== undefined && bcoin !== undefined && bcoin !== 0 ? node / bcoin : undefined;
  return [
    name,
    unit,
    ...columns.map((c) => fmt(values.get(c))),
    ratio === undefined ? "" : fmt(ratio),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
const minutes = ((performance.now() - started) / 60_000).toFixed(1);
console.log(`\n\n## Results (${full ? "full" : "quick"} run, ${minutes} min)\n`);
console.log(line(header));
console.log(
  `|${widths.map((w, i) => (i < 2 ? ":" : "-") + "-".repeat(w) + (i < 2 ? "-" : ":")).join("|")}|`,
);
for (const r of body) console.log(line(r));
console.log(`\nDurations: ${durations.join("; ")}`);
if (failures.length > 0) console.log(`\nFailed: ${failures.join("; ")}`);
process.exit(failures.length > 0 ? 1 : 0);
