/**
 * `version`: the first message each side sends, stating its protocol version,
 * services, clock, user agent and best height. (`verack` is in `simple.ts`.)
 */
import { ByteReader, ByteWriter } from "../bytes.ts";
import { type NetAddress, readAddressV1, writeAddressV1 } from "../address.ts";

/** Longest user agent accepted or sent. Core net_processing MAX_SUBVERSION_LENGTH. */
export const MAX_USER_AGENT = 256;

/** An address as `version` carries it: services, legacy 16-byte address, port (no time). */
export interface VersionAddress {
  /** Service bits the sender believes the address has. */
  readonly services: bigint;
  /** The host (`::` when unknown). */
  readonly addr: NetAddress;
  /** TCP port. */
  readonly port: number;
}

/** A `version` message. */
export interface VersionMessage {
  readonly command: "version";
  /** Protocol version (e.g. 70016). */
  readonly version: number;
  /** The sender's service bits (`NODE_*`). */
  readonly services: bigint;
  /** The sender's clock, Unix seconds (i64 on the wire). */
  readonly timestamp: number;
  /** The receiver's address as the sender sees it. */
  readonly addrRecv: VersionAddress;
  /** The sender's own address (usually `::`, unused by Core). */
  readonly addrFrom: VersionAddress;
  /** Random u64 used to detect connections to ourselves. */
  readonly nonce: bigint;
  /** BIP14 user agent, e.g. "/Satoshi:27.0.0/" (decoded as UTF-8). */
  readonly userAgent: string;
  /** The sender's best block height. */
  readonly startHeight: number;
  /**
   * BIP37 relay flag: false asks not to be sent transactions until a filter
   * is set. `undefined` means the byte was absent (pre-70001 peers), which
   * Core treats as true; it is then not written back either.
   */
  readonly relay?: boolean;
}

/**
 * Decodes a `version` payload. Fields through the start height are required;
 * the relay byte is optional; bytes after it are ignored (later protocol
 * versions may append fields, as BIP37 did). A user agent over
 * `MAX_USER_AGENT` bytes is a bound error.
 */
export function decodeVersion(payload: Uint8Array): VersionMessage {
  const r = new ByteReader(payload, "version");
  const version = r.i32le();
  const services = r.u64le();
  const timestamp = Number(r.i64le());
  const addrRecv = readVersionAddress(r);
  const addrFrom = readVersionAddress(r);
  const nonce = r.u64le();
  const userAgent = UTF8.decode(r.varBytes(MAX_USER_AGENT, "bytes of user agent"));
  const startHeight = r.i32le();
  const msg = {
    command: "version" as const,
    version,
    services,
    timestamp,
    addrRecv,
    addrFrom,
    nonce,
    userAgent,
    startHeight,
  };
  return r.remaining === 0 ? msg : { ...msg, relay: r.u8() !== 0 };
}

/** Encodes a `version` payload. Throws `RangeError` for a user agent over `MAX_USER_AGENT` bytes. */
export function encodeVersion(msg: VersionMessage): Uint8Array {
  const userAgent = new TextEncoder().encode(msg.userAgent);
  if (userAgent.length > MAX_USER_AGENT) {
    throw new RangeError(
      `version: user agent of ${userAgent.length} bytes exceeds the limit of ${MAX_USER_AGENT}`,
    );
  }
  const w = new ByteWriter(86 + 3 + userAgent.length + 5)
    .i32le(msg.version)
    .u64le(msg.services)
    .i64le(BigInt(Math.trunc(msg.timestamp)));
  writeVersionAddress(w, msg.addrRecv);
  writeVersionAddress(w, msg.addrFrom);
  w.u64le(msg.nonce).varBytes(userAgent).i32le(msg.startHeight);
  if (msg.relay !== undefined) w.u8(msg.relay ? 1 : 0);
  return w.finish();
}

function readVersionAddress(r: ByteReader): VersionAddress {
  const services = r.u64le();
  const addr = readAddressV1(r);
  return { services, addr, port: r.u16be() };
}

function writeVersionAddress(w: ByteWriter, a: VersionAddress): void {
  w.u64le(a.services);
  writeAddressV1(w, a.addr);
  w.u16be(a.port);
}

const UTF8 = new TextDecoder();
