/**
 * Serving getdata and getblocktxn: in order from memory or disk, paced by
 * the peer's send queue, notfound for the rest, a too-deep request ends it;
 * stripped blocks; compact answers from the callback the manager gives.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import {
  answerGetData,
  GETDATA_PAUSE_BYTES,
  GETDATA_RESUME_MS,
  GetDataQueue,
  MAX_PENDING_GETDATA,
  MAX_SERVE_DEPTH,
  strippedBlock,
} from "../../src/sync/block_serve.ts";
import { blockHeaderHash } from "../../src/wire/block_header.ts";
import { blockTxids, decodeBlock } from "../../src/wire/block.ts";
import { bytesEqual, hashToHex } from "../../src/wire/bytes.ts";
import type { Message } from "../../src/wire/message.ts";
import {
  type InvItem,
  MSG_BLOCK,
  MSG_CMPCT_BLOCK,
  MSG_FILTERED_BLOCK,
  MSG_TX,
  MSG_WITNESS_BLOCK,
} from "../../src/wire/messages/inv.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { fakePeer } from "./fake_peer.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";

const sha256 = platform.sha256;
const miner = new RegtestMiner(sha256, 9);
const blocks = [miner.next(fillerTxs(3, 300, 5)), miner.next()];
const byHash = new Map(blocks.map((b) => [hashToHex(blockHeaderHash(sha256, b)), b]));
const hashes = blocks.map((b) => blockHeaderHash(sha256, b));

/** Heights by hex for the depth rule (tip 1000); the blocks are at 1000 and 999. */
const heights = new Map(hashes.map((h, i) => [hashToHex(h), 1000 - i]));
const TIP = 1000;
/** What the compact relay would answer, as a recognisable stand-in. */
const COMPACT_ANSWER: Message = { command: "sendheaders" };

/**
 * A queue over `byHash` in memory; `disk` holds blocks served through a
 * read that resolves when the test says (`reads` lists them in order).
 * `served` and `fromDisk` list "command hash" of each answer sent.
 */
function queue(peer = fakePeer(1), disk = new Map<string, Uint8Array>()) {
  const clock = new ManualClock();
  const served: string[] = [];
  const fromDisk: string[] = [];
  const tooDeep: string[] = [];
  const reads: Array<{ hex: string; resolve: (b: Uint8Array | undefined) => void }> = [];
  let notFound = 0;
  const q = new GetDataQueue({
    peer,
    source: {
      height: (h) => heights.get(hashToHex(h)),
      tipHeight: () => TIP,
      cached: (h) => byHash.get(hashToHex(h)),
      stored: (h) => {
        const hex = hashToHex(h);
        if (!disk.has(hex)) return undefined;
        return new Promise((resolve) => reads.push({ hex, resolve }));
      },
    },
    answer: (request, held) =>
      "command" in request
        ? { command: "blocktxn", blockHash: request.blockHash, txs: [] }
        : answerGetData(request, held, () => COMPACT_ANSWER),
    clock,
    signal: new AbortController().signal,
    onServed: (h, command, disk) => (disk ? fromDisk : served).push(`${command} ${hashToHex(h)}`),
    onNotFound: (n) => (notFound += n),
    onTooDeep: (reason) => tooDeep.push(reason),
  });
  return { q, peer, clock, served, fromDisk, tooDeep, reads, notFound: () => notFound };
}

describe("strippedBlock", () => {
  test("drops witness data and keeps every txid; a block without witness is returned as is", () => {
    const stripped = strippedBlock(blocks[0]);
    const full = decodeBlock(blocks[0]);
    const plain = decodeBlock(stripped);
    expect(stripped.length).toBe(full.strippedSize);
    expect(plain.segwitTxCount).toBe(0);
    expect(bytesEqual(blockTxids(sha256, plain), blockTxids(sha256, full))).toBe(true);
    expect(strippedBlock(blocks[1])).toBe(blocks[1]);
  });
});

describe("GetDataQueue", () => {
  test("blocks are served in order, the rest answered with one notfound", () => {
    const { q, peer, served, notFound } = queue();
    const junk = new Uint8Array(32).fill(1);
    q.add([
      { type: MSG_WITNESS_BLOCK, hash: hashes[1] },
      { type: MSG_TX, hash: junk },
      { type: MSG_WITNESS_BLOCK, hash: hashes[0] },
    ]);
    expect(served).toEqual([`block ${hashToHex(hashes[1])}`, `block ${hashToHex(hashes[0])}`]);
    expect(peer.sent.map((m) => m.command)).toEqual(["block", "block", "notfound"]);
    expect(notFound()).toBe(1);
    expect(q.pending).toBe(0);
  });

  test("MSG_CMPCT_BLOCK goes to the compact answer; filtered and unheld blocks get notfound", () => {
    const { q, peer, notFound } = queue();
    q.add([
      { type: MSG_CMPCT_BLOCK, hash: hashes[0] },
      { type: MSG_FILTERED_BLOCK, hash: hashes[0] },
      { type: MSG_CMPCT_BLOCK, hash: new Uint8Array(32).fill(7) },
      { type: MSG_BLOCK, hash: hashes[0] },
    ]);
    expect(peer.sent.map((m) => m.command)).toEqual(["sendheaders", "block", "notfound"]);
    const block = peer.sent[1] as { raw: Uint8Array };
    expect(bytesEqual(block.raw, strippedBlock(blocks[0]))).toBe(true);
    expect(notFound()).toBe(2);
  });

  test("a getblocktxn waits its turn behind getdata and is paced alike", () => {
    const { q, peer, clock, served } = queue();
    peer.queuedBytes = GETDATA_PAUSE_BYTES;
    q.add([{ type: MSG_WITNESS_BLOCK, hash: hashes[0] }]);
    q.addBlockTxn({ command: "getblocktxn", blockHash: hashes[1], indexes: [0] });
    expect(q.pending).toBe(2);
    expect(peer.sent).toEqual([]);
    peer.queuedBytes = 0;
    clock.advance(GETDATA_RESUME_MS);
    expect(served).toEqual([`block ${hashToHex(hashes[0])}`, `blocktxn ${hashToHex(hashes[1])}`]);
  });

  test("serving pauses while the peer's send queue is long and resumes on the timer", () => {
    const { q, peer, clock } = queue();
    const real = peer.send;
    peer.send = (msg) => {
      peer.queuedBytes = GETDATA_PAUSE_BYTES;
      return real(msg);
    };
    q.add([{ type: MSG_WITNESS_BLOCK, hash: hashes[0] }, { type: MSG_BLOCK, hash: hashes[1] }]);
    expect(peer.sent.length).toBe(1);
    expect(q.pending).toBe(1);
    clock.advance(GETDATA_RESUME_MS);
    expect(peer.sent.length).toBe(1);
    peer.queuedBytes = 0;
    clock.advance(GETDATA_RESUME_MS);
    expect(peer.sent.length).toBe(2);
    expect(q.pending).toBe(0);
  });

  test("requests beyond the bound are answered notfound at once", () => {
    const { q, peer, notFound } = queue();
    peer.queuedBytes = GETDATA_PAUSE_BYTES;
    const items: InvItem[] = Array.from({ length: MAX_PENDING_GETDATA }, (_, i) => ({
      type: MSG_WITNESS_BLOCK,
      hash: new Uint8Array(32).fill(i & 0xff),
    }));
    q.add(items);
    q.add(items.slice(0, 10));
    q.addBlockTxn({ command: "getblocktxn", blockHash: hashes[0], indexes: [1] });
    expect(q.pending).toBe(MAX_PENDING_GETDATA);
    expect(notFound()).toBe(10);
  });

  test("blocks on disk are read one at a time and sent in request order", async () => {
    const extra = miner.next();
    const extraHash = blockHeaderHash(sha256, extra);
    const extraHex = hashToHex(extraHash);
    const unusableHex = hashToHex(new Uint8Array(32).fill(9));
    const disk = new Map([[extraHex, extra], [unusableHex, extra]]);
    // Serving answers only for blocks whose height it knows (the store knows its blocks').
    heights.set(extraHex, TIP - 20);
    heights.set(unusableHex, TIP - 21);
    const { q, peer, served, fromDisk, reads, notFound } = queue(fakePeer(1), disk);
    q.add([
      { type: MSG_WITNESS_BLOCK, hash: extraHash },
      { type: MSG_WITNESS_BLOCK, hash: hashes[0] },
      { type: MSG_WITNESS_BLOCK, hash: new Uint8Array(32).fill(9) },
      { type: MSG_WITNESS_BLOCK, hash: hashes[1] },
    ]);
    // The cached block after the disk read waits for it.
    expect(reads.map((r) => r.hex)).toEqual([extraHex]);
    expect(peer.sent).toEqual([]);
    reads[0].resolve(extra);
    await Promise.resolve();
    expect(fromDisk).toEqual([`block ${extraHex}`]);
    expect(served).toEqual([`block ${hashToHex(hashes[0])}`]);
    expect(reads.length).toBe(2);
    // The second read finds the file unusable: notfound for it, then the rest is served.
    reads[1].resolve(undefined);
    await Promise.resolve();
    expect(peer.sent.map((m) => m.command)).toEqual(["block", "block", "notfound", "block"]);
    expect(served).toEqual([`block ${hashToHex(hashes[0])}`, `block ${hashToHex(hashes[1])}`]);
    expect(notFound()).toBe(1);
    expect(q.pending).toBe(0);
    heights.delete(extraHex);
    heights.delete(unusableHex);
  });

  test(`a block more than ${MAX_SERVE_DEPTH} deep ends serving and asks for a disconnect`, () => {
    const deep = new Uint8Array(32).fill(3);
    heights.set(hashToHex(deep), TIP - MAX_SERVE_DEPTH - 1);
    const edge = new Uint8Array(32).fill(4);
    heights.set(hashToHex(edge), TIP - MAX_SERVE_DEPTH);
    try {
      const { q, peer, served, tooDeep } = queue();
      q.add([
        { type: MSG_WITNESS_BLOCK, hash: hashes[0] },
        { type: MSG_WITNESS_BLOCK, hash: edge },
        { type: MSG_WITNESS_BLOCK, hash: deep },
        { type: MSG_WITNESS_BLOCK, hash: hashes[1] },
      ]);
      // At the edge (290 deep) a block not held is notfound; one deeper ends it all.
      expect(served).toEqual([`block ${hashToHex(hashes[0])}`]);
      expect(peer.sent.map((m) => m.command)).toEqual(["block", "notfound"]);
      expect(tooDeep.length).toBe(1);
      expect(tooDeep[0]).toContain(`${MAX_SERVE_DEPTH + 1} deep`);
      expect(q.pending).toBe(0);
      q.add([{ type: MSG_WITNESS_BLOCK, hash: hashes[1] }]);
      expect(peer.sent.length).toBe(2);
    } finally {
      heights.delete(hashToHex(deep));
      heights.delete(hashToHex(edge));
    }
  });
});
