/**
 * The node's life on the simulated network: the start steps in order, each
 * logged once (with a warning for an API on a public address); the final
 * peers.json save is published as addrman.saved; stop() with 100 dials
 * hanging in a black hole and 50 live peers ends every task before the
 * deadline and saves peers.json; ten concurrent stop() calls share one stop; a stop during start; a failed
 * start cleans up; a second shutdown signal only logs; anchors survive a
 * clean restart and not a crash.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { RemoteNode } from "../../adapters/sim/remote_node.ts";
import { ANCHORS_KEY } from "../../src/connmgr/anchors.ts";
import { PEERS_KEY } from "../../src/addrmgr/persist.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import {
  addressesOf,
  FAST,
  hostIp,
  MAIN,
  NODE_HOST,
  preloadBook,
  readyOutbound,
  remoteNodes,
  simNetwork,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();

const START_STEPS = [
  "storage loaded",
  "address manager started",
  "block manager started",
  "peer handler started",
  "listening for peers",
  "connecting to anchors and persistent peers",
  "address seeding started",
  "filling outbound slots",
  "status API listening",
];

describe("node lifecycle", () => {
  test("start runs its steps in order, each logged once at info", async () => {
    const net = simNetwork();
    const sim = simNode(net, { api: `${NODE_HOST}:8334` });
    running.push(sim);
    await sim.node.start();
    expect(sim.node.state).toBe("running");
    const steps = sim.records.filter((r) => r.category === "node" && r.level === "info")
      .map((r) => r.message);
    expect(steps).toEqual(START_STEPS);
    const res = await net.request(NODE_HOST, 8334, new Request("http://sim/status"));
    expect((await res.json()).state).toBe("running");
    // The API is on a public address with a generated token: the node says so.
    expect(sim.messages("warn").filter((m) => m.includes("reachable from other hosts")).length)
      .toBe(1);
  });

  test("the final save of peers.json is published as addrman.saved", async () => {
    const net = simNetwork();
    const sim = simNode(net);
    running.push(sim);
    await sim.node.start();
    const res = await sim.node.app.request("/events");
    const reader = res.body!.getReader();
    await sim.node.stop();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: addrman.saved");
    expect(text).toContain('"addresses":0');
  });

  test("stop() with 100 black-hole dials and 50 live peers ends every task and saves", async () => {
    const net = simNetwork();
    const holes = Array.from({ length: 100 }, (_, i) => `${101 + (i % 50)}.${1 + (i >> 6)}.9.${i}`);
    for (const h of holes) net.blackHole(h);
    const sim = simNode(
      net,
      { addnode: holes.map((h) => `${h}:8333`), maxpeers: 60, targetoutbound: 0 },
      { ...FAST, conn: { ...FAST.conn, connectTimeoutMs: 60_000 } },
    );
    running.push(sim);
    await sim.node.start();
    const clients = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      RemoteNode.start({
        network: net,
        host: hostIp(i),
        magic: MAIN.magic,
        sha256: platform.sha256,
      })));
    const peers = await Promise.all(clients.map((c) => c.connect({ host: NODE_HOST, port: 8333 })));
    await waitFor(() => peers.every((p) => p.state === "ready"), "50 live peers");
    await waitFor(() => net.pendingDials === 100, "100 pending dials");
    expect(sim.node.status().peers.inbound).toBe(50);

    await sim.node.stop();
    expect(sim.node.state).toBe("stopped");
    expect(sim.messages("warn")).not.toContain("tasks still running at the stop deadline");
    expect(net.pendingDials).toBe(0);
    expect(peers.every((p) => p.state === "closed")).toBe(true);
    expect(await net.store(sim.node.datadir).get(PEERS_KEY)).toBeDefined();
  });

  test("ten concurrent stop() calls share one stop", async () => {
    const net = simNetwork();
    const sim = simNode(net);
    running.push(sim);
    await sim.node.start();
    const calls = Array.from({ length: 10 }, () => sim.node.stop());
    expect(new Set(calls).size).toBe(1);
    await Promise.all(calls);
    await sim.node.stop();
    expect(sim.messages().filter((m) => m === "stopped").length).toBe(1);
    expect(sim.messages().filter((m) => m === "stopping").length).toBe(1);
  });

  test("a second shutdown signal only logs that shutdown is in progress", async () => {
    const net = simNetwork();
    const sim = simNode(net);
    running.push(sim);
    await sim.node.start();
    const first = sim.node.signal("SIGINT");
    const second = sim.node.signal("SIGTERM");
    await Promise.all([first, second]);
    expect(sim.messages("warn")).toContain("SIGTERM received; shutdown already in progress");
    expect(sim.messages().filter((m) => m === "stopped").length).toBe(1);
  });

  test("stop() during start ends the start quietly", async () => {
    const net = simNetwork();
    const sim = simNode(net);
    running.push(sim);
    const starting = sim.node.start();
    const stopping = sim.node.stop();
    await starting;
    await stopping;
    expect(sim.node.state).toBe("stopped");
    expect(sim.messages("error")).toEqual([]);
  });

  test("a start that fails (listen address taken) rejects and cleans up", async () => {
    const net = simNetwork();
    await net.listen(NODE_HOST, { host: NODE_HOST, port: 8333, onConn: (c) => c.close() });
    const sim = simNode(net, { addnode: ["21.1.0.1:8333"] });
    running.push(sim);
    let error: unknown;
    await sim.node.start().catch((e) => (error = e));
    expect(String(error)).toContain("EADDRINUSE");
    expect(sim.node.state).toBe("stopped");
    expect(sim.messages("error")).toContain("start failed");
  });

  test("anchors survive a clean restart and are not kept after a crash", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 10 }, (_, i) => hostIp(i));
    await remoteNodes(net, hosts);
    const first = simNode(net, { targetoutbound: 3 });
    await preloadBook(net, first.node.datadir, addressesOf(hosts));
    await first.node.start();
    await waitFor(() => readyOutbound(first.node).length === 3, "3 outbound peers");
    await waitFor(
      () => readyOutbound(first.node, "block-relay-only").length === 2,
      "2 block-relay-only peers",
    );
    const expected = first.node.connmgr!.anchors().map((a) => a.address.bytes.join(".") + ":8333");
    expect(expected.length).toBe(2);
    // The anchors are the block-relay-only peers (Core's anchors.dat).
    expect(
      readyOutbound(first.node, "block-relay-only").map((c) =>
        c.peer.address.address.bytes.join(".") + ":8333"
      ).sort(),
    )
      .toEqual([...expected].sort());
    await first.node.stop();
    const saved = JSON.parse(
      new TextDecoder().decode(await net.store(first.node.datadir).get(ANCHORS_KEY)),
    );
    expect(saved.anchors).toEqual(expected);

    // A clean restart dials the anchors first, and takes the file away.
    const dialsBefore = net.dials.length;
    const second = simNode(net, { targetoutbound: 3 }, FAST, NODE_HOST, 2);
    running.push(second);
    await second.node.start();
    expect(net.dials.slice(dialsBefore, dialsBefore + 2)).toEqual(expected);
    expect(await net.store(second.node.datadir).get(ANCHORS_KEY)).toBeUndefined();
    await waitFor(
      () =>
        (second.node.connmgr?.connections() ?? []).filter((c) => c.anchor && c.readyAt).length ===
          2,
      "both anchors connected",
    );
    // Dialled back as block-relay-only connections.
    for (const c of second.node.connmgr!.connections().filter((c) => c.anchor)) {
      expect(c.kind).toBe("block-relay-only");
    }

    // A crash now leaves the data directory as it is while running: no anchors.
    const third = simNode(net, { targetoutbound: 3 }, FAST, "9.9.9.11", 3);
    const crashed = net.store(third.node.datadir);
    const live = net.store(second.node.datadir);
    await live.set(PEERS_KEY, (await live.get(PEERS_KEY))!);
    for (const key of await live.list()) await crashed.set(key, (await live.get(key))!);
    expect(await crashed.get(ANCHORS_KEY)).toBeUndefined();
    running.push(third);
    await third.node.start();
    const step = third.records.find((r) =>
      r.message === "connecting to anchors and persistent peers"
    )!;
    expect(step.fields.anchors).toBe(0);
    expect(third.node.connmgr!.connections().some((c) => c.anchor)).toBe(false);
  });

  test("the API serves the node's peers, readiness and peer events", async () => {
    const net = simNetwork();
    const hosts = [hostIp(0), hostIp(1)];
    const [first, second] = await remoteNodes(net, hosts);
    const sim = simNode(net, { targetoutbound: 2 });
    await preloadBook(net, sim.node.datadir, addressesOf([hosts[0]]));
    running.push(sim);
    await sim.node.start();
    const app = sim.node.app;
    await waitFor(() => first.ready === 1, "the first peer");
    const peers = await (await app.request("/peers")).json();
    expect(peers.map((p: { address: string }) => p.address)).toEqual([`${hosts[0]}:8333`]);
    expect((await app.request("/ready")).status).toBe(200);

    // Subscribe to the event stream, then let a second peer connect.
    const abort = new AbortController();
    const res = await app.request("/events", { signal: abort.signal });
    const reader = res.body!.getReader();
    sim.node.addrman!.add(addressesOf([hosts[1]]), parseAddress("8.8.4.4"));
    let text = "";
    while (!text.includes(`${hosts[1]}:8333 (outbound)`)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: peer.connected");
    expect(second.ready).toBe(1);
    abort.abort();
    await reader.cancel().catch(() => {});
  });
});
