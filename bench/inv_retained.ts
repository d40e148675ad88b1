/**
 * Memory an inventory flood leaves behind: a node in this process (regtest,
 * loopback) takes 5 rounds of 1,000,000 random block/tx entries in 2,000
 * `inv` of 500 (too small to cost points) from a raw peer in another process
 * (bench/_inv_attacker.ts, so only the node is measured) that then leaves;
 * after each round a full collection, then the live heap and rss. Retained
 * memory must not grow with the rounds (the known-inventory cache and every
 * other per-peer structure are bounded); peak rss while flooding is the
 * collectors' business and is what bench/floods.ts reports.
 *
 * Run: node_modules/.bin/node --expose-gc bench/inv_retained.ts [rounds]
 *      node_modules/.bin/bun bench/inv_retained.ts [rounds]
 *      node_modules/deno/deno run -A --v8-flags=--expose-gc bench/inv_retained.ts [rounds]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { platform } from "#platform";
import { createNode } from "../mod.ts";
import { execFile } from "node:child_process";
import { ROOT, runtimeCommand } from "../tests/runtime_command.ts";
import { canCollect, memory } from "./_inbound.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

const ROUNDS = Number(process.argv[2] ?? "") || 5;
const MESSAGES = 2_000;
const PER_MESSAGE = 500;
/** Longest one attacker process may take. */
const ATTACK_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (b: number) => (b / 1024 / 1024).toFixed(1);

const datadir = mkdtempSync(join(tmpdir(), "btc-edge-inv-retained-"));
const node = createNode({
  network: "regtest",
  datadir,
  listen: ["127.0.0.1:0"],
  api: "none",
  dnsseed: false,
  targetoutbound: 0,
  logLevel: "error",
}, { platform });
await node.start();
const port = Number(node.status().listening[0].split(":").at(-1));
if (!canCollect()) console.log("  (no forced collection available: figures include garbage)");

/** One round: the attacker process floods, hands over its figures and exits. */
function attack(): Promise<string> {
  const [cmd, ...args] = runtimeCommand("node", join(ROOT, "bench/_inv_attacker.ts"));
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args, String(port), String(MESSAGES), String(PER_MESSAGE)],
      { timeout: ATTACK_MS },
      (error, stdout) => error === null ? resolve(stdout.trim()) : reject(error),
    );
  });
}

console.log(
  `Memory left by inv floods — node in-process under ${RUNTIME_LABEL}; ` +
    `${ROUNDS} rounds of ${MESSAGES} × ${PER_MESSAGE} entries, full collection after each`,
);
const start = await memory();
console.log(`  before:   heap ${mib(start.heap)} MiB, rss ${mib(start.rss)} MiB`);
const heaps: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  let known: number | undefined;
  const watching = (async () => {
    for (let i = 0; i < ATTACK_MS / 50 && node.peers().length === 0; i++) await sleep(50);
    while (node.peers().length > 0) {
      known = node.peers()[0]?.knownInventory ?? known;
      await sleep(50);
    }
  })();
  const sent = await attack();
  await watching;
  await sleep(200);
  const m = await memory();
  heaps.push(m.heap);
  console.log(
    `  round ${round}: heap ${mib(m.heap)} MiB, rss ${mib(m.rss)} MiB, ` +
      `attacker's known inventory ${known} (bound 1,000), ${sent}, peers left ${node.peers().length}`,
  );
}
const growth = heaps[heaps.length - 1] - heaps[0];
console.log(`  heap after the last round minus after the first: ${mib(growth)} MiB`);
await node.stop();
rmSync(datadir, { recursive: true, force: true });
printResult("inv_retained", [
  {
    name: "inv flood: live heap left after round 1 (1M entries, after GC)",
    unit: "MB",
    value: (heaps[0] - start.heap) / 1e6,
  },
  {
    name: "inv flood: live heap growth, last round vs first (after GC)",
    unit: "MB",
    value: growth / 1e6,
  },
]);
process.exit(0);
