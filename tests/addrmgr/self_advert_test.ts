/**
 * Advertising our own address: a listening node tells each outbound peer,
 * after the handshake, the address that peer sees it at with its listening
 * port; never an inbound peer, never when not listening, never an
 * unroutable address.
 */
import { describe, expect, test } from "bun:test";
import type { RemoteNode } from "../../adapters/sim/remote_node.ts";
import type { OptionsInput } from "../../src/config/options.ts";
import { selfAdvertisement } from "../../src/addrmgr/self_advert.ts";
import { formatAddress, parseAddress } from "../../src/wire/address_format.ts";
import type { VersionMessage } from "../../src/wire/messages/version.ts";
import {
  addressesOf,
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
import { pingRoundTrip } from "../support/ping_round_trip.ts";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();

/** A remote `version` saying it sees us at `seen`. */
function versionSeeing(seen: string): VersionMessage {
  const none = { services: 0n, addr: parseAddress("::"), port: 0 };
  return {
    command: "version",
    version: 70016,
    services: 0n,
    timestamp: 0,
    addrRecv: { services: 0n, addr: parseAddress(seen), port: 50_000 },
    addrFrom: none,
    nonce: 1n,
    userAgent: "",
    startHeight: 0,
    relay: true,
  };
}

describe("selfAdvertisement", () => {
  const local = { listenPort: 8333, services: 8n };

  test("an outbound peer that sees us at a routable address gets it with our listening port", () => {
    expect(selfAdvertisement("outbound", versionSeeing("23.1.2.3"), local, 1_700_000_000)).toEqual({
      time: 1_700_000_000,
      services: 8n,
      addr: parseAddress("23.1.2.3"),
      port: 8333,
    });
  });

  test("nothing for inbound peers, without a listener, or for an unroutable view", () => {
    const v = versionSeeing("23.1.2.3");
    expect(selfAdvertisement("inbound", v, local, 1)).toBeNull();
    expect(selfAdvertisement("outbound", v, { ...local, listenPort: null }, 1)).toBeNull();
    expect(selfAdvertisement("outbound", null, local, 1)).toBeNull();
    for (const seen of ["127.0.0.1", "10.1.2.3", "192.168.1.1", "::", "fe80::1"]) {
      expect(selfAdvertisement("outbound", versionSeeing(seen), local, 1)).toBeNull();
    }
  });
});

/** A node (options `input`) with a book of 8 remote nodes, once all 8 are its outbound peers. */
async function eightOutbound(input: OptionsInput): Promise<RemoteNode[]> {
  const net = simNetwork();
  const hosts = Array.from({ length: 8 }, (_, i) => hostIp(i));
  const remotes = await remoteNodes(net, hosts);
  const sim = simNode(net, input);
  await preloadBook(net, sim.node.datadir, addressesOf(hosts));
  running.push(sim);
  await sim.node.start();
  await waitFor(() => readyOutbound(sim.node).length === 8, "8 ready outbound peers");
  return remotes;
}

describe("a listening node on the simulated network", () => {
  test("advertises itself to each outbound peer once, as it is seen, with its listening port", async () => {
    const remotes = await eightOutbound({});
    await waitFor(() => remotes.every((r) => r.heard.length > 0), "every remote heard of us");
    for (const r of remotes) {
      const self = r.heard.filter((a) => formatAddress(a.addr) === NODE_HOST);
      expect(self.map((a) => a.port)).toEqual([MAIN.defaultPort]);
    }
  });

  test("a node that does not listen advertises nothing", async () => {
    const remotes = await eightOutbound({ listen: ["none"] });
    // An advertisement goes out as the handshake completes: before the pong to a later ping.
    for (const r of remotes) for (const p of r.peers) await pingRoundTrip(p);
    expect(remotes.flatMap((r) => r.heard)).toEqual([]);
  });
});
