/**
 * One whole v1 frame for a message, for tests, fixtures and benches that
 * play the remote side by hand (the node itself frames through its peer's
 * transport).
 */
import type { Sha256 } from "../../src/platform/hash.ts";
import { encodeFrame } from "../../src/transport/v1_framing.ts";
import { encodeMessage, type Message, wireCommand } from "../../src/wire/message.ts";

/** `msg` framed for sending: header (under `wireCommand(msg)`) and payload. */
export function encodeMessageFrame(magic: Uint8Array, msg: Message, sha256: Sha256): Uint8Array {
  return encodeFrame(magic, wireCommand(msg), encodeMessage(msg), sha256);
}
