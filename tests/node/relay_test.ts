/**
 * Three real nodes in a line over loopback, A–B–C (B connects to A, C to
 * B): a regtest block submitted at A through `POST /blocks` (with the token
 * from A's api.cookie) reaches C through B, each peer receiving it exactly
 * once and nobody sending it back; B's inventory shows where it came from
 * and whom it went to, and each relay is observed in the latency histogram.
 * A 1 MB block (well over the API's usual 64 KiB body bound) goes the same
 * way.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { toHex } from "../../src/wire/bytes.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";
import {
  apiUrl,
  cookieToken,
  minedBlocks,
  NET_WAIT_MS,
  p2pAddress,
  readyPeers,
  startNode,
  stopAll,
  type TestNode,
} from "./loopback.ts";
import { waitFor } from "../support/wait.ts";
import { authed, checked } from "../support/api_requests.ts";

afterEach(stopAll);

/**
 * `block` messages `t` received from (or sent to) each of its peers, by
 * direction. (A node's chain height counts headers: it moves when the block
 * is announced, before the block itself arrives.)
 */
function blockCounts(t: TestNode, way: "sent" | "received") {
  const out: Record<string, number> = {};
  for (const p of t.node.peers()) {
    out[p.direction] = p[way].perCommand.block?.messages ?? 0;
  }
  return out;
}

describe("block relay between real nodes", () => {
  test("a block submitted at A reaches C through B, each peer receiving it once", async () => {
    const a = await startNode({ api: "127.0.0.1:0" });
    const b = await startNode({ connect: [p2pAddress(a)], api: "127.0.0.1:0" });
    const c = await startNode({ connect: [p2pAddress(b)] });
    await waitFor(
      () => readyPeers(a) === 1 && readyPeers(b) === 2 && readyPeers(c) === 1,
      "the line A–B–C",
      NET_WAIT_MS,
    );

    const [hex] = minedBlocks(1);
    const res = await fetch(`${apiUrl(a)}/blocks`, authed("POST", { hex }, cookieToken(a)));
    expect(res.status).toBe(200);
    const submitted = await checked("submitBlock", res) as { hash: string };
    expect(submitted).toMatchObject({ height: 1, status: "accepted" });

    await waitFor(() => blockCounts(c, "received").outbound === 1, "the block at C", NET_WAIT_MS);
    for (const t of [a, b, c]) {
      expect(t.node.status().chain).toEqual({ height: 1, bestHash: submitted.hash });
    }
    // A → B → C, once per hop, never back.
    expect(blockCounts(a, "received")).toEqual({ inbound: 0 });
    expect(blockCounts(b, "received")).toEqual({ outbound: 1, inbound: 0 });
    expect(blockCounts(c, "received")).toEqual({ outbound: 1 });
    expect(blockCounts(a, "sent")).toEqual({ inbound: 1 });
    expect(blockCounts(b, "sent")).toEqual({ outbound: 0, inbound: 1 });

    // B's inventory: from A, announced to C.
    const inventory = await checked("inventory", await fetch(`${apiUrl(b)}/inventory`)) as {
      recentBlocks: { hash: string; from?: string; relayedTo: string[] }[];
    };
    const fromA = b.node.peers().find((p) => p.direction === "outbound")!;
    const toC = b.node.peers().find((p) => p.direction === "inbound")!;
    expect(inventory.recentBlocks).toEqual([{
      hash: submitted.hash,
      receivedAt: expect.any(Number),
      from: `${fromA.address} (outbound)`,
      relayedTo: [`${toC.address} (inbound)`],
    }]);

    // Each announcement was observed once in the relay latency histogram.
    for (const t of [a, b]) {
      const metrics = await (await fetch(`${apiUrl(t)}/metrics`)).text();
      expect(metrics).toContain("btc_edge_relay_latency_seconds_count 1\n");
      expect(metrics).toContain('btc_edge_messages_total{direction="sent",command="block"} 1\n');
    }
  });

  test("a 1 MB block with witness data is submitted over HTTP and relayed down the line", async () => {
    const a = await startNode({ api: "127.0.0.1:0" });
    const b = await startNode({ connect: [p2pAddress(a)] });
    const c = await startNode({ connect: [p2pAddress(b)] });
    await waitFor(
      () => readyPeers(a) === 1 && readyPeers(b) === 2 && readyPeers(c) === 1,
      "the line A–B–C",
      NET_WAIT_MS,
    );
    const block = new RegtestMiner(platform.sha256, 7).next(fillerTxs(1_000, 1_000, 7));
    expect(block.length).toBeGreaterThan(1_000_000);
    const res = await fetch(
      `${apiUrl(a)}/blocks`,
      authed("POST", { hex: toHex(block) }, cookieToken(a)),
    );
    expect(res.status).toBe(200);
    await waitFor(() => blockCounts(c, "received").outbound === 1, "the block at C", NET_WAIT_MS);
    const atC = c.node.peers()[0].received.perCommand.block;
    expect(atC.messages).toBe(1);
    // A v2 packet (the default): 3-byte length, header byte, short id, then the block and a 16-byte tag.
    expect(c.node.peers()[0].transport).toBe("v2");
    expect(atC.bytes).toBe(3 + 1 + 1 + block.length + 16);
  });
});
