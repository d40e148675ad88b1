/**
 * The peer handler: where each peer's messages go. Address gossip goes to
 * `AddrGossip` (addr/addrv2 in, relays out to the peers it picks; getaddr
 * answered for inbound peers only), everything else to the block room. After
 * an outbound handshake a getaddr is sent once while the book needs
 * addresses (always to a `--seednode` peer), and a listening node advertises
 * its own address to it (`self_advert.ts`). Feelers take part in nothing:
 * they only test the address and go.
 */
import type { AddrGossip, RelayOrder } from "../addrmgr/gossip.ts";
import type { ConnKind } from "../connmgr/connection.ts";
import type { Logger } from "../log/logger.ts";
import type { Peer } from "../peer/peer.ts";
import { isAddrV1Compatible } from "../wire/address.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";
import type { BlockRoom } from "./block_room.ts";
import { type LocalService, selfAdvertisement } from "./self_advert.ts";

/** What the router needs. */
export interface PeerRouterOptions {
  readonly gossip: AddrGossip;
  readonly blocks: BlockRoom;
  readonly logger: Logger;
  /** Our listening port and services, asked when a peer is ready. */
  readonly local: () => LocalService;
  /** Wall time, ms (the node's clock). */
  readonly now: () => number;
}

/** Routes every peer's messages to the room that handles them. */
export class PeerRouter {
  readonly #gossip: AddrGossip;
  readonly #blocks: BlockRoom;
  readonly #log: Logger;
  readonly #local: () => LocalService;
  readonly #now: () => number;
  /** Peers taking part in gossip and block relay, by id. */
  readonly #peers = new Map<number, Peer>();

  constructor(options: PeerRouterOptions) {
    this.#gossip = options.gossip;
    this.#blocks = options.blocks;
    this.#log = options.logger;
    this.#local = options.local;
    this.#now = options.now;
  }

  /** Subscribes to a new peer's events (call before it starts). */
  attach(peer: Peer, kind: ConnKind): void {
    if (kind === "feeler") return;
    peer.on("ready", () => this.#ready(peer, kind));
    peer.on("message", (msg) => {
      if (!this.#peers.has(peer.id)) return;
      switch (msg.command) {
        case "addr":
        case "addrv2":
          this.#relay(this.#gossip.onAddr(peer.id, msg.addresses).relay);
          return;
        case "getaddr": {
          const answer = this.#gossip.onGetaddr(peer.id);
          if (answer !== undefined) {
            peer.send({ command: answer.command, addresses: answer.addresses });
          }
          return;
        }
        default:
          this.#blocks.onMessage(peer, msg);
      }
    });
    peer.on("disconnected", () => {
      if (!this.#peers.delete(peer.id)) return;
      this.#gossip.removePeer(peer.id);
      if (kind !== "addr-fetch") this.#blocks.removePeer(peer);
    });
  }

  #ready(peer: Peer, kind: ConnKind): void {
    this.#peers.set(peer.id, peer);
    this.#gossip.addPeer({
      id: peer.id,
      address: peer.address.address,
      inbound: peer.direction === "inbound",
      addrv2: peer.features.addrV2,
    });
    if (kind !== "addr-fetch") this.#blocks.addPeer(peer);
    if (kind === "addr-fetch" || this.#gossip.shouldSendGetaddr(peer.id)) {
      if (peer.send({ command: "getaddr" })) this.#gossip.getaddrSent(peer.id);
    }
    const self = kind === "addr-fetch" ? null : selfAdvertisement(
      peer.direction,
      peer.remoteVersion,
      this.#local(),
      Math.floor(this.#now() / 1000),
    );
    if (self !== null) this.#send(peer, [self]);
  }

  /** Sends `addresses` as addrv2 when the peer asked for it, else those addr can carry. */
  #send(to: Peer, addresses: PeerAddress[]): void {
    if (to.features.addrV2) to.send({ command: "addrv2", addresses });
    else {
      const v1 = addresses.filter((a) => isAddrV1Compatible(a.addr));
      if (v1.length > 0) to.send({ command: "addr", addresses: v1 });
    }
  }

  /** Sends each relay order, one message per receiving peer. */
  #relay(orders: readonly RelayOrder[]): void {
    if (orders.length === 0) return;
    const byPeer = new Map<number, PeerAddress[]>();
    for (const o of orders) {
      const list = byPeer.get(o.peerId);
      if (list === undefined) byPeer.set(o.peerId, [o.address]);
      else list.push(o.address);
    }
    for (const [id, addresses] of byPeer) {
      const to = this.#peers.get(id);
      if (to !== undefined) this.#send(to, addresses);
    }
    this.#log.debug("addresses relayed", { orders: orders.length, peers: byPeer.size });
  }
}
