/** Shared test helpers for the sync tests: SHA-256, vectors, and synthetic header mining. */
import { bitsToTarget } from "../../src/sync/compact_target.ts";
import { HeaderChain } from "../../src/sync/header_chain.ts";
import { hashToBigInt } from "../../src/sync/pow.ts";
import { blockHeaderHash, encodeBlockHeader } from "../../src/wire/block_header.ts";
import { hashToHex, toHex } from "../../src/wire/bytes.ts";
import { type NetworkParams, NETWORKS } from "../../src/wire/params.ts";

import { nodeSha256 as sha256 } from "../support/vectors.ts";

export { mainnetBlocks, mainnetHeaders, vectorBytes, vectorJson } from "../support/vectors.ts";
export { sha256 };

/** A fixed "now" far after every test header: 2030-01-01 in milliseconds. */
export const FAR_FUTURE_MS = Date.UTC(2030, 0, 1);

/** A chain on `params` whose adjusted time is `nowMs`. */
export function newChain(params: NetworkParams, nowMs: number = FAR_FUTURE_MS): HeaderChain {
  return new HeaderChain({ params, sha256, now: () => nowMs });
}

/**
 * The test network's proof-of-work limit, 2^248 − 1: easy enough to mine a
 * header in ~256 tries, low enough that a ×4 retarget of its 40-second
 * periods stays within 256 bits (as on the real networks).
 */
const TEST_POW_LIMIT = (1n << 248n) - 1n;
/** `TEST_POW_LIMIT` in compact form. */
export const TEST_LIMIT_BITS = 0x2000ffff;
/** Genesis time of the test network. */
export const TEST_GENESIS_TIME = 1_700_000_000;
let testGenesis: Uint8Array | undefined;

/**
 * A small retargeting network for difficulty tests: its own mined genesis,
 * 4-second blocks, 10-block (40-second) periods, and any overrides.
 */
export function testNet(overrides: Partial<NetworkParams> = {}): NetworkParams {
  testGenesis ??= mineHeader({
    prev: new Uint8Array(32),
    time: TEST_GENESIS_TIME,
    bits: TEST_LIMIT_BITS,
  });
  const merged: NetworkParams = {
    ...NETWORKS.regtest,
    genesisHash: hashToHex(hashOf(testGenesis)),
    genesisBlockHex: toHex(testGenesis),
    powLimit: TEST_POW_LIMIT,
    powLimitBits: TEST_LIMIT_BITS,
    powTargetTimespan: 40,
    powTargetSpacing: 4,
    powNoRetargeting: false,
    powAllowMinDifficultyBlocks: false,
    enforceBip94: false,
    ...overrides,
  };
  return {
    ...merged,
    difficultyAdjustmentInterval: merged.powTargetTimespan / merged.powTargetSpacing,
  };
}

/** Fields of a synthetic header. */
export interface HeaderSpec {
  prev: Uint8Array;
  time: number;
  bits: number;
  /** Distinguishes otherwise equal headers (default 0); ignored with `merkleRoot`. */
  salt?: number;
  /** The merkle root to commit to (default: the salt in 32 bytes). */
  merkleRoot?: Uint8Array;
  /** Default 4 (every version rule met). */
  version?: number;
}

/** Finds a nonce so the header meets its own nBits; returns the 80 bytes. */
export function mineHeader(spec: HeaderSpec): Uint8Array {
  const target = bitsToTarget(spec.bits);
  if (target === null) throw new Error(`unusable bits ${spec.bits}`);
  let merkleRoot = spec.merkleRoot;
  if (merkleRoot === undefined) {
    merkleRoot = new Uint8Array(32);
    new DataView(merkleRoot.buffer).setUint32(0, spec.salt ?? 0, true);
  }
  for (let nonce = 0; nonce < 1_000_000; nonce++) {
    const raw = encodeBlockHeader({
      version: spec.version ?? 4,
      prevBlock: spec.prev,
      merkleRoot,
      time: spec.time,
      bits: spec.bits,
      nonce,
    });
    if (hashToBigInt(blockHeaderHash(sha256, raw)) <= target) return raw;
  }
  throw new Error("no nonce found");
}

/** Hash (wire order) of a raw header. */
export function hashOf(raw: Uint8Array): Uint8Array {
  return blockHeaderHash(sha256, raw);
}

/**
 * Mines `count` headers on top of `prev` (time `startTime`, then +`spacing`
 * each), all with `bits`, returning them in order.
 */
export function mineRun(
  prev: Uint8Array,
  count: number,
  startTime: number,
  bits: number,
  spacing = 600,
  salt = 0,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let parent = prev;
  for (let i = 0; i < count; i++) {
    const raw = mineHeader({ prev: parent, time: startTime + i * spacing, bits, salt });
    out.push(raw);
    parent = hashOf(raw);
  }
  return out;
}

/** Regtest genesis time (Unix seconds). */
export const REGTEST_GENESIS_TIME = 1296688602;
