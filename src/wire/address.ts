/**
 * The network address value (`NetAddress`) and its two byte encodings: the
 * 16-byte legacy form of `addr`/`version` (IPv6, with IPv4 and "internal"
 * names folded into reserved IPv6 prefixes) and BIP155's tagged form of
 * `addrv2` (network id, CompactSize length, address bytes).
 */
import type { ByteReader, ByteWriter } from "./bytes.ts";
import { fromHex } from "./bytes.ts";
import { DecodeError } from "./errors.ts";

/**
 * The kind of network an address lives on. `onion` is Tor v3 (the 32-byte
 * ed25519 public key); `torv2` is the retired 10-byte Tor v2 form, kept only so
 * a BIP155 id-3 record survives a round trip (it is never valid); `internal` is
 * a 10-byte hash standing for a name (a DNS seed), never a real host.
 */
export type Network = "ipv4" | "ipv6" | "torv2" | "onion" | "i2p" | "cjdns" | "internal";

/** A network address without a port. `bytes.length` is `ADDRESS_SIZE[network]`. */
export interface NetAddress {
  /** The network the bytes belong to. */
  readonly network: Network;
  /** The raw address: 4 (IPv4), 16 (IPv6, CJDNS), 32 (Tor v3, I2P) or 10 (internal, Tor v2). */
  readonly bytes: Uint8Array;
  /**
   * IPv6 zone (scope) id, as in `fe80::1%32`; absent or 0 means none. It is
   * text-only: no wire encoding carries it, and it takes no part in equality.
   */
  readonly scopeId?: number;
}

/** Address length in bytes for each network. */
export const ADDRESS_SIZE: Readonly<Record<Network, number>> = {
  ipv4: 4,
  ipv6: 16,
  torv2: 10,
  onion: 32,
  i2p: 32,
  cjdns: 16,
  internal: 10,
};

/** Largest address BIP155 lets a peer announce; longer is a protocol error (Core MAX_ADDRV2_SIZE). */
export const MAX_ADDRV2_SIZE = 512;

/** Length of the legacy (`addr` v1) address field. */
export const ADDRESS_V1_SIZE = 16;

/** BIP155 network ids. `internal` has none: it travels as IPv6 with `INTERNAL_IN_IPV6_PREFIX`. */
export const BIP155_NETWORK_ID: Readonly<Record<Exclude<Network, "internal">, number>> = {
  ipv4: 1,
  ipv6: 2,
  torv2: 3,
  onion: 4,
  i2p: 5,
  cjdns: 6,
};

/** Core's names for the BIP155 networks, used in its error text (kept identical). */
const BIP155_NAME: Readonly<Record<number, string>> = {
  1: "IPv4",
  2: "IPv6",
  4: "TORv3",
  5: "I2P",
  6: "CJDNS",
};

/** `::ffff:0:0/96`: an IPv4 address in the 16-byte legacy form. */
export const IPV4_IN_IPV6_PREFIX: Uint8Array = fromHex("00000000000000000000ffff");

/** `fd87:d87e:eb43::/48`: OnionCat, Tor v2 in the 16-byte legacy form (no longer supported). */
export const TORV2_IN_IPV6_PREFIX: Uint8Array = fromHex("fd87d87eeb43");

/** `fd6b:88c0:8724::/48` (0xfd + sha256("bitcoin")[0:5]): an internal name in legacy form. */
export const INTERNAL_IN_IPV6_PREFIX: Uint8Array = fromHex("fd6b88c08724");

/** First byte of every valid CJDNS address (fc00::/8). */
export const CJDNS_PREFIX = 0xfc;

/**
 * A checked `NetAddress`. Throws a `RangeError` when `bytes` has the wrong
 * length for `network` (a programming error, not bad input).
 */
export function netAddress(network: Network, bytes: Uint8Array, scopeId?: number): NetAddress {
  if (bytes.length !== ADDRESS_SIZE[network]) {
    throw new RangeError(
      `a ${network} address has ${ADDRESS_SIZE[network]} bytes, got ${bytes.length}`,
    );
  }
  return scopeId ? { network, bytes, scopeId } : { network, bytes };
}

/** True when `a` and `b` are the same address (network and bytes; the scope id is ignored). */
export function addressEquals(a: NetAddress, b: NetAddress): boolean {
  if (a.network !== b.network || a.bytes.length !== b.bytes.length) return false;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

function hasPrefix(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * The address a 16-byte legacy IPv6 value stands for: IPv4-mapped becomes
 * `ipv4`, the internal prefix becomes `internal`, OnionCat (Tor v2) becomes
 * the unspecified `::` (invalid, so never used or gossiped, as Core does),
 * anything else is `ipv6`. The result's bytes are a copy.
 */
export function fromLegacyIpv6(ipv6: Uint8Array, scopeId?: number): NetAddress {
  if (hasPrefix(ipv6, IPV4_IN_IPV6_PREFIX)) {
    return { network: "ipv4", bytes: ipv6.slice(IPV4_IN_IPV6_PREFIX.length, 16) };
  }
  if (hasPrefix(ipv6, TORV2_IN_IPV6_PREFIX)) {
    return { network: "ipv6", bytes: new Uint8Array(16) };
  }
  if (hasPrefix(ipv6, INTERNAL_IN_IPV6_PREFIX)) {
    return { network: "internal", bytes: ipv6.slice(INTERNAL_IN_IPV6_PREFIX.length, 16) };
  }
  return netAddress("ipv6", ipv6.slice(0, 16), scopeId);
}

/**
 * The 16-byte legacy form of `a`, or `null` for networks it cannot express
 * (Tor v3, I2P, CJDNS, Tor v2).
 */
export function toLegacyIpv6(a: NetAddress): Uint8Array | null {
  switch (a.network) {
    case "ipv4": {
      const out = new Uint8Array(ADDRESS_V1_SIZE);
      out.set(IPV4_IN_IPV6_PREFIX);
      out.set(a.bytes, IPV4_IN_IPV6_PREFIX.length);
      return out;
    }
    case "ipv6":
      return a.bytes;
    case "internal": {
      const out = new Uint8Array(ADDRESS_V1_SIZE);
      out.set(INTERNAL_IN_IPV6_PREFIX);
      out.set(a.bytes, INTERNAL_IN_IPV6_PREFIX.length);
      return out;
    }
    default:
      return null;
  }
}

/** True when `a` fits the legacy 16-byte form (Core IsAddrV1Compatible). */
export function isAddrV1Compatible(a: NetAddress): boolean {
  return a.network === "ipv4" || a.network === "ipv6" || a.network === "internal";
}

/**
 * Reads the 16-byte legacy address field (see `fromLegacyIpv6`). The bytes
 * are copied, so a kept address does not pin the whole message buffer.
 */
export function readAddressV1(r: ByteReader): NetAddress {
  return fromLegacyIpv6(r.bytes(ADDRESS_V1_SIZE));
}

/**
 * Writes the 16-byte legacy address field. Addresses it cannot express (Tor
 * v3, I2P, CJDNS, Tor v2) are written as 16 zero bytes (`::`, invalid), as
 * Core does; callers should not send them to v1 peers at all.
 */
export function writeAddressV1(w: ByteWriter, a: NetAddress): void {
  w.bytes(toLegacyIpv6(a) ?? new Uint8Array(ADDRESS_V1_SIZE));
}

/**
 * Reads one BIP155 address: network id, CompactSize length, bytes. Returns
 * `null` (after skipping the bytes) for a record that holds no usable address:
 * an unknown network id, which is not an error (it may be from the future), or
 * an IPv6 record carrying an IPv4-mapped or OnionCat address, which BIP155
 * forbids embedding. An id-3 (Tor v2) record of 10 bytes is returned as
 * `torv2` (never valid); Core no longer knows id 3, so other lengths skip.
 * An IPv6 record with the internal prefix becomes an `internal` address.
 * The bytes are copied (a kept address must not pin the message buffer).
 *
 * Throws `DecodeError` with Core's text: "bound" for
 * `Address too long: N > 512`, "invalid" for
 * `BIP155 IPv4 address with length 5 (should be 4)` and the like,
 * "truncated" for `end of data`.
 */
export function readAddressV2(r: ByteReader): NetAddress | null {
  const id = r.u8();
  const length = r.varint();
  if (length > MAX_ADDRV2_SIZE) {
    throw new DecodeError("bound", `Address too long: ${length} > ${MAX_ADDRV2_SIZE}`, {
      bound: MAX_ADDRV2_SIZE,
    });
  }
  const network = networkOfBip155Id(id);
  if (network !== null && network !== "torv2" && length !== ADDRESS_SIZE[network]) {
    throw new DecodeError(
      "invalid",
      `BIP155 ${BIP155_NAME[id]} address with length ${length} (should be ${
        ADDRESS_SIZE[network]
      })`,
    );
  }
  if (length > r.remaining) {
    throw new DecodeError(
      "truncated",
      `end of data: a BIP155 address of ${length} bytes, ${r.remaining} left`,
    );
  }
  const bytes = r.bytes(length).slice();
  if (network === null || (network === "torv2" && length !== ADDRESS_SIZE.torv2)) return null;
  if (network === "ipv6") {
    if (hasPrefix(bytes, IPV4_IN_IPV6_PREFIX) || hasPrefix(bytes, TORV2_IN_IPV6_PREFIX)) {
      return null;
    }
    return fromLegacyIpv6(bytes);
  }
  return { network, bytes };
}

function networkOfBip155Id(id: number): Exclude<Network, "internal"> | null {
  switch (id) {
    case BIP155_NETWORK_ID.ipv4:
      return "ipv4";
    case BIP155_NETWORK_ID.ipv6:
      return "ipv6";
    case BIP155_NETWORK_ID.torv2:
      return "torv2";
    case BIP155_NETWORK_ID.onion:
      return "onion";
    case BIP155_NETWORK_ID.i2p:
      return "i2p";
    case BIP155_NETWORK_ID.cjdns:
      return "cjdns";
    default:
      return null;
  }
}

/**
 * Writes one BIP155 address. An `internal` address is written as IPv6 with
 * `INTERNAL_IN_IPV6_PREFIX`, as Core does.
 */
export function writeAddressV2(w: ByteWriter, a: NetAddress): void {
  if (a.network === "internal") {
    w.u8(BIP155_NETWORK_ID.ipv6).varBytes(toLegacyIpv6(a) as Uint8Array);
    return;
  }
  w.u8(BIP155_NETWORK_ID[a.network]).varBytes(a.bytes);
}

/**
 * `a` as a CJDNS address when it is IPv6 inside fc00::/8 (CJDNS has no text
 * or v1 form of its own); otherwise `a` unchanged. Apply it only when CJDNS is
 * reachable, as Core does for `-cjdnsreachable`: else fc00::/8 is ordinary
 * (unroutable, RFC 4193) IPv6.
 */
export function flipIpv6ToCjdns(a: NetAddress): NetAddress {
  if (a.network !== "ipv6" || a.bytes[0] !== CJDNS_PREFIX) return a;
  return { network: "cjdns", bytes: a.bytes };
}
