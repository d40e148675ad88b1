/**
 * Compact relay to a high-bandwidth peer (issue 16): one relay manager R on
 * a loopback listener and three peers, all in this process over real
 * loopback TCP of the bench's runtime:
 *
 * - S, a block manager connected to R, where blocks are injected; R fetches
 *   each as usual (`headers`, `getdata`, `block`);
 * - H, a bare peer that asked R for high-bandwidth compact blocks
 *   (`sendcmpct(1, 2)`): R pushes it each new tip as `cmpctblock`;
 * - F, a block manager that gets each block from R the usual way
 *   (`headers`, `getdata`, `block`).
 *
 * Blocks of ~1 MB (2,000 transactions of 500 B) go one at a time. Per
 * block, from the moment R's peer delivers S's `block` message: the time
 * to H's receiving the `cmpctblock`, and to F's accepting the block (a
 * full hop). Bytes per block R sent to H (the `cmpctblock`; H stands for a
 * peer whose mempool holds every transaction, so no `getblocktxn` follows)
 * and to F (`headers` + `block`), headers of the frames included.
 *
 * Run: node_modules/.bin/node bench/compact_relay.ts [measured-blocks]
 *      (bun and deno work too)
 */
import { platform } from "#platform";
import process from "node:process";
import { silentLogger } from "../src/log/logger.ts";
import { type AddressPeers, MessageDispatch } from "../src/node/message_dispatch.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../src/peer/peer.ts";
import type { TrafficStats } from "../src/peer/peer_stats.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../src/peer/services.ts";
import type { Listener } from "../src/platform/conn.ts";
import { BlockManager } from "../src/sync/block_manager.ts";
import { parseAddress } from "../src/wire/address_format.ts";
import { blockHeaderHash, encodeBlockHeader } from "../src/wire/block_header.ts";
import { hashToHex } from "../src/wire/bytes.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { fillerTxs, RegtestMiner } from "../tests/support/regtest_blocks.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";
import { ascending, median, quantile } from "./_stats.ts";

/** Blocks relayed before measuring (JIT warm-up). */
const WARMUP = 5;
const MEASURED = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? "") || 25;
const TXS = 2_000;
const TX_BYTES = 500;
const LOOPBACK = "127.0.0.1";
/** Longest wait for the peers to connect, or for one block to reach H and F. */
const WAIT_MS = 10_000;
/** Address traffic goes nowhere: the bench measures block relay. */
const NO_ADDRESSES: AddressPeers = { addPeer() {}, removePeer() {}, onMessage() {} };

const params = NETWORKS.regtest;
const sha256 = platform.sha256;

/** Peer options on regtest; `bestHeight` is what the version message claims. */
function peerOptions(bestHeight: () => number) {
  return {
    magic: params.magic,
    sha256,
    services: NODE_NETWORK | NODE_WITNESS,
    bestHeight,
    logger: silentLogger,
  };
}

/** A started block manager with its dispatch. */
function newManager(): { manager: BlockManager; dispatch: MessageDispatch } {
  const manager = new BlockManager({ params, sha256, clock: platform.clock, logger: silentLogger });
  manager.start();
  return { manager, dispatch: new MessageDispatch({ addresses: NO_ADDRESSES, blocks: manager }) };
}

/** Dials `listener` and returns the started outbound peer. */
async function dial(listener: Listener, bestHeight: () => number): Promise<Peer> {
  const port = listener.addr.port;
  const conn = await platform.dial({ host: LOOPBACK, port });
  return newOutboundPeer({ address: parseAddress(LOOPBACK), port }, conn, peerOptions(bestHeight));
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function summary(values: readonly number[]): string {
  const s = ascending(values);
  const fmt = (v: number | undefined) => (v ?? NaN).toFixed(2).padStart(7);
  return `median ${fmt(quantile(s, 0.5))} ms   p95 ${fmt(quantile(s, 0.95))} ms`;
}

const r = newManager();
const s = newManager();
const f = newManager();
const peers: Peer[] = [];
/** Block hash (hex) → when R's peer delivered S's `block`, H got the `cmpctblock`, F accepted. */
const atR = new Map<string, number>();
const atH = new Map<string, number>();
const atF = new Map<string, number>();
const listener = await platform.listen({
  host: LOOPBACK,
  port: 0,
  onConn: (conn) => {
    const peer = newInboundPeer(conn, peerOptions(() => r.manager.chain.tipHeight));
    // Before the dispatch: the time a block is delivered, ahead of its handling.
    peer.on("message", (m) => {
      if (m.command === "block") {
        atR.set(hashToHex(blockHeaderHash(sha256, m.raw)), performance.now());
      }
    });
    r.dispatch.attach(peer, "inbound");
    peers.push(peer);
    peer.start();
  },
});
f.manager.on("accepted", (e) => atF.set(e.hash, performance.now()));
const fListener = await platform.listen({
  host: LOOPBACK,
  port: 0,
  onConn: (conn) => {
    const peer = newInboundPeer(conn, peerOptions(() => f.manager.chain.tipHeight));
    f.dispatch.attach(peer, "inbound");
    peers.push(peer);
    peer.start();
  },
});

try {
  const fromS = await dial(listener, () => s.manager.chain.tipHeight);
  s.dispatch.attach(fromS, "outbound-full-relay");
  const toF = await dial(fListener, () => r.manager.chain.tipHeight);
  r.dispatch.attach(toF, "outbound-full-relay");
  let hHeight = 0;
  const h = await dial(listener, () => hHeight);
  h.on("message", (m) => {
    if (m.command !== "cmpctblock") return;
    atH.set(hashToHex(blockHeaderHash(sha256, encodeBlockHeader(m.header))), performance.now());
    hHeight++;
  });
  h.on("ready", () => h.send({ command: "sendcmpct", announce: 1, version: 2n }));
  peers.push(fromS, toF, h);
  for (const p of [fromS, toF, h]) p.start();
  await until(
    () =>
      [r, s, f].every((n) => n.manager.status().headerSync.state === "synced") &&
      r.manager.status().highBandwidthPeers.length === 1 && fromS.features.sendHeaders &&
      toF.features.sendHeaders,
    "the peers to connect, sync and choose H",
  );

  const miner = new RegtestMiner(sha256, 16);
  const toHBytes: number[] = [];
  const toFBytes: number[] = [];
  const compactMs: number[] = [];
  const fullMs: number[] = [];
  /** Bytes of `commands` counted in `traffic` (a peer's `sent` or `received`). */
  const bytesOf = (traffic: TrafficStats, commands: readonly string[]) =>
    commands.reduce((sum, c) => sum + (traffic.perCommand[c]?.bytes ?? 0), 0);
  // What H received from R, and what R sent to F.
  const toH = () => bytesOf(h.stats().received, ["cmpctblock"]);
  const toFull = () => bytesOf(toF.stats().sent, ["headers", "block"]);
  for (let i = 0; i < WARMUP + MEASURED; i++) {
    const block = miner.next(fillerTxs(TXS, TX_BYTES, i + 1));
    const hash = hashToHex(blockHeaderHash(sha256, block));
    const hBefore = toH();
    const fBefore = toFull();
    if (s.manager.injectBlock(block).status !== "accepted") throw new Error(`block ${i} refused`);
    await until(() => atH.has(hash) && atF.has(hash), `block ${i} at H and F`);
    if (i < WARMUP) continue;
    compactMs.push(atH.get(hash)! - atR.get(hash)!);
    fullMs.push(atF.get(hash)! - atR.get(hash)!);
    toHBytes.push(toH() - hBefore);
    toFBytes.push(toFull() - fBefore);
  }
  const hBytes = median(toHBytes);
  const fBytes = median(toFBytes);
  console.log(
    `Compact relay to a high-bandwidth peer — ${RUNTIME_LABEL}, ${MEASURED} blocks of ` +
      `${TXS.toLocaleString("en")} txs of ${TX_BYTES} B (~1 MB), in one process over loopback`,
  );
  console.log(`  block at R → cmpctblock at H:     ${summary(compactMs)}`);
  console.log(`  block at R → block accepted at F: ${summary(fullMs)}`);
  console.log(
    `  bytes per block: to H ${hBytes} (cmpctblock), to F ${fBytes} (headers + block): ` +
      `${(fBytes / hBytes).toFixed(0)}× more`,
  );
  printResult("compact_relay", [
    {
      name: "block received → cmpctblock at an HB peer, 1 MB of 2,000 txs (median)",
      unit: "ms",
      value: median(compactMs),
    },
    {
      name: "block received → block accepted by a full-block peer, same blocks (median)",
      unit: "ms",
      value: median(fullMs),
    },
    { name: "bytes per block to an HB compact peer (cmpctblock)", unit: "B", value: hBytes },
    { name: "bytes per block to a full-block peer (headers + block)", unit: "B", value: fBytes },
  ]);
} finally {
  for (const n of [r, s, f]) await n.manager.stop();
  await Promise.all(peers.map((p) => p.disconnect("bench over")));
  await listener.close();
  await fListener.close();
}
