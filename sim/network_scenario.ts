/**
 * The "network" scenario: `nodes` real nodes on mainnet parameters, each on
 * its own routable /16, seeded only from DNS. Five of the network's seed
 * names answer (each with a fresh sample of its own share of the nodes, as
 * real seeds rotate their answers); the others do not exist. The nodes
 * start within the first minute and run for `durationMs` of virtual time;
 * the figures say whether every node filled its outbound slots from
 * distinct groups and how full the address books got.
 */
import type { MemoryUsage } from "../src/platform/platform.ts";
import type { Sha256 } from "../src/platform/hash.ts";
import { sampleOf, SimWorld, type Spread, spread, worldHost } from "./world.ts";
import type { SimCrypto } from "../adapters/sim/network.ts";

/** DNS seed names that answer in the scenario. */
export const ANSWERING_SEEDS = 5;
/** Addresses in one seed answer (real seeds give a few dozen per query). */
export const SEED_ANSWER_SIZE = 25;
/** Nodes start at random times within this much virtual time. */
const START_SPREAD_MS = 60_000;

/** What to run. */
export interface NetworkScenarioOptions {
  readonly sha256: Sha256;
  /** The runtime's BIP324 AEAD and curve (see `WorldOptions.crypto`). */
  readonly crypto?: SimCrypto;
  readonly seed: number;
  readonly nodes: number;
  /** Virtual time to run. */
  readonly durationMs: number;
  readonly memory?: () => MemoryUsage;
}

/** What came out. */
export interface NetworkFigures {
  readonly nodes: number;
  readonly virtualMs: number;
  /** Nodes with all 8 (the target) outbound peers ready at the end. */
  readonly fullOutbound: number;
  /** Outbound peers per node. */
  readonly outbound: Spread;
  /** Inbound peers per node. */
  readonly inbound: Spread;
  /** Nodes whose outbound peers are all in distinct groups. */
  readonly distinctGroups: number;
  /** Address-book sizes. */
  readonly books: Spread;
  /** Nodes whose book says it needs no more addresses. */
  readonly booksFull: number;
  /** Simulation work: timers fired, dials, connections, chunks and bytes delivered. */
  readonly timers: number;
  readonly dials: number;
  readonly connections: number;
  readonly chunks: number;
  readonly bytes: number;
  /** Warnings and errors the nodes logged. */
  readonly warnings: number;
  readonly errors: number;
  /** Peak process memory sampled (0 without a sampler). */
  readonly peakRss: number;
  readonly peakHeap: number;
}

/** Builds the world of the scenario (nodes made, DNS set, nothing started). */
export function networkWorld(options: NetworkScenarioOptions): SimWorld {
  const world = new SimWorld({
    sha256: options.sha256,
    crypto: options.crypto,
    seed: options.seed,
    memory: options.memory,
  });
  const hosts = Array.from({ length: options.nodes }, (_, i) => worldHost(i));
  for (const host of hosts) world.addNode(host, { dnsseed: true });
  const seeds = world.params.dnsSeeds;
  for (let s = 0; s < seeds.length; s++) {
    if (s >= ANSWERING_SEEDS) {
      world.net.setDns(seeds[s], []); // the name exists with no address: a silent seed
      continue;
    }
    // Each seed knows every ANSWERING_SEEDS-th node and answers with a random sample of them.
    const known = hosts.filter((_, i) => i % ANSWERING_SEEDS === s);
    world.net.setDns(seeds[s], () => sampleOf(world.random, known, SEED_ANSWER_SIZE));
  }
  return world;
}

/** Runs the scenario and reports its figures (the world is left stopped). */
export async function runNetworkScenario(options: NetworkScenarioOptions): Promise<NetworkFigures> {
  const world = networkWorld(options);
  world.startAll(world.nodes, START_SPREAD_MS);
  await world.run(options.durationMs);
  world.sampleMemory();
  const figures = networkFigures(world);
  await world.stopAll();
  return figures;
}

/** The figures of a network world now. */
export function networkFigures(world: SimWorld): NetworkFigures {
  const nodes = world.nodes.map((w) => w.node);
  const outbound = nodes.map((n) => world.outboundPeers(n).length);
  const target = nodes[0]?.connmgr?.config.targetOutbound ?? 8;
  const stats = world.net.stats;
  return {
    nodes: nodes.length,
    virtualMs: world.elapsedMs,
    fullOutbound: outbound.filter((n) => n >= target).length,
    outbound: spread(outbound),
    inbound: spread(nodes.map((n) => n.status().peers.inbound)),
    distinctGroups: nodes.filter((n) => world.distinctGroups(n)).length,
    books: spread(world.bookSizes()),
    booksFull: nodes.filter((n) => n.addrman !== null && !n.addrman.needMoreAddresses()).length,
    timers: world.clock.fired,
    dials: stats.dials,
    connections: stats.connections,
    chunks: stats.chunks,
    bytes: stats.bytes,
    warnings: world.logCounts.warn,
    errors: world.logCounts.error,
    peakRss: world.peakRss,
    peakHeap: world.peakHeap,
  };
}
