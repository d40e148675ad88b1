/** `feefilter` (BIP133): the minimum fee rate a peer wants transactions announced at. */
import { ByteReader, ByteWriter } from "../bytes.ts";

/** A `feefilter` message. */
export interface FeeFilterMessage {
  readonly command: "feefilter";
  /** Minimum fee rate in satoshis per 1000 virtual bytes (signed i64 on the wire). */
  readonly feeRate: bigint;
}

/** Decodes a `feefilter` payload (exactly 8 bytes). Range checks are the caller's. */
export function decodeFeeFilter(payload: Uint8Array): FeeFilterMessage {
  const r = new ByteReader(payload, "feefilter");
  const feeRate = r.i64le();
  r.end();
  return { command: "feefilter", feeRate };
}

/** Encodes a `feefilter` payload. */
export function encodeFeeFilter(msg: FeeFilterMessage): Uint8Array {
  return new ByteWriter(8).i64le(msg.feeRate).finish();
}
