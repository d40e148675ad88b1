/**
 * The services we want of outbound peers (Core's ExpectServicesFromConn and
 * HasAllDesirableServiceFlags): an automatic outbound peer whose `version`
 * lacks them is dropped, and the book learns what it announced so it is not
 * chosen again; a manual peer (`--addnode`, `--connect`) is kept whatever
 * it announces. A NODE_NETWORK_LIMITED peer will do while our tip is recent
 * (under 144 blocks' time old); further behind we want NODE_NETWORK.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { RemoteNode } from "../../adapters/sim/remote_node.ts";
import { SimNetwork } from "../../adapters/sim/network.ts";
import {
  NODE_NETWORK_LIMITED,
  NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS,
  NODE_WITNESS,
} from "../../src/peer/services.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { decodeBlockHeader } from "../../src/wire/block_header.ts";
import { fromHex } from "../../src/wire/bytes.ts";
import {
  addressesOf,
  hostIp,
  MAIN,
  preloadBook,
  readyOutbound,
  simNetwork,
  type SimNode,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();
const LIMITED = NODE_NETWORK_LIMITED | NODE_WITNESS;
const GENESIS_MS = decodeBlockHeader(fromHex(MAIN.genesisBlockHex).subarray(0, 80)).time * 1000;

/** The system clock shifted so that now is `ageMs` after mainnet's genesis block. */
function clockAtGenesisPlus(ageMs: number): Clock {
  const shift = GENESIS_MS + ageMs - Date.now();
  return { ...systemClock, now: () => Date.now() + shift };
}

/** A remote node at `host` announcing `services`. */
function remote(net: SimNetwork, host: string, services: bigint): Promise<RemoteNode> {
  return RemoteNode.start({
    network: net,
    host,
    port: MAIN.defaultPort,
    magic: MAIN.magic,
    sha256: platform.sha256,
    services,
  });
}

/** Why connections to `host` ended, from the node's debug log. */
function endings(sim: SimNode, host: string): string[] {
  return sim.records
    .filter((r) => r.message === "connection ended" && String(r.fields.peer).startsWith(host))
    .map((r) => String(r.fields.reason));
}

describe("services of outbound peers", () => {
  test("an automatic peer lacking them is dropped after its version; an --addnode one is kept", async () => {
    const net = simNetwork();
    const [liar, full, manual] = [hostIp(1), hostIp(2), hostIp(3)];
    await remote(net, liar, NODE_WITNESS); // the book says it is a full node
    await remote(net, full, NODE_NETWORK_LIMITED | 1n | NODE_WITNESS);
    await remote(net, manual, NODE_WITNESS);
    const sim = simNode(net, { targetoutbound: 2, addnode: [`${manual}:8333`] });
    await preloadBook(net, sim.node.datadir, addressesOf([liar, full]));
    running.push(sim);
    await sim.node.start();
    await waitFor(() => endings(sim, liar).length > 0, "the liar dropped");
    expect(endings(sim, liar)[0]).toMatch(
      /services 0000000000000008 lack required 0000000000000009/,
    );
    await waitFor(() => readyOutbound(sim.node).length === 1, "the full node as outbound peer");
    // The book learnt what the liar announced: it is not a candidate any more.
    const book = sim.node.addrman!;
    expect(book.find(parseAddress(liar), 8333)?.services).toBe(NODE_WITNESS);
    await waitFor(
      () =>
        sim.node.connmgr!.connections().some((c) =>
          c.kind === "manual" && c.peer.state === "ready"
        ),
      "the manual peer ready",
    );
    expect(endings(sim, manual)).toEqual([]);
    expect(endings(sim, liar).length).toBe(1);
  });

  test("a --connect peer announcing no services at all is kept", async () => {
    const net = simNetwork();
    await remote(net, hostIp(4), 0n);
    const sim = simNode(net, { connect: [`${hostIp(4)}:8333`] });
    running.push(sim);
    await sim.node.start();
    await waitFor(
      () => sim.node.connmgr!.connections().some((c) => c.peer.state === "ready"),
      "the --connect peer ready (its version passed)",
    );
    expect(endings(sim, hostIp(4))).toEqual([]);
  });

  test("a limited peer is kept near the tip, dropped far behind (then NODE_NETWORK is wanted)", async () => {
    const near = new SimNetwork({ sha256: platform.sha256, clock: clockAtGenesisPlus(60_000) });
    const far = new SimNetwork({
      sha256: platform.sha256,
      clock: clockAtGenesisPlus(NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS * 600_000),
    });
    const host = hostIp(5);
    const sims: SimNode[] = [];
    for (const net of [near, far]) {
      await remote(net, host, LIMITED);
      // The book claims a full node: only the version tells.
      const sim = simNode(net, { targetoutbound: 1 });
      await preloadBook(net, sim.node.datadir, addressesOf([host]));
      running.push(sim);
      sims.push(sim);
      await sim.node.start();
    }
    await waitFor(() => readyOutbound(sims[0].node).length === 1, "the limited peer kept near tip");
    await waitFor(() => endings(sims[1], host).length > 0, "the limited peer dropped far behind");
    expect(endings(sims[1], host)[0]).toContain("lack required 0000000000000009");
    expect(endings(sims[0], host)).toEqual([]);
  });
});
