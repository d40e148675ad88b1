/** The BIP152 vectors of ../shared/vectors/bip152/, typed (see the README there for each field). */
import { vectorJson } from "../support/vectors.ts";

/** siphash24-vectors.json. */
export interface SipHashVectors {
  vectors: Array<
    { message_hex: string; key_hex: string; hash_u64_hex: string; hash_le_bytes_hex: string }
  >;
  uint256_example: { bytes_hashed_hex: string; hash_u64_hex: string };
}

/** cmpctblock-413567.json and cmpctblock-540107.json. */
export interface CmpctBlockVector {
  block_file: string;
  block_hash: string;
  header_hex: string;
  tx_count: number;
  nonce: string;
  sha256_header_nonce_hex: string;
  siphash_k0_hex: string;
  siphash_k1_hex: string;
  prefilled: Array<{ index: number; txid: string; wtxid: string }>;
  short_ids: string[];
  short_ids_v1_txid?: string[];
  worked_examples: Array<{
    index: number;
    wtxid: string;
    siphash_input_hex: string;
    siphash_u64_hex: string;
    short_id_wire_hex: string;
  }>;
  cmpctblock_payload_hex: string;
  cmpctblock_payload_len: number;
}

/** A getblocktxn vector of getblocktxn-blocktxn.json. */
export interface GetBlockTxnVector {
  block_hash: string;
  indexes_absolute: number[];
  indexes_differential: number[];
  payload_hex: string;
}

/** A blocktxn vector of getblocktxn-blocktxn.json. */
export interface BlockTxnVector {
  block_hash: string;
  indexes_absolute: number[];
  txids: string[];
  wtxids?: string[];
  payload_hex: string;
  payload_len: number;
}

/** getblocktxn-blocktxn.json. */
export interface BlockTxnVectors {
  getblocktxn_413567: GetBlockTxnVector;
  blocktxn_413567: BlockTxnVector;
  getblocktxn_540107_segwit: GetBlockTxnVector;
  blocktxn_540107_segwit: BlockTxnVector;
  edge_cases: Array<{ name: string; payload_hex: string; indexes_differential: number[] }>;
}

/** external-rust-bitcoin.json. */
export interface RustBitcoinVectors {
  cmpctblock: {
    block_hex: string;
    block_hash: string;
    nonce_decimal: string;
    nonce: string;
    siphash_k0_hex: string;
    siphash_k1_hex: string;
    short_ids: string[];
    cmpctblock_hex: string;
  };
  getblocktxn_cases: Array<{ payload_hex: string; indexes_absolute: number[] }>;
  getblocktxn_must_fail: Array<{ payload_hex: string }>;
}

/** The SipHash-2-4 reference vectors. */
export const SIPHASH: SipHashVectors = vectorJson("bip152/siphash24-vectors.json");
/** The compact blocks of mainnet blocks 413567 (no witness) and 540107 (segwit). */
export const CMPCTBLOCKS: readonly CmpctBlockVector[] = [
  vectorJson("bip152/cmpctblock-413567.json"),
  vectorJson("bip152/cmpctblock-540107.json"),
];
/** The getblocktxn / blocktxn payloads. */
export const BLOCKTXN: BlockTxnVectors = vectorJson("bip152/getblocktxn-blocktxn.json");
/** rust-bitcoin's vectors. */
export const RUST_BITCOIN: RustBitcoinVectors = vectorJson("bip152/external-rust-bitcoin.json");
