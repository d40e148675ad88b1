/**
 * Node lifecycle benchmark over the runtime's real sockets: the time from
 * start() to listening (runtime start-up excluded), and the time stop()
 * takes with 100 dials pending and 100 peers connected. The pending dials
 * are 100 `--addnode` peers behind a SOCKS5 proxy that accepts and never
 * answers (a black hole); the peers are 100 loopback connections that
 * complete the handshake. Targets: listening within 300 ms of start(),
 * stop() within 100 ms.
 *
 * Run: node_modules/.bin/bun bench/lifecycle.ts
 *      node_modules/.bin/deno run -A bench/lifecycle.ts
 *      node_modules/.bin/node bench/lifecycle.ts
 */
import { platform } from "#platform";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveOptions } from "../src/config/load.ts";
import { createLogger } from "../src/log/logger.ts";
import { EdgeNode } from "../src/node/node.ts";
import { newOutboundPeer, type Peer } from "../src/peer/peer.ts";
import type { Conn } from "../src/platform/conn.ts";
import { parseAddress } from "../src/wire/address_format.ts";
import { getParams } from "../src/wire/params.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";
import { ascending, median } from "./_stats.ts";

/** Rounds measured (after one warm-up round). */
const ROUNDS = 5;
/** Dials left hanging in the black-hole proxy. */
const PENDING_DIALS = 100;
/** Peers connected when stop() is called. */
const PEERS = 100;
const LOOPBACK = "127.0.0.1";
const params = getParams("regtest");

/** Polls `cond` every 2 ms; throws after `ms`. */
async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

interface Round {
  listeningMs: number;
  startMs: number;
  stopMs: number;
}

async function round(): Promise<Round> {
  // The black hole: accepts the proxy connection, reads the greeting, never answers.
  const held: Conn[] = [];
  const hole = await platform.listen({
    host: LOOPBACK,
    port: 0,
    onConn: (conn) => void held.push(conn),
  });
  const datadir = mkdtempSync(join(tmpdir(), "btc-edge-bench-"));
  let listeningAt = 0;
  const node = new EdgeNode(
    resolveOptions([["option", {
      network: "regtest",
      listen: [`${LOOPBACK}:0`],
      api: "none",
      dnsseed: false,
      maxpeers: PEERS + 10,
      maxpeersperip: PEERS + 10,
      proxy: `${LOOPBACK}:${hole.addr.port}`,
      addnode: Array.from({ length: PENDING_DIALS }, (_, i) => `10.7.${i >> 8}.${i & 255}:18444`),
    }]]),
    {
      platform,
      datadir,
      logger: createLogger({
        level: "info",
        sink: (r) => {
          if (r.message === "listening for peers") listeningAt = performance.now();
        },
      }),
    },
  );
  const t0 = performance.now();
  await node.start();
  const startMs = performance.now() - t0;
  const listeningMs = listeningAt - t0;

  await until(() => held.length === PENDING_DIALS, `${PENDING_DIALS} dials in the black hole`);
  const port = Number(node.status().listening[0].split(":").pop());
  const peers: Peer[] = [];
  for (let i = 0; i < PEERS; i++) {
    const conn = await platform.dial({ host: LOOPBACK, port });
    const peer = newOutboundPeer({ address: parseAddress(LOOPBACK), port }, conn, {
      magic: params.magic,
      sha256: platform.sha256,
    });
    peer.start();
    peers.push(peer);
  }
  await until(
    () => peers.every((p) => p.state === "ready") && node.status().peers.inbound === PEERS,
    `${PEERS} connected peers`,
  );

  const t1 = performance.now();
  await node.stop();
  const stopMs = performance.now() - t1;

  for (const c of held) c.close();
  await hole.close();
  await Promise.all(peers.map((p) => p.disconnect("bench over")));
  rmSync(datadir, { recursive: true, force: true });
  return { listeningMs, startMs, stopMs };
}

function stats(values: number[]): string {
  const s = ascending(values);
  return `median ${median(s).toFixed(1)} ms (min ${s[0].toFixed(1)}, max ${
    s[s.length - 1].toFixed(1)
  })`;
}

async function main(): Promise<void> {
  console.log(`lifecycle under ${RUNTIME_LABEL}: ${ROUNDS} rounds after a warm-up`);
  await round();
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
  console.log(
    `start() → listening:            ${stats(rounds.map((r) => r.listeningMs))}  target ≤ 300 ms`,
  );
  console.log(`start() complete:                ${stats(rounds.map((r) => r.startMs))}`);
  console.log(
    `stop(), ${PENDING_DIALS} pending dials + ${PEERS} peers: ${
      stats(rounds.map((r) => r.stopMs))
    }  target ≤ 100 ms`,
  );
  printResult("lifecycle", [
    {
      name: "start() → listening (median)",
      unit: "ms",
      value: median(rounds.map((r) => r.listeningMs)),
    },
    { name: "start() complete (median)", unit: "ms", value: median(rounds.map((r) => r.startMs)) },
    {
      name: `stop() with ${PENDING_DIALS} pending dials + ${PEERS} peers (median)`,
      unit: "ms",
      value: median(rounds.map((r) => r.stopMs)),
    },
  ]);
}

await main();
