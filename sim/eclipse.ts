/**
 * The "eclipse" scenario (Heilman, Kendler, Zohar, Goldberg, "Eclipse
 * Attacks on Bitcoin's Peer-to-Peer Network", 2015): an attacker owning
 * 5,000 addresses in 10 IPv4 /16 groups accepts every connection on every
 * one of them, answers `getaddr` with its own addresses, keeps inbound
 * connections open to the victim from its addresses (a new address when
 * one is dropped) and floods `addr` messages of its addresses over them.
 * The victim lives in an honest network seeded from DNS. After a virtual
 * day the victim restarts (stopped, then a new node on the same host and
 * memory store, as a process restart); the figure is how many of its 8
 * outbound peers are outside the attacker's groups afterwards.
 */
import { newInboundPeer, newOutboundPeer, type Peer } from "../src/peer/peer.ts";
import type { PeerOptions } from "../src/peer/peer_options.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../src/peer/services.ts";
import { entryAddress } from "../src/addrmgr/entry.ts";
import type { EdgeNode } from "../src/node/node.ts";
import type { Sha256 } from "../src/platform/hash.ts";
import type { MemoryUsage } from "../src/platform/platform.ts";
import type { Random } from "../src/platform/random.ts";
import type { NetAddress } from "../src/wire/address.ts";
import { parseAddress } from "../src/wire/address_format.ts";
import type { PeerAddress } from "../src/wire/messages/addr.ts";
import { MAX_ADDR_ENTRIES } from "../src/wire/messages/addr.ts";
import { silentLogger } from "../src/log/logger.ts";
import { ANSWERING_SEEDS, SEED_ANSWER_SIZE } from "./network_scenario.ts";
import { sampleOf, SimWorld, worldHost, type WorldNode } from "./world.ts";
import type { SimCrypto } from "../adapters/sim/network.ts";

/** The attacker's addresses (Heilman et al. use a botnet of this order). */
export const ATTACKER_ADDRESSES = 5_000;
/** The /16 groups they fall into. */
export const ATTACKER_GROUPS = 10;
/** Inbound connections the attacker keeps open to the victim. */
export const ATTACKER_INBOUND = 20;
/** Each of them sends one full `addr` message this often. */
export const FLOOD_INTERVAL_MS = 60_000;
/** The attacker redials the victim this long after losing a connection. */
const REDIAL_MS = 30_000;
/** Attacker addresses claim to have been seen within this many seconds (fresh). */
const FRESH_SECONDS = 3_600;

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

/** What the attacker needs. */
interface AttackerOptions {
  readonly world: SimWorld;
  readonly random: Random;
  readonly addresses: number;
}

/** The attacker: many listening addresses, one behaviour. */
export class EclipseAttacker {
  readonly hosts: string[];
  /** The same, parsed once (the flood sends thousands a minute). */
  readonly #addresses: NetAddress[];
  /** Connections accepted on the attacker's addresses. */
  accepted = 0;
  /** `addr` messages sent (answers and flood). */
  addrSent = 0;
  readonly #world: SimWorld;
  readonly #random: Random;
  readonly #peers = new Set<Peer>();
  #nextId = 1;
  #stopped = false;

  constructor(options: AttackerOptions) {
    this.#world = options.world;
    this.#random = options.random;
    this.hosts = Array.from({ length: options.addresses }, (_, i) => attackerHost(i));
    this.#addresses = this.hosts.map((h) => parseAddress(h));
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
          this.#run(newInboundPeer(conn, this.#peerOptions()), false);
        },
      });
    }
  }

  /** Keeps `count` inbound connections open to `target` (a host), flooding `addr` over them. */
  attack(target: string, count: number): void {
    for (let i = 0; i < count; i++) this.#connect(target);
  }

  /** Stops flooding and redialling, and drops every connection. */
  stop(): void {
    this.#stopped = true;
    for (const p of this.#peers) void p.disconnect("attacker stopped");
  }

  #connect(target: string): void {
    if (this.#stopped) return;
    const from = this.hosts[this.#random.int(this.hosts.length)];
    const port = this.#world.params.defaultPort;
    const retry = () => this.#world.clock.setTimer(REDIAL_MS, () => this.#connect(target));
    this.#world.net.dial(from, { host: target, port }, { timeoutMs: 10_000 }).then((conn) => {
      const peer = newOutboundPeer(
        { address: parseAddress(target), port },
        conn,
        { ...this.#peerOptions(), requiredServices: 0n },
      );
      peer.on("disconnected", retry);
      this.#run(peer, true);
    }, retry);
  }

  #run(peer: Peer, flood: boolean): void {
    this.#peers.add(peer);
    const clock = this.#world.clock;
    const abort = new AbortController();
    peer.on("disconnected", () => {
      this.#peers.delete(peer);
      abort.abort();
    });
    peer.on("message", (msg) => {
      if (msg.command === "getaddr") this.#sendAddr(peer);
    });
    if (flood) {
      peer.on("ready", () => {
        const tick = () => {
          if (this.#stopped) return;
          this.#sendAddr(peer);
          clock.setTimer(FLOOD_INTERVAL_MS, tick, abort.signal);
        };
        tick();
      });
    }
    peer.start();
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

  #peerOptions(): PeerOptions {
    return {
      magic: this.#world.params.magic,
      sha256: this.#world.sha256,
      clock: this.#world.clock,
      random: this.#random,
      logger: silentLogger,
      services: NODE_NETWORK | NODE_WITNESS,
      id: this.#nextId++,
    };
  }
}

/** What to run. */
export interface EclipseScenarioOptions {
  readonly sha256: Sha256;
  /** The runtime's BIP324 AEAD and curve (see `WorldOptions.crypto`). */
  readonly crypto?: SimCrypto;
  readonly seed: number;
  /** Honest nodes besides the victim. */
  readonly honest: number;
  /** Virtual time of the attack before the restart. */
  readonly attackMs: number;
  /** Virtual time after the restart before the figures are taken. */
  readonly afterRestartMs: number;
  /** Attacker addresses (default `ATTACKER_ADDRESSES`). */
  readonly attackerAddresses?: number;
  /** Inbound connections the attacker keeps to the victim (default `ATTACKER_INBOUND`). */
  readonly attackerInbound?: number;
  readonly memory?: () => MemoryUsage;
  /** Called every virtual hour of the attack with the victim's view. */
  readonly onHour?: (hours: number, view: VictimView) => void;
}

/** The victim's address book and outbound peers at one moment. */
export interface VictimView {
  readonly outbound: number;
  /** Outbound peers outside the attacker's groups. */
  readonly honestOutbound: number;
  readonly newEntries: number;
  readonly newAttacker: number;
  readonly triedEntries: number;
  readonly triedAttacker: number;
}

/** What came out. */
export interface EclipseFigures {
  readonly honestNodes: number;
  readonly attackerAddresses: number;
  readonly attackerGroups: number;
  /** Before the restart, at the end of the attack. */
  readonly before: VictimView;
  /** After the restart. */
  readonly after: VictimView;
  /** Connections the attacker accepted, and `addr` messages it sent. */
  readonly attackerAccepted: number;
  readonly attackerAddrMessages: number;
  readonly virtualMs: number;
  readonly peakRss: number;
  readonly peakHeap: number;
}

/** The victim's view now. */
export function victimView(world: SimWorld, node: EdgeNode): VictimView {
  const outbound = world.outboundPeers(node);
  let newEntries = 0, newAttacker = 0, triedEntries = 0, triedAttacker = 0;
  for (const e of node.addrman?.tables.byKey.values() ?? []) {
    const attacker = isAttackerAddress(entryAddress(e));
    if (e.triedSlot >= 0) {
      triedEntries++;
      if (attacker) triedAttacker++;
    } else {
      newEntries++;
      if (attacker) newAttacker++;
    }
  }
  return {
    outbound: outbound.length,
    honestOutbound: outbound.filter((c) => !isAttackerAddress(c.peer.address.address)).length,
    newEntries,
    newAttacker,
    triedEntries,
    triedAttacker,
  };
}

/** Runs the scenario and reports its figures (the world is left stopped). */
export async function runEclipseScenario(options: EclipseScenarioOptions): Promise<EclipseFigures> {
  const world = new SimWorld({
    sha256: options.sha256,
    crypto: options.crypto,
    seed: options.seed,
    memory: options.memory,
  });
  const honest = Array.from({ length: options.honest }, (_, i) => worldHost(i));
  const victimHost = worldHost(options.honest);
  for (const host of [...honest, victimHost]) world.addNode(host, { dnsseed: true });
  const victim: WorldNode = world.nodes[world.nodes.length - 1];
  const seeds = world.params.dnsSeeds;
  for (let s = 0; s < seeds.length; s++) {
    const known = s < ANSWERING_SEEDS ? honest.filter((_, i) => i % ANSWERING_SEEDS === s) : [];
    world.net.setDns(seeds[s], () => sampleOf(world.random, known, SEED_ANSWER_SIZE));
  }
  const attacker = new EclipseAttacker({
    world,
    random: world.random,
    addresses: options.attackerAddresses ?? ATTACKER_ADDRESSES,
  });
  await attacker.listen();
  world.startAll(world.nodes, 60_000);
  // The attack begins once the victim is up.
  world.clock.setTimer(
    120_000,
    () => attacker.attack(victimHost, options.attackerInbound ?? ATTACKER_INBOUND),
  );
  for (let ran = 0, hour = 1; ran < options.attackMs; hour++) {
    const step = Math.min(3_600_000, options.attackMs - ran);
    await world.run(step);
    ran += step;
    options.onHour?.(hour, victimView(world, victim.node));
  }
  const before = victimView(world, victim.node);
  // Restart: a clean stop, then a new node on the same host and store.
  const stopping = victim.node.stop();
  let stopped = false;
  void stopping.then(() => (stopped = true));
  await world.run(10_000, () => stopped);
  await stopping;
  world.renew(victim, { dnsseed: true }).start().catch(() => {});
  await world.run(options.afterRestartMs);
  world.sampleMemory();
  const after = victimView(world, victim.node);
  const figures: EclipseFigures = {
    honestNodes: options.honest,
    attackerAddresses: attacker.hosts.length,
    attackerGroups: ATTACKER_GROUPS,
    before,
    after,
    attackerAccepted: attacker.accepted,
    attackerAddrMessages: attacker.addrSent,
    virtualMs: world.elapsedMs,
    peakRss: world.peakRss,
    peakHeap: world.peakHeap,
  };
  attacker.stop();
  await world.stopAll();
  return figures;
}
