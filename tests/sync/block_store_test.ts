/**
 * The block store on its own, over an in-memory store and a regtest header
 * chain: blocks read back as written, the index rebuilt from the keys alone
 * on reopen, pruning to the window, the stale and the byte bounds (stale
 * blocks first), blocks below the window skipped, an unusable file deleted
 * instead of served, and a block whose header the chain lost giving it back.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { memoryStore } from "../../adapters/storage/memory.ts";
import { createLogger, type LogRecord } from "../../src/log/logger.ts";
import type { KvStore } from "../../src/platform/storage.ts";
import {
  BLOCK_WRITE_DELAY_MS,
  blockKey,
  BlockStore,
  type BlockStoreLimits,
  blockStoreLimits,
  MAX_STALE_BLOCKS,
  NODE_NETWORK_LIMITED_MIN_BLOCKS,
} from "../../src/sync/block_store.ts";
import { HeaderChain } from "../../src/sync/header_chain.ts";
import { BLOCK_HEADER_SIZE, blockHeaderHash } from "../../src/wire/block_header.ts";
import { MAX_BLOCK_SERIALIZED_SIZE } from "../../src/wire/block.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";

const sha256 = platform.sha256;
const hashOf = (block: Uint8Array) => blockHeaderHash(sha256, block);

/** A regtest chain of `n` blocks (headers in `chain`), each with a filler of `size` bytes. */
function chainOf(n: number, size = 300, tag = 0) {
  const chain = new HeaderChain({ params: NETWORKS.regtest, sha256, now: () => Date.now() });
  const miner = new RegtestMiner(sha256, tag);
  const blocks: Uint8Array[] = [new Uint8Array(0)]; // height 0: genesis, not stored
  for (let h = 1; h <= n; h++) {
    const block = miner.next(fillerTxs(1, size, h));
    chain.acceptHeader(block.subarray(0, BLOCK_HEADER_SIZE));
    blocks.push(block);
  }
  return { chain, blocks };
}

async function open(
  store: KvStore,
  chain: HeaderChain,
  limits: Partial<BlockStoreLimits> = {},
  log: LogRecord[] = [],
) {
  return await BlockStore.open({
    store,
    chain,
    sha256,
    logger: createLogger({ sink: (r) => log.push(r), level: "debug" }),
    limits: { ...blockStoreLimits(NODE_NETWORK_LIMITED_MIN_BLOCKS), ...limits },
  });
}

describe("block store", () => {
  test("defaults: 288 blocks, 16 stale, as many bytes as 288 blocks of the largest size", () => {
    expect(blockStoreLimits()).toEqual({
      keep: 288,
      maxStale: MAX_STALE_BLOCKS,
      maxBytes: 288 * MAX_BLOCK_SERIALIZED_SIZE,
    });
  });

  test("blocks read back as written; reopening rebuilds the index from the keys alone", async () => {
    const kv = memoryStore();
    const { chain, blocks } = chainOf(10);
    const { store: s } = await open(kv, chain);
    for (let h = 1; h <= 10; h++) s.put(hashOf(blocks[h]), h, blocks[h]);
    // Being written: held and readable already.
    expect(s.has(hashOf(blocks[3]))).toBe(true);
    expect(await s.read(hashOf(blocks[3]))).toEqual(blocks[3]);
    await s.close();
    const bytes = blocks.slice(1).reduce((n, b) => n + b.length, 0);
    expect(s.status()).toEqual({ count: 10, bytes, lowestHeight: 1, highestHeight: 10 });
    expect((await kv.list()).length).toBe(10);
    expect(await kv.list()).toContain(blockKey(hashOf(blocks[7]), blocks[7].length));

    let reads = 0;
    const counting: KvStore = { ...kv, get: (key) => (reads++, kv.get(key)) };
    const { store: again, report } = await open(counting, chain);
    expect(reads).toBe(0);
    expect(report).toEqual({ blocks: 10, bytes, adoptedHeaders: 0, removed: 0 });
    expect(again.heightOf(hashOf(blocks[7]))).toBe(7);
    expect(await again.read(hashOf(blocks[7]))).toEqual(blocks[7]);
    expect(again.read(new Uint8Array(32))).toBeUndefined();
  });

  test("pruning keeps the window: the last `keep` heights, the oldest deleted", async () => {
    const kv = memoryStore();
    const { chain, blocks } = chainOf(30);
    const { store: s } = await open(kv, chain, { keep: 8 });
    // Below the window (heights 1–22 with the tip at 30): not even written.
    s.put(hashOf(blocks[5]), 5, blocks[5]);
    expect(s.has(hashOf(blocks[5]))).toBe(false);
    for (let h = 23; h <= 30; h++) s.put(hashOf(blocks[h]), h, blocks[h]);
    await s.close();
    expect(s.status()).toMatchObject({ count: 8, lowestHeight: 23, highestHeight: 30 });

    // The tip moves on 5 blocks (headers first, as a sync does): reopening prunes to the bound.
    const more = new RegtestMiner(sha256, 0);
    for (let h = 1; h <= 30; h++) more.next(fillerTxs(1, 300, h));
    for (let h = 31; h <= 35; h++) {
      chain.acceptHeader(more.next(fillerTxs(1, 300, h)).subarray(0, BLOCK_HEADER_SIZE));
    }
    const { store: again, report } = await open(kv, chain, { keep: 8 });
    expect(report.removed).toBe(5);
    expect(again.status()).toMatchObject({ count: 3, lowestHeight: 28, highestHeight: 30 });
    expect((await kv.list()).length).toBe(3);
  });

  test("the byte bound deletes the lowest blocks of the best chain", async () => {
    const kv = memoryStore();
    const { chain, blocks } = chainOf(10, 1000);
    const size = blocks[1].length;
    const { store: s } = await open(kv, chain, { keep: 10, maxBytes: size * 4 + size / 2 });
    for (let h = 10; h >= 1; h--) s.put(hashOf(blocks[h]), h, blocks[h]);
    await s.close();
    expect(s.status()).toMatchObject({ count: 4, lowestHeight: 7, highestHeight: 10 });
    expect(s.status().bytes).toBeLessThanOrEqual(size * 4 + size / 2);
  });

  test("blocks of another branch: at most maxStale, and the first to go for bytes", async () => {
    const kv = memoryStore();
    const { chain, blocks } = chainOf(6, 1000);
    // A fork off height 2 of four blocks, less work than the best chain (6): stale.
    const forker = new RegtestMiner(sha256, 7);
    const fork: Uint8Array[] = [];
    let prev = hashOf(blocks[2]);
    for (let h = 3; h <= 5; h++) {
      const block = forker.build(prev, h, fillerTxs(1, 1000, 100 + h));
      chain.acceptHeader(block.subarray(0, BLOCK_HEADER_SIZE));
      fork.push(block);
      prev = hashOf(block);
    }
    const size = blocks[1].length;
    const { store: s } = await open(kv, chain, { keep: 6, maxStale: 2, maxBytes: size * 7 });
    for (let h = 1; h <= 6; h++) s.put(hashOf(blocks[h]), h, blocks[h]);
    for (const [i, block] of fork.entries()) s.put(hashOf(block), 3 + i, block);
    await s.close();
    // Two stale kept (the highest: 4 and 5), then the byte bound (7 blocks) takes the lowest
    // stale one before any of the best chain.
    expect(s.has(hashOf(fork[0]))).toBe(false);
    expect(s.has(hashOf(fork[1]))).toBe(false);
    expect(s.has(hashOf(fork[2]))).toBe(true);
    expect(s.status()).toMatchObject({ count: 7, lowestHeight: 1, highestHeight: 6 });
    expect(await s.read(hashOf(fork[2]))).toEqual(fork[2]);
  });

  test("a file that does not hold its block is deleted with a warning, never served", async () => {
    const kv = memoryStore();
    const { chain, blocks } = chainOf(3);
    const { store: s } = await open(kv, chain);
    for (let h = 1; h <= 3; h++) s.put(hashOf(blocks[h]), h, blocks[h]);
    await s.close();
    // A file cut short, and one holding another block's bytes.
    const key = (h: number) => blockKey(hashOf(blocks[h]), blocks[h].length);
    await kv.set(key(1), blocks[1].subarray(0, 100));
    const swapped = blocks[3].slice(0, blocks[2].length);
    await kv.set(key(2), swapped);
    const log: LogRecord[] = [];
    const { store: again } = await open(kv, chain, {}, log);
    expect(await again.read(hashOf(blocks[1]))).toBeUndefined();
    expect(await again.read(hashOf(blocks[2]))).toBeUndefined();
    expect(await again.read(hashOf(blocks[3]))).toEqual(blocks[3]);
    expect(log.filter((r) => r.message === "stored block unusable; deleted").length).toBe(2);
    await again.close();
    expect(await kv.list()).toEqual([key(3)]);
    expect(again.status().count).toBe(1);
  });

  test("a block whose header the chain lacks (killed before the header save) gives it back", async () => {
    const kv = memoryStore();
    const { chain, blocks } = chainOf(5);
    const { store: s } = await open(kv, chain);
    for (let h = 1; h <= 5; h++) s.put(hashOf(blocks[h]), h, blocks[h]);
    await s.close();
    // The restarted chain has headers to 3 only; a junk file has no header at all.
    const { chain: shorter } = chainOf(3);
    await kv.set(blockKey(new Uint8Array(32).fill(5), 10), new Uint8Array(10));
    const { store: again, report } = await open(kv, shorter);
    expect(report).toMatchObject({ blocks: 5, adoptedHeaders: 2, removed: 1 });
    expect(shorter.tipHeight).toBe(5);
    expect(again.heightOf(hashOf(blocks[5]))).toBe(5);
    expect((await kv.list()).length).toBe(5);
  });

  test("with a clock, writes start BLOCK_WRITE_DELAY_MS after the put; served from memory meanwhile; close writes at once", async () => {
    const { chain, blocks } = chainOf(3);
    const clock = new ManualClock();
    const settle = () => new Promise((r) => setTimeout(r, 0));

    const kv = memoryStore();
    const { store: s } = await BlockStore.open({
      store: kv,
      chain,
      sha256,
      logger: createLogger({ sink: () => {}, level: "debug" }),
      limits: blockStoreLimits(NODE_NETWORK_LIMITED_MIN_BLOCKS),
      clock,
    });
    s.put(hashOf(blocks[1]), 1, blocks[1]);
    clock.advance(BLOCK_WRITE_DELAY_MS - 1);
    s.put(hashOf(blocks[2]), 2, blocks[2]);
    await settle();
    expect(await kv.list()).toEqual([]); // nothing written yet
    expect(s.has(hashOf(blocks[2]))).toBe(true);
    expect(await s.read(hashOf(blocks[2]))).toEqual(blocks[2]);
    clock.advance(1); // the first put's delay is over: both blocks go
    await settle();
    expect((await kv.list()).length).toBe(2);

    s.put(hashOf(blocks[3]), 3, blocks[3]);
    await s.close(); // no need to wait for the delay
    expect((await kv.list()).length).toBe(3);
    expect(s.status().count).toBe(3);
  });
});
