/**
 * Automatic outbound connections on a simulated network of remote nodes on
 * distinct routable hosts: 8 full-relay and 2 block-relay-only slots fill,
 * refill at once when peers are lost, never hold two peers of one network
 * group, and the address manager hears `good` for every completed handshake
 * (and `connected` at the end, except for block-relay-only peers).
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { RemoteNode } from "../../adapters/sim/remote_node.ts";
import { outboundGroup } from "../../src/connmgr/group.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import {
  addressesOf,
  hostIp,
  MAIN,
  preloadBook,
  readyAutomatic,
  readyOutbound,
  remoteNodes,
  simNetwork,
  type SimNode,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();

function groupsOf(n: SimNode): (string | null)[] {
  return readyOutbound(n.node).map((c) => outboundGroup(c.peer.address.address));
}

describe("outbound slots", () => {
  test("fill 8 full-relay and 2 block-relay-only, refill after peers are killed, one peer per group", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 30 }, (_, i) => hostIp(i));
    const remotes = await remoteNodes(net, hosts);
    const sim = simNode(net);
    await preloadBook(net, sim.node.datadir, addressesOf(hosts));
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyAutomatic(sim.node).length === 10, "10 ready automatic peers");
    expect(readyOutbound(sim.node).length).toBe(8);
    expect(readyOutbound(sim.node, "block-relay-only").length).toBe(2);
    const groups = readyAutomatic(sim.node).map((c) => outboundGroup(c.peer.address.address));
    expect(new Set(groups).size).toBe(10);

    // Every completed handshake moved its address to the tried table.
    const book = sim.node.addrman!;
    for (const c of readyAutomatic(sim.node)) {
      expect(book.find(c.peer.address.address, c.peer.address.port)?.tried).toBe(true);
    }

    // Kill three of the connected remotes (and keep them down).
    const victims: RemoteNode[] = remotes.filter((r) => r.ready > 0).slice(0, 3);
    await Promise.all(victims.map((r) => r.stop()));
    await waitFor(
      () =>
        readyOutbound(sim.node).length === 8 &&
        readyOutbound(sim.node).every((c) =>
          !victims.some((v) => c.peer.toString().startsWith(`${v.host}:`))
        ),
      "8 ready outbound peers again, none on a killed host",
    );
    expect(new Set(groupsOf(sim)).size).toBe(8);
    expect(sim.node.connmgr!.count({ kinds: ["outbound-full-relay"] })).toBe(8);
    await waitFor(() => readyAutomatic(sim.node).length === 10, "10 ready automatic peers again");
    const all = readyAutomatic(sim.node).map((c) => outboundGroup(c.peer.address.address));
    expect(new Set(all).size).toBe(10);
  });

  test("a lost block-relay-only peer is not reported connected to the address book", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 4 }, (_, i) => hostIp(i));
    const remotes = await remoteNodes(net, hosts);
    const sim = simNode(net, { targetoutbound: 2 });
    // Last seen an hour ago: Connected() refreshes a time older than 20 minutes.
    const hourAgo = addressesOf(hosts).map((a) => ({ ...a, time: a.time - 3600 }));
    await preloadBook(net, sim.node.datadir, hourAgo);
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyAutomatic(sim.node).length === 4, "2 full-relay, 2 block-relay-only");
    const book = sim.node.addrman!;
    const [full] = readyOutbound(sim.node);
    const [block] = readyOutbound(sim.node, "block-relay-only");
    const timeOf = (c: typeof full) => book.find(c.peer.address.address, c.peer.address.port)!.time;
    const before = { full: timeOf(full), block: timeOf(block) };
    const remoteOf = (c: typeof full) =>
      remotes.find((r) => c.peer.toString().startsWith(`${r.host}:`))!;
    await remoteOf(full).stop();
    await remoteOf(block).stop();
    await waitFor(() => full.peer.state === "closed" && block.peer.state === "closed", "both lost");
    // Core's Connected(): the full-relay peer's time is refreshed, never a block-relay-only one's.
    await waitFor(() => timeOf(full) !== before.full, "the full-relay peer's time refreshed");
    expect(timeOf(block)).toBe(before.block);
  });

  test("never two outbound peers in one /16: four groups give four peers", async () => {
    const net = simNetwork();
    // 20 hosts in 4 groups (/16): 31.1.x.y, 32.1.x.y, 33.1.x.y, 34.1.x.y.
    const hosts = Array.from({ length: 20 }, (_, i) => `${31 + (i % 4)}.1.${i}.${i + 1}`);
    await remoteNodes(net, hosts);
    const sim = simNode(net);
    await preloadBook(net, sim.node.datadir, addressesOf(hosts));
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyOutbound(sim.node).length === 4, "4 ready outbound peers");
    // Let the outbound loop run more rounds, each ending with no candidate left:
    // it must not add a fifth peer.
    const rounds = () =>
      sim.records.filter((r) => r.message === "no address to dial for an outbound slot").length;
    const before = rounds();
    await waitFor(() => rounds() >= before + 5, "five more rounds of the outbound loop");
    expect(readyOutbound(sim.node).length).toBe(4);
    expect(new Set(groupsOf(sim)).size).toBe(4);
    expect(sim.node.connmgr!.count({ kinds: ["outbound-full-relay"] })).toBe(4);
  });

  test("failed dials count against an address only while we appear online", async () => {
    const net = simNetwork();
    const [live1, live2, dead1, dead2] = [hostIp(0), hostIp(1), hostIp(40), hostIp(41)];
    await remoteNodes(net, [live1, live2]);
    const sim = simNode(net, { targetoutbound: 3 });
    await preloadBook(net, sim.node.datadir, addressesOf([live1]));
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyOutbound(sim.node).length === 1, "1 ready outbound peer");
    const book = sim.node.addrman!;
    const entry = (h: string) => book.find(parseAddress(h), MAIN.defaultPort);

    // One group reachable: we may be the ones offline, so the failure is not counted.
    book.add(addressesOf([dead1]), parseAddress("8.8.4.4"));
    await waitFor(() => (entry(dead1)?.lastTry ?? 0) > 0, "a dial to the first dead address");
    expect(entry(dead1)?.attempts).toBe(0);

    // Two groups reachable: now a failure counts.
    book.add(addressesOf([live2]), parseAddress("8.8.4.4"));
    await waitFor(() => readyOutbound(sim.node).length === 2, "2 ready outbound peers");
    book.add(addressesOf([dead2]), parseAddress("8.8.4.4"));
    await waitFor(() => (entry(dead2)?.attempts ?? 0) > 0, "a counted failure for the second");
    expect(entry(dead2)?.tried).toBe(false);
    expect(entry(live2)?.tried).toBe(true);
  });

  test("non-default ports are dialled only when desperate", async () => {
    const net = simNetwork();
    // Enough default-port hosts for 3 full-relay and 2 block-relay-only slots.
    const normal = Array.from({ length: 5 }, (_, i) => hostIp(i));
    const odd = Array.from({ length: 5 }, (_, i) => hostIp(20 + i));
    await remoteNodes(net, normal);
    await Promise.all(
      odd.map((host) =>
        RemoteNode.start({
          network: net,
          host,
          port: 18333,
          magic: MAIN.magic,
          sha256: platform.sha256,
        })
      ),
    );
    const sim = simNode(net, { targetoutbound: 3 });
    await preloadBook(net, sim.node.datadir, [
      ...addressesOf(normal),
      ...addressesOf(odd, 18333),
    ]);
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyAutomatic(sim.node).length === 5, "5 ready automatic peers");
    expect(readyAutomatic(sim.node).every((c) => c.peer.address.port === MAIN.defaultPort)).toBe(
      true,
    );
    expect(net.dials.filter((d) => d.endsWith(":18333"))).toEqual([]);

    // With nothing else known, the odd ports are used.
    const desperate = simNode(net, { targetoutbound: 2 }, undefined, "9.9.9.10");
    await preloadBook(net, desperate.node.datadir, addressesOf(odd, 18333));
    running.push(desperate);
    await desperate.node.start();
    await waitFor(() => readyOutbound(desperate.node).length === 2, "2 ready outbound peers");
    expect(readyOutbound(desperate.node).every((c) => c.peer.address.port === 18333)).toBe(true);
  });
});
