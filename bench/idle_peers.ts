/**
 * Memory per idle peer: our node (in this process, under this bench's
 * runtime; regtest, loopback) before and after 1,000 inbound peers
 * completed the handshake and sit idle (clients in a separate node process,
 * bench/_handshake_clients.ts, each from its own 127.0.x.y address). After
 * a full collection (node --expose-gc, deno --v8-flags=--expose-gc, or the
 * node:v8 flag set at run time; Bun.gc), (after − before) / peers for the
 * resident set and for the JS heap plus external memory (V8) or
 * JavaScriptCore's heap plus its extra memory (Bun). Target: at most
 * 32 KiB per idle peer. With `v2` the peers speak BIP324 v2 (target: at
 * most 1.3× the v1 figure).
 *
 * Run: node_modules/.bin/node --expose-gc bench/idle_peers.ts [peers] [v1|v2]
 *      node_modules/.bin/bun bench/idle_peers.ts [peers]
 *      node_modules/deno/deno run -A --v8-flags=--expose-gc bench/idle_peers.ts [peers]
 */
import process from "node:process";
import { toHex } from "../src/wire/bytes.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { canCollect, memory, startClients, startInboundNode, until } from "./_inbound.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

/** Idle peers held. */
const PEERS = Number(process.argv[2] ?? "") || 1_000;
/** How long the peers sit idle before the second reading (post-handshake messages settle). */
const SETTLE_MS = 2_000;
/** Handshakes in flight while connecting (below the listen backlog). */
const WINDOW = 250;
/** The clients' transport. */
const TRANSPORT: "v1" | "v2" = process.argv[3] === "v2" ? "v2" : "v1";
/** How the figures name a peer (v1's names are those of the results table from before v2). */
const PEER_NAME = TRANSPORT === "v2" ? "v2 peer" : "peer";
/** The bound per idle peer. */
const TARGET_KIB = 32;

const kib = (bytes: number) => bytes / 1024;
const collects = canCollect();
console.log(
  `Memory per idle ${TRANSPORT} peer — our node under ${RUNTIME_LABEL}, ${PEERS} handshaked inbound peers, ` +
    (collects ? "after a full collection" : "NO forced collection available"),
);

const node = await startInboundNode(PEERS + 10);
// A warm-up round first, so code and pools the first peers allocate are in "before".
const magic = toHex(NETWORKS.regtest.magic);
const warm = startClients(node.port, 100, WINDOW, false, magic, TRANSPORT);
await warm.report;
await warm.close();
await until(() => node.inbound() === 0, "the warm-up peers to go");
await new Promise((r) => setTimeout(r, 500));

const before = await memory();
const clients = startClients(node.port, PEERS, WINDOW, true, magic, TRANSPORT);
const report = await clients.report;
await until(() => node.inbound() === report.ready, "the node to count its peers");
await new Promise((r) => setTimeout(r, SETTLE_MS));
const connected = node.inbound();
const after = await memory();
await clients.close();
await node.stop();

const rss = kib(after.rss - before.rss) / connected;
const heap = kib(after.heap - before.heap) / connected;
console.log(`  peers connected and idle: ${connected} (${report.failed} handshakes failed)`);
console.log(
  `  rss:  ${(before.rss / 2 ** 20).toFixed(1)} → ${(after.rss / 2 ** 20).toFixed(1)} MiB, ` +
    `${rss.toFixed(1)} KiB per peer`,
);
console.log(
  `  heap: ${(before.heap / 2 ** 20).toFixed(1)} → ${(after.heap / 2 ** 20).toFixed(1)} MiB, ` +
    `${heap.toFixed(1)} KiB per peer`,
);
console.log(
  `  target ≤ ${TARGET_KIB} KiB per idle peer: heap ${heap <= TARGET_KIB ? "met" : "NOT met"}, ` +
    `rss ${rss <= TARGET_KIB ? "met" : "NOT met"}`,
);
printResult("idle_peers", [
  { name: `memory per idle ${PEER_NAME}, heap (1,000 peers)`, unit: "KiB", value: heap },
  { name: `memory per idle ${PEER_NAME}, rss (1,000 peers)`, unit: "KiB", value: rss },
]);
process.exit(0);
