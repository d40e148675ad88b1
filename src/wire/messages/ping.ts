/** `ping` and `pong` (BIP31): a 64-bit nonce echoed back to measure liveness and latency. */
import { ByteReader, ByteWriter } from "../bytes.ts";

/** A `ping` or a `pong`; a pong carries the nonce of the ping it answers. */
export interface PingMessage {
  readonly command: "ping" | "pong";
  /** Random u64 chosen by the pinger. */
  readonly nonce: bigint;
}

/** Decodes a `ping`/`pong` payload (exactly 8 bytes). */
export function decodePing(command: "ping" | "pong", payload: Uint8Array): PingMessage {
  const r = new ByteReader(payload, command);
  const nonce = r.u64le();
  r.end();
  return { command, nonce };
}

/** Encodes a `ping`/`pong` payload. */
export function encodePing(msg: PingMessage): Uint8Array {
  return new ByteWriter(8).u64le(msg.nonce).finish();
}
