/** `sendcmpct` (BIP152): whether and in which version a peer wants compact blocks. */
import { ByteReader, ByteWriter } from "../bytes.ts";

/** A `sendcmpct` message. */
export interface SendCmpctMessage {
  readonly command: "sendcmpct";
  /**
   * The announce byte as sent: 1 asks for high-bandwidth mode (new blocks
   * pushed as `cmpctblock`), 0 for low-bandwidth. BIP152 allows no other
   * value; it is kept as sent so the receiver can refuse one (Core
   * discourages the sender).
   */
  readonly announce: number;
  /** Compact block version (1 = txid, 2 = wtxid). */
  readonly version: bigint;
}

/** Decodes a `sendcmpct` payload (exactly 9 bytes). */
export function decodeSendCmpct(payload: Uint8Array): SendCmpctMessage {
  const r = new ByteReader(payload, "sendcmpct");
  const announce = r.u8();
  const version = r.u64le();
  r.end();
  return { command: "sendcmpct", announce, version };
}

/** Encodes a `sendcmpct` payload. Throws `RangeError` when `announce` is not a byte. */
export function encodeSendCmpct(msg: SendCmpctMessage): Uint8Array {
  if (!Number.isInteger(msg.announce) || msg.announce < 0 || msg.announce > 0xff) {
    throw new RangeError(`sendcmpct: announce ${msg.announce} is not a byte`);
  }
  return new ByteWriter(9).u8(msg.announce).u64le(msg.version).finish();
}
