/**
 * Network parameters for main, testnet3, testnet4, signet and regtest:
 * message start bytes, ports, genesis block, proof-of-work rules, DNS seeds
 * and minimum chain work. Values are those of Bitcoin Core's chainparams
 * (CLIENT_VERSION 31.99); tests check them against the shared vectors.
 */
import { fromHex } from "./bytes.ts";

/** The networks this node can join. */
export type NetworkName = "main" | "testnet3" | "testnet4" | "signet" | "regtest";

/** Every network name, in a stable order. */
export const NETWORK_NAMES: readonly NetworkName[] = Object.freeze([
  "main",
  "testnet3",
  "testnet4",
  "signet",
  "regtest",
]);

/** The consensus and connection parameters of one network. */
export interface NetworkParams {
  readonly name: NetworkName;
  /** Message start bytes, wire order (first byte on the wire first). Do not mutate. */
  readonly magic: Uint8Array;
  /** Default P2P port. */
  readonly defaultPort: number;
  /** Default port of this node's HTTP API: the P2P port + 1. */
  readonly defaultApiPort: number;
  /** Genesis block hash, display order (reversed hex). */
  readonly genesisHash: string;
  /** The serialized genesis block (header and coinbase), hex. */
  readonly genesisBlockHex: string;
  /** Highest allowed target (easiest difficulty). */
  readonly powLimit: bigint;
  /** `powLimit` in compact (nBits) form. */
  readonly powLimitBits: number;
  /** Seconds one retarget period should take. */
  readonly powTargetTimespan: number;
  /** Seconds one block should take. */
  readonly powTargetSpacing: number;
  /** Blocks per retarget period: timespan / spacing. */
  readonly difficultyAdjustmentInterval: number;
  /** A block more than 2 × spacing after its parent may use `powLimit` (20-minute rule). */
  readonly powAllowMinDifficultyBlocks: boolean;
  /** The target never changes (regtest). */
  readonly powNoRetargeting: boolean;
  /** BIP94: timewarp fix, and retargets start from the period's first block's nBits. */
  readonly enforceBip94: boolean;
  /** Blocks between subsidy halvings. */
  readonly subsidyHalvingInterval: number;
  /**
   * Height from which blocks must commit to their witness data (BIP141;
   * Core chainparams SegwitHeight). Below it witness data is not checked.
   */
  readonly segwitHeight: number;
  /** Human-readable part of bech32 addresses. */
  readonly bech32Hrp: string;
  /** DNS seeds, as Core lists them (with the trailing dot). */
  readonly dnsSeeds: readonly string[];
  /** Chain work below which a header chain is not worth syncing. */
  readonly minimumChainWork: bigint;
  /** Block hash (display order) whose ancestors' scripts Core assumes valid. */
  readonly defaultAssumeValid: string;
  /** Signet only: the block signing challenge script, hex (it also derives the magic). */
  readonly signetChallenge?: string;
}

/** The coinbase of the original genesis block, shared by main, testnet3, signet and regtest. */
const SATOSHI_GENESIS_COINBASE_HEX =
  "01000000010000000000000000000000000000000000000000000000000000" +
  "000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63" +
  "656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffff" +
  "ff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6" +
  "49f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";

/** The testnet4 genesis coinbase (message "03/May/2024 0000…e00e", zero-key output). */
const TESTNET4_GENESIS_COINBASE_HEX =
  "01000000010000000000000000000000000000000000000000000000000000" +
  "000000000000ffffffff5504ffff001d01044c4c30332f4d61792f32303234203030303030303030303030303030" +
  "3030303030303165626435386332343439373062336161396437383362623030313031316662653865613865393865" +
  "303065ffffffff0100f2052a010000002321000000000000000000000000000000000000000000000000000000000000" +
  "000000ac00000000";

/** A one-transaction genesis block: header, transaction count 1, coinbase. */
function genesisHex(headerHex: string, coinbaseHex: string): string {
  return headerHex + "01" + coinbaseHex;
}

/** 2^224 − 1: main, testnet3 and testnet4 proof-of-work limit. */
const POW_LIMIT_MAIN = (1n << 224n) - 1n;
/** Two weeks: the retarget period on every network but regtest. */
const TWO_WEEKS = 14 * 24 * 60 * 60;
/** Ten minutes: the block spacing on every network. */
const TEN_MINUTES = 10 * 60;

function params(
  p: Omit<NetworkParams, "defaultApiPort" | "difficultyAdjustmentInterval">,
): NetworkParams {
  return Object.freeze({
    ...p,
    defaultApiPort: p.defaultPort + 1,
    difficultyAdjustmentInterval: p.powTargetTimespan / p.powTargetSpacing,
    dnsSeeds: Object.freeze([...p.dnsSeeds]),
  });
}

/** Parameters of every network, by name. */
export const NETWORKS: Readonly<Record<NetworkName, NetworkParams>> = Object.freeze({
  main: params({
    name: "main",
    magic: fromHex("f9beb4d9"),
    defaultPort: 8333,
    genesisHash: "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    genesisBlockHex: genesisHex(
      "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2" +
        "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
      SATOSHI_GENESIS_COINBASE_HEX,
    ),
    powLimit: POW_LIMIT_MAIN,
    powLimitBits: 0x1d00ffff,
    powTargetTimespan: TWO_WEEKS,
    powTargetSpacing: TEN_MINUTES,
    powAllowMinDifficultyBlocks: false,
    powNoRetargeting: false,
    enforceBip94: false,
    subsidyHalvingInterval: 210_000,
    segwitHeight: 481_824,
    bech32Hrp: "bc",
    dnsSeeds: [
      "dnsseed.bluematt.me.",
      "seed.bitcoin.jonasschnelli.ch.",
      "seed.btc.petertodd.net.",
      "seed.bitcoin.sprovoost.nl.",
      "dnsseed.emzy.de.",
      "seed.bitcoin.wiz.biz.",
      "seed.mainnet.achownodes.xyz.",
    ],
    minimumChainWork: 0x1128750f82f4c366153a3a030n,
    defaultAssumeValid: "00000000000000000000ccebd6d74d9194d8dcdc1d177c478e094bfad51ba5ac",
  }),
  testnet3: params({
    name: "testnet3",
    magic: fromHex("0b110907"),
    defaultPort: 18333,
    genesisHash: "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
    genesisBlockHex: genesisHex(
      "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2" +
        "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff001d1aa4ae18",
      SATOSHI_GENESIS_COINBASE_HEX,
    ),
    powLimit: POW_LIMIT_MAIN,
    powLimitBits: 0x1d00ffff,
    powTargetTimespan: TWO_WEEKS,
    powTargetSpacing: TEN_MINUTES,
    powAllowMinDifficultyBlocks: true,
    powNoRetargeting: false,
    enforceBip94: false,
    subsidyHalvingInterval: 210_000,
    segwitHeight: 834_624,
    bech32Hrp: "tb",
    dnsSeeds: [
      "testnet-seed.bitcoin.jonasschnelli.ch.",
      "seed.tbtc.petertodd.net.",
      "seed.testnet.bitcoin.sprovoost.nl.",
      "testnet-seed.bluematt.me.",
      "seed.testnet.achownodes.xyz.",
    ],
    minimumChainWork: 0x17dde1c649f3708d14b6n,
    defaultAssumeValid: "000000007a61e4230b28ac5cb6b5e5a0130de37ac1faf2f8987d2fa6505b67f4",
  }),
  testnet4: params({
    name: "testnet4",
    magic: fromHex("1c163f28"),
    defaultPort: 48333,
    genesisHash: "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
    genesisBlockHex: genesisHex(
      "0100000000000000000000000000000000000000000000000000000000000000000000004e7b2b9128fe0291" +
        "db0693af2ae418b767e657cd407e80cb1434221eaea7a07a046f3566ffff001dbb0c7817",
      TESTNET4_GENESIS_COINBASE_HEX,
    ),
    powLimit: POW_LIMIT_MAIN,
    powLimitBits: 0x1d00ffff,
    powTargetTimespan: TWO_WEEKS,
    powTargetSpacing: TEN_MINUTES,
    powAllowMinDifficultyBlocks: true,
    powNoRetargeting: false,
    enforceBip94: true,
    subsidyHalvingInterval: 210_000,
    segwitHeight: 1,
    bech32Hrp: "tb",
    dnsSeeds: ["seed.testnet4.bitcoin.sprovoost.nl.", "seed.testnet4.wiz.biz."],
    minimumChainWork: 0x9a0fe15d0177d086304n,
    defaultAssumeValid: "0000000002368b1e4ee27e2e85676ae6f9f9e69579b29093e9a82c170bf7cf8a",
  }),
  signet: params({
    name: "signet",
    magic: fromHex("0a03cf40"),
    defaultPort: 38333,
    genesisHash: "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
    genesisBlockHex: genesisHex(
      "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2" +
        "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a008f4d5fae77031e8ad22203",
      SATOSHI_GENESIS_COINBASE_HEX,
    ),
    powLimit: 0x377aen << 216n,
    powLimitBits: 0x1e0377ae,
    powTargetTimespan: TWO_WEEKS,
    powTargetSpacing: TEN_MINUTES,
    powAllowMinDifficultyBlocks: false,
    powNoRetargeting: false,
    enforceBip94: false,
    subsidyHalvingInterval: 210_000,
    segwitHeight: 1,
    bech32Hrp: "tb",
    dnsSeeds: ["seed.signet.bitcoin.sprovoost.nl.", "seed.signet.achownodes.xyz."],
    minimumChainWork: 0xb463ea0a4b8n,
    defaultAssumeValid: "00000008414aab61092ef93f1aacc54cf9e9f16af29ddad493b908a01ff5c329",
    signetChallenge: "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be4302103" +
      "59ef5021964fe22d6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae",
  }),
  regtest: params({
    name: "regtest",
    magic: fromHex("fabfb5da"),
    defaultPort: 18444,
    genesisHash: "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
    genesisBlockHex: genesisHex(
      "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2" +
        "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000",
      SATOSHI_GENESIS_COINBASE_HEX,
    ),
    powLimit: (1n << 255n) - 1n,
    powLimitBits: 0x207fffff,
    // Core (this version) sets regtest's retarget timespan to one day.
    powTargetTimespan: 24 * 60 * 60,
    powTargetSpacing: TEN_MINUTES,
    powAllowMinDifficultyBlocks: true,
    powNoRetargeting: true,
    // Configurable in Core (-test=bip94); off by default.
    enforceBip94: false,
    subsidyHalvingInterval: 150,
    // Always active unless overridden (-testactivationheight in Core).
    segwitHeight: 0,
    bech32Hrp: "bcrt",
    dnsSeeds: ["dummySeed.invalid."],
    minimumChainWork: 0n,
    defaultAssumeValid: "0000000000000000000000000000000000000000000000000000000000000000",
  }),
});

/** True when `name` is one of `NETWORK_NAMES`. */
export function isNetworkName(name: string): name is NetworkName {
  return (NETWORK_NAMES as readonly string[]).includes(name);
}

/** The parameters of network `name`; throws for an unknown name, listing the valid ones. */
export function getParams(name: string): NetworkParams {
  if (!isNetworkName(name)) {
    throw new Error(`unknown network "${name}"; expected one of ${NETWORK_NAMES.join(", ")}`);
  }
  return NETWORKS[name];
}
