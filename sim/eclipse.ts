/**
 * The "eclipse" scenario (Heilman, Kendler, Zohar, Goldberg, "Eclipse
 * Attacks on Bitcoin's Peer-to-Peer Network", 2015), on regtest so the
 * honest network can mine: honest nodes seeded from the simulated DNS, one
 * of them given a new block every 10 virtual minutes (the honest chain),
 * and a victim among them. The attacker (`eclipse_attacker.ts`) owns 5,000
 * addresses in 10 /16 groups, floods the victim's address book, probes its
 * address relay with unique addresses, and serves the honest chain until
 * the victim goes down, a stale chain after. The victim starts once the
 * honest nodes are up and hold their first block (not at genesis: see
 * `HONEST_START_MS`).
 *
 * After `attackMs` the victim stops cleanly, stays down for `offlineMs`
 * (the honest chain moves on meanwhile) and starts again on the same host
 * and store, as a process restart. With `afterCrashMs`, it then restarts
 * once more as after a crash: no anchors (only a clean stop writes them),
 * so every outbound peer comes from its attacker-filled book. Figures: the
 * victim's outbound peers by kind and how many are outside the attacker's
 * groups, the attacker's share of its address tables, before and after each
 * restart; its anchors after the first; the virtual time from each restart
 * until it holds the honest tip block (while the attacker's peers serve a
 * stale one); the outbound peers it evicted before the restart, by rule,
 * and who delivered its blocks first; and which of its honest outbound
 * peers the address-relay probe revealed, by kind, with the address
 * messages its block-relay-only connections carried.
 */
import { entryAddress } from "../src/addrmgr/entry.ts";
import { ANCHORS_KEY } from "../src/connmgr/anchors.ts";
import type { EdgeNode } from "../src/node/node.ts";
import type { Sha256 } from "../src/platform/hash.ts";
import type { MemoryUsage } from "../src/platform/platform.ts";
import type { NetAddress } from "../src/wire/address.ts";
import { formatAddress, parseAddress } from "../src/wire/address_format.ts";
import { bytesEqual, toHex } from "../src/wire/bytes.ts";
import {
  ATTACKER_GROUPS,
  EclipseAttacker,
  isAttackerAddress,
  isProbeAddress,
} from "./eclipse_attacker.ts";
import { ANSWERING_SEEDS, SEED_ANSWER_SIZE } from "./network_scenario.ts";
import { type MineBlock, SimChain } from "./sim_chain.ts";
import { sampleOf, SimWorld, worldHost, type WorldNode } from "./world.ts";
import type { SimCrypto } from "../adapters/sim/network.ts";

/** The attacker's addresses (Heilman et al. use a botnet of this order). */
export const ATTACKER_ADDRESSES = 5_000;
/** Inbound connections the attacker keeps open to the victim. */
export const ATTACKER_INBOUND = 20;
/** The honest network finds a block this often (regtest's target spacing). */
export const BLOCK_INTERVAL_MS = 10 * 60_000;
/** Default time the victim stays down at its restart. */
export const OFFLINE_MS = 30 * 60_000;
/**
 * The honest nodes start within this time; then the first honest block is
 * mined, and the victim starts once every honest node holds it. A world
 * whose nodes all sit at genesis is not one a real node joins, and it
 * defeats chain-sync eviction (Core ConsiderEviction, `chain_sync.ts`): a
 * peer connected while both tips are genesis shows no header (its answer to
 * our getheaders is empty), so a deadline is set at once on genesis, and the
 * one getheaders at the deadline, from genesis' parent, which does not
 * exist, cannot be answered with a header. Unless the peer announced a block
 * to us meanwhile — it does not when we announced the block to it first,
 * being nearer the miner — it is disconnected 22 minutes after connecting,
 * honest and synced as it is (Core would too; its getheaders from a missing
 * parent is an empty locator, which Core does not answer). In the small
 * scenario that took both of the victim's block-relay-only peers and half
 * its full-relay ones, whose slots its attacker-filled book then refilled.
 */
const HONEST_START_MS = 60_000;
/** The first honest block is mined this long after the honest nodes started (their API is up). */
const FIRST_BLOCK_DELAY_MS = 1_000;
/** The first honest block reaches every honest node within this (or the run fails). */
const FIRST_BLOCK_SPREAD_MS = 5 * 60_000;
/** The attack begins this long after the victim starts. */
const ATTACK_START_MS = 60_000;
/** The control token of every node's (in-memory) API: blocks are submitted through it. */
const API_TOKEN = "simulated-eclipse-token";
/** Address messages (either way): none may cross a block-relay-only connection. */
const ADDRESS_COMMANDS = ["addr", "addrv2", "getaddr"];
/** The kinds counted as outbound peers here (by name: kinds a build lacks count none). */
const FULL_RELAY = "outbound-full-relay";
const BLOCK_RELAY = "block-relay-only";

/** What to run. */
export interface EclipseScenarioOptions {
  readonly sha256: Sha256;
  /** The runtime's BIP324 AEAD and curve (see `WorldOptions.crypto`). */
  readonly crypto?: SimCrypto;
  /** Whether the nodes speak BIP324 v2 (`--v2transport`); default true, as a real node. */
  readonly v2transport?: boolean;
  readonly seed: number;
  /** Honest nodes besides the victim. */
  readonly honest: number;
  /** Virtual time of the attack before the restart. */
  readonly attackMs: number;
  /** Virtual time the victim is down at its restart (default `OFFLINE_MS`). */
  readonly offlineMs?: number;
  /** Virtual time after the restart before the figures are taken. */
  readonly afterRestartMs: number;
  /** Then a restart as after a crash (no anchors), and this long before its figures (0: none). */
  readonly afterCrashMs?: number;
  /** Builds the honest blocks (a regtest miner). */
  readonly mine: MineBlock;
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
  /** Ready outbound full-relay peers, and those outside the attacker's groups. */
  readonly outbound: number;
  readonly honestOutbound: number;
  /** Ready block-relay-only peers, and those outside the attacker's groups. */
  readonly blockRelay: number;
  readonly honestBlockRelay: number;
  readonly newEntries: number;
  readonly newAttacker: number;
  readonly triedEntries: number;
  readonly triedAttacker: number;
  /** The victim's tip height, and the honest chain's. */
  readonly height: number;
  readonly honestHeight: number;
}

/** One anchor connection after the restart. */
export interface AnchorView {
  readonly peer: string;
  readonly kind: string;
  readonly honest: boolean;
}

/** One outbound peer the victim evicted. */
export interface EvictionView {
  /** Virtual ms since the victim (re)started. */
  readonly atMs: number;
  readonly rule: string;
  readonly kind: string;
  readonly honest: boolean;
}

/** What the address-relay probe saw of the victim's honest outbound peers, by kind. */
export interface ProbeView {
  /** Probe addresses the attacker sent. */
  readonly probesSent: number;
  /** Honest peers of each kind, and those holding a probe heard from the victim. */
  readonly fullRelay: { readonly honest: number; readonly revealed: number };
  readonly blockRelay: { readonly honest: number; readonly revealed: number };
  /** Address messages (addr, addrv2, getaddr) on the victim's block-relay-only connections. */
  readonly blockRelayAddrSent: number;
  readonly blockRelayAddrReceived: number;
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
  /** After the restart without anchors (when run). */
  readonly afterCrash: VictimView | null;
  /** The probe's findings at the end of the attack. */
  readonly probe: ProbeView;
  /** The connections made to saved anchors at the restart (as they came up, gone since or not). */
  readonly anchors: readonly AnchorView[];
  /** The victim's evictions of outbound peers before the restart (inbound ones left out). */
  readonly evicted: readonly EvictionView[];
  /** Its evictions of outbound peers between the (clean) restart and the figures after it. */
  readonly evictedAfterRestart: readonly EvictionView[];
  /** Blocks the victim accepted before the restart, by sender (the first to deliver each). */
  readonly blocksFrom: { readonly honest: number; readonly attacker: number };
  /** Height the attacker's stale chain stopped at (the honest tip when the victim went down). */
  readonly staleHeight: number;
  /** Virtual ms from the restart until the victim held the honest tip block; null: never. */
  readonly honestTipMs: number | null;
  /** The same after the restart without anchors (null: never, or not run). */
  readonly crashHonestTipMs: number | null;
  /** Connections the attacker accepted, and `addr` messages it sent. */
  readonly attackerAccepted: number;
  readonly attackerAddrMessages: number;
  readonly virtualMs: number;
  readonly peakRss: number;
  readonly peakHeap: number;
}

/** The ready connections of `node` whose kind is named `kind`. */
function readyOf(node: EdgeNode, kind: string) {
  return (node.connmgr?.connections() ?? []).filter((c) =>
    String(c.kind) === kind && c.peer.state === "ready"
  );
}

/** The victim's view now (`chain`: the honest chain). */
export function victimView(node: EdgeNode, chain: SimChain): VictimView {
  const full = readyOf(node, FULL_RELAY);
  const block = readyOf(node, BLOCK_RELAY);
  const honest = (list: typeof full) =>
    list.filter((c) => !isAttackerAddress(c.peer.address.address)).length;
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
    outbound: full.length,
    honestOutbound: honest(full),
    blockRelay: block.length,
    honestBlockRelay: honest(block),
    newEntries,
    newAttacker,
    triedEntries,
    triedAttacker,
    height: node.status().chain.height,
    honestHeight: chain.height,
  };
}

/** True when `w`'s book holds a probe address first heard from `victim`. */
function heardProbeFrom(w: WorldNode, victim: NetAddress): boolean {
  for (const e of w.node.addrman?.tables.byKey.values() ?? []) {
    if (isProbeAddress(entryAddress(e)) && bytesEqual(e.source.bytes, victim.bytes)) return true;
  }
  return false;
}

/** What the probe revealed of the victim's honest outbound peers now. */
function probeView(world: SimWorld, victim: WorldNode, attacker: EclipseAttacker): ProbeView {
  const victimAddress = parseAddress(victim.host);
  const byHost = new Map(world.nodes.map((w) => [w.host, w]));
  const look = (kind: string) => {
    let honest = 0, revealed = 0;
    for (const c of readyOf(victim.node, kind)) {
      const remote = byHost.get(formatAddress(c.peer.address.address));
      if (remote === undefined) continue; // the attacker's: it knows them anyway
      honest++;
      if (heardProbeFrom(remote, victimAddress)) revealed++;
    }
    return { honest, revealed };
  };
  let sent = 0, received = 0;
  for (const c of readyOf(victim.node, BLOCK_RELAY)) {
    const s = c.peer.stats();
    for (const command of ADDRESS_COMMANDS) {
      sent += s.sent.perCommand[command]?.messages ?? 0;
      received += s.received.perCommand[command]?.messages ?? 0;
    }
  }
  return {
    probesSent: attacker.probesSent,
    fullRelay: look(FULL_RELAY),
    blockRelay: look(BLOCK_RELAY),
    blockRelayAddrSent: sent,
    blockRelayAddrReceived: received,
  };
}

/** Runs the scenario and reports its figures (the world is left stopped). */
export async function runEclipseScenario(options: EclipseScenarioOptions): Promise<EclipseFigures> {
  const world = new SimWorld({
    sha256: options.sha256,
    crypto: options.crypto,
    seed: options.seed,
    network: "regtest",
    memory: options.memory,
  });
  const honest = Array.from({ length: options.honest }, (_, i) => worldHost(i));
  const victimHost = worldHost(options.honest);
  for (const host of [...honest, victimHost]) {
    world.addNode(host, {
      dnsseed: true,
      apiToken: API_TOKEN,
      v2transport: options.v2transport ?? true,
    });
  }
  const victim: WorldNode = world.nodes[world.nodes.length - 1];
  const seeds = world.params.dnsSeeds;
  const answering = Math.min(ANSWERING_SEEDS, seeds.length);
  for (let s = 0; s < seeds.length; s++) {
    const known = s < answering ? honest.filter((_, i) => i % answering === s) : [];
    world.net.setDns(seeds[s], () => sampleOf(world.random, known, SEED_ANSWER_SIZE));
  }
  const chain = new SimChain(world.params, world.sha256, options.mine);
  const attacker = new EclipseAttacker({
    world,
    random: world.random,
    addresses: options.attackerAddresses ?? ATTACKER_ADDRESSES,
    chain,
  });
  await attacker.listen();
  // The victim joins a network that already has a chain (see HONEST_START_MS).
  const honestNodes = world.nodes.slice(0, options.honest);
  world.startAll(honestNodes, HONEST_START_MS);
  await world.run(HONEST_START_MS);
  mineForever(world, chain, world.nodes[0].node, FIRST_BLOCK_DELAY_MS);
  const holdFirstBlock = () => honestNodes.every((w) => w.node.status().chain.height >= 1);
  await world.run(FIRST_BLOCK_SPREAD_MS, holdFirstBlock);
  if (!holdFirstBlock()) {
    throw new Error(
      `eclipse: the honest nodes did not all hold the first block within ${FIRST_BLOCK_SPREAD_MS} ms`,
    );
  }
  const log = watchVictim(world, victim.node);
  victim.node.start().catch(() => {});
  world.clock.setTimer(ATTACK_START_MS, () => {
    attacker.attack(victimHost, options.attackerInbound ?? ATTACKER_INBOUND);
    attacker.probe(victimHost);
  });
  for (let ran = 0, hour = 1; ran < options.attackMs; hour++) {
    const step = Math.min(3_600_000, options.attackMs - ran);
    await world.run(step);
    ran += step;
    options.onHour?.(hour, victimView(victim.node, chain));
  }
  const before = victimView(victim.node, chain);
  const probe = probeView(world, victim, attacker);

  // Restart: a clean stop; from now on the attacker serves a stale chain.
  attacker.freeze();
  const staleHeight = attacker.height;
  const first = await restart(world, victim, chain, options, false);
  const crash = options.afterCrashMs
    ? await restart(
      world,
      victim,
      chain,
      { ...options, afterRestartMs: options.afterCrashMs },
      true,
    )
    : null;
  world.sampleMemory();
  const figures: EclipseFigures = {
    honestNodes: options.honest,
    attackerAddresses: attacker.hosts.length,
    attackerGroups: ATTACKER_GROUPS,
    before,
    after: first.view,
    afterCrash: crash?.view ?? null,
    probe,
    anchors: first.anchors,
    evicted: log.evicted,
    evictedAfterRestart: first.evicted,
    blocksFrom: log.blocksFrom,
    staleHeight,
    honestTipMs: first.honestTipMs,
    crashHonestTipMs: crash?.honestTipMs ?? null,
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

/** What one restart of the victim came to: its node, its view then, and its time to the honest tip. */
interface Restarted {
  readonly node: EdgeNode;
  readonly view: VictimView;
  readonly honestTipMs: number | null;
  /** The connections to saved anchors, as each completed its handshake. */
  readonly anchors: AnchorView[];
  /** Its evictions of outbound peers since the restart. */
  readonly evicted: readonly EvictionView[];
}

/**
 * Stops the victim cleanly (without its anchors when `crashed`: only a clean
 * stop writes them), keeps it down `offlineMs`, starts a new node on the same
 * host and store, and runs `afterRestartMs`, watching for the honest tip.
 */
async function restart(
  world: SimWorld,
  victim: WorldNode,
  chain: SimChain,
  options: EclipseScenarioOptions,
  crashed: boolean,
): Promise<Restarted> {
  const stopping = victim.node.stop();
  let stopped = false;
  void stopping.then(() => (stopped = true));
  await world.run(10_000, () => stopped);
  await stopping;
  if (crashed) await world.net.store(victim.datadir).delete(ANCHORS_KEY);
  await world.run(options.offlineMs ?? OFFLINE_MS);
  const node = world.renew(victim, {
    dnsseed: true,
    apiToken: API_TOKEN,
    v2transport: options.v2transport ?? true,
  });
  const restartAt = world.clock.now();
  let reachedAt: number | null = null;
  const anchors: AnchorView[] = [];
  const log = watchVictim(world, node);
  const listening = new AbortController();
  void (async () => {
    for await (const e of node.events(listening.signal)) {
      if (e.type === "block.accepted" && e.data.hash === chain.hashHex()) {
        reachedAt ??= world.clock.now();
      }
      if (e.type !== "peer.connected") continue;
      const c = node.connmgr?.connections().find((c) => c.peer.id === e.data.id);
      if (c?.anchor) {
        anchors.push({
          peer: c.peer.toString(),
          kind: String(c.kind),
          honest: !isAttackerAddress(c.peer.address.address),
        });
      }
    }
  })();
  node.start().catch(() => {});
  await world.run(options.afterRestartMs);
  listening.abort();
  return {
    node,
    view: victimView(node, chain),
    honestTipMs: reachedAt === null ? null : reachedAt - restartAt,
    anchors,
    evicted: log.evicted,
  };
}

/** What the victim did before the restart, as its events told it. */
interface VictimLog {
  readonly evicted: EvictionView[];
  /** Blocks it accepted, by who sent them (outside the attacker's groups or in them). */
  readonly blocksFrom: { honest: number; attacker: number };
}

/** True when `peer` ("host:port (direction)", IPv4 as every simulated host) is outside the attacker's groups. */
function honestPeer(peer: string): boolean {
  return !isAttackerAddress(parseAddress(peer.slice(0, peer.indexOf(":"))));
}

/** Collects `node`'s evictions of outbound peers and the senders of its blocks, until it stops. */
function watchVictim(world: SimWorld, node: EdgeNode): VictimLog {
  const log: VictimLog = { evicted: [], blocksFrom: { honest: 0, attacker: 0 } };
  const startedAt = world.clock.now();
  void (async () => {
    for await (const e of node.events(new AbortController().signal)) {
      if (e.type === "block.accepted" && e.data.from !== undefined) {
        if (honestPeer(e.data.from)) log.blocksFrom.honest++;
        else log.blocksFrom.attacker++;
      }
      if (e.type !== "peer.evicted" || e.data.rule === "inbound") continue;
      log.evicted.push({
        atMs: e.time - startedAt,
        rule: e.data.rule,
        kind: e.data.connectionType,
        honest: honestPeer(e.data.peer),
      });
    }
  })();
  return log;
}

/**
 * Mines the next honest block `firstMs` from now, then every
 * `BLOCK_INTERVAL_MS`, and submits each to `miner`'s API.
 */
function mineForever(world: SimWorld, chain: SimChain, miner: EdgeNode, firstMs: number): void {
  const tick = () => {
    const block = chain.mineNext(Math.floor(world.clock.now() / 1000));
    void miner.app.fetch(
      new Request("http://sim/blocks", {
        method: "POST",
        headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ hex: toHex(block) }),
      }),
    );
    world.clock.setTimer(BLOCK_INTERVAL_MS, tick);
  };
  world.clock.setTimer(firstMs, tick);
}
