/**
 * Block relay benchmark: a line of 5 block managers (A–B–C–D–E) joined by
 * real loopback TCP sockets of the current runtime (`platform.listen` /
 * `platform.dial`), each with its own header chain, all in ONE process (the
 * node process does not exist yet). Blocks of about 1 MB (a coinbase with a
 * witness commitment and segwit transactions) are injected at A; each one
 * travels as a `headers` announcement, a `getdata` and the `block` over
 * every hop. Two ways to fill 1 MB are measured: 10 transactions of 100 kB
 * (hashing dominated by bytes) and 2,000 of 500 B (a realistic count, where
 * the ~16,000 SHA-256 calls of txids, wtxids and two merkle trees dominate).
 * Printed per scenario:
 *
 * - per-hop added latency: time from acceptance at one node to acceptance
 *   at the next (announce, request, 1 MB transfer, framing checksum,
 *   verification), median and p95, per hop and over all hops;
 * - end-to-end time A → E;
 * - time to verify one block (`acceptBlock`: decode, proof of work, txids,
 *   merkle root, witness commitment, header rules) on a fresh chain.
 *
 * Single process: all five nodes share one event loop, so each hop's
 * sender and receiver run on the same thread (a real deployment splits that
 * work between two machines). Target: at most 5 ms added per hop (median).
 *
 * Run: node_modules/.bin/bun bench/relay.ts [blocks-per-scenario]
 *      node_modules/.bin/deno run -A bench/relay.ts
 *      node_modules/.bin/node bench/relay.ts
 */
import { platform } from "#platform";
import process from "node:process";
import { silentLogger } from "../src/log/logger.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../src/peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../src/peer/services.ts";
import type { Listener } from "../src/platform/conn.ts";
import { acceptBlock } from "../src/sync/block_accept.ts";
import { BlockManager } from "../src/sync/block_manager.ts";
import { HeaderChain } from "../src/sync/header_chain.ts";
import { attachPeer } from "../src/sync/sync_peer.ts";
import { parseAddress } from "../src/wire/address_format.ts";
import { blockHeaderHash } from "../src/wire/block_header.ts";
import { hashToHex } from "../src/wire/bytes.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { fillerTxs, RegtestMiner } from "../tests/sync/regtest_blocks.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";

const BLOCKS = Number(process.argv[2] ?? "") || 30;
/** Two ways to fill ~1 MB: few large transactions (cheap to hash) and a realistic count. */
const SCENARIOS = [
  { name: "10 txs of 100 kB", txs: 10, txBytes: 100_000 },
  { name: "2,000 txs of 500 B", txs: 2_000, txBytes: 500 },
] as const;
/** Blocks relayed before measuring (JIT warm-up). */
const WARMUP = 5;
const NODES = 5;
const NAMES = "ABCDE";
/** Longest wait for one block to reach the end of the line. */
const BLOCK_DEADLINE_MS = 10_000;

const params = NETWORKS.regtest;
const sha256 = platform.sha256;
const LOOPBACK = "127.0.0.1";

/** One manager with its listener, its peers and the acceptance time of each block. */
interface BenchNode {
  readonly manager: BlockManager;
  readonly chain: HeaderChain;
  readonly listener: Listener;
  readonly peers: Peer[];
  /** Block hash (hex) → performance.now() at acceptance. */
  readonly acceptedAt: Map<string, number>;
}

function peerOptions(chain: HeaderChain) {
  return {
    magic: params.magic,
    sha256,
    services: NODE_NETWORK | NODE_WITNESS,
    bestHeight: () => chain.tipHeight,
    logger: silentLogger,
  };
}

async function startNode(): Promise<BenchNode> {
  const chain = new HeaderChain({ params, sha256, now: () => Date.now() });
  const manager = new BlockManager({
    params,
    chain,
    sha256,
    clock: platform.clock,
    logger: silentLogger,
  });
  const peers: Peer[] = [];
  const listener = await platform.listen({
    host: LOOPBACK,
    port: 0,
    onConn: (conn) => {
      const peer = newInboundPeer(conn, peerOptions(chain));
      attachPeer(manager, peer);
      peers.push(peer);
      peer.start();
    },
  });
  const acceptedAt = new Map<string, number>();
  manager.on("accepted", (e) => acceptedAt.set(e.hash, performance.now()));
  return { manager, chain, listener, peers, acceptedAt };
}

async function until(cond: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(values: readonly number[]): string {
  const s = [...values].sort((a, b) => a - b);
  return `median ${quantile(s, 0.5).toFixed(2)} ms, p95 ${quantile(s, 0.95).toFixed(2)} ms`;
}

console.log(
  `Block relay — ${RUNTIME_LABEL}, a line of ${NODES} block managers over loopback TCP, ` +
    `single process (shared event loop)`,
);

// The blocks, built and mined before anything is measured (one chain through both scenarios).
const begin = performance.now();
const miner = new RegtestMiner(sha256);
const built = SCENARIOS.map((scenario, k) =>
  Array.from(
    { length: BLOCKS },
    (_, i) => miner.next(fillerTxs(scenario.txs, scenario.txBytes, k * BLOCKS + i)),
  )
);
console.log(
  `  ${SCENARIOS.length} × ${BLOCKS} blocks built in ${
    ((performance.now() - begin) / 1000).toFixed(1)
  } s (not measured); the first ${WARMUP} of each scenario are warm-up`,
);

// Verification alone, on a fresh chain.
const verifyChain = new HeaderChain({ params, sha256, now: () => Date.now() });
const verifyMs = built.map((blocks) =>
  blocks.map((block) => {
    const t = performance.now();
    const result = acceptBlock(verifyChain, sha256, block);
    const ms = performance.now() - t;
    if (result.status !== "accepted") throw new Error(`block refused: ${result.status}`);
    return ms;
  })
);

// The line: node i dials node i + 1.
const nodes: BenchNode[] = [];
for (let i = 0; i < NODES; i++) nodes.push(await startNode());
for (let i = 0; i + 1 < NODES; i++) {
  const target = nodes[i + 1].listener.addr;
  const conn = await platform.dial({ host: LOOPBACK, port: target.port });
  const peer = newOutboundPeer(
    { address: parseAddress(LOOPBACK), port: target.port },
    conn,
    peerOptions(nodes[i].chain),
  );
  attachPeer(nodes[i].manager, peer);
  nodes[i].peers.push(peer);
  peer.start();
}
await until(
  () =>
    nodes.every((n) => n.manager.status().headerSync.state === "synced") &&
    nodes.every((n) => n.peers.length > 0 && n.peers.every((p) => p.features.sendHeaders)),
  "the line to connect and sync",
  10_000,
);

/** Relays `blocks` from A one at a time; returns per-hop and end-to-end times (after warm-up). */
async function relay(blocks: readonly Uint8Array[]): Promise<{ hops: number[][]; ends: number[] }> {
  const hops: number[][] = Array.from({ length: NODES - 1 }, () => []);
  const ends: number[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const hash = hashToHex(blockHeaderHash(sha256, blocks[i]));
    const result = nodes[0].manager.injectBlock(blocks[i]);
    if (result.status !== "accepted") throw new Error(`A refused block ${i}: ${result.status}`);
    const last = nodes[NODES - 1];
    await until(() => last.acceptedAt.has(hash), `block ${i} at the end`, BLOCK_DEADLINE_MS);
    if (i < WARMUP) continue;
    const times = nodes.map((n) => n.acceptedAt.get(hash)!);
    for (let h = 1; h < NODES; h++) hops[h - 1].push(times[h] - times[h - 1]);
    ends.push(times[NODES - 1] - times[0]);
  }
  return { hops, ends };
}

for (let k = 0; k < SCENARIOS.length; k++) {
  const blocks = built[k];
  const size = blocks.reduce((n, b) => n + b.length, 0) / blocks.length;
  console.log(`\n  ~${(size / 1e6).toFixed(3)} MB blocks, ${SCENARIOS[k].name} + coinbase:`);
  console.log(`    verify (acceptBlock): ${summary(verifyMs[k].slice(WARMUP))}`);
  const { hops, ends } = await relay(blocks);
  for (let h = 0; h < NODES - 1; h++) {
    console.log(`    hop ${NAMES[h]}→${NAMES[h + 1]}: ${summary(hops[h])}`);
  }
  const all = hops.flat();
  const median = quantile([...all].sort((a, b) => a - b), 0.5);
  console.log(`    per hop, all hops: ${summary(all)}`);
  console.log(`    end to end A→${NAMES[NODES - 1]}: ${summary(ends)}`);
  console.log(`    target (median ≤ 5 ms added per hop): ${median <= 5 ? "met" : "NOT met"}`);
}

const total = SCENARIOS.length * BLOCKS;
for (const n of nodes) {
  const accepted = n.manager.status().counters.blocksAccepted;
  if (accepted !== total) throw new Error(`a node accepted ${accepted} of ${total} blocks`);
}
for (const n of nodes) await n.manager.stop();
for (const n of nodes) await Promise.all(n.peers.map((p) => p.disconnect("bench over")));
for (const n of nodes) await n.listener.close();
