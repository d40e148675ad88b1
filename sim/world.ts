/**
 * A simulated world for the scenarios: one virtual clock, one simulated
 * network with latency and lost dials, and real `EdgeNode`s on distinct
 * routable hosts, every random choice drawn from sources seeded from one
 * number, so one seed always gives the same run. Also the figures the
 * scenarios share (outbound peers and their groups, address-book sizes,
 * memory samples).
 */
import { resolveOptions } from "../src/config/load.ts";
import type { OptionsInput } from "../src/config/options.ts";
import { outboundGroup } from "../src/connmgr/group.ts";
import { createLogger, type LogLevel, type LogRecord } from "../src/log/logger.ts";
import { EdgeNode, type NodeTuning } from "../src/node/node.ts";
import type { Sha256 } from "../src/platform/hash.ts";
import type { MemoryUsage } from "../src/platform/platform.ts";
import { type Random, seededRandom } from "../src/platform/random.ts";
import { decodeBlockHeader } from "../src/wire/block_header.ts";
import { fromHex } from "../src/wire/bytes.ts";
import { getParams, type NetworkParams } from "../src/wire/params.ts";
import { type SimCrypto, SimNetwork } from "../adapters/sim/network.ts";
import { VirtualClock } from "../adapters/sim/virtual_clock.ts";

/**
 * The virtual clock starts this long after the network's genesis block:
 * nodes whose tip is genesis then count as near the tip (Core's
 * NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS: 144 blocks' time, a day), so they
 * take each other (NODE_NETWORK_LIMITED, as btc-edge announces) as outbound
 * peers, as nodes following a live chain do. Far behind they would want
 * NODE_NETWORK, which no btc-edge node announces.
 */
const START_AFTER_GENESIS_MS = 10 * 60_000;
/** Log records kept for the report (the first errors and warnings). */
const KEPT_RECORDS = 50;
/** How often the memory sampler runs, in virtual time. */
const MEMORY_SAMPLE_MS = 60_000;

/** What a world is made of. */
export interface WorldOptions {
  /** The runtime's SHA-256. */
  readonly sha256: Sha256;
  /** The runtime's BIP324 AEAD and curve (v2 handshakes in TypeScript are slow). */
  readonly crypto?: SimCrypto;
  /** Everything random in the run derives from it. */
  readonly seed: number;
  /** Network parameters of every node. Default "main". */
  readonly network?: "main" | "regtest";
  /** One-way link delay: `baseMs` plus a uniform draw up to `jitterMs`. Default 20 + 80. */
  readonly latency?: { readonly baseMs: number; readonly jitterMs: number };
  /** Share of dials lost (hang until the connect timeout). Default 0.01. */
  readonly dialLoss?: number;
  /** Lowest log level counted and kept. Default "warn". */
  readonly logLevel?: LogLevel;
  /** Samples process memory every virtual minute (the runtime's `platform.memory`). */
  readonly memory?: () => MemoryUsage;
  /** Sees every chunk the network delivers (see `SimNetwork`). */
  readonly onDeliver?: (link: number, toServer: boolean, bytes: Uint8Array) => void;
}

/** One simulated node. */
export interface WorldNode {
  readonly host: string;
  readonly datadir: string;
  node: EdgeNode;
}

/** Smallest, middle and largest of some counts. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The `i`-th host, each in its own IPv4 /16 (11.1.0.1, 12.1.0.1, ... 90.1.0.1, 11.2.0.1...). */
export function worldHost(i: number): string {
  return `${11 + (i % 80)}.${1 + Math.floor(i / 80)}.0.1`;
}

/** Min, median and max of `values` (zeros when empty). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: 0, median: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: sorted[Math.floor(sorted.length / 2)],
    max: sorted[sorted.length - 1],
  };
}

/** `n` distinct entries of `from` drawn with `random` (all of them when fewer). */
export function sampleOf<T>(random: Random, from: readonly T[], n: number): T[] {
  const pool = [...from];
  const out: T[] = [];
  while (out.length < n && pool.length > 0) {
    const i = random.int(pool.length);
    out.push(pool[i]);
    pool[i] = pool[pool.length - 1];
    pool.pop();
  }
  return out;
}

/** Nodes, network and clock of one simulation. */
export class SimWorld {
  readonly clock: VirtualClock;
  readonly net: SimNetwork;
  readonly params: NetworkParams;
  /** The runtime's SHA-256, as every node gets it. */
  readonly sha256: Sha256;
  /** The scenario's own choices (who seeds list, where a block starts). */
  readonly random: Random;
  readonly nodes: WorldNode[] = [];
  /** Records at or above the log level, by level. */
  readonly logCounts: Record<LogLevel, number> = { debug: 0, info: 0, warn: 0, error: 0 };
  /** The first records at or above the log level. */
  readonly kept: LogRecord[] = [];
  /** Largest memory sample (bytes), when sampling. */
  peakRss = 0;
  peakHeap = 0;
  readonly #options: WorldOptions;
  readonly #network: "main" | "regtest";
  readonly #startMs: number;
  #nodeSeeds = 0;

  constructor(options: WorldOptions) {
    this.#options = options;
    this.#network = options.network ?? "main";
    this.params = getParams(this.#network);
    this.sha256 = options.sha256;
    const genesis = decodeBlockHeader(fromHex(this.params.genesisBlockHex).subarray(0, 80));
    this.clock = new VirtualClock({ startMs: genesis.time * 1000 + START_AFTER_GENESIS_MS });
    this.#startMs = this.clock.now();
    this.random = seededRandom(options.seed);
    const latency = options.latency ?? { baseMs: 20, jitterMs: 80 };
    this.net = new SimNetwork({
      sha256: options.sha256,
      crypto: options.crypto,
      clock: this.clock,
      random: seededRandom(options.seed ^ 0x5eed5eed),
      latencyMs: (_from, _to, random) => latency.baseMs + random.int(latency.jitterMs + 1),
      dialLoss: options.dialLoss ?? 0.01,
      onDeliver: options.onDeliver,
    });
    if (options.memory !== undefined) this.#sampleMemory(options.memory);
  }

  /** Makes (does not start) a node on `host` with `input` over the world's defaults. */
  addNode(host: string, input: OptionsInput = {}, tuning: NodeTuning = {}): WorldNode {
    const w: WorldNode = { host, datadir: `/sim/${host}`, node: null as unknown as EdgeNode };
    w.node = this.#makeNode(w, input, tuning);
    this.nodes.push(w);
    return w;
  }

  /**
   * Replaces `w`'s node (stopped) by a new one on the same host and data
   * directory (the same memory store): a restart.
   */
  renew(w: WorldNode, input: OptionsInput = {}, tuning: NodeTuning = {}): EdgeNode {
    if (w.node.state !== "stopped") throw new Error(`renew: node ${w.host} is ${w.node.state}`);
    w.node = this.#makeNode(w, input, tuning);
    return w.node;
  }

  /** Starts each node at a random virtual time within `spreadMs` from now. */
  startAll(nodes: readonly WorldNode[], spreadMs: number): void {
    for (const w of nodes) {
      const node = w.node;
      this.clock.setTimer(this.random.int(spreadMs + 1), () => {
        node.start().catch((error) => this.#count("error", `start failed: ${error}`));
      });
    }
  }

  /** Virtual time since the world was made. */
  get elapsedMs(): number {
    return this.clock.now() - this.#startMs;
  }

  /** Runs the clock `ms` forward (stopping early once `until` holds). */
  run(ms: number, until?: () => boolean): Promise<number> {
    return this.clock.advance(ms, until);
  }

  /** Stops every node (running the clock while they do). */
  async stopAll(): Promise<void> {
    const stopping = Promise.all(this.nodes.map((w) => w.node.stop()));
    let done = false;
    void stopping.then(() => (done = true));
    for (let i = 0; i < 100 && !done; i++) await this.clock.advance(1_000, () => done);
    await stopping;
  }

  /** Ready automatic outbound peers of `node`. */
  outboundPeers(node: EdgeNode) {
    return (node.connmgr?.connections() ?? []).filter((c) =>
      c.kind === "outbound-full-relay" && c.peer.state === "ready"
    );
  }

  /** True when `node`'s ready outbound peers are all in different network groups. */
  distinctGroups(node: EdgeNode): boolean {
    const groups = new Set<string>();
    const peers = this.outboundPeers(node);
    for (const c of peers) groups.add(outboundGroup(c.peer.address.address) ?? `#${c.peer.id}`);
    return groups.size === peers.length;
  }

  /** Address-book sizes of `nodes`. */
  bookSizes(nodes: readonly WorldNode[] = this.nodes): number[] {
    return nodes.map((w) => w.node.addrman?.size ?? 0);
  }

  /** Samples memory now (also done every virtual minute when a sampler was given). */
  sampleMemory(): void {
    const m = this.#options.memory?.();
    if (m === undefined) return;
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
  }

  #sampleMemory(memory: () => MemoryUsage): void {
    const tick = () => {
      const m = memory();
      this.peakRss = Math.max(this.peakRss, m.rss);
      this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
      this.clock.setTimer(MEMORY_SAMPLE_MS, tick);
    };
    this.clock.setTimer(MEMORY_SAMPLE_MS, tick);
  }

  #makeNode(w: WorldNode, input: OptionsInput, tuning: NodeTuning): EdgeNode {
    const options = resolveOptions([[
      "option",
      {
        network: this.#network,
        listen: [`${w.host}:${this.params.defaultPort}`],
        api: "none",
        ...input,
      } as Record<string, unknown>,
    ]]);
    const logger = createLogger({
      level: this.#options.logLevel ?? "warn",
      now: () => this.clock.now(),
      sink: (r) => {
        this.logCounts[r.level]++;
        if (this.kept.length < KEPT_RECORDS) this.kept.push(r);
      },
    });
    return new EdgeNode(options, {
      platform: this.net.platform(w.host),
      logger,
      datadir: w.datadir,
      random: seededRandom(this.#options.seed * 7919 + ++this.#nodeSeeds),
      tuning: { ...tuning, conn: { fixedSeeds: [], ...tuning.conn } },
    });
  }

  #count(level: LogLevel, message: string): void {
    this.logCounts[level]++;
    if (this.kept.length < KEPT_RECORDS) {
      this.kept.push({ time: this.clock.now(), level, category: "sim", message, fields: {} });
    }
  }
}
