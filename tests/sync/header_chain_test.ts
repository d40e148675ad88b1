/** The header chain: real headers, every refusal kind, reorgs, locators and getheaders. */
import { describe, expect, test } from "bun:test";
import { work } from "../../src/sync/compact_target.ts";
import type { HeaderChain } from "../../src/sync/header_chain.ts";
import { HeaderError, type HeaderErrorKind } from "../../src/sync/header_error.ts";
import { MAX_FUTURE_BLOCK_TIME, MAX_TIMEWARP } from "../../src/sync/header_rules.ts";
import { calculateNextWorkRequired } from "../../src/sync/retarget.ts";
import { fromHex, hashToHex, hexToHash } from "../../src/wire/bytes.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import {
  hashOf,
  mainnetHeaders,
  mineHeader,
  mineRun,
  newChain,
  REGTEST_GENESIS_TIME,
  TEST_GENESIS_TIME,
  TEST_LIMIT_BITS,
  testNet,
  vectorJson,
} from "./helpers.ts";

const REGTEST_GENESIS = hexToHash(NETWORKS.regtest.genesisHash);
const EASY = NETWORKS.regtest.powLimitBits;

/** The kind of the HeaderError `fn` throws (fails the test when it does not throw one). */
function refusal(fn: () => unknown): HeaderErrorKind {
  try {
    fn();
  } catch (error) {
    if (error instanceof HeaderError) return error.kind;
    throw error;
  }
  throw new Error("expected a HeaderError");
}

/** Accepts every header, failing on the first refusal. */
function acceptAll(chain: HeaderChain, raws: Uint8Array[]): void {
  for (const raw of raws) chain.acceptHeader(raw);
}

describe("mainnet headers 0–255", () => {
  const headers = mainnetHeaders();

  test("are accepted in order, ending on the known tip with work 0x10001000100", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    for (const raw of headers.slice(1)) {
      expect(chain.acceptHeader(raw).status).toBe("extended");
    }
    expect(chain.tipHeight).toBe(255);
    expect(chain.count).toBe(256);
    expect(hashToHex(chain.tip().hash)).toBe(
      "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c",
    );
    expect(chain.tipWork).toBe(0x10001000100n);
    expect(chain.tip().work).toBe(0x10001000100n);
    for (let h = 0; h < 256; h++) {
      const hash = hashOf(headers[h]);
      expect(chain.heightOf(hash)).toBe(h);
      expect(hashToHex(chain.hashAt(h)!)).toBe(hashToHex(hash));
      expect(chain.info(hash)!.chainWork).toBe(work(0x1d00ffff) * BigInt(h + 1));
    }
    expect(chain.hashAt(256)).toBeUndefined();
  });

  test("a batch reports its accepted headers and skips known ones", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    const first = chain.acceptHeaders(headers.slice(0, 100));
    expect(first.accepted.length).toBe(99);
    expect(first.duplicates).toBe(1);
    expect(first.error).toBeNull();
    const again = chain.acceptHeaders(headers.slice(50, 256));
    expect(again.accepted.length).toBe(156);
    expect(again.duplicates).toBe(50);
    expect(chain.tipHeight).toBe(255);
  });

  test("out of order: a header whose parent is unknown is refused and nothing is stored", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    expect(refusal(() => chain.acceptHeader(headers[2]))).toBe("unknown-parent");
    expect(chain.count).toBe(1);
    const batch = chain.acceptHeaders([headers[1], headers[3], headers[2]]);
    expect(batch.accepted.length).toBe(1);
    expect(batch.error?.kind).toBe("unknown-parent");
    expect(batch.error?.hash).toBe(hashToHex(hashOf(headers[3])));
  });

  test("a changed nonce breaks the proof of work", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    const bad = headers[1].slice();
    bad[79] ^= 1;
    expect(refusal(() => chain.acceptHeader(bad))).toBe("bad-pow");
  });

  test("a header twice is a duplicate, and 79 bytes are malformed", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    chain.acceptHeader(headers[1]);
    expect(refusal(() => chain.acceptHeader(headers[1]))).toBe("duplicate");
    expect(refusal(() => chain.acceptHeader(headers[0]))).toBe("duplicate");
    expect(refusal(() => chain.acceptHeader(headers[2].subarray(0, 79)))).toBe("malformed");
  });

  test("a far-future adjusted clock is not needed: real time accepts them all", () => {
    const chain = newChain(NETWORKS.main, Date.UTC(2009, 0, 20));
    expect(chain.acceptHeaders(headers.slice(1)).error).toBeNull();
  });
});

describe("refusals on synthetic regtest headers", () => {
  const t0 = REGTEST_GENESIS_TIME;

  test("wrong nBits (not what the rules require) is bad-diffbits", () => {
    const chain = newChain(NETWORKS.regtest);
    const harder = mineHeader({ prev: REGTEST_GENESIS, time: t0 + 600, bits: 0x2000ffff });
    expect(refusal(() => chain.acceptHeader(harder))).toBe("bad-diffbits");
  });

  test("a time not after the median of the last 11 is time-too-old", () => {
    const chain = newChain(NETWORKS.regtest);
    const run = mineRun(REGTEST_GENESIS, 11, t0 + 600, EASY);
    acceptAll(chain, run);
    // Times are t0, t0+600 … t0+6600: the median of the last 11 is t0+3600.
    const median = t0 + 3600;
    const tip = chain.tip().hash;
    expect(refusal(() => chain.acceptHeader(mineHeader({ prev: tip, time: median, bits: EASY }))))
      .toBe("time-too-old");
    expect(chain.acceptHeader(mineHeader({ prev: tip, time: median + 1, bits: EASY })).status)
      .toBe("extended");
  });

  test("more than 2 hours ahead of adjusted time is time-too-new", () => {
    const nowSeconds = t0 + 10_000;
    const chain = newChain(NETWORKS.regtest, nowSeconds * 1000);
    const limit = nowSeconds + MAX_FUTURE_BLOCK_TIME;
    const late = mineHeader({ prev: REGTEST_GENESIS, time: limit + 1, bits: EASY });
    expect(refusal(() => chain.acceptHeader(late))).toBe("time-too-new");
    const edge = mineHeader({ prev: REGTEST_GENESIS, time: limit, bits: EASY });
    expect(chain.acceptHeader(edge).status).toBe("extended");
  });

  test("version rules: below 4 is bad-version from regtest's BIP34/66/65 height (1)", () => {
    for (
      const [version, ok] of [[4, true], [0x20000000, true], [3, false], [2, false], [1, false], [
        -1,
        false,
      ]] as const
    ) {
      const chain = newChain(NETWORKS.regtest);
      const raw = mineHeader({ prev: REGTEST_GENESIS, time: t0 + 600, bits: EASY, version });
      if (ok) expect(chain.acceptHeader(raw).height).toBe(1);
      else {expect({ version, kind: refusal(() => chain.acceptHeader(raw)) }).toEqual({
          version,
          kind: "bad-version",
        });}
    }
  });

  test("version rules apply from each network's heights: a later BIP34 height admits version 1 before it", () => {
    const params = { ...NETWORKS.regtest, bip34Height: 3, bip66Height: 4, bip65Height: 5 };
    const chain = newChain(params);
    let prev = REGTEST_GENESIS;
    const versions = [1, 1, 2, 3, 4]; // heights 1–5, each the least its height allows
    for (const [i, version] of versions.entries()) {
      const raw = mineHeader({ prev, time: t0 + 600 * (i + 1), bits: EASY, version });
      const below = mineHeader({
        prev,
        time: t0 + 600 * (i + 1),
        bits: EASY,
        version: version - 1,
      });
      if (version > 1) expect(refusal(() => chain.acceptHeader(below))).toBe("bad-version");
      chain.acceptHeader(raw);
      prev = hashOf(raw);
    }
    expect(chain.tipHeight).toBe(5);
  });

  test("regtest keeps its bits across the retarget height", () => {
    const chain = newChain(NETWORKS.regtest);
    const interval = NETWORKS.regtest.difficultyAdjustmentInterval;
    acceptAll(chain, mineRun(REGTEST_GENESIS, interval + 5, t0 + 1, EASY, 1));
    expect(chain.tipHeight).toBe(interval + 5);
  });
});

describe("difficulty in context (test network: 10-block periods of 4-second blocks)", () => {
  const T = TEST_GENESIS_TIME;
  const LIMIT = TEST_LIMIT_BITS;
  /** The limit's target divided by 4: what ten quick blocks retarget to. */
  const HARD = 0x1f3fffc0;

  /** Heights 1–9 one second apart at the limit, then height 10 at `HARD` (time T+10). */
  function firstPeriod(chain: HeaderChain, genesis: Uint8Array): void {
    acceptAll(chain, mineRun(genesis, 9, T + 1, LIMIT, 1));
    chain.acceptHeader(mineHeader({ prev: chain.tip().hash, time: T + 10, bits: HARD }));
  }

  test("the retarget block must carry the computed bits; quick blocks clamp to a quarter", () => {
    const params = testNet();
    const chain = newChain(params);
    const genesis = hexToHash(params.genesisHash);
    acceptAll(chain, mineRun(genesis, 9, T + 1, LIMIT, 1));
    const required = calculateNextWorkRequired(params, {
      lastBits: LIMIT,
      lastTime: T + 9,
      firstBits: LIMIT,
      firstTime: T,
    });
    expect(required).toBe(HARD);
    const tip = chain.tip().hash;
    const stale = mineHeader({ prev: tip, time: T + 10, bits: LIMIT });
    expect(refusal(() => chain.acceptHeader(stale))).toBe("bad-diffbits");
    chain.acceptHeader(mineHeader({ prev: tip, time: T + 10, bits: HARD }));
    expect(chain.tipHeight).toBe(10);
    // Mid-period the new bits carry over.
    const next = mineHeader({ prev: chain.tip().hash, time: T + 11, bits: LIMIT });
    expect(refusal(() => chain.acceptHeader(next))).toBe("bad-diffbits");
    // Slow blocks: the next retarget clamps at four times, capped at the limit.
    acceptAll(chain, mineRun(chain.tip().hash, 9, T + 1000, HARD, 1000));
    const tip19 = chain.tip().hash;
    expect(
      refusal(() => chain.acceptHeader(mineHeader({ prev: tip19, time: T + 9001, bits: HARD }))),
    )
      .toBe("bad-diffbits");
    chain.acceptHeader(mineHeader({ prev: tip19, time: T + 9001, bits: LIMIT }));
    expect(chain.tipHeight).toBe(20);
  });

  test("min-difficulty: after twice the spacing the limit is allowed, then the real bits return", () => {
    const params = testNet({ powAllowMinDifficultyBlocks: true });
    const chain = newChain(params);
    firstPeriod(chain, hexToHash(params.genesisHash));
    // Within 2 × spacing (8 s) the limit is refused…
    const early = mineHeader({ prev: chain.tip().hash, time: T + 10 + 8, bits: LIMIT });
    expect(refusal(() => chain.acceptHeader(early))).toBe("bad-diffbits");
    // …after it, allowed.
    const late = T + 10 + 9;
    chain.acceptHeader(mineHeader({ prev: chain.tip().hash, time: late, bits: LIMIT }));
    // The next normal block walks back past the min-difficulty one to HARD.
    const tip = chain.tip().hash;
    const wrong = mineHeader({ prev: tip, time: late + 1, bits: LIMIT });
    expect(refusal(() => chain.acceptHeader(wrong))).toBe("bad-diffbits");
    chain.acceptHeader(mineHeader({ prev: tip, time: late + 1, bits: HARD }));
    expect(chain.tipHeight).toBe(12);
  });

  test("BIP94 retargets from the period's first block's bits", () => {
    const withBip94 = testNet({ powAllowMinDifficultyBlocks: true, enforceBip94: true });
    const chain = newChain(withBip94);
    firstPeriod(chain, hexToHash(withBip94.genesisHash));
    acceptAll(chain, mineRun(chain.tip().hash, 8, T + 11, HARD, 1)); // heights 11–18
    const t19 = T + 18 + 9; // a min-difficulty block
    chain.acceptHeader(mineHeader({ prev: chain.tip().hash, time: t19, bits: LIMIT }));
    const period = { lastBits: LIMIT, lastTime: t19, firstBits: HARD, firstTime: T + 10 };
    const required = calculateNextWorkRequired(withBip94, period);
    const legacy = calculateNextWorkRequired(
      testNet({ powAllowMinDifficultyBlocks: true }),
      period,
    );
    expect(required).not.toBe(legacy);
    const tip = chain.tip().hash;
    const wrong = mineHeader({ prev: tip, time: t19 + 1, bits: legacy });
    expect(refusal(() => chain.acceptHeader(wrong))).toBe("bad-diffbits");
    chain.acceptHeader(mineHeader({ prev: tip, time: t19 + 1, bits: required }));
    expect(chain.tipHeight).toBe(20);
  });

  test("BIP94 timewarp: a period's first block may not be 10 minutes before its parent", () => {
    const params = testNet({ powAllowMinDifficultyBlocks: true, enforceBip94: true });
    const chain = newChain(params);
    firstPeriod(chain, hexToHash(params.genesisHash));
    acceptAll(chain, mineRun(chain.tip().hash, 8, T + 11, HARD, 1));
    const t19 = T + 18 + 700;
    chain.acceptHeader(mineHeader({ prev: chain.tip().hash, time: t19, bits: LIMIT }));
    const required = calculateNextWorkRequired(params, {
      lastBits: LIMIT,
      lastTime: t19,
      firstBits: HARD,
      firstTime: T + 10,
    });
    const tip = chain.tip().hash;
    const warped = mineHeader({ prev: tip, time: t19 - MAX_TIMEWARP - 1, bits: required });
    expect(refusal(() => chain.acceptHeader(warped))).toBe("time-timewarp");
    chain.acceptHeader(mineHeader({ prev: tip, time: t19 - MAX_TIMEWARP, bits: required }));
    expect(chain.tipHeight).toBe(20);
  });

  test("without BIP94 the same warped time is accepted", () => {
    const params = testNet({ powAllowMinDifficultyBlocks: true });
    const chain = newChain(params);
    firstPeriod(chain, hexToHash(params.genesisHash));
    acceptAll(chain, mineRun(chain.tip().hash, 8, T + 11, HARD, 1));
    const t19 = T + 18 + 700;
    chain.acceptHeader(mineHeader({ prev: chain.tip().hash, time: t19, bits: LIMIT }));
    const required = calculateNextWorkRequired(params, {
      lastBits: LIMIT,
      lastTime: t19,
      firstBits: HARD,
      firstTime: T + 10,
    });
    chain.acceptHeader(
      mineHeader({ prev: chain.tip().hash, time: t19 - MAX_TIMEWARP - 1, bits: required }),
    );
    expect(chain.tipHeight).toBe(20);
  });
});

interface ReorgBlock {
  id: string;
  hash: string;
  prev: string;
  hex: string;
}
const reorg = vectorJson<{ blocks: ReorgBlock[]; expected_final_tip: string; fork_point: string }>(
  "reorg-chain.json",
);

/** Every order of `items` in which each item comes after the one its `prev` names. */
function parentFirstOrders(items: ReorgBlock[], known: Set<string>): ReorgBlock[][] {
  if (items.length === 0) return [[]];
  const out: ReorgBlock[][] = [];
  for (const item of items) {
    if (!known.has(item.prev)) continue;
    const rest = items.filter((x) => x !== item);
    const next = new Set(known).add(item.hash);
    for (const tail of parentFirstOrders(rest, next)) out.push([item, ...tail]);
  }
  return out;
}

describe("reorganization (btcd's fork chain)", () => {
  const blocks = reorg.blocks.filter((b) => b.id !== "0");
  const header = (b: ReorgBlock) => fromHex(b.hex.slice(0, 160));

  test("in file order the side branch takes over at 5A, two blocks above the fork", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    const statuses: Record<string, string> = {};
    let last = null;
    for (const b of blocks) {
      last = chain.acceptHeader(header(b));
      statuses[b.id] = last.status;
    }
    expect(statuses).toEqual({
      "1": "extended",
      "2": "extended",
      "3": "extended",
      "4": "extended",
      "3A": "side",
      "4A": "side",
      "5A": "reorged",
    });
    expect(last!.forkHeight).toBe(2);
    expect(last!.disconnected).toBe(2);
    expect(hashToHex(chain.tip().hash)).toBe(reorg.expected_final_tip);
    expect(chain.tipHeight).toBe(5);
    expect(chain.tipWork).toBe(work(0x1d00ffff) * 6n);
    // The old branch is still known, off the best chain.
    const four = hexToHash(blocks.find((b) => b.id === "4")!.hash);
    expect(chain.has(four)).toBe(true);
    expect(chain.heightOf(four)).toBeUndefined();
    expect(chain.info(four)).toEqual({
      height: 4,
      onBestChain: false,
      chainWork: work(0x1d00ffff) * 5n,
    });
    expect(hashToHex(chain.hashAt(3)!)).toBe(blocks.find((b) => b.id === "3A")!.hash);
  });

  test("every arrival order that respects parents ends on 5A", () => {
    const orders = parentFirstOrders(blocks, new Set([reorg.blocks[0].hash]));
    expect(orders.length).toBe(10);
    for (const order of orders) {
      const chain = newChain(NETWORKS.main, Date.now());
      for (const b of order) chain.acceptHeader(header(b));
      expect({ order: order.map((b) => b.id).join(","), tip: hashToHex(chain.tip().hash) })
        .toEqual({ order: order.map((b) => b.id).join(","), tip: reorg.expected_final_tip });
      expect(chain.tipHeight).toBe(5);
    }
  });

  test("equal work keeps the first-seen tip", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    for (const id of ["1", "2", "3A", "4A", "3", "4"]) {
      chain.acceptHeader(header(blocks.find((b) => b.id === id)!));
    }
    expect(hashToHex(chain.tip().hash)).toBe(blocks.find((b) => b.id === "4A")!.hash);
  });

  test("a long side branch overtakes a deep best chain and back (synthetic, regtest)", () => {
    const chain = newChain(NETWORKS.regtest);
    const t0 = REGTEST_GENESIS_TIME;
    const main = mineRun(REGTEST_GENESIS, 2100, t0 + 1, EASY, 1);
    acceptAll(chain, main);
    const forkAt = hashOf(main[49]); // height 50
    const side = mineRun(forkAt, 2060, t0 + 100, EASY, 1, 7);
    const statuses = side.map((raw) => chain.acceptHeader(raw));
    // Side header 2050 (height 2100) ties the best chain; 2051 overtakes it.
    expect(statuses[2049].status).toBe("side");
    expect(statuses[2050]).toMatchObject({ status: "reorged", forkHeight: 50, disconnected: 2050 });
    expect(statuses[2051].status).toBe("extended");
    expect(chain.tipHeight).toBe(2110);
    expect(chain.tipWork).toBe(2n * 2111n);
    // Extending the old branch past the new one switches back.
    const more = mineRun(hashOf(main[2099]), 20, t0 + 5000, EASY, 1, 9);
    const back = more.map((raw) => chain.acceptHeader(raw));
    expect(back[9].status).toBe("side");
    expect(back[10]).toMatchObject({ status: "reorged", forkHeight: 50, disconnected: 2060 });
    expect(chain.tipHeight).toBe(2120);
    expect(chain.tipWork).toBe(2n * 2121n);
    expect(hashToHex(chain.hashAt(2016)!)).toBe(hashToHex(hashOf(main[2015])));
    // Work of a header deep in the (now side) branch is still exact.
    expect(chain.info(hashOf(side[2000]))!.chainWork).toBe(2n * (51n + 2001n));
  });
});

describe("the anti-DoS work threshold and branch tips", () => {
  const t0 = REGTEST_GENESIS_TIME;
  const W = work(EASY);

  test("the threshold is the minimum chain work, or the tip's work less 144 blocks at its difficulty", () => {
    const chain = newChain(NETWORKS.regtest);
    expect(chain.antiDosWorkThreshold()).toBe(0n); // genesis alone: never below zero
    acceptAll(chain, mineRun(REGTEST_GENESIS, 200, t0 + 1, EASY));
    expect(chain.tipWork).toBe(201n * W);
    expect(chain.antiDosWorkThreshold()).toBe(57n * W);
    const raised = newChain({ ...NETWORKS.regtest, minimumChainWork: 100n * W });
    expect(raised.antiDosWorkThreshold()).toBe(100n * W);
    acceptAll(raised, mineRun(REGTEST_GENESIS, 300, t0 + 1, EASY));
    expect(raised.antiDosWorkThreshold()).toBe(157n * W);
  });

  test("tips lists the best tip first, then side branches by height, with branch length and work", () => {
    const chain = newChain(NETWORKS.regtest);
    const main = mineRun(REGTEST_GENESIS, 10, t0 + 1, EASY);
    acceptAll(chain, main);
    const forkA = mineRun(hashOf(main[4]), 3, t0 + 9_000, EASY, 1, 1); // heights 6–8
    const forkB = mineRun(hashOf(main[1]), 1, t0 + 9_000, EASY, 1, 2); // height 3
    acceptAll(chain, [...forkB, ...forkA]);
    const tips = chain.tips(10).map((t) => ({ ...t, hash: hashToHex(t.hash) }));
    expect(tips).toEqual([
      { hash: hashToHex(hashOf(main[9])), height: 10, branchLength: 0, chainWork: 11n * W },
      { hash: hashToHex(hashOf(forkA[2])), height: 8, branchLength: 3, chainWork: 9n * W },
      { hash: hashToHex(hashOf(forkB[0])), height: 3, branchLength: 1, chainWork: 4n * W },
    ]);
    expect(chain.tips(2).length).toBe(2);
    expect(chain.count).toBe(15);
  });

  test("medianTimePast of a stored header; a supplied hash saves the chain hashing again", () => {
    const chain = newChain(NETWORKS.regtest);
    const run = mineRun(REGTEST_GENESIS, 11, t0 + 1, EASY, 10);
    for (const raw of run) chain.acceptHeader(raw, hashOf(raw));
    expect(chain.tipHeight).toBe(11);
    expect(chain.medianTimePast(hashOf(run[10]))).toBe(t0 + 1 + 50);
    expect(chain.medianTimePast(new Uint8Array(32))).toBeUndefined();
  });
});

describe("locator and getheaders", () => {
  const headers = mainnetHeaders();
  const mainChain = () => {
    const chain = newChain(NETWORKS.main, Date.now());
    acceptAll(chain, headers.slice(1));
    return chain;
  };

  test("the locator is dense for 12 entries, then doubles back to genesis", () => {
    const chain = mainChain();
    const heights = chain.locator().map((h) => chain.heightOf(h));
    expect(heights).toEqual([
      255,
      254,
      253,
      252,
      251,
      250,
      249,
      248,
      247,
      246,
      245,
      244,
      242,
      238,
      230,
      214,
      182,
      118,
      0,
    ]);
    expect(chain.locator(hashOf(headers[5])).map((h) => chain.heightOf(h))).toEqual([
      5,
      4,
      3,
      2,
      1,
      0,
    ]);
    expect(chain.locator(new Uint8Array(32))).toEqual([]);
  });

  test("getheaders answers from the first locator hash on our chain, up to stop or the limit", () => {
    const chain = mainChain();
    const hex = (raws: Uint8Array[]) => raws.map((r) => hashToHex(hashOf(r)));
    expect(hex(chain.getHeaders([hashOf(headers[100])], null))).toEqual(
      hex(headers.slice(101)),
    );
    const unknown = new Uint8Array(32).fill(7);
    expect(hex(chain.getHeaders([unknown, hashOf(headers[100])], hashOf(headers[150]))))
      .toEqual(hex(headers.slice(101, 151)));
    expect(chain.getHeaders([unknown], null, 3).length).toBe(3);
    expect(hex(chain.getHeaders([unknown], null, 3))).toEqual(hex(headers.slice(1, 4)));
    expect(chain.getHeaders([hashOf(headers[255])], null)).toEqual([]);
    expect(hex(chain.getHeaders([], hashOf(headers[42])))).toEqual(hex([headers[42]]));
    expect(chain.getHeaders([], unknown)).toEqual([]);
  });

  test("getheaders never answers more than 2000", () => {
    const chain = newChain(NETWORKS.regtest);
    acceptAll(chain, mineRun(REGTEST_GENESIS, 2100, REGTEST_GENESIS_TIME + 1, EASY, 1));
    expect(chain.getHeaders([REGTEST_GENESIS], null, 5000).length).toBe(2000);
    expect(chain.locator().length).toBeLessThanOrEqual(101);
  });

  test("a locator from a stale branch forks where that branch left the best chain", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    for (const b of reorg.blocks.slice(1)) chain.acceptHeader(fromHex(b.hex.slice(0, 160)));
    const stale4 = hexToHash(reorg.blocks.find((b) => b.id === "4")!.hash);
    const answer = chain.getHeaders(chain.locator(stale4), null).map((r) => hashToHex(hashOf(r)));
    expect(answer).toEqual(
      ["3A", "4A", "5A"].map((id) => reorg.blocks.find((b) => b.id === id)!.hash),
    );
    expect(hashToHex(chain.locator(stale4)[1])).toBe(
      reorg.blocks.find((b) => b.id === "3")!.hash,
    );
    expect(hashToHex(chain.locator(stale4)[2])).toBe(reorg.fork_point);
  });
});
