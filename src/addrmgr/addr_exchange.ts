/**
 * Address gossip with live peers: the half of gossip that talks. When a
 * peer's handshake completes it joins the gossip (`gossip.ts`) as its
 * connection kind says (`AddrRelay`): an outbound peer that takes part from
 * the handshake is asked for addresses once (a `--seednode` peer too) and,
 * when we listen, told our own address (`self_advert.ts`); an inbound peer
 * takes part once it sends an address message; a block-relay-only peer
 * never does: nothing is sent to it and what it sends is ignored. Addr and
 * addrv2 go to the gossip, and the fresh ones are relayed to the peers the
 * gossip picks, one message per receiving peer: addrv2 to peers that asked
 * for it, else the addresses addr can carry. A getaddr is answered from the
 * gossip's cache (inbound peers only). Peers are seen only through the
 * small `AddrPeer` interface.
 */
import type { Logger } from "../log/logger.ts";
import { isAddrV1Compatible, type NetAddress } from "../wire/address.ts";
import type { Message } from "../wire/message.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";
import type { VersionMessage } from "../wire/messages/version.ts";
import type { AddrGossip, AddrRelay, RelayOrder } from "./gossip.ts";
import { type LocalService, selfAdvertisement } from "./self_advert.ts";

/** A connected peer as the address exchange sees it (`Peer` satisfies it). */
export interface AddrPeer {
  /** Node-wide id. */
  readonly id: number;
  readonly direction: "inbound" | "outbound";
  /** Where it is: the source recorded for the addresses it tells us. */
  readonly address: { readonly address: NetAddress };
  /** It sent sendaddrv2. */
  readonly features: { readonly addrV2: boolean };
  /** Its `version` (what address it sees us at), once received. */
  readonly remoteVersion: VersionMessage | null;
  /** Queues a message; false when it was not sent. */
  send(msg: Message): boolean;
}

/** What an `AddrExchange` needs. */
export interface AddrExchangeOptions {
  readonly gossip: AddrGossip;
  readonly logger: Logger;
  /** Our listening port and services, asked when a peer is ready. */
  readonly local: () => LocalService;
  /** Wall time, ms (the node's clock). */
  readonly now: () => number;
}

/** Sends and receives addresses for the connected peers. */
export class AddrExchange {
  readonly #gossip: AddrGossip;
  readonly #log: Logger;
  readonly #local: () => LocalService;
  readonly #now: () => number;
  /** Peers taking part, by id. */
  readonly #peers = new Map<number, AddrPeer>();

  constructor(options: AddrExchangeOptions) {
    this.#gossip = options.gossip;
    this.#log = options.logger;
    this.#local = options.local;
    this.#now = options.now;
  }

  /**
   * A peer completed its handshake; `relay` says when it takes part in
   * address relay. `seed`: a `--seednode` peer, there only to be asked for
   * addresses (not told our address).
   */
  addPeer(peer: AddrPeer, relay: AddrRelay, seed = false): void {
    this.#peers.set(peer.id, peer);
    this.#gossip.addPeer({
      id: peer.id,
      address: peer.address.address,
      inbound: peer.direction === "inbound",
      addrv2: peer.features.addrV2,
      addrRelay: relay,
    });
    if (relay === "never") return;
    if (seed || this.#gossip.shouldSendGetaddr(peer.id)) {
      if (peer.send({ command: "getaddr" })) this.#gossip.getaddrSent(peer.id);
    }
    if (seed) return;
    const self = selfAdvertisement(
      peer.direction,
      peer.remoteVersion,
      this.#local(),
      Math.floor(this.#now() / 1000),
    );
    if (self !== null) this.#send(peer, [self]);
  }

  /** A peer left. */
  removePeer(id: number): void {
    if (this.#peers.delete(id)) this.#gossip.removePeer(id);
  }

  /** Handles an addr, addrv2 or getaddr message from `peer` (others are not its business). */
  onMessage(peer: AddrPeer, msg: Message): void {
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
    }
  }

  /** Sends `addresses` as addrv2 when the peer asked for it, else those addr can carry. */
  #send(to: AddrPeer, addresses: PeerAddress[]): void {
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
