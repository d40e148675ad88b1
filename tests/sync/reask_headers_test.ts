/**
 * A peer that leaves our getheaders unanswered (bcoin does, when it has no
 * headers to give) and then announces a block we lack is asked again, at most
 * once a second however many announcements arrive.
 */
import { describe, expect, test } from "bun:test";
import { REASK_AFTER_INV_MS } from "../../src/sync/header_requests.ts";
import { MSG_BLOCK } from "../../src/wire/messages/inv.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { fakePeer } from "./fake_peer.ts";
import { newNode } from "./sync_net.ts";

function unknownBlockInv(n: number) {
  const hash = new Uint8Array(32).fill(n);
  return { command: "inv" as const, items: [{ type: MSG_BLOCK, hash }] };
}

describe("headers re-asked after an announcement", () => {
  test("an unanswered getheaders is repeated once, a second after it was sent, despite an inv flood", async () => {
    const clock = new ManualClock();
    const node = newNode("reask", NETWORKS.regtest, { clock });
    const peer = fakePeer(1);
    node.manager.addPeer(peer);
    const getheaders = () => peer.sent.filter((m) => m.command === "getheaders").length;
    expect(getheaders()).toBe(1);

    for (let i = 1; i <= 100; i++) node.manager.onMessage(peer, unknownBlockInv(i));
    expect(getheaders()).toBe(1);
    clock.advance(REASK_AFTER_INV_MS - 1);
    expect(getheaders()).toBe(1);
    clock.advance(1);
    expect(getheaders()).toBe(2);

    // Still unanswered a second later: the next announcement asks again at once.
    clock.advance(REASK_AFTER_INV_MS);
    node.manager.onMessage(peer, unknownBlockInv(101));
    expect(getheaders()).toBe(3);
    node.manager.removePeer(1);
    await node.manager.stop();
  });
});
