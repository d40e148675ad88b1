/**
 * Message types in v2 packets (BIP324): the contents start with the type,
 * either one byte, a short id from BIP324's table (1–28), or a 0 byte then
 * the 12-byte NUL-padded ASCII name as in a v1 header; the payload follows.
 * We send the short id whenever the type has one, as Core does.
 *
 * Beyond BIP324's table Core gives 37 to BIP434's "feature" and leaves
 * 29–36 unassigned. 37 decodes here as "feature" (a message this node does
 * not speak and ignores like any unknown one, so a Core that starts sending
 * it is not dropped for it); 29–36 and 38–255 are refused, and the v2
 * transport disconnects a peer that sends one (Core drops just the message:
 * nothing sends those ids, so only a broken or hostile peer does).
 */
import { COMMAND_SIZE, isValidCommandName } from "./v1_framing.ts";
import { Bip324PacketError } from "./bip324_packet_error.ts";

/** BIP324's short message type ids: index = id (0 = a long type follows). */
const SHORT_IDS: readonly string[] = [
  "",
  "addr",
  "block",
  "blocktxn",
  "cmpctblock",
  "feefilter",
  "filteradd",
  "filterclear",
  "filterload",
  "getblocks",
  "getblocktxn",
  "getdata",
  "getheaders",
  "headers",
  "inv",
  "mempool",
  "merkleblock",
  "notfound",
  "ping",
  "pong",
  "sendcmpct",
  "tx",
  "getcfilters",
  "cfilter",
  "getcfheaders",
  "cfheaders",
  "getcfcheckpt",
  "cfcheckpt",
  "addrv2",
  // 29-36: unassigned (an empty name is refused)
  ...new Array<string>(8).fill(""),
  "feature", // 37, BIP434 (Core: NetMsgType::FEATURE)
];
/** The first byte of a long message type. */
const LONG_TYPE = 0;
/** Bytes of a long message type: the 0 byte and the 12-byte name. */
const LONG_TYPE_SIZE = 1 + COMMAND_SIZE;

/** Each short id's one-byte encoding, by name. */
const SHORT_ENCODINGS: ReadonlyMap<string, Uint8Array> = new Map(
  SHORT_IDS.flatMap((name, id) => name === "" ? [] : [[name, Uint8Array.of(id)]]),
);

/**
 * The message type bytes that start the contents of a `command` message: a
 * short id when BIP324 has one, else the long form. The result is shared:
 * read it, never write it. Throws a `RangeError` for a name that is not 1–12
 * printable ASCII characters.
 */
export function encodeMessageType(command: string): Uint8Array {
  const short = SHORT_ENCODINGS.get(command);
  if (short !== undefined) return short;
  if (!isValidCommandName(command)) {
    throw new RangeError(
      `command ${JSON.stringify(command)} is not 1-12 printable ASCII characters`,
    );
  }
  const out = new Uint8Array(LONG_TYPE_SIZE);
  out[0] = LONG_TYPE;
  for (let i = 0; i < command.length; i++) out[1 + i] = command.charCodeAt(i);
  return out;
}

/** A v2 message: its type and payload (a view into the contents). */
export interface V2Message {
  readonly command: string;
  readonly payload: Uint8Array;
}

/**
 * The message in decrypted packet contents, or an error value (kind "type",
 * not thrown) for empty contents, an unknown short id, or a long type that
 * is cut short, not printable ASCII, empty, or not NUL-padded.
 */
export function decodeMessageType(contents: Uint8Array): V2Message | Bip324PacketError {
  if (contents.length === 0) return typeError("packet contents are empty: no message type");
  const first = contents[0];
  if (first !== LONG_TYPE) {
    if (first >= SHORT_IDS.length || SHORT_IDS[first] === "") {
      return typeError(`unknown short message type id ${first}`);
    }
    return { command: SHORT_IDS[first], payload: contents.subarray(1) };
  }
  if (contents.length < LONG_TYPE_SIZE) {
    return typeError(`long message type cut short: ${contents.length - 1} of 12 bytes`);
  }
  let end = 1;
  while (end < LONG_TYPE_SIZE && contents[end] !== 0) end++;
  for (let i = end; i < LONG_TYPE_SIZE; i++) {
    if (contents[i] !== 0) {
      return typeError("long message type has bytes after its NUL padding");
    }
  }
  let command = "";
  for (let i = 1; i < end; i++) command += String.fromCharCode(contents[i]);
  if (!isValidCommandName(command)) {
    return typeError("long message type is empty or not printable ASCII");
  }
  return { command, payload: contents.subarray(LONG_TYPE_SIZE) };
}

/** A refused message type. */
function typeError(message: string): Bip324PacketError {
  return new Bip324PacketError("type", message);
}
