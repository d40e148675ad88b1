/**
 * The eclipse attacker of the "eclipse" scenario (Heilman, Kendler, Zohar,
 * Goldberg, "Eclipse Attacks on Bitcoin's Peer-to-Peer Network", 2015):
 * many listening addresses in a few /16 groups, one behaviour behind all of
 * them. It accepts every connection, answers `getaddr` with its own
 * addresses, keeps inbound connections open to the victim (a new address
 * when one is dropped) and floods `addr` messages of its addresses over them.
 *
 * It also serves a chain: the honest chain (`SimChain`) while it follows
 * it, and only the prefix it had once `freeze` is called (a stale chain:
 * it answers `getheaders` and `getdata` from that prefix, claims its
 * height in `version`, and never announces a block).
 *
 * And it probes address relay (Grundmann and others' topology inference):
 * one more connection to the victim, which does not flood, sends one unique
 * fresh address every few minutes; the scenario then looks where those
 * addresses reappear (in the honest nodes' books, recorded as heard from the
 * victim: the victim's address-relay neighbours).
 */
import { silentLogger } from "../src/log/logger.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../src/peer/peer.ts";
import type { PeerOptions } from "../src/peer/peer_options.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../src/peer/services.ts";
import type { Random } from "../src/platform/random.ts";
import type { NetAddress } from "../src/wire/address.ts";
import { parseAddress } from "../src/wire/address_format.ts";
import type { PeerAddress } from "../src/wire/messages/addr.ts";
import { MAX_ADDR_ENTRIES } from "../src/wire/messages/addr.ts";
import { type InvItem, MSG_BLOCK, MSG_WITNESS_FLAG } from "../src/wire/messages/inv.ts";
import type { SimChain } from "./sim_chain.ts";
import type { SimWorld } from "./world.ts";

/** The /16 groups the attacker's addresses fall into. */
export const ATTACKER_GROUPS = 10;
/** Each flooding connection sends one full `addr` message this often. */
export const FLOOD_INTERVAL_MS = 60_000;
/** The prober sends one unique address this often. */
export const PROBE_INTERVAL_MS = 5 * 60_000;
/** The attacker redials the victim this long after losing a connection. */
const REDIAL_MS = 30_000;
/** Attacker addresses claim to have been seen within this many seconds (fresh). */
const FRESH_SECONDS = 3_600;
/** First byte of the probe addresses (200.0.0.0/8: routable, no honest or attacker host). */
const PROBE_FIRST_BYTE = 200;

/** The `i`-th attacker address: group `i % 10` is 150.77/16 to 159.77/16 (no honest host there). */
function attackerHost(i: number): string {
  const group = i % ATTACKER_GROUPS;
  const k = Math.floor(i / ATTACKER_GROUPS);
  return `${150 + group}.77.${1 + (k >> 7)}.${1 + (k & 127)}`;
}

/** True when `a` is in one of the attacker's /16 groups. */
export function isAttackerAddress(a: NetAddress): boolean {
  return a.network === "ipv4" && a.bytes[0] >= 150 && a.bytes[0] < 150 + ATTACKER_GROUPS &&
    a.bytes[1] === 77;
}

/** True when `a` is one of the prober's unique addresses. */
export function isProbeAddress(a: NetAddress): boolean {
  return a.network === "ipv4" && a.bytes[0] === PROBE_FIRST_BYTE;
}

/** What the attacker needs. */
export interface AttackerOptions {
  readonly world: SimWorld;
  readonly random: Random;
  readonly addresses: number;
  /** The chain it serves (the honest one, until `freeze`). */
  readonly chain: SimChain;
}

/** The attacker: many listening addresses, one behaviour. */
export class EclipseAttacker {
  readonly hosts: string[];
  /** Connections accepted on the attacker's addresses. */
  accepted = 0;
  /** `addr` messages sent (answers and flood). */
  addrSent = 0;
  /** Probe addresses sent. */
  probesSent = 0;
  /** The same, parsed once (the flood sends thousands a minute). */
  readonly #addresses: NetAddress[];
  readonly #world: SimWorld;
  readonly #random: Random;
  readonly #chain: SimChain;
  readonly #peers = new Set<Peer>();
  /** Height of the stale chain served once frozen, or null while following. */
  #frozenAt: number | null = null;
  #nextId = 1;
  #nextProbe = 1;
  #stopped = false;

  constructor(options: AttackerOptions) {
    this.#world = options.world;
    this.#random = options.random;
    this.#chain = options.chain;
    this.hosts = Array.from({ length: options.addresses }, (_, i) => attackerHost(i));
    this.#addresses = this.hosts.map((h) => parseAddress(h));
  }

  /** Height of the chain it serves. */
  get height(): number {
    return this.#frozenAt ?? this.#chain.height;
  }

  /** From now on only the chain as it is now is served: a stale chain. */
  freeze(): void {
    this.#frozenAt = this.#chain.height;
  }

  /** Listens on every attacker address. */
  async listen(): Promise<void> {
    const port = this.#world.params.defaultPort;
    for (const host of this.hosts) {
      await this.#world.net.listen(host, {
        host,
        port,
        onConn: (conn) => {
          if (this.#stopped) return conn.close();
          this.accepted++;
          this.#run(newInboundPeer(conn, this.#peerOptions()));
        },
      });
    }
  }

  /** Keeps `count` inbound connections open to `target` (a host), flooding `addr` over them. */
  attack(target: string, count: number): void {
    for (let i = 0; i < count; i++) this.#connect(target, "flood");
  }

  /** Keeps one more connection to `target` that sends a unique address every few minutes. */
  probe(target: string): void {
    this.#connect(target, "probe");
  }

  /** Stops flooding, probing and redialling, and drops every connection. */
  stop(): void {
    this.#stopped = true;
    for (const p of this.#peers) void p.disconnect("attacker stopped");
  }

  #connect(target: string, role: "flood" | "probe"): void {
    if (this.#stopped) return;
    const from = this.hosts[this.#random.int(this.hosts.length)];
    const port = this.#world.params.defaultPort;
    const retry = () => this.#world.clock.setTimer(REDIAL_MS, () => this.#connect(target, role));
    this.#world.net.dial(from, { host: target, port }, { timeoutMs: 10_000 }).then((conn) => {
      const peer = newOutboundPeer(
        { address: parseAddress(target), port },
        conn,
        { ...this.#peerOptions(), requiredServices: 0n },
      );
      peer.on("disconnected", retry);
      this.#run(peer, role);
    }, retry);
  }

  #run(peer: Peer, role?: "flood" | "probe"): void {
    this.#peers.add(peer);
    const clock = this.#world.clock;
    const abort = new AbortController();
    peer.on("disconnected", () => {
      this.#peers.delete(peer);
      abort.abort();
    });
    peer.on("message", (msg) => {
      switch (msg.command) {
        case "getaddr":
          this.#sendAddr(peer);
          return;
        case "getheaders":
          peer.send({
            command: "headers",
            headers: this.#chain.headersAfter(msg.locator, this.height),
          });
          return;
        case "getdata":
          this.#serveBlocks(peer, msg.items);
          return;
      }
    });
    if (role !== undefined) {
      const interval = role === "flood" ? FLOOD_INTERVAL_MS : PROBE_INTERVAL_MS;
      peer.on("ready", () => {
        const tick = () => {
          if (this.#stopped) return;
          if (role === "flood") this.#sendAddr(peer);
          else this.#sendProbe(peer);
          clock.setTimer(interval, tick, abort.signal);
        };
        tick();
      });
    }
    peer.start();
  }

  #serveBlocks(peer: Peer, items: readonly InvItem[]): void {
    for (const item of items) {
      if ((item.type & ~MSG_WITNESS_FLAG) !== MSG_BLOCK) continue;
      const block = this.#chain.block(item.hash, this.height);
      if (block !== undefined) peer.send({ command: "block", raw: block });
    }
  }

  /** One `addr` message of random attacker addresses, recently seen. */
  #sendAddr(peer: Peer): void {
    const now = Math.floor(this.#world.clock.now() / 1000);
    const addresses: PeerAddress[] = [];
    for (let i = 0; i < MAX_ADDR_ENTRIES; i++) {
      addresses.push({
        time: now - this.#random.int(FRESH_SECONDS),
        services: NODE_NETWORK | NODE_WITNESS,
        addr: this.#addresses[this.#random.int(this.#addresses.length)],
        port: this.#world.params.defaultPort,
      });
    }
    if (peer.send({ command: "addr", addresses })) this.addrSent++;
  }

  /** One `addr` message of one address nobody else knows, seen just now. */
  #sendProbe(peer: Peer): void {
    const n = this.#nextProbe++;
    const addr = parseAddress(
      `${PROBE_FIRST_BYTE}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    );
    const time = Math.floor(this.#world.clock.now() / 1000);
    const services = NODE_NETWORK | NODE_WITNESS;
    const port = this.#world.params.defaultPort;
    if (peer.send({ command: "addr", addresses: [{ time, services, addr, port }] })) {
      this.probesSent++;
    }
  }

  #peerOptions(): PeerOptions {
    return {
      magic: this.#world.params.magic,
      sha256: this.#world.sha256,
      clock: this.#world.clock,
      random: this.#random,
      logger: silentLogger,
      services: NODE_NETWORK | NODE_WITNESS,
      bestHeight: () => this.height,
      id: this.#nextId++,
    };
  }
}
