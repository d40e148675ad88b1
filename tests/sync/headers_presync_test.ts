/**
 * Header presync on its own: a chain that reaches the work threshold is
 * handed back whole, in order, only after a buffer's worth has been checked
 * against the commitments; one that does not costs nothing; a different
 * chain in redownload is caught by the commitments before any of it is
 * handed back; over-long, discontinuous and badly retargeted chains stop it.
 * The caller checks proof of work, so these headers need none.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { seededRandom } from "../../src/platform/random.ts";
import { work } from "../../src/sync/compact_target.ts";
import { MAX_FUTURE_BLOCK_TIME } from "../../src/sync/header_rules.ts";
import {
  COMPRESSED_HEADER_SIZE,
  HeadersPresync,
  MAX_BLOCKS_PER_SECOND,
  type PresyncResult,
} from "../../src/sync/headers_presync.ts";
import { blockHeaderHash, encodeBlockHeader } from "../../src/wire/block_header.ts";
import { bytesEqual, hexToHash } from "../../src/wire/bytes.ts";
import { MAX_HEADERS } from "../../src/wire/messages/headers.ts";
import { type NetworkParams, NETWORKS } from "../../src/wire/params.ts";
import { REGTEST_GENESIS_TIME, testNet } from "./helpers.ts";

const sha256 = platform.sha256;
const hashOf = (raw: Uint8Array) => blockHeaderHash(sha256, raw);
const works = new Map<number, bigint>();
/** `work`, cached as the chain's `workOf` is. */
const workOf = (bits: number) => works.get(bits) ?? works.set(bits, work(bits)).get(bits)!;

const regtest = NETWORKS.regtest;
const W = work(regtest.powLimitBits);
const GENESIS = hexToHash(regtest.genesisHash);
const { commitmentPeriod: PERIOD, redownloadBufferSize: BUFFER } = regtest.headersSync;

/** `count` linked headers on `prev` (no proof of work), `salt` telling chains apart. */
function chainOf(count: number, salt: number, prev = GENESIS, bits = regtest.powLimitBits) {
  const raws: Uint8Array[] = [];
  const hashes = new Uint8Array(32 * count);
  for (let i = 0; i < count; i++) {
    const merkleRoot = new Uint8Array(32);
    new DataView(merkleRoot.buffer).setUint32(0, salt, true);
    new DataView(merkleRoot.buffer).setUint32(4, i, true);
    const raw = encodeBlockHeader({
      version: 4,
      prevBlock: prev,
      merkleRoot,
      time: REGTEST_GENESIS_TIME + 1 + i,
      bits,
      nonce: 0,
    });
    raws.push(raw);
    prev = hashOf(raw);
    hashes.set(prev, 32 * i);
  }
  return { raws, hashes };
}

type Chain = ReturnType<typeof chainOf>;

function presyncOn(
  minimumWork: bigint,
  options: { params?: NetworkParams; nowSeconds?: number; seed?: number } = {},
): HeadersPresync {
  const params = options.params ?? regtest;
  return new HeadersPresync({
    params,
    sha256,
    random: seededRandom(options.seed ?? 11),
    start: {
      hash: GENESIS,
      height: 0,
      chainWork: W,
      bits: params.powLimitBits,
      time: REGTEST_GENESIS_TIME,
      medianTimePast: REGTEST_GENESIS_TIME,
      locator: [GENESIS],
    },
    minimumWork,
    nowSeconds: options.nowSeconds ?? Date.UTC(2030, 0, 1) / 1000,
    workOf,
  });
}

/** Feeds `chain[from, to)` in full messages (the last one short unless `to` is a multiple). */
function feed(
  presync: HeadersPresync,
  chain: Chain,
  from: number,
  to: number,
  onResult: (r: PresyncResult) => void = () => {},
): PresyncResult {
  let result: PresyncResult | undefined;
  for (let i = from; i < to; i += MAX_HEADERS) {
    const end = Math.min(to, i + MAX_HEADERS);
    result = presync.process(
      chain.raws.slice(i, end),
      chain.hashes.subarray(32 * i, 32 * end),
      end - i === MAX_HEADERS,
    );
    onResult(result);
    if (!result.success || !result.requestMore) break;
  }
  return result!;
}

describe("header presync", () => {
  test("a chain reaching the threshold is handed back whole and in order, a buffer behind", () => {
    const n = 10_000;
    const chain = chainOf(n, 1);
    const threshold = W * BigInt(n - 500); // reached 500 headers before the end
    const presync = presyncOn(threshold);
    const first = feed(presync, chain, 0, 2000);
    expect(first).toMatchObject({ success: true, requestMore: true, failure: null });
    expect(presync.phase).toBe("presync");
    expect(presync.locator()).toEqual([chain.hashes.slice(32 * 1999, 32 * 2000), GENESIS]);
    // Presync keeps only bits: about one per period.
    expect(presync.memoryBytes()).toBeLessThan(200);
    const last = feed(presync, chain, 2000, n);
    expect(last).toMatchObject({ success: true, requestMore: true, ready: [] });
    expect(presync.phase).toBe("redownload");
    expect(presync.height).toBe(n);
    // Redownload starts over from the chain start.
    expect(presync.locator()).toEqual([GENESIS, GENESIS]);

    const ready: Uint8Array[] = [];
    const readyHashes: Uint8Array[] = [];
    let firstReleaseAt = -1;
    let received = 0;
    let peakBytes = 0;
    feed(presync, chain, 0, n, (r) => {
      received += Math.min(MAX_HEADERS, n - received);
      if (r.ready.length > 0 && firstReleaseAt < 0) firstReleaseAt = received;
      ready.push(...r.ready.map((raw) => raw.slice()));
      readyHashes.push(r.readyHashes.slice());
      if (presync.phase === "redownload") peakBytes = Math.max(peakBytes, presync.memoryBytes());
    });
    expect(peakBytes).toBeGreaterThan(BUFFER * COMPRESSED_HEADER_SIZE);
    expect(peakBytes).toBeLessThan((BUFFER + MAX_HEADERS) * COMPRESSED_HEADER_SIZE + 1024);
    // Nothing is handed back before a buffer's worth stands checked behind it.
    expect(firstReleaseAt).toBeGreaterThan(BUFFER);
    expect(ready.length).toBe(n);
    expect(ready.filter((raw, i) => !bytesEqual(raw, chain.raws[i])).length).toBe(0);
    const allHashes = new Uint8Array(32 * n);
    let at = 0;
    for (const h of readyHashes) {
      allHashes.set(h, at);
      at += h.length;
    }
    expect(bytesEqual(allHashes, chain.hashes)).toBe(true);
    expect(presync.phase).toBe("final");
    expect(presync.memoryBytes()).toBeLessThan(100);
  });

  test("a chain that ends below the threshold is dropped: nothing handed back, nothing kept", () => {
    const chain = chainOf(2999, 2);
    const presync = presyncOn(W * 5000n);
    const result = feed(presync, chain, 0, 2999);
    expect(result).toMatchObject({
      success: true,
      requestMore: false,
      failure: "incomplete",
      ready: [],
    });
    expect(presync.phase).toBe("final");
    expect(presync.locator()).toEqual([]);
    expect(presync.process(chain.raws.slice(0, 1), chain.hashes.subarray(0, 32), true))
      .toMatchObject({ success: false, requestMore: false });
  });

  test("a different chain in redownload fails a commitment before any of it is handed back", () => {
    const n = 10_000;
    const honest = chainOf(n, 3);
    const other = chainOf(n, 4);
    for (const seed of [1, 2, 3, 4, 5]) {
      const presync = presyncOn(W * BigInt(n), { seed });
      feed(presync, honest, 0, n);
      expect(presync.phase).toBe("redownload");
      let handedBack = 0;
      const result = feed(presync, other, 0, n, (r) => (handedBack += r.ready.length));
      expect({ seed, failure: result.failure, success: result.success }).toEqual({
        seed,
        failure: "commitment-mismatch",
        success: false,
      });
      expect(handedBack).toBe(0);
      expect(presync.phase).toBe("final");
    }
  });

  test("the redownload message that reaches the target is handed back whole, and presync ends", () => {
    const chain = chainOf(4_000, 5);
    const presync = presyncOn(W * 3001n); // reached at height 3000
    feed(presync, chain, 0, 4000);
    expect(presync.phase).toBe("redownload");
    let handedBack = 0;
    // The peer's chain grew by 1,000 since presync: past the target, no bit is checked.
    const result = feed(presync, chain, 0, 4000, (r) => (handedBack += r.ready.length));
    expect(result).toMatchObject({ success: true, requestMore: false, failure: null });
    expect(handedBack).toBe(4_000);
    expect(presync.phase).toBe("final");
  });

  test("more headers than 6 a second since the start's median time allows: too long", () => {
    // With the clock at the start's median time, the bound is 6 × 2 hours of blocks.
    const presync = presyncOn(W * 100_000n, { nowSeconds: REGTEST_GENESIS_TIME });
    const limit = Math.floor(MAX_BLOCKS_PER_SECOND * MAX_FUTURE_BLOCK_TIME / PERIOD);
    expect(presync.maxCommitments).toBe(limit);
    const n = (limit + 1) * PERIOD + PERIOD;
    const result = feed(presync, chainOf(n, 6), 0, n);
    expect(result).toMatchObject({ success: false, failure: "too-long" });
    expect(presync.height).toBeGreaterThan(limit * PERIOD - PERIOD);
    expect(presync.height).toBeLessThanOrEqual((limit + 1) * PERIOD);
  });

  test("a message that does not extend the last header ends it", () => {
    const chain = chainOf(4000, 7);
    const presync = presyncOn(W * 10_000n);
    feed(presync, chain, 0, 2000);
    const result = presync.process(
      chain.raws.slice(2001, 4000),
      chain.hashes.subarray(32 * 2001, 32 * 4000),
      false,
    );
    expect(result).toMatchObject({ success: false, failure: "non-continuous" });
  });

  test("a difficulty change the retarget rules do not permit ends it", () => {
    const params = testNet(); // retargets every 10 blocks, no minimum-difficulty blocks
    const presync = new HeadersPresync({
      params,
      sha256,
      random: seededRandom(1),
      start: {
        hash: GENESIS,
        height: 0,
        chainWork: 1n,
        bits: params.powLimitBits,
        time: 0,
        medianTimePast: 0,
        locator: [GENESIS],
      },
      minimumWork: 1n << 200n,
      nowSeconds: Date.UTC(2030, 0, 1) / 1000,
      workOf,
    });
    const good = chainOf(5, 8, GENESIS, params.powLimitBits);
    expect(presync.process(good.raws, good.hashes, true).success).toBe(true);
    const harder = chainOf(1, 9, good.hashes.slice(4 * 32), 0x1f00ffff);
    expect(presync.process(harder.raws, harder.hashes, true)).toMatchObject({
      success: false,
      failure: "bad-difficulty",
    });
  });
});
