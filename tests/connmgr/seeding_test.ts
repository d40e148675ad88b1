/**
 * Seeding an empty address book on the simulated network: DNS seeds through
 * the resolver (failed seeds logged, answers added and dialled), a
 * `--seednode` peer that is asked for addresses and dropped once it
 * answered, and fixed seeds as the last resort.
 */
import { describe, expect, test } from "bun:test";
import { queryDnsSeeds } from "../../src/connmgr/seeding.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { platform } from "#platform";
import {
  addressesOf,
  FAST,
  hostIp,
  MAIN,
  readyOutbound,
  remoteNodes,
  simNetwork,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();

describe("seeding", () => {
  test("DNS seeds fill an empty book; a failing seed is logged", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 6 }, (_, i) => hostIp(i));
    await remoteNodes(net, hosts);
    net.setDns(MAIN.dnsSeeds[0], hosts.slice(0, 3));
    net.setDns(MAIN.dnsSeeds[1], hosts.slice(3));
    const sim = simNode(net, { dnsseed: true, targetoutbound: 4 });
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyOutbound(sim.node).length === 4, "4 outbound peers from DNS seeds");
    expect(sim.node.addrman!.size).toBe(6);
    const done = sim.records.find((r) => r.message === "DNS seeds queried")!;
    expect(done.fields.answered).toBe(2);
    expect(done.fields.added).toBe(6);
    expect(sim.records.filter((r) => r.message === "DNS seed failed").length).toBe(
      MAIN.dnsSeeds.length - 2,
    );
  });

  test("seed answers are dated days ago and recorded as coming from the seed", async () => {
    const net = simNetwork();
    net.setDns("seed.example.", ["21.1.0.1", "not-an-ip", "2001:4860::1"]);
    const now = 1_700_000_000;
    const [answer] = await queryDnsSeeds(["seed.example."], {
      resolve: (name, o) => net.resolve(name, o),
      sha256: platform.sha256,
      random: seededRandom(1),
      signal: new AbortController().signal,
      logger: silentLogger,
      now,
      defaultPort: 8333,
    });
    expect(answer.addresses.length).toBe(2);
    expect(answer.source.network).toBe("internal");
    for (const a of answer.addresses) {
      expect(a.port).toBe(8333);
      expect(now - a.time).toBeGreaterThanOrEqual(3 * 86_400);
      expect(now - a.time).toBeLessThan(7 * 86_400);
    }
  });

  test("a --seednode peer is asked for addresses and dropped once it answered", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 5 }, (_, i) => hostIp(10 + i));
    await remoteNodes(net, hosts);
    const seedHost = hostIp(70);
    const [seed] = await remoteNodes(net, [seedHost], { addresses: addressesOf(hosts) });
    // The remote nodes speak v1 only: a v2 first try would count a second
    // connection at the seed (the fallback has its own tests).
    const sim = simNode(net, {
      seednode: [`${seedHost}:8333`],
      targetoutbound: 3,
      v2transport: false,
    });
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyOutbound(sim.node).length === 3, "3 outbound peers from the seed");
    expect(seed.accepted).toBe(1);
    await waitFor(() => seed.peers.size === 0, "the seed connection closed");
    expect(sim.node.addrman!.size).toBeGreaterThanOrEqual(5);
    expect(
      sim.records.some((r) =>
        r.message === "connection ended" && r.fields.kind === "addr-fetch" &&
        r.fields.reason === "seed node answered with addresses"
      ),
    ).toBe(true);
  });

  test("fixed seeds are the last resort when nothing else is configured", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 3 }, (_, i) => hostIp(30 + i));
    await remoteNodes(net, hosts);
    const sim = simNode(net, { targetoutbound: 2 }, {
      ...FAST,
      conn: { ...FAST.conn, fixedSeeds: hosts.map((h) => `${h}:8333`) },
    });
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyOutbound(sim.node).length === 2, "2 outbound peers from fixed seeds");
    expect(sim.messages("info")).toContain("address book empty; fixed seeds added");
  });
});
