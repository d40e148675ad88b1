/**
 * The "network" scenario at a small scale: real nodes seeded from five
 * simulated DNS seeds all reach 8 outbound peers in distinct groups and
 * fill their address books; and one seed always gives the same run, while
 * another seed gives a different one.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { runNetworkScenario } from "../../sim/network_scenario.ts";

describe("simulated network of real nodes", () => {
  test("every node reaches 8 outbound peers in distinct groups and fills its book", async () => {
    const f = await runNetworkScenario({
      sha256: platform.sha256,
      crypto: platform,
      seed: 11,
      nodes: 30,
      durationMs: 2 * 60_000,
    });
    expect(f.nodes).toBe(30);
    expect(f.fullOutbound).toBe(30);
    expect(f.outbound).toEqual({ min: 8, median: 8, max: 8 });
    expect(f.distinctGroups).toBe(30);
    // Through getaddr answers every node learns of (nearly) the whole network.
    expect(f.books.min).toBeGreaterThanOrEqual(25);
    expect(f.books.max).toBeLessThanOrEqual(30);
    expect(f.errors).toBe(0);
  }, 60_000);

  test("one seed gives the same run; another seed a different one", async () => {
    const run = (seed: number) =>
      runNetworkScenario({
        sha256: platform.sha256,
        crypto: platform,
        seed,
        nodes: 16,
        durationMs: 60_000,
      });
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b).toEqual(a);
    expect(a.timers).toBeGreaterThan(1_000);
    expect([c.timers, c.chunks, c.bytes, c.dials]).not.toEqual([
      a.timers,
      a.chunks,
      a.bytes,
      a.dials,
    ]);
  }, 60_000);
});
