/**
 * Messages with an empty payload: their command is the whole message
 * (`verack`, `getaddr`, `mempool`, `sendheaders`, `wtxidrelay`, `sendaddrv2`).
 */
import { ByteReader } from "../bytes.ts";

/** The commands whose payload is empty. */
export const EMPTY_COMMANDS = [
  "verack", // handshake acknowledgement
  "getaddr", // asks for addresses
  "mempool", // BIP35: asks for the mempool's txids
  "sendheaders", // BIP130: announce blocks with headers
  "wtxidrelay", // BIP339: announce transactions by wtxid (sent before verack)
  "sendaddrv2", // BIP155: send addresses as addrv2 (sent before verack)
] as const;

/** One of `EMPTY_COMMANDS`. */
export type EmptyCommand = typeof EMPTY_COMMANDS[number];

/** A message with no payload. */
export interface EmptyMessage {
  readonly command: EmptyCommand;
}

/** Decodes an empty payload; any byte is a `DecodeError("trailing")`. */
export function decodeEmpty(command: EmptyCommand, payload: Uint8Array): EmptyMessage {
  new ByteReader(payload, command).end();
  return { command };
}

/** The (empty) payload of an empty message. */
export function encodeEmpty(_msg: EmptyMessage): Uint8Array {
  return new Uint8Array(0);
}
