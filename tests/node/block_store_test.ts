/**
 * A real regtest node keeping the last 288 blocks on disk (BIP159): it
 * announces NODE_NETWORK_LIMITED | NODE_WITNESS (and NODE_P2P_V2), syncs 300 blocks from a
 * full node, serves the blocks 0, 100 and 287 deep byte for byte and
 * disconnects a peer asking for one 295 deep (as Core); restarted with no
 * peers it serves the same blocks from disk; after a reorg of 3 blocks the
 * store holds the new branch (and the old one, stale, within its bounds);
 * `/chain` and `/metrics` show the store.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { NODE_NETWORK_LIMITED, NODE_P2P_V2, NODE_WITNESS } from "../../src/peer/services.ts";
import { BLOCKS_DIR } from "../../src/node/node.ts";
import { blockHeaderHash } from "../../src/wire/block_header.ts";
import { bytesEqual } from "../../src/wire/bytes.ts";
import { MSG_WITNESS_BLOCK } from "../../src/wire/messages/inv.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import type { ScriptedPeer } from "../support/scripted_peer.ts";
import { BlockSource, clientOf } from "../support/block_source.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";
import { p2pAddress, startNode, stopAll, tempDir, type TestNode } from "./loopback.ts";
import { waitFor } from "../support/wait.ts";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const regtest = NETWORKS.regtest;
const sha256 = platform.sha256;
const hashOf = (block: Uint8Array) => blockHeaderHash(sha256, block);
/** Long enough to sync and download 300 small blocks on a loaded machine. */
const SYNC_MS = 30_000;

/** 300 regtest blocks from height 1 (index h−1), a few with witness data. */
function chain300(): Uint8Array[] {
  const miner = new RegtestMiner(sha256, 15);
  return Array.from(
    { length: 300 },
    (_, i) => miner.next(i % 50 === 0 ? fillerTxs(2, 400, i) : []),
  );
}

const sources: BlockSource[] = [];
afterEach(async () => {
  await stopAll();
  for (const s of sources.splice(0)) await s.stop();
});

async function chainView(t: TestNode) {
  const res = await t.node.app.request("/chain");
  return await res.json() as {
    tip: { height: number };
    blocks: {
      count: number;
      lowestHeight: number | null;
      highestHeight: number | null;
      bytes: number;
    };
  };
}

async function metric(t: TestNode, sample: string): Promise<number> {
  const text = await (await t.node.app.request("/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(sample + " "));
  return Number(line?.split(" ")[1]);
}

/** The answers to a getdata for `hashes`: each block's bytes, or null for notfound. */
async function ask(client: ScriptedPeer, hashes: Uint8Array[]): Promise<(Uint8Array | null)[]> {
  await client.send({
    command: "getdata",
    items: hashes.map((hash) => ({ type: MSG_WITNESS_BLOCK, hash })),
  });
  const out: (Uint8Array | null)[] = [];
  while (out.length < hashes.length) {
    const msg = await client.next();
    if (msg === null) throw new Error("the node closed the connection");
    if (msg.command === "block") out.push(msg.raw);
    if (msg.command === "notfound") { for (const _ of msg.items) out.push(null); }
  }
  return out;
}

/** A node synced to `source` with `blocks`: waits for 288 blocks on disk. */
async function syncedNode(source: BlockSource, datadir = tempDir()): Promise<TestNode> {
  const t = await startNode({ datadir, connect: [source.address] });
  await waitFor(() => t.node.status().chain.height === 300, "headers to 300", SYNC_MS);
  let count = 0;
  await waitFor(
    () => {
      void chainView(t).then((v) => (count = v.blocks.count));
      return count === 288;
    },
    "288 blocks on disk",
    SYNC_MS,
  );
  return t;
}

describe("the last 288 blocks on disk", () => {
  test(
    "synced from a full node: served 0, 100, 287 deep; 295 deep disconnects; and after a restart with no peers, from disk",
    async () => {
      const blocks = chain300();
      const source = await BlockSource.start(regtest, blocks);
      sources.push(source);
      const datadir = tempDir();
      const t = await syncedNode(source, datadir);
      expect((await chainView(t)).blocks).toMatchObject({
        count: 288,
        lowestHeight: 13,
        highestHeight: 300,
      });
      // Accepted blocks are held at once, written one after another (each fsynced).
      const files = () =>
        readdirSync(join(datadir, BLOCKS_DIR)).filter((n) => n.startsWith("block-"));
      await waitFor(() => files().length === 288, "288 block files", SYNC_MS);

      const at = (depth: number) => blocks[300 - depth - 1];
      const { client, version } = await clientOf(p2pAddress(t), regtest);
      expect(version.services).toBe(NODE_NETWORK_LIMITED | NODE_WITNESS | NODE_P2P_V2);
      const answers = await ask(client, [0, 100, 287].map((d) => hashOf(at(d))));
      expect(answers.map((a, i) => a !== null && bytesEqual(a, at([0, 100, 287][i])))).toEqual([
        true,
        true,
        true,
      ]);
      await client.send({
        command: "getdata",
        items: [{ type: MSG_WITNESS_BLOCK, hash: hashOf(at(295)) }],
      });
      expect(await client.untilEnd()).not.toContain("block");
      await t.node.stop();
      await source.stop();

      // No peers at all: what is on disk is loaded (no read) and served.
      const again = await startNode({ datadir });
      const loaded = again.records.find((r) => r.message === "storage loaded")!;
      expect(loaded.fields).toMatchObject({ height: 300, blocks: 288 });
      expect((await chainView(again)).blocks).toMatchObject({ count: 288, lowestHeight: 13 });
      const second = await clientOf(p2pAddress(again), regtest);
      const fromDisk = await ask(second.client, [287, 100, 0].map((d) => hashOf(at(d))));
      expect(fromDisk.map((a, i) => a !== null && bytesEqual(a, at([287, 100, 0][i])))).toEqual([
        true,
        true,
        true,
      ]);
      expect(await metric(again, 'btc_edge_blocks_served_total{source="disk"}')).toBe(3);
      expect(await metric(again, "btc_edge_block_store_blocks")).toBe(288);
      expect(await metric(again, "btc_edge_block_store_bytes")).toBe(
        blocks.slice(12).reduce((n, b) => n + b.length, 0),
      );
    },
    90_000,
  );

  test(
    "a reorg of 3 blocks leaves the store on the new branch, the old one kept as stale",
    async () => {
      const blocks = chain300();
      const source = await BlockSource.start(regtest, blocks);
      sources.push(source);
      const t = await syncedNode(source);
      // A branch off height 297 that ends one block higher: 298'–301' replace 298–300.
      const forker = new RegtestMiner(sha256, 16);
      const fork: Uint8Array[] = [];
      let prev = hashOf(blocks[296]);
      for (let h = 298; h <= 301; h++) {
        fork.push(forker.build(prev, h, fillerTxs(1, 300, h)));
        prev = hashOf(fork[fork.length - 1]);
      }
      for (const block of fork) source.add(block);
      let view = await chainView(t);
      await waitFor(
        () => {
          void chainView(t).then((v) => (view = v));
          return view.tip.height === 301 && view.blocks.highestHeight === 301 &&
            view.blocks.count === 288 + 3;
        },
        "the new branch on disk",
        SYNC_MS,
      );
      // The window is 14–301 on the new branch; 298–300 of the old one stay as stale blocks.
      expect(view.blocks).toMatchObject({ lowestHeight: 14, highestHeight: 301 });
      const { client } = await clientOf(p2pAddress(t), regtest);
      const tipSide = await ask(client, fork.map(hashOf));
      expect(tipSide.every((a, i) => a !== null && bytesEqual(a, fork[i]))).toBe(true);
      const old = await ask(client, blocks.slice(297, 300).map(hashOf));
      expect(old.every((a, i) => a !== null && bytesEqual(a, blocks[297 + i]))).toBe(true);
    },
    90_000,
  );
});
