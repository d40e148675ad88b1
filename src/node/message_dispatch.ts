/**
 * The message dispatch: where each peer's messages go once its handshake
 * completes. addr, addrv2 and getaddr go to the address exchange
 * (`src/addrmgr/addr_exchange.ts`), which takes part in address relay with
 * the peer as its connection kind says (`CONN_KINDS` `addrRelay`: never
 * with a block-relay-only peer), everything else to the block service.
 * A `--seednode` peer takes part in address gossip only (it is there to be
 * asked for addresses); a feeler takes part in nothing: it only tests the
 * address and goes. Messages before the handshake completes are the peer's
 * own business.
 */
import type { AddrRelay } from "../addrmgr/gossip.ts";
import { CONN_KINDS, type ConnKind } from "../connmgr/connection.ts";
import type { Peer } from "../peer/peer.ts";
import type { Message } from "../wire/message.ts";
import type { BlockPeers } from "./block_service.ts";

/** What the dispatch hands address traffic to (`AddrExchange` is one). */
export interface AddressPeers {
  /**
   * A peer completed its handshake; `relay`: when it takes part in address
   * relay; `seed`: a `--seednode` peer.
   */
  addPeer(peer: Peer, relay: AddrRelay, seed: boolean): void;
  removePeer(id: number): void;
  /** An addr, addrv2 or getaddr message. */
  onMessage(peer: Peer, msg: Message): void;
}

/** What a `MessageDispatch` needs. */
export interface MessageDispatchOptions {
  readonly addresses: AddressPeers;
  readonly blocks: BlockPeers;
}

/** Routes every peer's messages to the part that handles them. */
export class MessageDispatch {
  readonly #addresses: AddressPeers;
  readonly #blocks: BlockPeers;

  constructor(options: MessageDispatchOptions) {
    this.#addresses = options.addresses;
    this.#blocks = options.blocks;
  }

  /** Subscribes to a new peer's events (call before it starts). */
  attach(peer: Peer, kind: ConnKind): void {
    if (kind === "feeler") return;
    const seed = kind === "addr-fetch";
    let ready = false;
    peer.on("ready", () => {
      ready = true;
      if (!seed) this.#blocks.addPeer(peer);
      this.#addresses.addPeer(peer, CONN_KINDS[kind].addrRelay, seed);
    });
    peer.on("message", (msg) => {
      if (!ready) return;
      switch (msg.command) {
        case "addr":
        case "addrv2":
        case "getaddr":
          this.#addresses.onMessage(peer, msg);
          return;
        default:
          this.#blocks.onMessage(peer, msg);
      }
    });
    peer.on("disconnected", () => {
      if (!ready) return;
      ready = false;
      this.#addresses.removePeer(peer.id);
      if (!seed) this.#blocks.removePeer(peer.id);
    });
  }
}
