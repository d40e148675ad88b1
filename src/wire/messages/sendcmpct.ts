/** `sendcmpct` (BIP152): whether and in which version a peer wants compact blocks. */
import { ByteReader, ByteWriter } from "../bytes.ts";

/** A `sendcmpct` message. */
export interface SendCmpctMessage {
  readonly command: "sendcmpct";
  /** True asks for high-bandwidth mode (blocks announced with `cmpctblock`). */
  readonly announce: boolean;
  /** Compact block version (1 = txid, 2 = wtxid). */
  readonly version: bigint;
}

/** Decodes a `sendcmpct` payload (exactly 9 bytes; any non-zero flag byte is true). */
export function decodeSendCmpct(payload: Uint8Array): SendCmpctMessage {
  const r = new ByteReader(payload, "sendcmpct");
  const announce = r.u8() !== 0;
  const version = r.u64le();
  r.end();
  return { command: "sendcmpct", announce, version };
}

/** Encodes a `sendcmpct` payload. */
export function encodeSendCmpct(msg: SendCmpctMessage): Uint8Array {
  return new ByteWriter(9).u8(msg.announce ? 1 : 0).u64le(msg.version).finish();
}
