/**
 * The 80-byte block header: its fields, its serialization, and its hash (the
 * block hash). Shared by `block` and `headers` messages and the header chain.
 */
import type { Sha256 } from "../platform/hash.ts";
import { ByteReader, type ByteWriter } from "./bytes.ts";
import { DecodeError } from "./errors.ts";
import { sha256d } from "./hash.ts";

/** Serialized size of a block header. */
export const BLOCK_HEADER_SIZE = 80;

/**
 * A decoded block header. `prevBlock` and `merkleRoot` are 32-byte copies in
 * wire order (not views), so a header kept in the chain does not pin the
 * buffer of the message it came from.
 */
export interface BlockHeader {
  /** Block version (signed; BIP9 bits live in it). */
  version: number;
  /** Hash of the previous block, wire order. */
  prevBlock: Uint8Array;
  /** Merkle root of the block's txids, wire order. */
  merkleRoot: Uint8Array;
  /** Block time, Unix seconds (u32). */
  time: number;
  /** Compact target (nBits). */
  bits: number;
  /** Nonce (u32). */
  nonce: number;
}

/** Reads one 80-byte header from `r`. Throws `DecodeError("truncated")` if short. */
export function readBlockHeader(r: ByteReader): BlockHeader {
  const version = r.i32le();
  const prevBlock = r.bytes(32).slice();
  const merkleRoot = r.bytes(32).slice();
  const time = r.u32le();
  const bits = r.u32le();
  const nonce = r.u32le();
  return { version, prevBlock, merkleRoot, time, bits, nonce };
}

/** Decodes exactly 80 bytes as a header (`DecodeError` otherwise). */
export function decodeBlockHeader(bytes: Uint8Array): BlockHeader {
  const r = new ByteReader(bytes, "header");
  const header = readBlockHeader(r);
  r.end();
  return header;
}

/** Appends the 80-byte serialization of `header` to `w`. */
export function writeBlockHeader(w: ByteWriter, header: BlockHeader): void {
  w.i32le(header.version)
    .bytes(header.prevBlock)
    .bytes(header.merkleRoot)
    .u32le(header.time)
    .u32le(header.bits)
    .u32le(header.nonce);
}

/** The 80-byte serialization of `header` (a fresh array). */
export function encodeBlockHeader(header: BlockHeader): Uint8Array {
  const out = new Uint8Array(BLOCK_HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setInt32(0, header.version, true);
  out.set(header.prevBlock, 4);
  out.set(header.merkleRoot, 36);
  view.setUint32(68, header.time, true);
  view.setUint32(72, header.bits, true);
  view.setUint32(76, header.nonce, true);
  return out;
}

/**
 * The block hash: sha256d of the first 80 bytes of `bytes` (a serialized
 * header or a whole serialized block), wire order.
 */
export function blockHeaderHash(sha256: Sha256, bytes: Uint8Array): Uint8Array {
  if (bytes.length < BLOCK_HEADER_SIZE) {
    throw new DecodeError("truncated", `a header needs 80 bytes, got ${bytes.length}`, {
      command: "header",
    });
  }
  return sha256d(sha256, bytes.subarray(0, BLOCK_HEADER_SIZE));
}
