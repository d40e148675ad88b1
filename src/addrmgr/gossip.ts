/**
 * Address gossip with peers (Core net_processing's addr/addrv2/getaddr
 * handling), on top of the address book: who takes part in address relay
 * (Core's SetupAddressRelay, see `AddrRelay`), per-peer rate limits on
 * incoming addresses, timestamp cleaning and ageing, relay of fresh
 * addresses to two of the peers taking part, one getaddr to each outbound
 * peer that takes part, and cached getaddr answers for inbound peers. It
 * tracks peers only by id and the few facts it needs; the node tells it who
 * connects and leaves, and sends what it returns.
 */
import { mayHaveUsefulAddressDb } from "../peer/services.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import { isAddrV1Compatible, type NetAddress } from "../wire/address.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";
import { isRoutable, networkOf } from "../wire/routability.ts";
import type { AddrManager } from "./addr_manager.ts";
import { GETADDR_MAX_ADDRESSES, GETADDR_MAX_PCT, GetaddrCache } from "./getaddr_cache.ts";
import { MAX_RELAY_BATCH, RELAY_FRESH_SECONDS, RelayChooser } from "./addr_relay.ts";
import { GOSSIP_PENALTY_SECONDS, sanitiseTime } from "./timestamps.ts";
import { AddrTokenBucket, GETADDR_GRANT } from "./token_bucket.ts";

/**
 * When a peer takes part in address relay (Core's SetupAddressRelay):
 * - "from-handshake": at once (outbound full-relay, manual and seed peers):
 *   it is asked for addresses once, and may be told fresh ones;
 * - "once-asked": from its first addr, addrv2 or getaddr (inbound peers), so
 *   addresses are relayed only to inbound peers that take part themselves;
 * - "never": block-relay-only connections and feelers: nothing is asked of
 *   it, nothing it sends is taken, nothing is relayed to it, so no address
 *   ever crosses the connection (address-relay probing cannot find it).
 */
export type AddrRelay = "from-handshake" | "once-asked" | "never";

/** What gossip needs to know about a connected peer. */
export interface GossipPeer {
  /** The node's id for the peer. */
  readonly id: number;
  /** The peer's address: the source recorded for what it tells us. */
  readonly address: NetAddress;
  readonly inbound: boolean;
  /** The peer sent sendaddrv2 (gets addrv2, and Tor/I2P/CJDNS addresses). */
  readonly addrv2: boolean;
  /**
   * When it takes part in address relay. Default: "once-asked" for inbound
   * peers, "from-handshake" for outbound ones.
   */
  readonly addrRelay?: AddrRelay;
}

/** One address to forward, and to whom. */
export interface RelayOrder {
  readonly peerId: number;
  readonly address: PeerAddress;
}

/** What came of one addr/addrv2 message. */
export interface AddrReceipt {
  /** Addresses that passed the rate limit and are not banned. */
  readonly accepted: number;
  /** Addresses dropped by the rate limit. */
  readonly rateLimited: number;
  /** Addresses that took a new slot in the book. */
  readonly added: number;
  /** Fresh addresses to forward (the node sends each to its peer). */
  readonly relay: readonly RelayOrder[];
}

/** A getaddr answer to send. */
export interface GetaddrAnswer {
  readonly command: "addr" | "addrv2";
  readonly addresses: readonly PeerAddress[];
}

/** Running totals. */
export interface GossipStats {
  readonly received: number;
  readonly rateLimited: number;
  readonly relayed: number;
  readonly getaddrAnswered: number;
  /** getaddr from outbound peers, from peers outside address relay, or repeated. */
  readonly getaddrIgnored: number;
  /** addr messages from peers outside address relay. */
  readonly addrIgnored: number;
}

/** What `AddrGossip` needs. */
export interface AddrGossipOptions {
  readonly book: AddrManager;
  readonly sha256: Sha256;
  readonly clock: Clock;
  /** Default `cryptoRandom`. */
  readonly random?: Random;
  /** True for addresses that must not be shared (banned or discouraged). */
  readonly isBanned?: (addr: NetAddress) => boolean;
}

interface PeerState {
  readonly info: GossipPeer;
  readonly mode: AddrRelay;
  /** It takes part in address relay now (Core m_addr_relay_enabled). */
  relaying: boolean;
  readonly bucket: AddrTokenBucket;
  /** We asked it for addresses and the answer has not ended yet (Core m_getaddr_sent). */
  getaddrSent: boolean;
  /** We ever asked it (one getaddr per connection). */
  getaddrEverSent: boolean;
  /** It asked us already (one answer per connection). */
  getaddrAnswered: boolean;
}

/** Address gossip for all connected peers. */
export class AddrGossip {
  readonly #book: AddrManager;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #isBanned: (addr: NetAddress) => boolean;
  readonly #relay: RelayChooser;
  readonly #cache: GetaddrCache;
  readonly #peers = new Map<number, PeerState>();
  #stats = {
    received: 0,
    rateLimited: 0,
    relayed: 0,
    getaddrAnswered: 0,
    getaddrIgnored: 0,
    addrIgnored: 0,
  };

  constructor(options: AddrGossipOptions) {
    this.#book = options.book;
    this.#clock = options.clock;
    this.#random = options.random ?? cryptoRandom;
    this.#isBanned = options.isBanned ?? (() => false);
    this.#relay = new RelayChooser(options.sha256, this.#random.bytes(32));
    this.#cache = new GetaddrCache(this.#random);
  }

  /** A peer finished its handshake. */
  addPeer(peer: GossipPeer): void {
    const mode = peer.addrRelay ?? (peer.inbound ? "once-asked" : "from-handshake");
    this.#peers.set(peer.id, {
      info: peer,
      mode,
      relaying: mode === "from-handshake",
      bucket: new AddrTokenBucket(this.#clock.now()),
      getaddrSent: false,
      getaddrEverSent: false,
      getaddrAnswered: false,
    });
  }

  /** A peer disconnected. */
  removePeer(id: number): void {
    this.#peers.delete(id);
  }

  /** True while peer `id` takes part in address relay. */
  relaying(id: number): boolean {
    return this.#peers.get(id)?.relaying ?? false;
  }

  /**
   * Whether to send getaddr to peer `id` now: outbound, in address relay
   * from the handshake, not asked before on this connection (Core asks
   * every such peer once, however full the book: fresh answers keep it
   * current).
   */
  shouldSendGetaddr(id: number): boolean {
    const p = this.#peers.get(id);
    return p !== undefined && !p.info.inbound && p.relaying && !p.getaddrEverSent;
  }

  /** We sent getaddr to `id`: its answer (up to 1,000 addresses) passes the rate limit. */
  getaddrSent(id: number): void {
    const p = this.#peers.get(id);
    if (p === undefined) return;
    p.getaddrSent = true;
    p.getaddrEverSent = true;
    p.bucket.grant(GETADDR_GRANT);
  }

  /**
   * An addr/addrv2 message from peer `id` (already bounded to 1,000 entries
   * by the decoder); an inbound peer takes part in address relay from its
   * first one, a peer that never does is ignored. Addresses are taken in
   * random order until the peer's token bucket is empty; the rest are
   * dropped and counted. Addresses of nodes that keep no blocks (neither
   * NODE_NETWORK nor NODE_NETWORK_LIMITED: Core's ADDR handler,
   * `mayHaveUsefulAddressDb`) and banned addresses are skipped, neither
   * stored nor relayed. Timestamps are cleaned, then the book adds the
   * addresses with a 2-hour penalty (none for the peer's own address). From
   * a small message (≤ 10) that is not a getaddr answer, fresh routable
   * addresses are relayed to two other peers.
   */
  onAddr(id: number, addresses: readonly PeerAddress[]): AddrReceipt {
    const p = this.#peers.get(id);
    if (p === undefined || p.mode === "never") {
      this.#stats.addrIgnored++;
      return { accepted: 0, rateLimited: 0, added: 0, relay: [] };
    }
    p.relaying = true;
    const nowMs = this.#clock.now();
    const now = Math.floor(nowMs / 1000);
    p.bucket.refill(nowMs);
    const shuffled = addresses.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = this.#random.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const relayable = !p.getaddrSent && addresses.length <= MAX_RELAY_BATCH;
    const ok: PeerAddress[] = [];
    const relay: RelayOrder[] = [];
    let rateLimited = 0;
    for (const a of shuffled) {
      if (!p.bucket.take()) {
        rateLimited++;
        continue;
      }
      if (!mayHaveUsefulAddressDb(a.services) || this.#isBanned(a.addr)) continue;
      const time = sanitiseTime(a.time, now);
      const clean = time === a.time ? a : { ...a, time };
      ok.push(clean);
      if (relayable && time > now - RELAY_FRESH_SECONDS && isRoutable(a.addr)) {
        for (const to of this.#relay.choose(a.addr, a.port, this.#relayCandidates(), id, now)) {
          relay.push({ peerId: to, address: clean });
        }
      }
    }
    // An answer to our getaddr is complete once a message is not full.
    if (addresses.length < GETADDR_MAX_ADDRESSES) p.getaddrSent = false;
    const added = this.#book.add(ok, p.info.address, GOSSIP_PENALTY_SECONDS);
    this.#stats.received += ok.length;
    this.#stats.rateLimited += rateLimited;
    this.#stats.relayed += relay.length;
    return { accepted: ok.length, rateLimited, added, relay };
  }

  *#relayCandidates(): Iterable<{ id: number; addrv2: boolean }> {
    for (const p of this.#peers.values()) {
      if (p.relaying) yield { id: p.info.id, addrv2: p.info.addrv2 };
    }
  }

  /**
   * A getaddr from peer `id`: answered once per connection, and only for
   * inbound peers (answering outbound ones would let the peers we chose
   * fingerprint us), which take part in address relay from then on. The
   * answer is the cached sample for the peer's network
   * (23% of the book, at most 1,000, no terrible or banned addresses),
   * as addrv2 to peers that asked for it, else as addr with IPv4/IPv6 only.
   */
  onGetaddr(id: number): GetaddrAnswer | undefined {
    const p = this.#peers.get(id);
    if (p === undefined || !p.info.inbound || p.mode === "never" || p.getaddrAnswered) {
      this.#stats.getaddrIgnored++;
      return undefined;
    }
    p.relaying = true;
    p.getaddrAnswered = true;
    const sample = this.#cache.get(
      networkOf(p.info.address),
      this.#clock.now(),
      () =>
        this.#book.getAddresses({
          maxCount: GETADDR_MAX_ADDRESSES,
          maxPct: GETADDR_MAX_PCT,
          exclude: this.#isBanned,
        }).map(({ time, services, addr, port }) => ({ time, services, addr, port })),
    );
    this.#stats.getaddrAnswered++;
    if (p.info.addrv2) return { command: "addrv2", addresses: sample };
    return { command: "addr", addresses: sample.filter((a) => isAddrV1Compatible(a.addr)) };
  }

  /** Running totals. */
  stats(): GossipStats {
    return { ...this.#stats };
  }
}
