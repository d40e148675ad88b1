/**
 * `GET /metrics`: the node's counters, gauges and histograms in the
 * Prometheus text exposition format 0.0.4 (`# HELP`, `# TYPE`, then one
 * `name{label="value"} number` line per sample). The node fills a
 * `MetricsSnapshot`; the metric names and labels are fixed here, in one place.
 */
import type { AddressNetwork, AddressTable } from "./schemas.ts";

/** The Content-Type of the exposition format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Relay latency bucket bounds, seconds: from a block's arrival to its
 * announcement to a peer. Compact-block relay is tens of milliseconds; a
 * full validate-then-relay of a large block takes seconds.
 */
export const RELAY_LATENCY_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** Messages and bytes of one command. */
export interface CommandCount {
  readonly messages: number;
  readonly bytes: number;
}

/** A histogram's state: per-bucket counts (not cumulative), their sum and bounds. */
export interface HistogramSnapshot {
  /** Upper bounds, ascending (the `+Inf` bucket is implied). */
  readonly bounds: readonly number[];
  /** Observations per bucket: `counts[i]` is in (bounds[i-1], bounds[i]]; the last is over all bounds. */
  readonly counts: readonly number[];
  /** Sum of every observation. */
  readonly sum: number;
}

/** What the node reports for `GET /metrics`. Counters only ever grow while the node runs. */
export interface MetricsSnapshot {
  /** Connected peers (gauge). */
  readonly peers: { readonly inbound: number; readonly outbound: number };
  /** Node-wide messages and bytes since start, by command (counters; header bytes included). */
  readonly traffic: {
    readonly sent: Readonly<Record<string, CommandCount>>;
    readonly received: Readonly<Record<string, CommandCount>>;
  };
  /** Address-manager entries by network and table (gauge). */
  readonly addrman: Readonly<Record<AddressNetwork, Readonly<Record<AddressTable, number>>>>;
  /** Our best header height (gauge). */
  readonly headerHeight: number;
  /** Headers held, every branch (gauge). */
  readonly headersStored: number;
  /** Headers received on chains below the anti-DoS work threshold and not stored (counter). */
  readonly headersBelowThreshold: number;
  /** Blocks and bytes in the block store on disk (gauges). */
  readonly blockStore: { readonly blocks: number; readonly bytes: number };
  /** Blocks sent to peers since start, by where they were read (counters). */
  readonly blocksServed: { readonly memory: number; readonly disk: number };
  /** Seconds from receiving a block to announcing it to a peer. */
  readonly relayLatency: HistogramSnapshot;
  /** Bans in force (gauge). */
  readonly bans: number;
  /** Errors since start by kind, e.g. "decode", "protocol", "dial", "api" (counters). */
  readonly errors: Readonly<Record<string, number>>;
}

/** A histogram the node observes into and snapshots for `MetricsSnapshot`. */
export class Histogram {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;

  /** A histogram with the given ascending upper bounds. */
  constructor(bounds: readonly number[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) throw new RangeError("histogram bounds must ascend");
    }
    this.#bounds = [...bounds];
    this.#counts = new Array(bounds.length + 1).fill(0);
  }

  /** Counts one observation of `value`. */
  observe(value: number): void {
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
  }

  /** A copy of the state. */
  snapshot(): HistogramSnapshot {
    return { bounds: this.#bounds, counts: [...this.#counts], sum: this.#sum };
  }
}

/** Labels of one sample. */
type Labels = Readonly<Record<string, string>>;

/** Writes metric families as exposition text. */
class Exposition {
  readonly #lines: string[] = [];

  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, labels: Labels, value: number): void {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    this.#lines.push(`${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${formatNumber(value)}`);
  }

  text(): string {
    return this.#lines.join("\n") + "\n";
  }
}

/** Renders `m` as Prometheus text exposition 0.0.4. */
export function renderMetrics(m: MetricsSnapshot): string {
  const out = new Exposition();

  out.family("btc_edge_peers", "gauge", "Connected peers by direction.");
  out.sample("btc_edge_peers", { direction: "inbound" }, m.peers.inbound);
  out.sample("btc_edge_peers", { direction: "outbound" }, m.peers.outbound);

  const traffic = [["sent", m.traffic.sent], ["received", m.traffic.received]] as const;
  out.family("btc_edge_messages_total", "counter", "P2P messages by direction and command.");
  for (const [direction, byCommand] of traffic) {
    for (const [command, c] of sortedEntries(byCommand)) {
      out.sample("btc_edge_messages_total", { direction, command }, c.messages);
    }
  }
  out.family(
    "btc_edge_bytes_total",
    "counter",
    "P2P bytes (headers included) by direction and command.",
  );
  for (const [direction, byCommand] of traffic) {
    for (const [command, c] of sortedEntries(byCommand)) {
      out.sample("btc_edge_bytes_total", { direction, command }, c.bytes);
    }
  }

  out.family(
    "btc_edge_addrman_addresses",
    "gauge",
    "Address-manager entries by table and network.",
  );
  for (const [network, tables] of sortedEntries(m.addrman)) {
    out.sample("btc_edge_addrman_addresses", { table: "new", network }, tables.new);
    out.sample("btc_edge_addrman_addresses", { table: "tried", network }, tables.tried);
  }

  out.family("btc_edge_header_height", "gauge", "Height of our best header.");
  out.sample("btc_edge_header_height", {}, m.headerHeight);
  out.family("btc_edge_headers_stored", "gauge", "Headers held, every branch.");
  out.sample("btc_edge_headers_stored", {}, m.headersStored);
  out.family(
    "btc_edge_headers_below_work_threshold_total",
    "counter",
    "Headers received on chains below the anti-DoS work threshold and not stored.",
  );
  out.sample("btc_edge_headers_below_work_threshold_total", {}, m.headersBelowThreshold);

  out.family("btc_edge_block_store_blocks", "gauge", "Blocks in the block store on disk.");
  out.sample("btc_edge_block_store_blocks", {}, m.blockStore.blocks);
  out.family("btc_edge_block_store_bytes", "gauge", "Bytes of the blocks in the block store.");
  out.sample("btc_edge_block_store_bytes", {}, m.blockStore.bytes);
  out.family(
    "btc_edge_blocks_served_total",
    "counter",
    "Blocks sent to peers, by source: the in-memory cache or the store on disk.",
  );
  out.sample("btc_edge_blocks_served_total", { source: "memory" }, m.blocksServed.memory);
  out.sample("btc_edge_blocks_served_total", { source: "disk" }, m.blocksServed.disk);

  const h = m.relayLatency;
  const name = "btc_edge_relay_latency_seconds";
  out.family(name, "histogram", "Seconds from receiving a block to announcing it to a peer.");
  let cumulative = 0;
  h.bounds.forEach((bound, i) => {
    cumulative += h.counts[i] ?? 0;
    out.sample(`${name}_bucket`, { le: formatNumber(bound) }, cumulative);
  });
  cumulative += h.counts[h.bounds.length] ?? 0;
  out.sample(`${name}_bucket`, { le: "+Inf" }, cumulative);
  out.sample(`${name}_sum`, {}, h.sum);
  out.sample(`${name}_count`, {}, cumulative);

  out.family("btc_edge_bans", "gauge", "Bans in force.");
  out.sample("btc_edge_bans", {}, m.bans);

  out.family("btc_edge_errors_total", "counter", "Errors by kind.");
  for (const [kind, n] of sortedEntries(m.errors)) out.sample("btc_edge_errors_total", { kind }, n);

  return out.text();
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A sample value: Go-style float text, with the format's spellings of the infinities and NaN. */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

/** Label values escape backslash, double quote and newline. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes backslash and newline. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
