/** Difficulty rules: Core's retarget vectors, clamps, min-difficulty, BIP94 and regtest. */
import { describe, expect, test } from "bun:test";
import {
  type AncestorReader,
  calculateNextWorkRequired,
  getNextWorkRequired,
  permittedDifficultyTransition,
} from "../../src/sync/retarget.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { vectorJson } from "./helpers.ts";

interface RetargetVector {
  name: string;
  last_retarget_time: number;
  last_block_height: number;
  last_block_time: number;
  nbits_in: string;
  expected_nbits: string;
  not_permitted_nbits?: string;
  next_height: number;
}
const { retarget } = vectorJson<{ retarget: RetargetVector[] }>("pow-vectors.json");
const main = NETWORKS.main;

/** A branch given as arrays of bits and times by height. */
function reader(bits: number[], times: number[]): AncestorReader {
  return {
    bitsAt: (h) => {
      if (h < 0 || h >= bits.length) throw new RangeError(`height ${h}`);
      return bits[h];
    },
    timeAt: (h) => {
      if (h < 0 || h >= times.length) throw new RangeError(`height ${h}`);
      return times[h];
    },
  };
}

describe("retarget vectors (Core pow_tests)", () => {
  test("all four CalculateNextWorkRequired cases, clamps included", () => {
    expect(retarget.length).toBe(4);
    for (const v of retarget) {
      const bits = calculateNextWorkRequired(main, {
        lastBits: Number(v.nbits_in),
        lastTime: v.last_block_time,
        firstBits: Number(v.nbits_in),
        firstTime: v.last_retarget_time,
      });
      expect({ name: v.name, bits }).toEqual({ name: v.name, bits: Number(v.expected_nbits) });
    }
  });

  test("each expected value is a permitted transition; the off-by-one ones are not", () => {
    let negatives = 0;
    for (const v of retarget) {
      const from = Number(v.nbits_in);
      expect(permittedDifficultyTransition(main, v.next_height, from, Number(v.expected_nbits)))
        .toBe(true);
      if (v.not_permitted_nbits) {
        expect(
          permittedDifficultyTransition(main, v.next_height, from, Number(v.not_permitted_nbits)),
        ).toBe(false);
        negatives++;
      }
    }
    expect(negatives).toBe(2);
  });

  test("between retargets the bits may not change; min-difficulty networks allow anything", () => {
    expect(permittedDifficultyTransition(main, 32257, 0x1d00d86a, 0x1d00d86a)).toBe(true);
    expect(permittedDifficultyTransition(main, 32257, 0x1d00d86a, 0x1d00d86b)).toBe(false);
    expect(permittedDifficultyTransition(NETWORKS.testnet3, 32257, 0x1d00d86a, 0x1d00ffff))
      .toBe(true);
  });

  test("GetNextWorkRequired retargets at the boundary from the period's first block", () => {
    const v = retarget[0];
    const bits: number[] = [];
    const times: number[] = [];
    for (let h = 0; h <= v.last_block_height; h++) {
      bits.push(Number(v.nbits_in));
      times.push(v.last_retarget_time);
    }
    times[v.last_block_height] = v.last_block_time;
    const chain = reader(bits, times);
    expect(getNextWorkRequired(main, v.last_block_height, chain, v.last_block_time + 600))
      .toBe(Number(v.expected_nbits));
    // One block earlier is mid-period: the bits carry over.
    expect(getNextWorkRequired(main, v.last_block_height - 1, chain, v.last_block_time))
      .toBe(Number(v.nbits_in));
  });
});

describe("network rules", () => {
  test("regtest never retargets", () => {
    const bits = calculateNextWorkRequired(NETWORKS.regtest, {
      lastBits: 0x207fffff,
      lastTime: 1000,
      firstBits: 0x207fffff,
      firstTime: 999,
    });
    expect(bits).toBe(0x207fffff);
  });

  test("testnet3: a block 20 minutes after its parent may use the limit", () => {
    const t3 = NETWORKS.testnet3;
    const hard = 0x1c0fffff;
    const chain = reader([hard, hard, hard], [0, 600, 1200]);
    expect(getNextWorkRequired(t3, 2, chain, 1200 + 1201)).toBe(t3.powLimitBits);
    expect(getNextWorkRequired(t3, 2, chain, 1200 + 1200)).toBe(hard);
  });

  test("testnet3: otherwise walk back past min-difficulty blocks to the last real bits", () => {
    const t3 = NETWORKS.testnet3;
    const hard = 0x1c0fffff;
    const easy = t3.powLimitBits;
    // Height 2016 starts a period with `hard`; 2017 and 2018 were min-difficulty blocks.
    const bits = new Array(2019).fill(hard);
    bits[2017] = easy;
    bits[2018] = easy;
    const times = bits.map((_, h) => h * 600);
    expect(getNextWorkRequired(t3, 2018, reader(bits, times), 2018 * 600 + 60)).toBe(hard);
    // The walk stops at a period boundary even when that block had the limit.
    bits[2016] = easy;
    expect(getNextWorkRequired(t3, 2018, reader(bits, times), 2018 * 600 + 60)).toBe(easy);
  });

  test("BIP94 (testnet4) scales the first block's bits, not a min-difficulty last block's", () => {
    const t4 = NETWORKS.testnet4;
    const period = { lastBits: t4.powLimitBits, firstBits: 0x1c0fffff, lastTime: 0, firstTime: 0 };
    period.lastTime = period.firstTime + t4.powTargetTimespan;
    expect(calculateNextWorkRequired(t4, period)).toBe(0x1c0fffff);
    // Without BIP94 (testnet3) the last block's limit bits would be the base.
    expect(calculateNextWorkRequired(NETWORKS.testnet3, period)).toBe(t4.powLimitBits);
  });

  test("the timespan clamps at a quarter and at four times", () => {
    const base = { lastBits: 0x1c0fffff, firstBits: 0x1c0fffff, firstTime: 0 };
    const fast = calculateNextWorkRequired(main, { ...base, lastTime: 1 });
    const quarter = calculateNextWorkRequired(main, {
      ...base,
      lastTime: main.powTargetTimespan / 4,
    });
    expect(fast).toBe(quarter);
    const slow = calculateNextWorkRequired(main, {
      ...base,
      lastTime: 100 * main.powTargetTimespan,
    });
    const fourTimes = calculateNextWorkRequired(main, {
      ...base,
      lastTime: 4 * main.powTargetTimespan,
    });
    expect(slow).toBe(fourTimes);
    expect(slow).toBe(0x1c3ffffc);
  });
});
