/**
 * Inbound admission on the simulated network: the per-IP limit, the total
 * limit with every peer protected (refused), eviction of the youngest peer
 * of the most crowded network group to make room, and banned addresses
 * refused at accept.
 */
import { describe, expect, test } from "bun:test";
import { RemoteNode } from "../../adapters/sim/remote_node.ts";
import { PROTECT_BY_PING } from "../../src/connmgr/eviction.ts";
import type { Peer } from "../../src/peer/peer.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { platform } from "#platform";
import {
  MAIN,
  NODE_HOST,
  simNetwork,
  type SimNode,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import type { SimNetwork } from "../../adapters/sim/network.ts";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();

const NODE = { host: NODE_HOST, port: MAIN.defaultPort };

/** A remote (not listening) on `host` that connects to the node. */
function client(net: SimNetwork, host: string): Promise<RemoteNode> {
  return RemoteNode.start({ network: net, host, magic: MAIN.magic, sha256: platform.sha256 });
}

function inbound(sim: SimNode) {
  return (sim.node.connmgr?.connections() ?? []).filter((c) => c.kind === "inbound");
}

async function started(net: SimNetwork, options: Record<string, unknown>): Promise<SimNode> {
  const sim = simNode(net, { targetoutbound: 0, ...options });
  running.push(sim);
  await sim.node.start();
  return sim;
}

describe("inbound limits", () => {
  test("at most 3 connections from one IP address", async () => {
    const net = simNetwork();
    const sim = await started(net, {});
    const remote = await client(net, "21.1.0.1");
    const peers: Peer[] = [];
    for (let i = 0; i < 3; i++) peers.push(await remote.connect(NODE));
    await waitFor(() => peers.every((p) => p.state === "ready"), "3 handshakes");
    const fourth = await remote.connect(NODE);
    await fourth.closed;
    expect(fourth.state).toBe("closed");
    expect(inbound(sim).length).toBe(3);
    expect(
      sim.records.some((r) =>
        r.message === "inbound connection refused" && String(r.fields.reason).includes("limit 3")
      ),
    ).toBe(true);
    // Another address is still welcome.
    const other = await (await client(net, "22.1.0.1")).connect(NODE);
    await waitFor(() => other.state === "ready", "a peer from another address");
  });

  test("full with every peer protected: the newcomer is refused", async () => {
    const net = simNetwork();
    const sim = await started(net, { maxpeers: 4 });
    const peers: Peer[] = [];
    for (let i = 0; i < 4; i++) {
      peers.push(await (await client(net, `${21 + i}.1.0.1`)).connect(NODE));
    }
    await waitFor(() => peers.every((p) => p.state === "ready"), "4 handshakes");
    const late = await (await client(net, "31.1.0.1")).connect(NODE);
    await late.closed;
    expect(inbound(sim).length).toBe(4);
    expect(peers.every((p) => p.state === "ready")).toBe(true);
  });

  test("full: the youngest peer of the most crowded group makes room", async () => {
    const net = simNetwork();
    // 34 peers from one /16 (41.1.x.y), then 6 from distinct groups: after the
    // protections (4 by group, 8 by ping, half the rest by uptime) the crowd
    // still has the most peers left, whichever groups the secret favours.
    const sim = await started(net, { maxpeers: 40 });
    const crowd: Peer[] = [];
    for (let i = 0; i < 34; i++) {
      crowd.push(await (await client(net, `41.1.${i}.${i + 1}`)).connect(NODE));
      await waitFor(() => crowd[i].state === "ready", "a crowd peer");
    }
    const loners: Peer[] = [];
    for (let i = 0; i < 6; i++) {
      loners.push(await (await client(net, `${51 + i}.1.0.1`)).connect(NODE));
      await waitFor(() => loners[i].state === "ready", "a loner");
    }
    expect(inbound(sim).length).toBe(40);
    // What eviction will read of the crowd: connection times and minimum pings
    // (the first ping goes out at the handshake, the next only minutes later).
    await waitFor(() => inbound(sim).every((c) => c.peer.stats().minPingMs !== null), "pings");
    const seen = new Map(inbound(sim).map((c) => [c.peer.address.address.bytes.join("."), c]));
    const crowdStats = crowd.map((_, i) => seen.get(`41.1.${i}.${i + 1}`)!.peer.stats());
    const newcomer = await (await client(net, "61.1.0.1")).connect(NODE);
    await waitFor(() => newcomer.state === "ready", "the newcomer admitted");
    await waitFor(() => crowd.some((p) => p.state === "closed"), "an eviction");
    const evicted = crowd.filter((p) => p.state === "closed");
    expect(evicted.length).toBe(1);
    // The youngest crowd peer that no protection covers: every crowd peer that
    // connected after it was protected, and only the ping protection can shield
    // a younger one (the others favour older peers), so it answered no slower
    // (equal pings are protected in no particular order, as Core's sort).
    const victim = crowdStats[crowd.indexOf(evicted[0])];
    const younger = crowdStats.filter((s) => s.connectedAt > victim.connectedAt);
    expect(younger.length).toBeLessThanOrEqual(PROTECT_BY_PING);
    for (const s of younger) expect(s.minPingMs!).toBeLessThanOrEqual(victim.minPingMs!);
    expect(loners.every((p) => p.state === "ready")).toBe(true);
    expect(inbound(sim).length).toBe(40);
    expect(
      sim.records.some((r) => r.message === "peer evicted" && r.fields.rule === "inbound"),
    ).toBe(true);
  });

  test("a banned address is refused at accept", async () => {
    const net = simNetwork();
    const sim = await started(net, {});
    const remote = await client(net, "71.1.0.1");
    const first = await remote.connect(NODE);
    await waitFor(() => first.state === "ready", "a handshake");
    expect(sim.node.status().bans).toBe(0);
    await banAddress(sim, "71.1.0.1");
    const second = await remote.connect(NODE);
    await second.closed;
    expect(
      sim.records.some((r) =>
        r.message === "inbound connection refused" && r.fields.reason === "banned"
      ),
    ).toBe(true);
  });
});

/** Bans `host` the way a misbehaving peer gets banned: through the node's ban list. */
async function banAddress(sim: SimNode, host: string): Promise<void> {
  const peer =
    (sim.node.connmgr?.connections() ?? []).find((c) =>
      c.peer.address.address.bytes.join(".") === parseAddress(host).bytes.join(".")
    )!.peer;
  peer.misbehave(1_000, "test ban");
  await waitFor(() => sim.node.status().bans === 1, "the ban");
}
