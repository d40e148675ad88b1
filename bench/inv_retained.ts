/**
 * Memory an inventory flood leaves behind: a node in this process (regtest,
 * loopback) takes 5 rounds of 1,000,000 random block/tx entries in 2,000
 * `inv` of 500 (too small to cost points) from a raw peer that then leaves;
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
import { encodeMessageFrame } from "../src/wire/message.ts";
import { MSG_BLOCK, MSG_TX } from "../src/wire/messages/inv.ts";
import { MAGIC, ScriptedPeer } from "./_flood_peer.ts";
import { canCollect, memory } from "./_inbound.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

const ROUNDS = Number(process.argv[2] ?? "") || 5;
const MESSAGES = 2_000;
const PER_MESSAGE = 500;
/** Longest wait for the handshake and for a socket to drain. */
const WAIT_MS = 10_000;
/** Time for the node to read the tail of a round before the peer leaves. */
const SETTLE_MS = 1_000;

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

/** One round's frames: fresh random hashes, half block entries, half tx. */
function roundFrames(): Uint8Array[] {
  return Array.from({ length: MESSAGES }, () => {
    const hashes = crypto.getRandomValues(new Uint8Array(PER_MESSAGE * 32));
    const items = Array.from({ length: PER_MESSAGE }, (_, i) => ({
      type: i % 2 === 0 ? MSG_TX : MSG_BLOCK,
      hash: hashes.subarray(i * 32, i * 32 + 32),
    }));
    return encodeMessageFrame(MAGIC, { command: "inv", items }, platform.sha256);
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
  let frames: Uint8Array[] | null = roundFrames();
  const peer = new ScriptedPeer(port, "127.0.0.1");
  if (!(await peer.waitReady(WAIT_MS))) throw new Error("handshake failed");
  for (const frame of frames) if (!peer.sendRaw(frame)) await peer.drained(WAIT_MS);
  frames = null;
  await sleep(SETTLE_MS);
  const known = node.peers()[0]?.knownInventory;
  peer.close();
  await sleep(200);
  const m = await memory();
  heaps.push(m.heap);
  console.log(
    `  round ${round}: heap ${mib(m.heap)} MiB, rss ${mib(m.rss)} MiB, ` +
      `attacker's known inventory ${known} (bound 1,000), peers left ${node.peers().length}`,
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
