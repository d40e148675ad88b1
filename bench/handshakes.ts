/**
 * Inbound handshakes per second on loopback: our node (in this process,
 * under this bench's runtime; regtest, room for 2,000 inbound peers) and
 * 1,000 clients in a separate node process (bench/_handshake_clients.ts),
 * each from its own 127.0.x.y address, all connecting at once, each sending
 * `version`, answering `version` with `verack` and waiting for ours. The
 * figure is 1,000 / (first connect → last handshake). Under node, the same
 * clients then connect to bcoin 1.0.2 (a FullNode in memory, in this
 * process, its Pool listening on loopback with maxInbound 2,000) and the
 * ratio is printed. Target: at least 2,000 handshakes/s on one runtime.
 * With `v2` the clients speak BIP324 v2 (their keys made before the clock
 * starts) and the same figures are taken; the issue's target for v2 is at
 * least 1,000 inbound handshakes/s on every runtime (bcoin has no v2).
 *
 * Run: node_modules/.bin/node bench/handshakes.ts [clients] [rounds] [v1|v2]
 *      node_modules/.bin/bun bench/handshakes.ts
 *      node_modules/deno/deno run -A bench/handshakes.ts
 */
import { freePort } from "#platform";
import process from "node:process";
import { toHex } from "../src/wire/bytes.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { type Bcoin, BCOIN_DIR, loadBcoin } from "./_bcoin.ts";
import { type ClientReport, LOOPBACK, startClients, startInboundNode, until } from "./_inbound.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";
import { median } from "./_stats.ts";

/** Clients per measured round. */
const CLIENTS = Number(process.argv[2] ?? "") || 1_000;
/** Measured rounds (after one warm-up round of WARMUP clients); the median is reported. */
const ROUNDS = Number(process.argv[3] ?? "") || 3;
const WARMUP = 1_000;
/** Inbound room, well above one round. */
const MAX_INBOUND = 2 * CLIENTS;
/**
 * The second measurement's handshakes in flight: below the listen backlog
 * (511–512 in all three runtimes), so no SYN waits for a 1 s retransmit.
 */
const WINDOW = 250;
/** The clients' transport. */
const TRANSPORT: "v1" | "v2" = process.argv[4] === "v2" ? "v2" : "v1";
/** Handshakes per second the issues ask for: v1 on at least one runtime, v2 on every one. */
const TARGET = TRANSPORT === "v2" ? 1_000 : 2_000;

/** A server that takes inbound peers: its port, its inbound count, and how to stop it. */
interface Server {
  readonly port: number;
  inbound(): number;
  stop(): Promise<void>;
}

/** One round: `count` clients at once; their report, after the server dropped them again. */
async function round(server: Server, count: number, window: number): Promise<ClientReport> {
  const clients = startClients(
    server.port,
    count,
    window,
    false,
    toHex(NETWORKS.regtest.magic),
    TRANSPORT,
  );
  const report = await clients.report;
  await clients.close();
  await until(() => server.inbound() === 0, "the server to drop the clients", 30_000);
  return report;
}

/**
 * Warm-up plus ROUNDS rounds against `server` with at most `window`
 * handshakes in flight; prints each; the median handshakes/s.
 */
async function measure(name: string, server: Server, window: number): Promise<number> {
  await round(server, WARMUP, window);
  const rates: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round(server, CLIENTS, window);
    const rate = r.ready / (r.ms / 1000);
    rates.push(rate);
    console.log(
      `  ${name}, ${window} in flight, round ${i + 1}: ${r.ready} of ${CLIENTS} in ${
        r.ms.toFixed(0)
      } ms → ` +
        `${rate.toFixed(0)} handshakes/s (latency p50 ${r.p50.toFixed(0)} ms, p99 ${
          r.p99.toFixed(0)
        } ms${r.failed ? `, ${r.failed} FAILED` : ""})`,
    );
  }
  return median(rates);
}

/** bcoin's FullNode in memory on regtest, its Pool listening on loopback. */
async function startBcoin(b: Bcoin): Promise<Server> {
  const port = await freePort();
  const node = new b.bcoin.FullNode({
    network: "regtest",
    prefix: `${BCOIN_DIR}/bcoin-data`,
    memory: true,
    workers: false,
    logLevel: "error",
    listen: true,
    host: LOOPBACK,
    port,
    publicHost: LOOPBACK,
    seeds: [],
    maxInbound: MAX_INBOUND,
    httpPort: await freePort(),
    httpHost: LOOPBACK,
    upnp: false,
  });
  await node.ensure();
  await node.open();
  await node.connect();
  return {
    port,
    inbound: () => node.pool.peers.inbound,
    stop: () => node.close(),
  };
}

console.log(
  `Inbound ${TRANSPORT} handshakes on loopback — our node under ${RUNTIME_LABEL}, ${CLIENTS} clients ` +
    `from a node process (all at once, then at most ${WINDOW} in flight), ${ROUNDS} rounds ` +
    `after a warm-up of ${WARMUP}`,
);
const NAME = TRANSPORT === "v2" ? "inbound v2 handshakes" : "inbound handshakes";
const ALL = `${NAME} (1,000 clients at once)`;
const WINDOWED = `${NAME} (1,000 clients, ${WINDOW} in flight)`;

/** Both measurements against `server`, printed under `name`. */
async function both(name: string, server: Server): Promise<[number, number]> {
  try {
    const all = await measure(name, server, CLIENTS);
    const windowed = await measure(name, server, WINDOW);
    console.log(
      `${name}: median ${all.toFixed(0)} handshakes/s all at once, ${windowed.toFixed(0)} with ` +
        `${WINDOW} in flight`,
    );
    return [all, windowed];
  } finally {
    await server.stop();
  }
}

const [all, windowed] = await both("btc-edge", await startInboundNode(MAX_INBOUND));
const best = Math.max(all, windowed);
console.log(
  `  target ≥ ${TARGET}/s on ${TRANSPORT === "v2" ? "every" : "one"} runtime: ${
    best >= TARGET ? "met" : "not met"
  } under ${RUNTIME_LABEL}`,
);
printResult("handshakes", [
  { name: ALL, unit: "/s", value: all },
  { name: WINDOWED, unit: "/s", value: windowed },
]);

const b = TRANSPORT === "v2" ? "bcoin has no v2" : loadBcoin();
if (typeof b === "string") {
  console.log(`bcoin comparison skipped: ${b}`);
} else {
  const [bAll, bWindowed] = await both("bcoin 1.0.2", await startBcoin(b));
  console.log(
    `ours/bcoin: ${(all / bAll).toFixed(2)} all at once, ${(windowed / bWindowed).toFixed(2)} ` +
      `with ${WINDOW} in flight`,
  );
  printResult("handshakes", [
    { name: ALL, unit: "/s", value: bAll },
    { name: WINDOWED, unit: "/s", value: bWindowed },
  ], "bcoin");
}
process.exit(0);
