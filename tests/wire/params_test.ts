/** Network parameters: transcribed values against networks.json, and each genesis block. */
import { describe, expect, test } from "bun:test";
import { blockHash, blockTx, decodeBlock, encodeBlock } from "../../src/wire/block.ts";
import { checkBlockBody } from "../../src/wire/block_check.ts";
import { encodeBlockHeader } from "../../src/wire/block_header.ts";
import { fromHex, hashToHex, toHex } from "../../src/wire/bytes.ts";
import { sha256d } from "../../src/wire/hash.ts";
import {
  getParams,
  isNetworkName,
  NETWORK_NAMES,
  type NetworkName,
  NETWORKS,
  withMinimumChainWork,
} from "../../src/wire/params.ts";
import { decodeTx, encodeTx } from "../../src/wire/tx.ts";
import { nodeSha256 as sha256, vectorJson } from "../support/vectors.ts";

// deno-lint-ignore no-explicit-any
const json: any = vectorJson("networks.json");

/** Our names → the vector file's. */
const VECTOR_NAME: Record<NetworkName, string> = {
  main: "mainnet",
  testnet3: "testnet3",
  testnet4: "testnet4",
  signet: "signet",
  regtest: "regtest",
};

describe("network parameters", () => {
  test("the five networks, in order, each under its own name", () => {
    expect([...NETWORK_NAMES]).toEqual(["main", "testnet3", "testnet4", "signet", "regtest"]);
    expect(Object.keys(NETWORKS)).toEqual([...NETWORK_NAMES]);
    for (const name of NETWORK_NAMES) {
      expect(NETWORKS[name].name).toBe(name);
      expect(getParams(name)).toBe(NETWORKS[name]);
      expect(isNetworkName(name)).toBe(true);
    }
  });

  test("an unknown network name throws, listing the valid ones", () => {
    expect(isNetworkName("mainnet")).toBe(false);
    expect(() => getParams("mainnet")).toThrow(/main, testnet3, testnet4, signet, regtest/);
  });

  test("the parameters are frozen", () => {
    expect(Object.isFrozen(NETWORKS)).toBe(true);
    expect(Object.isFrozen(NETWORKS.main)).toBe(true);
    expect(Object.isFrozen(NETWORKS.main.dnsSeeds)).toBe(true);
  });

  for (const name of NETWORK_NAMES) {
    test(`${name}: every value equals networks.json`, () => {
      const p = NETWORKS[name];
      const v = json.networks[VECTOR_NAME[name]];
      expect(toHex(p.magic)).toBe(v.message_start);
      expect(p.defaultPort).toBe(v.default_p2p_port);
      expect(p.defaultApiPort).toBe(v.default_p2p_port + 1);
      expect(p.genesisHash).toBe(v.genesis_hash);
      expect(p.genesisBlockHex).toBe(v.genesis_block_hex);
      expect(p.powLimit).toBe(BigInt("0x" + v.pow_limit));
      expect(p.powLimitBits).toBe(parseInt(v.pow_limit_compact, 16));
      expect(p.powTargetTimespan).toBe(v.pow_target_timespan);
      expect(p.powTargetSpacing).toBe(v.pow_target_spacing);
      expect(p.difficultyAdjustmentInterval).toBe(v.difficulty_adjustment_interval);
      expect(p.powAllowMinDifficultyBlocks).toBe(v.pow_allow_min_difficulty_blocks);
      expect(p.powNoRetargeting).toBe(v.pow_no_retargeting);
      // regtest's is "configurable (default false)" in the vectors.
      expect(p.enforceBip94).toBe(v.enforce_bip94 === true);
      expect(p.subsidyHalvingInterval).toBe(v.subsidy_halving_interval);
      expect(p.bech32Hrp).toBe(v.bech32_hrp);
      expect([...p.dnsSeeds]).toEqual(v.dns_seeds);
      expect(p.minimumChainWork).toBe(BigInt("0x" + v.minimum_chain_work));
      expect(p.defaultAssumeValid).toBe(v.default_assume_valid);
      expect(p.signetChallenge).toBe(v.signet_challenge);
    });

    test(`${name}: the genesis block hashes to the genesis hash and re-serializes`, () => {
      const p = NETWORKS[name];
      const v = json.networks[VECTOR_NAME[name]];
      const bytes = fromHex(p.genesisBlockHex);
      const block = decodeBlock(bytes);
      expect(hashToHex(blockHash(sha256, block))).toBe(p.genesisHash);
      expect(toHex(encodeBlockHeader(block.header))).toBe(v.genesis_header_hex);
      expect(hashToHex(block.header.merkleRoot)).toBe(v.genesis_merkle_root);
      expect(block.header.version).toBe(v.genesis_version);
      expect(block.header.time).toBe(v.genesis_time);
      expect(block.header.nonce).toBe(v.genesis_nonce);
      expect(block.header.bits).toBe(parseInt(v.genesis_bits, 16));
      expect(hashToHex(block.header.prevBlock)).toBe("00".repeat(32));
      expect(block.txCount).toBe(1);
      expect(checkBlockBody(sha256, block).problem).toBe(null);
      const coinbase = encodeTx(decodeTx(blockTx(block, 0)));
      expect(toHex(encodeBlock(block.header, [coinbase]))).toBe(p.genesisBlockHex);
    });
  }

  test("version-rule heights and header presync parameters are Core's (kernel/chainparams.cpp)", () => {
    const core: Record<NetworkName, [number, number, number, number, number]> = {
      // BIP34, BIP66, BIP65 heights; commitment_period, redownload_buffer_size
      main: [227_931, 363_725, 388_381, 641, 15_218],
      testnet3: [21_111, 330_776, 581_885, 673, 14_460],
      testnet4: [1, 1, 1, 606, 16_092],
      signet: [1, 1, 1, 620, 15_724],
      regtest: [1, 1, 1, 275, 7_017],
    };
    for (const name of NETWORK_NAMES) {
      const p = NETWORKS[name];
      expect([
        p.bip34Height,
        p.bip66Height,
        p.bip65Height,
        p.headersSync.commitmentPeriod,
        p.headersSync.redownloadBufferSize,
      ]).toEqual(core[name]);
      expect(Object.isFrozen(p.headersSync)).toBe(true);
    }
  });

  test("withMinimumChainWork replaces only the minimum chain work, within 256 bits", () => {
    const raised = withMinimumChainWork(NETWORKS.regtest, 0x1234n);
    expect(raised.minimumChainWork).toBe(0x1234n);
    expect({ ...raised, minimumChainWork: 0n }).toEqual({ ...NETWORKS.regtest });
    expect(Object.isFrozen(raised)).toBe(true);
    expect(NETWORKS.regtest.minimumChainWork).toBe(0n);
    expect(() => withMinimumChainWork(NETWORKS.main, -1n)).toThrow(RangeError);
    expect(() => withMinimumChainWork(NETWORKS.main, 1n << 256n)).toThrow(RangeError);
  });

  test("signet's magic is sha256d(compact size || challenge)[0..4]", () => {
    const challenge = fromHex(NETWORKS.signet.signetChallenge!);
    const preimage = new Uint8Array(1 + challenge.length);
    preimage[0] = challenge.length;
    preimage.set(challenge, 1);
    expect(toHex(sha256d(sha256, preimage).subarray(0, 4))).toBe(toHex(NETWORKS.signet.magic));
  });
});
