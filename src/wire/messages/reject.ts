/**
 * `reject` (BIP61, removed from Core in 0.20 but still sent by some nodes):
 * why a message was refused. Decoded for logging only.
 */
import { ByteReader, ByteWriter } from "../bytes.ts";

/** Longest rejected-command name: a header's command field. */
export const MAX_REJECT_COMMAND = 12;
/** Longest reason string. Core (pre-0.20) MAX_REJECT_MESSAGE_LENGTH. */
export const MAX_REJECT_REASON = 111;

/** A `reject` message. */
export interface RejectMessage {
  readonly command: "reject";
  /** The command that was rejected (e.g. "tx"). */
  readonly message: string;
  /** BIP61 code (0x01 malformed, 0x10 invalid, 0x11 obsolete, 0x12 duplicate, ...). */
  readonly code: number;
  /** Human-readable reason. */
  readonly reason: string;
  /** Extra data: the 32-byte hash for a rejected `block` or `tx`, else usually empty. */
  readonly data: Uint8Array;
}

/** Decodes a `reject` payload; strings past their limits are bound errors. */
export function decodeReject(payload: Uint8Array): RejectMessage {
  const r = new ByteReader(payload, "reject");
  const message = UTF8.decode(r.varBytes(MAX_REJECT_COMMAND, "bytes of rejected command"));
  const code = r.u8();
  const reason = UTF8.decode(r.varBytes(MAX_REJECT_REASON, "bytes of reject reason"));
  const data = r.bytes(r.remaining);
  return { command: "reject", message, code, reason, data };
}

/** Encodes a `reject` payload. Throws `RangeError` for strings past their limits. */
export function encodeReject(msg: RejectMessage): Uint8Array {
  const message = new TextEncoder().encode(msg.message);
  const reason = new TextEncoder().encode(msg.reason);
  if (message.length > MAX_REJECT_COMMAND || reason.length > MAX_REJECT_REASON) {
    throw new RangeError(
      `reject: command is limited to ${MAX_REJECT_COMMAND} bytes, reason to ${MAX_REJECT_REASON}`,
    );
  }
  return new ByteWriter(3 + message.length + reason.length + msg.data.length)
    .varBytes(message).u8(msg.code).varBytes(reason).bytes(msg.data).finish();
}

const UTF8 = new TextDecoder();
