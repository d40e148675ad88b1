/**
 * The "propagation" scenario: `nodes` real regtest nodes seeded from the
 * simulated DNS (regtest's one seed name answers with a sample of them)
 * connect for `warmupMs` of virtual time; then a block is submitted to one
 * of them through its HTTP API (as `POST /blocks` would) and the clock runs
 * until 99% of the nodes have accepted it. Figures: the virtual time to
 * reach 50%, 90%, 99% and 100% of the nodes, and the messages the network
 * carried meanwhile, by command.
 */
import type { Sha256 } from "../src/platform/hash.ts";
import type { MemoryUsage } from "../src/platform/platform.ts";
import { toHex } from "../src/wire/bytes.ts";
import { sampleOf, SimWorld, worldHost } from "./world.ts";
import type { SimCrypto } from "../adapters/sim/network.ts";

/** Addresses in one answer of regtest's seed. */
const SEED_ANSWER_SIZE = 25;
/** The control token of every node's (in-memory) API. */
const API_TOKEN = "simulated-network-token";
/** Nodes start within this much virtual time. */
const START_SPREAD_MS = 60_000;

/** What to run. */
export interface PropagationScenarioOptions {
  readonly sha256: Sha256;
  /** The runtime's BIP324 AEAD and curve (see `WorldOptions.crypto`). */
  readonly crypto?: SimCrypto;
  readonly seed: number;
  readonly nodes: number;
  /** Virtual time the nodes connect before the block. */
  readonly warmupMs: number;
  /** The block to inject (a mined regtest block on genesis). */
  readonly block: Uint8Array;
  /** Longest virtual wait for the block to spread. */
  readonly timeoutMs: number;
  readonly memory?: () => MemoryUsage;
}

/** What came out. */
export interface PropagationFigures {
  readonly nodes: number;
  /** Nodes that accepted the block. */
  readonly reached: number;
  /** Virtual milliseconds from the injection to this share of the nodes (null: not reached). */
  readonly p50Ms: number | null;
  readonly p90Ms: number | null;
  readonly p99Ms: number | null;
  readonly allMs: number | null;
  /** Messages received between the injection and 99% (or the timeout), by command. */
  readonly messages: Record<string, number>;
  /** Their total, and bytes delivered meanwhile. */
  readonly totalMessages: number;
  readonly bytes: number;
  readonly peakRss: number;
  readonly peakHeap: number;
}

/** Messages each node's current peers sent it, by node, peer and command. */
function receivedSnapshot(world: SimWorld): Map<string, number> {
  const out = new Map<string, number>();
  world.nodes.forEach((w, i) => {
    for (const peer of w.node.peers()) {
      for (const [command, traffic] of Object.entries(peer.received.perCommand)) {
        out.set(`${i} ${peer.id} ${command}`, traffic.messages);
      }
    }
  });
  return out;
}

/**
 * Messages received between two snapshots, by command. Counted by the
 * receiving peers, since v2 links carry encrypted packets no tap can read; a
 * peer that came meanwhile counts from zero, one that left meanwhile is
 * lost (rare in the seconds a block takes).
 */
function receivedSince(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const counts = new Map<string, number>();
  for (const [key, messages] of after) {
    const n = messages - (before.get(key) ?? 0);
    if (n <= 0) continue;
    const command = key.slice(key.lastIndexOf(" ") + 1);
    counts.set(command, (counts.get(command) ?? 0) + n);
  }
  return Object.fromEntries([...counts].sort(([a], [b]) => a < b ? -1 : 1));
}

/** Runs the scenario and reports its figures (the world is left stopped). */
export async function runPropagationScenario(
  options: PropagationScenarioOptions,
): Promise<PropagationFigures> {
  const world = new SimWorld({
    sha256: options.sha256,
    crypto: options.crypto,
    seed: options.seed,
    network: "regtest",
    memory: options.memory,
  });
  const hosts = Array.from({ length: options.nodes }, (_, i) => worldHost(i));
  for (const host of hosts) world.addNode(host, { dnsseed: true, apiToken: API_TOKEN });
  for (const seed of world.params.dnsSeeds) {
    world.net.setDns(seed, () => sampleOf(world.random, hosts, SEED_ANSWER_SIZE));
  }
  world.startAll(world.nodes, START_SPREAD_MS);
  await world.run(options.warmupMs);

  // Every node reports its acceptance time through its event stream.
  const acceptedAt: number[] = [];
  const stopListening = new AbortController();
  for (const w of world.nodes) {
    void (async () => {
      for await (const e of w.node.events(stopListening.signal)) {
        if (e.type === "block.accepted") {
          acceptedAt.push(world.clock.now());
          return;
        }
      }
    })();
  }
  await world.clock.settle();
  const origin = world.nodes[world.random.int(world.nodes.length)].node;
  const before = receivedSnapshot(world);
  const bytesBefore = world.net.stats.bytes;
  const injectedAt = world.clock.now();
  const response = await origin.app.fetch(
    new Request("http://sim/blocks", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ hex: toHex(options.block) }),
    }),
  );
  if (!response.ok) throw new Error(`block refused: ${response.status} ${await response.text()}`);
  const want99 = Math.ceil(options.nodes * 0.99);
  await world.run(options.timeoutMs, () => acceptedAt.length >= want99);
  const messages = receivedSince(before, receivedSnapshot(world));
  const bytes = world.net.stats.bytes - bytesBefore;
  // The rest of the nodes, for the 100% figure (bounded by the timeout).
  await world.run(
    Math.max(0, injectedAt + options.timeoutMs - world.clock.now()),
    () => acceptedAt.length >= options.nodes,
  );
  world.sampleMemory();
  stopListening.abort();
  const share = (p: number) => {
    const need = Math.ceil(options.nodes * p);
    return acceptedAt.length >= need ? acceptedAt[need - 1] - injectedAt : null;
  };
  const figures: PropagationFigures = {
    nodes: options.nodes,
    reached: acceptedAt.length,
    p50Ms: share(0.5),
    p90Ms: share(0.9),
    p99Ms: share(0.99),
    allMs: share(1),
    messages,
    totalMessages: Object.values(messages).reduce((a, b) => a + b, 0),
    bytes,
    peakRss: world.peakRss,
    peakHeap: world.peakHeap,
  };
  await world.stopAll();
  return figures;
}
