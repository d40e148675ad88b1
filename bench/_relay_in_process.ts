/**
 * Relay bench helper: the same line as bench/relay.ts, but as 5 block
 * managers in ONE process (the bench's runtime), joined by real loopback
 * TCP sockets of that runtime (`platform.listen` / `platform.dial`), over
 * v1 or BIP324 v2 links. All
 * five share one event loop, so each hop's sender and receiver run on the
 * same thread; it isolates the core's own relay cost from process and
 * runtime boundaries. The leading underscore keeps bench/run_all.ts from
 * running this module as a bench.
 */
import { platform } from "#platform";
import process from "node:process";
import { silentLogger } from "../src/log/logger.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../src/peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../src/peer/services.ts";
import type { Listener } from "../src/platform/conn.ts";
import { type AddressPeers, MessageDispatch } from "../src/node/message_dispatch.ts";
import { BlockManager } from "../src/sync/block_manager.ts";
import type { HeaderChain } from "../src/sync/header_chain.ts";
import { parseAddress } from "../src/wire/address_format.ts";
import { blockHeaderHash } from "../src/wire/block_header.ts";
import { hashToHex } from "../src/wire/bytes.ts";
import { NETWORKS } from "../src/wire/params.ts";
import type { Sha256 } from "../src/platform/hash.ts";
import { cryptoRandom } from "../src/platform/random.ts";
import type { TransportFactory } from "../src/transport/transport.ts";
import { v2TransportFactory } from "../src/transport/v2_transport.ts";

const params = NETWORKS.regtest;
const LOOPBACK = "127.0.0.1";
/** Longest wait for the line to connect, or for one block to reach its end. */
const WAIT_MS = 10_000;
/** Address traffic goes nowhere: the bench measures block relay. */
const NO_ADDRESSES: AddressPeers = { addPeer() {}, removePeer() {}, onMessage() {} };

/** One manager with its listener, its peers and the acceptance time of each block. */
interface InProcessNode {
  readonly manager: BlockManager;
  readonly chain: HeaderChain;
  /** Wires its peers to the manager, as the node does. */
  readonly dispatch: MessageDispatch;
  readonly listener: Listener;
  readonly peers: Peer[];
  /** Block hash (hex) → performance.now() at acceptance. */
  readonly acceptedAt: Map<string, number>;
}

/** Per-hop and end-to-end times (ms) of the measured blocks. */
export interface RelayTimes {
  /** `hops[h]`: one time per measured block for hop h → h + 1. */
  readonly hops: number[][];
  readonly ends: number[];
}

/** The in-process line's times, and what a hop costs in CPU. */
export interface InProcessTimes extends RelayTimes {
  /**
   * This process's CPU time (user + system, every thread: the garbage
   * collector's too) over the scenario's measured blocks, per block and hop:
   * what one hop costs the machine, sender and receiver together. Steadier
   * than the wall times on a shared machine.
   */
  readonly cpuMsPerHop: number;
}

/** BIP324 v2 for one side of a link (the platform's AEAD and curve, as the node uses). */
function v2(sha256: Sha256, initiator: boolean): TransportFactory {
  const { aead, secp256k1: curve } = platform;
  return v2TransportFactory({
    magic: params.magic,
    sha256,
    random: cryptoRandom,
    aead,
    curve,
    initiator,
  });
}

function peerOptions(chain: HeaderChain, sha256: Sha256, transport?: TransportFactory) {
  return {
    magic: params.magic,
    sha256,
    ...(transport === undefined ? {} : { transport }),
    services: NODE_NETWORK | NODE_WITNESS,
    bestHeight: () => chain.tipHeight,
    logger: silentLogger,
  };
}

async function startNode(sha256: Sha256, useV2: boolean): Promise<InProcessNode> {
  const manager = new BlockManager({ params, sha256, clock: platform.clock, logger: silentLogger });
  manager.start();
  const chain = manager.chain;
  const dispatch = new MessageDispatch({ addresses: NO_ADDRESSES, blocks: manager });
  const peers: Peer[] = [];
  const listener = await platform.listen({
    host: LOOPBACK,
    port: 0,
    onConn: (conn) => {
      const transport = useV2 ? v2(sha256, false) : undefined;
      const peer = newInboundPeer(conn, peerOptions(chain, sha256, transport));
      dispatch.attach(peer, "inbound");
      peers.push(peer);
      peer.start();
    },
  });
  const acceptedAt = new Map<string, number>();
  manager.on("accepted", (e) => acceptedAt.set(e.hash, performance.now()));
  return { manager, chain, dispatch, listener, peers, acceptedAt };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Relays each scenario's blocks (one chain through all scenarios, from
 * regtest genesis) along a line of `count` in-process managers, one block
 * at a time; the first `warmup` blocks of each scenario are not measured.
 * Every manager and peer hashes with `sha256` (default: the platform's);
 * links speak BIP324 v2 when `useV2`, else v1.
 */
export async function relayInProcess(
  scenarios: readonly (readonly Uint8Array[])[],
  count: number,
  warmup: number,
  sha256: Sha256 = platform.sha256,
  useV2 = false,
): Promise<InProcessTimes[]> {
  const nodes: InProcessNode[] = [];
  for (let i = 0; i < count; i++) nodes.push(await startNode(sha256, useV2));
  try {
    for (let i = 0; i + 1 < count; i++) {
      const port = nodes[i + 1].listener.addr.port;
      const conn = await platform.dial({ host: LOOPBACK, port });
      const peer = newOutboundPeer(
        { address: parseAddress(LOOPBACK), port },
        conn,
        peerOptions(nodes[i].chain, sha256, useV2 ? v2(sha256, true) : undefined),
      );
      nodes[i].dispatch.attach(peer, "outbound-full-relay");
      nodes[i].peers.push(peer);
      peer.start();
    }
    await until(
      () =>
        nodes.every((n) => n.manager.status().headerSync.state === "synced") &&
        nodes.every((n) => n.peers.length > 0 && n.peers.every((p) => p.features.sendHeaders)),
      "the in-process line to connect and sync",
    );
    const results: InProcessTimes[] = [];
    for (const blocks of scenarios) {
      const hops: number[][] = Array.from({ length: count - 1 }, () => []);
      const ends: number[] = [];
      let cpuBefore = process.cpuUsage();
      for (let i = 0; i < blocks.length; i++) {
        if (i === warmup) cpuBefore = process.cpuUsage();
        const hash = hashToHex(blockHeaderHash(sha256, blocks[i]));
        const result = nodes[0].manager.injectBlock(blocks[i]);
        if (result.status !== "accepted") throw new Error(`refused block ${i}: ${result.status}`);
        const last = nodes[count - 1];
        await until(() => last.acceptedAt.has(hash), `block ${i} at the end`);
        if (i < warmup) continue;
        const times = nodes.map((n) => n.acceptedAt.get(hash)!);
        for (let h = 1; h < count; h++) hops[h - 1].push(times[h] - times[h - 1]);
        ends.push(times[count - 1] - times[0]);
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMsPerHop = (cpu.user + cpu.system) / 1000 / ((blocks.length - warmup) * (count - 1));
      results.push({ hops, ends, cpuMsPerHop });
    }
    return results;
  } finally {
    for (const n of nodes) await n.manager.stop();
    for (const n of nodes) await Promise.all(n.peers.map((p) => p.disconnect("bench over")));
    for (const n of nodes) await n.listener.close();
  }
}
