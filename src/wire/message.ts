/**
 * Every P2P message as one discriminated union, with the payload decoder and
 * encoder that dispatch on the command. Unknown commands are never an error:
 * they decode to an `UnknownMessage` holding the raw payload.
 */
import { type AddrMessage, decodeAddr, encodeAddr } from "./messages/addr.ts";
import { type BlockTxnMessage, decodeBlockTxn, encodeBlockTxn } from "./messages/blocktxn.ts";
import {
  type CmpctBlockMessage,
  decodeCmpctBlock,
  encodeCmpctBlock,
} from "./messages/cmpctblock.ts";
import { decodeFeeFilter, encodeFeeFilter, type FeeFilterMessage } from "./messages/feefilter.ts";
import {
  decodeGetBlockTxn,
  encodeGetBlockTxn,
  type GetBlockTxnMessage,
} from "./messages/getblocktxn.ts";
import {
  decodeHeaders,
  decodeLocator,
  encodeHeaders,
  encodeLocator,
  type HeadersMessage,
  type LocatorMessage,
} from "./messages/headers.ts";
import { decodeInv, encodeInv, type InvMessage } from "./messages/inv.ts";
import { decodePing, encodePing, type PingMessage } from "./messages/ping.ts";
import type { PayloadMessage, UnknownMessage } from "./messages/raw.ts";
import { decodeReject, encodeReject, type RejectMessage } from "./messages/reject.ts";
import { decodeSendCmpct, encodeSendCmpct, type SendCmpctMessage } from "./messages/sendcmpct.ts";
import { decodeEmpty, type EmptyMessage, encodeEmpty } from "./messages/simple.ts";
import { decodeVersion, encodeVersion, type VersionMessage } from "./messages/version.ts";

/**
 * Any message. Switch on `command` to narrow; an unknown one has
 * `command: "unknown"` and its wire command in `name`.
 */
export type Message =
  | VersionMessage
  | EmptyMessage
  | PingMessage
  | AddrMessage
  | InvMessage
  | LocatorMessage
  | HeadersMessage
  | FeeFilterMessage
  | SendCmpctMessage
  | CmpctBlockMessage
  | GetBlockTxnMessage
  | BlockTxnMessage
  | RejectMessage
  | PayloadMessage
  | UnknownMessage;

/** The command names this module decodes (everything else is `UnknownMessage`). */
export type KnownCommand = Exclude<Message["command"], "unknown">;

/** The message with command `C`. */
export type MessageOf<C extends KnownCommand> = Extract<Message, { command: C }>;

/**
 * Decodes `payload` as a `command` message. Throws `DecodeError` for a
 * malformed known message; an unknown command returns `UnknownMessage` (the
 * payload view, uncopied). `block` and `tx` payloads are not parsed here.
 */
export function decodeMessage(command: string, payload: Uint8Array): Message {
  switch (command) {
    case "version":
      return decodeVersion(payload);
    case "verack":
    case "getaddr":
    case "mempool":
    case "sendheaders":
    case "wtxidrelay":
    case "sendaddrv2":
      return decodeEmpty(command, payload);
    case "ping":
    case "pong":
      return decodePing(command, payload);
    case "addr":
    case "addrv2":
      return decodeAddr(command, payload);
    case "inv":
    case "getdata":
    case "notfound":
      return decodeInv(command, payload);
    case "getheaders":
    case "getblocks":
      return decodeLocator(command, payload);
    case "headers":
      return decodeHeaders(payload);
    case "feefilter":
      return decodeFeeFilter(payload);
    case "sendcmpct":
      return decodeSendCmpct(payload);
    case "cmpctblock":
      return decodeCmpctBlock(payload);
    case "getblocktxn":
      return decodeGetBlockTxn(payload);
    case "blocktxn":
      return decodeBlockTxn(payload);
    case "reject":
      return decodeReject(payload);
    case "block":
    case "tx":
      return { command, raw: payload };
    default:
      return { command: "unknown", name: command, raw: payload };
  }
}

/** The payload bytes of `msg`. Throws `RangeError` if `msg` breaks a protocol bound. */
export function encodeMessage(msg: Message): Uint8Array {
  switch (msg.command) {
    case "version":
      return encodeVersion(msg);
    case "verack":
    case "getaddr":
    case "mempool":
    case "sendheaders":
    case "wtxidrelay":
    case "sendaddrv2":
      return encodeEmpty(msg);
    case "ping":
    case "pong":
      return encodePing(msg);
    case "addr":
    case "addrv2":
      return encodeAddr(msg);
    case "inv":
    case "getdata":
    case "notfound":
      return encodeInv(msg);
    case "getheaders":
    case "getblocks":
      return encodeLocator(msg);
    case "headers":
      return encodeHeaders(msg);
    case "feefilter":
      return encodeFeeFilter(msg);
    case "sendcmpct":
      return encodeSendCmpct(msg);
    case "cmpctblock":
      return encodeCmpctBlock(msg);
    case "getblocktxn":
      return encodeGetBlockTxn(msg);
    case "blocktxn":
      return encodeBlockTxn(msg);
    case "reject":
      return encodeReject(msg);
    case "block":
    case "tx":
    case "unknown":
      return msg.raw;
  }
}

/** The command `msg` travels under (`name` for an unknown message). */
export function wireCommand(msg: Message): string {
  return msg.command === "unknown" ? msg.name : msg.command;
}
