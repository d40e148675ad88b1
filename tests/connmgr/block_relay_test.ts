/**
 * Block-relay-only connections on the simulated network: no address message
 * crosses them from our side (no getaddr, no relay, no self-advertisement),
 * and what the remote sends on one is ignored; full-relay peers meanwhile
 * are asked for addresses once each and told ours (Core's SetupAddressRelay).
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { RemoteNode } from "../../adapters/sim/remote_node.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import type { PeerAddress } from "../../src/wire/messages/addr.ts";
import {
  addressesOf,
  hostIp,
  MAIN,
  NODE_HOST,
  preloadBook,
  readyAutomatic,
  readyOutbound,
  simNetwork,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";
import { waitFor } from "../support/wait.ts";

const running = stoppedAfterEach();

/** Address messages, either way. */
const ADDRESS_COMMANDS = ["addr", "addrv2", "getaddr"];

/** One fresh routable address `77.<i>.0.<j>` on the default port. */
function fresh(i: number, j: number): PeerAddress {
  return {
    time: Math.floor(Date.now() / 1000) - 10,
    services: NODE_NETWORK | NODE_WITNESS,
    addr: parseAddress(`77.${i}.0.${j}`),
    port: MAIN.defaultPort,
  };
}

describe("block-relay-only connections", () => {
  test("no address message crosses one from our side; addresses sent on one are ignored", async () => {
    const net = simNetwork();
    const hosts = Array.from({ length: 4 }, (_, i) => hostIp(i));
    // Each remote answers getaddr with an address of its own (77.<i>.0.1).
    const answering = await Promise.all(hosts.map((host, i) =>
      RemoteNode.start({
        network: net,
        host,
        port: MAIN.defaultPort,
        magic: MAIN.magic,
        sha256: platform.sha256,
        addresses: [fresh(i, 1)],
      })
    ));
    const sim = simNode(net, { targetoutbound: 2 });
    await preloadBook(net, sim.node.datadir, addressesOf(hosts));
    running.push(sim);
    await sim.node.start();
    await waitFor(() => readyAutomatic(sim.node).length === 4, "2 full-relay, 2 block-relay-only");
    const full = readyOutbound(sim.node);
    const blockRelay = readyOutbound(sim.node, "block-relay-only");
    expect([full.length, blockRelay.length]).toEqual([2, 2]);
    const indexOf = (c: (typeof full)[number]) =>
      hosts.findIndex((h) => c.peer.toString().startsWith(`${h}:`));

    // Every remote pushes an unsolicited fresh address (77.<i>.0.2) on its connection to us.
    for (const [i, r] of answering.entries()) {
      for (const p of r.peers) p.send({ command: "addr", addresses: [fresh(i, 2)] });
    }
    const book = sim.node.addrman!;
    const known = (a: PeerAddress) => book.find(a.addr, a.port) !== undefined;
    // The full-relay peers were asked for addresses (getaddr answered) and heard.
    await waitFor(
      () => full.every((c) => known(fresh(indexOf(c), 1)) && known(fresh(indexOf(c), 2))),
      "the full-relay peers' addresses in the book",
    );
    // The pushes on the block-relay-only connections arrived (and were handled on arrival).
    const arrived = (c: (typeof full)[number]) =>
      c.peer.stats().received.perCommand["addr"]?.messages ?? 0;
    await waitFor(() => blockRelay.every((c) => arrived(c) >= 1), "the pushes arrived");
    for (const c of blockRelay) {
      expect(known(fresh(indexOf(c), 1))).toBe(false); // never asked
      expect(known(fresh(indexOf(c), 2))).toBe(false); // ignored
      const sent = c.peer.stats().sent.perCommand;
      for (const command of ADDRESS_COMMANDS) expect(sent[command]).toBeUndefined();
      // Nor did the remote hear anything from us (no self-advertisement either).
      expect(answering[indexOf(c)].heard).toEqual([]);
    }
    for (const c of full) {
      expect(c.peer.stats().sent.perCommand["getaddr"]?.messages).toBe(1);
      // Told our own address (we listen at a routable address).
      expect(answering[indexOf(c)].heard.some((a) => a.addr.bytes.join(".") === NODE_HOST))
        .toBe(true);
    }
  });
});
