/**
 * The propagation scenario at a small scale: a regtest block submitted to
 * one node reaches every node of a simulated network through the real
 * relay code, within virtual seconds, carried by header announcements,
 * getdata and block messages.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { runPropagationScenario } from "../../sim/propagation.ts";
import { RegtestMiner } from "../support/regtest_blocks.ts";

describe("block propagation on a simulated network", () => {
  test("a block injected at one node reaches 99% of the nodes", async () => {
    const nodes = 30;
    const f = await runPropagationScenario({
      sha256: platform.sha256,
      crypto: platform,
      seed: 2,
      nodes,
      warmupMs: 2 * 60_000,
      timeoutMs: 5 * 60_000,
      block: new RegtestMiner(platform.sha256).next(),
    });
    expect(f.reached).toBe(nodes);
    expect(f.p99Ms).not.toBe(null);
    expect(f.p50Ms!).toBeLessThanOrEqual(f.p99Ms!);
    // A few hops of at most 100 ms links (each a round trip of announce and getdata).
    expect(f.p99Ms!).toBeLessThan(10_000);
    // Every node but the origin received the block once, and asked for it.
    expect(f.messages.block).toBeGreaterThanOrEqual(Math.ceil(nodes * 0.99) - 1);
    expect(f.messages.getdata).toBeGreaterThanOrEqual(f.messages.block);
    expect(f.totalMessages).toBeGreaterThan(f.messages.block);
  }, 60_000);
});
