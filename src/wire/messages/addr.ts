/**
 * Address gossip: `addr` (legacy 16-byte addresses) and `addrv2` (BIP155,
 * any network). `getaddr` and `sendaddrv2` have empty payloads (`simple.ts`).
 */
import { ByteReader, ByteWriter } from "../bytes.ts";
import { DecodeError } from "../errors.ts";
import {
  type NetAddress,
  readAddressV1,
  readAddressV2,
  writeAddressV1,
  writeAddressV2,
} from "../address.ts";

/** Most addresses in one `addr`/`addrv2` message. Core net_processing MAX_ADDR_TO_SEND. */
export const MAX_ADDR_ENTRIES = 1_000;

/** One gossiped address: where a node is, what it serves, when it was last seen. */
export interface PeerAddress {
  /** Last-seen time claimed by the sender, Unix seconds (u32). */
  readonly time: number;
  /** Service bits (`NODE_*`). */
  readonly services: bigint;
  /** The host. */
  readonly addr: NetAddress;
  /** TCP port (big-endian on the wire). */
  readonly port: number;
}

/** An `addr` or `addrv2` message. */
export interface AddrMessage {
  readonly command: "addr" | "addrv2";
  /**
   * At most `MAX_ADDR_ENTRIES`. In `addrv2`, entries with an unknown network
   * id (or a forbidden embedding) are skipped, so this may be shorter than the
   * count on the wire.
   */
  readonly addresses: readonly PeerAddress[];
}

/** Decodes an `addr`/`addrv2` payload; more than `MAX_ADDR_ENTRIES` is a bound error. */
export function decodeAddr(command: "addr" | "addrv2", payload: Uint8Array): AddrMessage {
  const r = new ByteReader(payload, command);
  const n = r.count(MAX_ADDR_ENTRIES, "addresses");
  const addresses: PeerAddress[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const time = r.u32le();
      if (command === "addr") {
        const services = r.u64le();
        const addr = readAddressV1(r);
        addresses.push({ time, services, addr, port: r.u16be() });
      } else {
        const services = readCompactSize64(r, command);
        const addr = readAddressV2(r);
        const port = r.u16be();
        if (addr !== null) addresses.push({ time, services, addr, port });
      }
    }
  } catch (e) {
    throw named(e, command);
  }
  r.end();
  return { command, addresses };
}

/**
 * Encodes an `addr`/`addrv2` payload. Throws `RangeError` past the bound. In
 * `addr`, addresses without a legacy form are written as `::` (do not send them).
 */
export function encodeAddr(msg: AddrMessage): Uint8Array {
  const n = msg.addresses.length;
  if (n > MAX_ADDR_ENTRIES) {
    throw new RangeError(`${msg.command}: ${n} addresses exceed the limit of ${MAX_ADDR_ENTRIES}`);
  }
  const w = new ByteWriter(3 + n * 30);
  w.varint(n);
  for (const a of msg.addresses) {
    w.u32le(a.time);
    if (msg.command === "addr") {
      w.u64le(a.services);
      writeAddressV1(w, a.addr);
    } else {
      writeCompactSize64(w, a.services);
      writeAddressV2(w, a.addr);
    }
    w.u16be(a.port);
  }
  return w.finish();
}

/** A CompactSize over the full u64 range (addrv2 services may use any bit). */
function readCompactSize64(r: ByteReader, command: string): bigint {
  if (r.buf[r.pos] !== 0xff) return BigInt(r.varint());
  r.skip(1);
  const value = r.u64le();
  if (value <= 0xffffffffn) {
    throw new DecodeError("invalid", `non-canonical CompactSize ${value}`, { command });
  }
  return value;
}

function writeCompactSize64(w: ByteWriter, value: bigint): void {
  if (value <= 0xffffffffn) w.varint(Number(value));
  else w.u8(0xff).u64le(value);
}

/** `e` with the command named, for errors raised by the address reader (which knows none). */
function named(e: unknown, command: string): unknown {
  if (!(e instanceof DecodeError) || e.command !== undefined) return e;
  return new DecodeError(e.kind, e.message, { command, bound: e.bound });
}
