/**
 * A full node for tests on loopback: a block manager holding every block it
 * is given in memory, behind a listener on 127.0.0.1:0 whose peers announce
 * NODE_NETWORK | NODE_WITNESS. It answers getheaders and getdata for all of
 * them (at any depth) and announces blocks added later, so a node under
 * test can sync a chain, and follow a reorg, from it. Also a scripted
 * client dialling a node, to ask for blocks and read the answers.
 */
import { platform } from "#platform";
import { silentLogger } from "../../src/log/logger.ts";
import { type AddressPeers, MessageDispatch } from "../../src/node/message_dispatch.ts";
import { newInboundPeer, type Peer } from "../../src/peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import type { Listener } from "../../src/platform/conn.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { BlockManager } from "../../src/sync/block_manager.ts";
import type { NetworkParams } from "../../src/wire/params.ts";
import { remoteVersion, ScriptedPeer } from "./scripted_peer.ts";

/** Address traffic goes nowhere: the source is about blocks. */
const NO_ADDRESSES: AddressPeers = { addPeer() {}, removePeer() {}, onMessage() {} };

/** A full node serving blocks from memory. */
export class BlockSource {
  readonly manager: BlockManager;
  readonly #listener: Listener;
  readonly #peers: Peer[] = [];

  private constructor(manager: BlockManager, listener: Listener, peers: Peer[]) {
    this.manager = manager;
    this.#listener = listener;
    this.#peers = peers;
  }

  /** Starts a source on `params` holding `blocks` (in chain order). */
  static async start(params: NetworkParams, blocks: readonly Uint8Array[]): Promise<BlockSource> {
    const manager = new BlockManager({
      params,
      sha256: platform.sha256,
      clock: systemClock,
      logger: silentLogger,
      limits: { recentBlocks: 10_000, recentBytes: 1 << 30, keepBlocks: 10_000 },
    });
    manager.start();
    for (const block of blocks) {
      const result = manager.injectBlock(block);
      if (result.status !== "accepted") throw new Error(`source refused a block: ${result.status}`);
    }
    const dispatch = new MessageDispatch({ addresses: NO_ADDRESSES, blocks: manager });
    const peers: Peer[] = [];
    const listener = await platform.listen({
      host: "127.0.0.1",
      port: 0,
      onConn: (conn) => {
        const peer = newInboundPeer(conn, {
          magic: params.magic,
          sha256: platform.sha256,
          services: NODE_NETWORK | NODE_WITNESS,
          bestHeight: () => manager.chain.tipHeight,
        });
        peers.push(peer);
        dispatch.attach(peer, "inbound");
        peer.start();
      },
    });
    return new BlockSource(manager, listener, peers);
  }

  /** `127.0.0.1:port`, for `--connect`. */
  get address(): string {
    return `127.0.0.1:${this.#listener.addr.port}`;
  }

  /** Adds a block (announced to the connected peers when it becomes the tip). */
  add(block: Uint8Array): void {
    const result = this.manager.injectBlock(block);
    if (result.status !== "accepted") throw new Error(`source refused a block: ${result.status}`);
  }

  /** Stops listening, drops every peer and stops the manager. */
  async stop(): Promise<void> {
    await this.#listener.close();
    await Promise.all(this.#peers.map((p) => p.disconnect("source stopped")));
    await this.manager.stop();
  }
}

/**
 * A scripted client connected to `address` (`host:port`) with the handshake
 * done; resolves with it and the node's `version`.
 */
export async function clientOf(address: string, params: NetworkParams) {
  const [host, port] = [address.slice(0, address.lastIndexOf(":")), address.split(":").pop()!];
  const conn = await platform.dial({ host, port: Number(port) });
  const client = new ScriptedPeer(conn, params.magic);
  const { ours } = await client.initiateHandshake(
    remoteVersion({ startHeight: 0, relay: false }),
  );
  return { client, version: ours };
}
