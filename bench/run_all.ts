/**
 * `npm run bench`: runs every `bench/*.ts` (or those named on the command
 * line) under bun, deno and node, one after another so they do not compete
 * for the two cores, and prints each one's figures under a heading.
 * Figures are printed, never asserted.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMMANDS: Record<string, string[]> = {
  bun: [`${ROOT}node_modules/.bin/bun`],
  deno: [`${ROOT}node_modules/deno/deno`, "run", "--allow-all"],
  node: [`${ROOT}node_modules/.bin/node`],
};
/** Longest one bench may run under one runtime. */
const BENCH_TIMEOUT_MS = 10 * 60_000;

const wanted = process.argv.slice(2);
const benches = readdirSync(`${ROOT}bench`)
  .filter((f) => f.endsWith(".ts") && f !== "run_all.ts" && !f.startsWith("_"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

let failures = 0;
for (const bench of benches) {
  for (const [runtime, [cmd, ...args]] of Object.entries(COMMANDS)) {
    console.log(`\n=== ${bench} under ${runtime} ===`);
    const r = spawnSync(cmd, [...args, `bench/${bench}`], {
      cwd: ROOT,
      stdio: "inherit",
      timeout: BENCH_TIMEOUT_MS,
      env: { ...process.env, NO_COLOR: "1" },
    });
    if (r.status !== 0) {
      failures++;
      console.log(`(${bench} under ${runtime} ended with ${r.status ?? r.signal})`);
    }
  }
}
process.exit(failures ? 1 : 0);
