/**
 * Node-wide metrics: traffic totals are the departed peers' final counters
 * plus the live peers' current ones, so they never shrink when a peer
 * leaves (and a peer is folded in once); errors are counted by kind.
 */
import { describe, expect, test } from "bun:test";
import { NodeMetrics } from "../../src/node/node_metrics.ts";
import type { PeerStats, TrafficStats } from "../../src/peer/peer_stats.ts";
import { samplePeer } from "../support/fake_api_source.ts";

/** A peer whose traffic the test sets. */
class FakePeer {
  sent: TrafficStats = { messages: 0, bytes: 0, perCommand: {} };
  received: TrafficStats = { messages: 0, bytes: 0, perCommand: {} };

  /** Sets this peer's counters of `command`. */
  set(way: "sent" | "received", command: string, messages: number, bytes: number): void {
    const t = this[way];
    this[way] = { ...t, perCommand: { ...t.perCommand, [command]: { messages, bytes } } };
  }

  stats(): PeerStats {
    return { ...samplePeer(1), sent: this.sent, received: this.received };
  }
}

describe("node metrics", () => {
  test("traffic totals keep a departed peer's counters and add the live ones", () => {
    const m = new NodeMetrics();
    const a = new FakePeer();
    const b = new FakePeer();
    m.peerOpened(a);
    m.peerOpened(b);
    a.set("received", "block", 1, 1000);
    b.set("received", "block", 2, 3000);
    b.set("sent", "ping", 4, 128);
    expect(m.traffic()).toEqual({
      sent: { ping: { messages: 4, bytes: 128 } },
      received: { block: { messages: 3, bytes: 4000 } },
    });

    a.set("received", "block", 5, 5000);
    m.peerClosed(a);
    m.peerClosed(a);
    expect(m.traffic().received).toEqual({ block: { messages: 7, bytes: 8000 } });
    // A departed peer is counted as it was when it left.
    a.set("received", "block", 50, 50_000);
    expect(m.traffic().received).toEqual({ block: { messages: 7, bytes: 8000 } });

    m.peerClosed(b);
    expect(m.traffic()).toEqual({
      sent: { ping: { messages: 4, bytes: 128 } },
      received: { block: { messages: 7, bytes: 8000 } },
    });
  });

  test("errors are counted by kind, every kind listed from zero", () => {
    const m = new NodeMetrics();
    expect(m.errors()).toEqual({ decode: 0, misbehaviour: 0, dial: 0, api: 0 });
    m.countError("dial");
    m.countError("dial");
    m.countError("api");
    expect(m.errors()).toEqual({ decode: 0, misbehaviour: 0, dial: 2, api: 1 });
  });

  test("relay latencies land in the histogram", () => {
    const m = new NodeMetrics();
    m.relayLatency.observe(0.003);
    m.relayLatency.observe(0.3);
    const h = m.relayLatency.snapshot();
    expect(h.counts.reduce((n, c) => n + c, 0)).toBe(2);
    expect(h.sum).toBeCloseTo(0.303);
  });
});
