/**
 * Test helpers for the block manager: managers with their own log, linked
 * by real `Peer`s over memory pipes (or to a scripted remote from
 * tests/support/scripted_peer.ts) and wired to them by the node's own message
 * dispatch, message recording per peer, and teardown.
 */
import { platform } from "#platform";
import { memoryPipe } from "../../adapters/memory/pipe.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../../src/peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { type AddressPeers, MessageDispatch } from "../../src/node/message_dispatch.ts";
import type { BlockAcceptedEvent, BlockRelayedEvent } from "../../src/sync/block_events.ts";
import { BlockManager } from "../../src/sync/block_manager.ts";
import type { BlockManagerLimits } from "../../src/sync/block_manager_limits.ts";
import type { HeaderChain } from "../../src/sync/header_chain.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import type { Message } from "../../src/wire/message.ts";
import type { NetworkParams } from "../../src/wire/params.ts";
import { MAGIC, ScriptedPeer } from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";

/** Services every test peer announces. */
const SERVICES = NODE_NETWORK | NODE_WITNESS;
/** Address traffic goes nowhere: these tests are about blocks. */
const NO_ADDRESSES: AddressPeers = { addPeer() {}, removePeer() {}, onMessage() {} };

/** One block manager under test. */
export interface TestNode {
  readonly name: string;
  /** Its P2P port in peer names (`127.0.0.1:<port>`). */
  readonly port: number;
  readonly manager: BlockManager;
  /** The manager's chain. */
  readonly chain: HeaderChain;
  /** Hands its peers' messages to the manager, as the node does. */
  readonly dispatch: MessageDispatch;
  /** Every log record (debug and up). */
  readonly log: LogRecord[];
  readonly accepted: BlockAcceptedEvent[];
  readonly relayed: BlockRelayedEvent[];
  /** Its peers, to disconnect at teardown. */
  readonly peers: Peer[];
}

/** Options of `newNode`. */
export interface NodeOptions {
  readonly limits?: Partial<BlockManagerLimits>;
  readonly clock?: Clock;
  /** False: not started (load stored headers first, then `manager.start()`). Default true. */
  readonly start?: boolean;
}

let nextPort = 18_500;

/** A manager on `params` with a fresh chain, started unless `options.start` is false. */
export function newNode(name: string, params: NetworkParams, options: NodeOptions = {}): TestNode {
  const log: LogRecord[] = [];
  const logger = createLogger({ sink: (r) => log.push(r), level: "debug" }).child(name);
  const manager = new BlockManager({
    params,
    sha256: platform.sha256,
    clock: options.clock ?? systemClock,
    logger,
    random: seededRandom(7),
    limits: options.limits,
  });
  if (options.start !== false) manager.start();
  const node: TestNode = {
    name,
    port: nextPort++,
    manager,
    chain: manager.chain,
    dispatch: new MessageDispatch({ addresses: NO_ADDRESSES, blocks: manager }),
    log,
    accepted: [],
    relayed: [],
    peers: [],
  };
  manager.on("accepted", (e) => node.accepted.push(e));
  manager.on("relayed", (e) => node.relayed.push(e));
  return node;
}

/** Both ends of a link between two managers. */
export interface Link {
  /** The dialer's peer (outbound). */
  readonly out: Peer;
  /** The listener's peer (inbound). */
  readonly in: Peer;
}

/** `dialer` connects to `listener` over a memory pipe; resolves once both peers are ready. */
export async function link(dialer: TestNode, listener: TestNode): Promise<Link> {
  const { client, server } = memoryPipe({
    client: { host: "127.0.0.1", port: dialer.port + 10_000 },
    server: { host: "127.0.0.1", port: listener.port },
  });
  const options = (node: TestNode) => ({
    magic: node.chain.params.magic,
    sha256: platform.sha256,
    services: SERVICES,
    bestHeight: () => node.chain.tipHeight,
  });
  const out = newOutboundPeer(
    { address: parseAddress("127.0.0.1"), port: listener.port },
    client,
    options(dialer),
  );
  const inbound = newInboundPeer(server, options(listener));
  dialer.dispatch.attach(out, "outbound-full-relay");
  listener.dispatch.attach(inbound, "inbound");
  dialer.peers.push(out);
  listener.peers.push(inbound);
  inbound.start();
  out.start();
  await waitFor(() => out.state === "ready" && inbound.state === "ready", "both peers ready");
  return { out, in: inbound };
}

/** A scripted remote and our peer to it, attached to `node` (or not, with `attach: false`). */
export async function scriptedLink(
  node: TestNode,
  options: { direction?: "inbound" | "outbound"; attach?: boolean; startHeight?: number } = {},
): Promise<{ peer: Peer; remote: ScriptedPeer }> {
  const { client, server } = memoryPipe({
    client: { host: "127.0.0.1", port: nextPort++ },
    server: { host: "127.0.0.1", port: node.port },
  });
  const direction = options.direction ?? "inbound";
  // ScriptedPeer always frames with mainnet's magic: the peers of a scripted
  // link use it whatever the manager's network (framing is not the manager's concern).
  const peerOptions = {
    magic: MAGIC,
    sha256: platform.sha256,
    services: SERVICES,
    bestHeight: () => node.chain.tipHeight,
  };
  const peer = direction === "outbound"
    ? newOutboundPeer({ address: parseAddress("127.0.0.1"), port: 9 }, client, peerOptions)
    : newInboundPeer(server, peerOptions);
  const remote = new ScriptedPeer(direction === "outbound" ? server : client, MAGIC);
  if (options.attach === false) {
    peer.on("message", (msg) => node.manager.onMessage(peer, msg));
  } else {
    node.dispatch.attach(peer, direction === "outbound" ? "outbound-full-relay" : "inbound");
  }
  node.peers.push(peer);
  peer.start();
  const version = {
    command: "version" as const,
    version: 70016,
    services: SERVICES,
    timestamp: Math.floor(Date.now() / 1000),
    addrRecv: {
      services: 0n,
      addr: { network: "ipv4" as const, bytes: new Uint8Array(4) },
      port: 0,
    },
    addrFrom: {
      services: 0n,
      addr: { network: "ipv6" as const, bytes: new Uint8Array(16) },
      port: 0,
    },
    nonce: 0x1234n + BigInt(nextPort),
    userAgent: "/scripted:0.1/",
    startHeight: options.startHeight ?? 0,
    relay: false,
  };
  if (direction === "outbound") await remote.acceptHandshake(version);
  else await remote.initiateHandshake(version);
  await waitFor(() => peer.state === "ready", "peer ready");
  return { peer, remote };
}

/** Records the messages `peer` receives from now on. */
export function recordMessages(peer: Peer): Message[] {
  const messages: Message[] = [];
  peer.on("message", (m) => messages.push(m));
  return messages;
}

/**
 * The next message from `remote` whose command is one of `commands`,
 * skipping (and returning in `skipped`) the others.
 */
export async function nextOf(
  remote: ScriptedPeer,
  commands: readonly string[],
  skipped: string[] = [],
): Promise<Message> {
  for (let i = 0; i < 100; i++) {
    const msg = await remote.next();
    if (msg === null) throw new Error(`stream ended waiting for ${commands.join("/")}`);
    if (commands.includes(msg.command)) return msg;
    skipped.push(msg.command);
  }
  throw new Error(`no ${commands.join("/")} within 100 messages`);
}

/** Sends a ping and reads until its pong: everything our peer sent before it, as commands. */
export async function roundTrip(remote: ScriptedPeer): Promise<Message[]> {
  const nonce = BigInt(Math.floor(Math.random() * 2 ** 48));
  await remote.send({ command: "ping", nonce });
  const seen: Message[] = [];
  for (let i = 0; i < 1000; i++) {
    const msg = await remote.next();
    if (msg === null) throw new Error("stream ended before the pong");
    if (msg.command === "pong" && msg.nonce === nonce) return seen;
    seen.push(msg);
  }
  throw new Error("no pong within 1000 messages");
}

/** Stops the managers and disconnects every peer. */
export async function shutdown(nodes: readonly TestNode[]): Promise<void> {
  for (const node of nodes) await node.manager.stop();
  for (const node of nodes) {
    await Promise.all(node.peers.map((p) => p.disconnect("test over")));
  }
}
