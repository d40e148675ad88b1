/**
 * `GET /metrics`: Prometheus text exposition 0.0.4. Every line is a HELP or
 * TYPE comment or a `name{labels} value` sample, label values are escaped,
 * and the histogram's buckets are cumulative with `+Inf` equal to `_count`.
 */
import { describe, expect, test } from "bun:test";
import { Histogram, type MetricsSnapshot, renderMetrics } from "../../src/api/metrics.ts";
import { appFor } from "./helpers.ts";
import { FakeSource } from "../support/fake_api_source.ts";

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const LABELS =
  `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})(?:,[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})*\\}`;
const VALUE = "(?:[-+]?(?:\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+)|NaN|[+-]Inf)";
const SAMPLE = new RegExp(`^(${NAME})(${LABELS})? (${VALUE})$`);
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses exposition text, failing on any line that is neither comment nor sample. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  expect(text.endsWith("\n")).toBe(true);
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.slice(0, -1).split("\n")) {
    const type = TYPE.exec(line);
    if (type) {
      expect(types.has(type[1])).toBe(false);
      types.set(type[1], type[2]);
      continue;
    }
    if (HELP.test(line)) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a comment or sample: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (
      const [, k, v] of (m[2] ?? "").matchAll(
        new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)=(${LABEL_VALUE})`, "g"),
      )
    ) {
      labels[k] = v.slice(1, -1).replace(/\\(.)/g, (_s, c: string) => (c === "n" ? "\n" : c));
    }
    const raw = m[3];
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types };
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const hit = samples.filter((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  expect(hit.length).toBe(1);
  return hit[0].value;
}

describe("metrics", () => {
  test("GET /metrics parses as exposition text with every family typed", async () => {
    const res = await appFor(new FakeSource()).request("/metrics");
    expect(res.status).toBe(200);
    const { samples, types } = parseExposition(await res.text());
    expect(Object.fromEntries(types)).toEqual({
      btc_edge_peers: "gauge",
      btc_edge_messages_total: "counter",
      btc_edge_bytes_total: "counter",
      btc_edge_addrman_addresses: "gauge",
      btc_edge_header_height: "gauge",
      btc_edge_headers_stored: "gauge",
      btc_edge_headers_below_work_threshold_total: "counter",
      btc_edge_block_store_blocks: "gauge",
      btc_edge_block_store_bytes: "gauge",
      btc_edge_blocks_served_total: "counter",
      btc_edge_relay_latency_seconds: "histogram",
      btc_edge_bans: "gauge",
      btc_edge_errors_total: "counter",
    });
    for (const s of samples) {
      const family = s.name.replace(/_(bucket|sum|count)$/, "");
      expect(types.has(s.name) || types.get(family) === "histogram").toBe(true);
    }
    expect(find(samples, "btc_edge_peers", { direction: "inbound" })).toBe(1);
    expect(find(samples, "btc_edge_bytes_total", { direction: "sent", command: "headers" }))
      .toBe(16_300);
    expect(find(samples, "btc_edge_messages_total", { direction: "received", command: "*other*" }))
      .toBe(3);
    expect(find(samples, "btc_edge_addrman_addresses", { table: "tried", network: "ipv6" })).toBe(
      10,
    );
    expect(find(samples, "btc_edge_header_height")).toBe(849_990);
    expect(find(samples, "btc_edge_headers_stored")).toBe(850_021);
    expect(find(samples, "btc_edge_headers_below_work_threshold_total")).toBe(4_000);
    expect(find(samples, "btc_edge_block_store_blocks")).toBe(288);
    expect(find(samples, "btc_edge_block_store_bytes")).toBe(456_789_012);
    expect(find(samples, "btc_edge_blocks_served_total", { source: "disk" })).toBe(7);
    expect(find(samples, "btc_edge_blocks_served_total", { source: "memory" })).toBe(40);
    expect(find(samples, "btc_edge_bans")).toBe(1);
    expect(find(samples, "btc_edge_errors_total", { kind: "decode" })).toBe(2);
  });

  test("label values with quotes, backslashes and newlines are escaped and read back", async () => {
    const res = await appFor(new FakeSource()).request("/metrics");
    const text = await res.text();
    expect(text).toContain('btc_edge_errors_total{kind="we\\"ird\\\\kind\\n"} 1');
    const { samples } = parseExposition(text);
    expect(find(samples, "btc_edge_errors_total", { kind: 'we"ird\\kind\n' })).toBe(1);
  });

  test("the relay latency histogram is cumulative and ends at +Inf = _count", async () => {
    const res = await appFor(new FakeSource()).request("/metrics");
    const { samples } = parseExposition(await res.text());
    const name = "btc_edge_relay_latency_seconds";
    const buckets = samples.filter((s) => s.name === `${name}_bucket`);
    expect(buckets.map((b) => b.labels.le)).toEqual([
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "5",
      "10",
      "+Inf",
    ]);
    expect(buckets.map((b) => b.value)).toEqual([1, 1, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5]);
    expect(find(samples, `${name}_count`)).toBe(5);
    expect(find(samples, `${name}_sum`)).toBeCloseTo(30.443, 6);
  });

  test("Histogram puts a value on a bound into that bound's bucket", () => {
    const h = new Histogram([1, 2]);
    for (const v of [0, 1, 1.5, 2, 3]) h.observe(v);
    expect(h.snapshot()).toEqual({ bounds: [1, 2], counts: [2, 2, 1], sum: 7.5 });
    expect(() => new Histogram([2, 1])).toThrow(RangeError);
  });

  test("an empty snapshot still renders valid text", () => {
    const empty: MetricsSnapshot = {
      peers: { inbound: 0, outbound: 0 },
      traffic: { sent: {}, received: {} },
      addrman: {
        ipv4: { new: 0, tried: 0 },
        ipv6: { new: 0, tried: 0 },
        onion: { new: 0, tried: 0 },
        i2p: { new: 0, tried: 0 },
        cjdns: { new: 0, tried: 0 },
      },
      headerHeight: 0,
      headersStored: 1,
      headersBelowThreshold: 0,
      blockStore: { blocks: 0, bytes: 0 },
      blocksServed: { memory: 0, disk: 0 },
      relayLatency: new Histogram([0.1]).snapshot(),
      bans: 0,
      errors: {},
    };
    const { samples } = parseExposition(renderMetrics(empty));
    expect(find(samples, "btc_edge_relay_latency_seconds_bucket", { le: "+Inf" })).toBe(0);
  });
});
