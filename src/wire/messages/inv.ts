/**
 * Inventory messages: `inv` (announce), `getdata` (request) and `notfound`
 * (cannot serve). Each carries a list of (type, hash) entries.
 */
import { ByteReader, ByteWriter } from "../bytes.ts";

/** Most entries in one inventory message. Core net_processing MAX_INV_SZ. */
export const MAX_INV_ENTRIES = 50_000;
/** Bytes of one entry: u32 type + 32-byte hash. */
export const INV_ENTRY_SIZE = 36;

/** Transaction, by txid. */
export const MSG_TX = 1;
/** Block. */
export const MSG_BLOCK = 2;
/** Merkle block (BIP37), only in `getdata`. */
export const MSG_FILTERED_BLOCK = 3;
/** Compact block (BIP152), only in `getdata`. */
export const MSG_CMPCT_BLOCK = 4;
/** Transaction, by wtxid (BIP339). */
export const MSG_WTX = 5;
/** Flag OR-ed into a type in `getdata` to ask for witness data (BIP144). */
export const MSG_WITNESS_FLAG = 1 << 30;
/** Transaction with witness data. */
export const MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG;
/** Block with witness data. */
export const MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG;
/** Merkle block with witness data. */
export const MSG_FILTERED_WITNESS_BLOCK = MSG_FILTERED_BLOCK | MSG_WITNESS_FLAG;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "ERROR"],
  [MSG_TX, "MSG_TX"],
  [MSG_BLOCK, "MSG_BLOCK"],
  [MSG_FILTERED_BLOCK, "MSG_FILTERED_BLOCK"],
  [MSG_CMPCT_BLOCK, "MSG_CMPCT_BLOCK"],
  [MSG_WTX, "MSG_WTX"],
  [MSG_WITNESS_TX, "MSG_WITNESS_TX"],
  [MSG_WITNESS_BLOCK, "MSG_WITNESS_BLOCK"],
  [MSG_FILTERED_WITNESS_BLOCK, "MSG_FILTERED_WITNESS_BLOCK"],
]);

/** The name of an inventory type for logs (`MSG_TX`...), or `UNKNOWN(0x...)`. */
export function invTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `UNKNOWN(0x${type.toString(16)})`;
}

/** One inventory entry. Unknown types are kept: the receiver decides what to ignore. */
export interface InvItem {
  /** u32 type (`MSG_*`, possibly with `MSG_WITNESS_FLAG`). */
  readonly type: number;
  /** 32-byte hash in wire order (a view into the payload). */
  readonly hash: Uint8Array;
}

/** The commands that carry an inventory list. */
export type InvCommand = "inv" | "getdata" | "notfound";

/** An `inv`, `getdata` or `notfound` message. */
export interface InvMessage {
  readonly command: InvCommand;
  /** At most `MAX_INV_ENTRIES` entries. */
  readonly items: readonly InvItem[];
}

/** Decodes an inventory payload; more than `MAX_INV_ENTRIES` is a bound error. */
export function decodeInv(command: InvCommand, payload: Uint8Array): InvMessage {
  const r = new ByteReader(payload, command);
  const n = r.count(MAX_INV_ENTRIES, "inventory entries");
  const items: InvItem[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = { type: r.u32le(), hash: r.bytes(32) };
  r.end();
  return { command, items };
}

/** Encodes an inventory payload. Throws `RangeError` past the bound or for a non-32-byte hash. */
export function encodeInv(msg: InvMessage): Uint8Array {
  const n = msg.items.length;
  if (n > MAX_INV_ENTRIES) {
    throw new RangeError(`${msg.command}: ${n} entries exceed the limit of ${MAX_INV_ENTRIES}`);
  }
  const w = new ByteWriter(9 + n * INV_ENTRY_SIZE).varint(n);
  for (const item of msg.items) {
    if (item.hash.length !== 32) {
      throw new RangeError(`${msg.command}: an inventory hash must be 32 bytes`);
    }
    w.u32le(item.type).bytes(item.hash);
  }
  return w.finish();
}
