/**
 * Persistent peers (`--addnode`, `--connect`): retried with a growing wait
 * against a listener that appears late, failures logged at error level,
 * reconnected after a loss, and not counted against the automatic slots.
 */
import { describe, expect, test } from "bun:test";
import { RemoteNode } from "../../adapters/sim/remote_node.ts";
import { retryDelayMs } from "../../src/connmgr/manual.ts";
import { getParams } from "../../src/wire/params.ts";
import {
  addressesOf,
  hostIp,
  MAIN,
  preloadBook,
  readyOutbound,
  remoteNodes,
  simNetwork,
  type SimNode,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import { platform } from "#platform";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();

function persistentReady(sim: SimNode): number {
  return (sim.node.connmgr?.connections() ?? []).filter((c) =>
    c.persistent && c.peer.state === "ready"
  ).length;
}

describe("persistent peers", () => {
  test("the retry wait grows 5 s per failure and stops at 5 minutes", () => {
    expect(retryDelayMs(0)).toBe(5_000);
    expect(retryDelayMs(1)).toBe(5_000);
    expect(retryDelayMs(3)).toBe(15_000);
    expect(retryDelayMs(60)).toBe(300_000);
    expect(retryDelayMs(1_000)).toBe(300_000);
  });

  test("a listener that appears late is reached; failures are errors with growing waits", async () => {
    const net = simNetwork();
    const host = hostIp(3);
    const sim = simNode(net, { addnode: [`${host}:${MAIN.defaultPort}`] });
    running.push(sim);
    await sim.node.start();
    const failures = () =>
      sim.records.filter((r) => r.message === "persistent peer connection failed");
    await waitFor(() => failures().length >= 3, "three failed tries");
    for (const r of failures()) expect(r.level).toBe("error");
    const waits = failures().slice(0, 3).map((r) => r.fields.retryInSeconds as number);
    expect(waits[1]).toBeGreaterThan(waits[0]);
    expect(waits[2]).toBeGreaterThan(waits[1]);
    expect(failures()[0].fields.peer).toBe(`${host}:8333 (outbound)`);

    const [remote] = await remoteNodes(net, [host]);
    await waitFor(() => persistentReady(sim) === 1, "the persistent peer connected");
    expect(sim.node.status().peers.persistent).toBe(1);

    // Lost: it is dialled again.
    await remote.killAll();
    await waitFor(() => remote.accepted >= 2 && persistentReady(sim) === 1, "reconnected");
  });

  test("persistent peers do not take automatic outbound slots", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 4 }, (_, i) => hostIp(i));
    const extra = hostIp(50);
    await remoteNodes(net, [...hosts, extra]);
    const sim = simNode(net, { targetoutbound: 2, addnode: [`${extra}:8333`] });
    await preloadBook(net, sim.node.datadir, addressesOf(hosts));
    running.push(sim);
    await sim.node.start();
    await waitFor(
      () => readyOutbound(sim.node).length === 2 && persistentReady(sim) === 1,
      "2 automatic peers and the persistent one",
    );
    expect(sim.node.connmgr!.count({ kinds: ["outbound-full-relay"] })).toBe(2);
  });

  test("--connect connects only to the given peers", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 4 }, (_, i) => hostIp(i));
    const only = hostIp(60);
    const [onlyRemote] = await remoteNodes(net, [only]);
    await remoteNodes(net, hosts);
    // The remote nodes speak v1 only: v2 first would add a dial (the fallback has its own tests).
    const sim = simNode(net, { connect: [`${only}:8333`], dnsseed: true, v2transport: false });
    await preloadBook(net, sim.node.datadir, addressesOf(hosts));
    running.push(sim);
    await sim.node.start();
    await waitFor(() => persistentReady(sim) === 1, "the --connect peer");
    // A later event: the peer is lost and redialled after the retry step (as long as
    // the outbound loop's recheck, longer than the DNS-seed delay); still nothing else.
    await onlyRemote.killAll();
    await waitFor(() => onlyRemote.accepted >= 2 && persistentReady(sim) === 1, "redialled");
    expect(net.dials).toEqual([`${only}:8333`, `${only}:8333`]);
    expect(sim.messages("info")).toContain("automatic outbound off (--connect)");
  });

  test("a remote that accepts but fails the handshake counts as a failure", async () => {
    const net = simNetwork();
    const host = hostIp(5);
    // A node of another network: our version has the wrong magic for it. (A manual peer
    // lacking services is kept, as Core's ExpectServicesFromConn: see user_connect_test.)
    await RemoteNode.start({
      network: net,
      host,
      port: 8333,
      magic: getParams("regtest").magic,
      sha256: platform.sha256,
    });
    const sim = simNode(net, { addnode: [`${host}:8333`] });
    running.push(sim);
    await sim.node.start();
    await waitFor(
      () => sim.records.some((r) => r.message === "persistent peer connection failed"),
      "a failed handshake",
    );
    const failure = sim.records.find((r) => r.message === "persistent peer connection failed")!;
    // It drops our version (wrong magic for it) before the handshake completes.
    expect(failure.fields.error).toBe("connection closed");
  });
});
