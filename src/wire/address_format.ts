/**
 * The text form of a `NetAddress`: parsing what a user or a config file
 * writes (IPv4, IPv6, `.onion`, `.b32.i2p`, `.internal`) and printing the
 * canonical form Core prints (RFC 5952 IPv6, lowercase base32 names).
 * Numeric only: no DNS names are resolved here.
 */
import type { NetAddress } from "./address.ts";
import { fromLegacyIpv6 } from "./address.ts";
import { decodeBase32, encodeBase32 } from "./base32.ts";
import { DecodeError } from "./errors.ts";
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from "./ip_text.ts";
import { decodeOnion, encodeOnion } from "./onion.ts";

/** I2P names we can address: 52 base32 characters (a 32-byte hash) + this suffix. */
const I2P_SUFFIX = ".b32.i2p";
const I2P_BASE32_LENGTH = 52;
/** Suffix of the printed form of an internal (name-hash) address. */
const INTERNAL_SUFFIX = ".internal";
const INTERNAL_BASE32_LENGTH = 16;

/**
 * Parses an address without a port, as Core's numeric LookupHost does:
 * optional surrounding brackets; `.onion` (Tor v3 with version and checksum
 * checked; the suffix is case-sensitive, as in Core); `.b32.i2p` (52 base32
 * characters, either case); dotted-quad IPv4; IPv6 (IPv4-mapped becomes
 * `ipv4`, `fd6b:88c0:8724::/48` becomes `internal`, OnionCat becomes the
 * invalid `::`, a numeric `%zone` is kept). Also reads back the
 * `<base32>.internal` form `formatAddress` prints (Core cannot).
 * CJDNS is written as IPv6 text; see `flipIpv6ToCjdns`.
 * Throws `DecodeError("invalid")` saying what was wrong.
 */
export function parseAddress(text: string): NetAddress {
  if (text.includes("\0")) {
    throw new DecodeError("invalid", `address ${JSON.stringify(text)} contains a NUL byte`);
  }
  let host = text;
  if (host.length >= 2 && host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host.endsWith(".onion")) return { network: "onion", bytes: decodeOnion(host) };
  if (host.toLowerCase().endsWith(I2P_SUFFIX)) return { network: "i2p", bytes: decodeI2p(host) };
  if (host.endsWith(INTERNAL_SUFFIX)) return { network: "internal", bytes: decodeInternal(host) };
  const v4 = parseIpv4(host);
  if (v4 !== null) return { network: "ipv4", bytes: v4 };
  const v6 = parseIpv6(host);
  if (v6 !== null) return fromLegacyIpv6(v6.bytes, v6.scopeId);
  const quoted = JSON.stringify(text);
  throw new DecodeError(
    "invalid",
    `${quoted} is not a numeric address: expected IPv4 (1.2.3.4), IPv6 (2001:db8::1), ` +
      `a Tor v3 .onion or an I2P .b32.i2p name`,
  );
}

function decodeI2p(text: string): Uint8Array {
  const b32 = text.slice(0, -I2P_SUFFIX.length);
  if (b32.length !== I2P_BASE32_LENGTH) {
    throw new DecodeError(
      "invalid",
      `${JSON.stringify(text)} has ${b32.length} base32 characters before .b32.i2p; ` +
        `only ${I2P_BASE32_LENGTH}-character (32-byte) I2P names are supported`,
    );
  }
  const bytes = decodeBase32(b32);
  if (bytes === null) {
    throw new DecodeError("invalid", `${JSON.stringify(text)} is not a base32 I2P name`);
  }
  return bytes;
}

function decodeInternal(text: string): Uint8Array {
  const b32 = text.slice(0, -INTERNAL_SUFFIX.length);
  const bytes = b32.length === INTERNAL_BASE32_LENGTH ? decodeBase32(b32) : null;
  if (bytes === null) {
    throw new DecodeError(
      "invalid",
      `${JSON.stringify(text)} is not an internal name (16 base32 characters + .internal)`,
    );
  }
  return bytes;
}

/**
 * The canonical text of an address (Core ToStringAddr): dotted-quad IPv4,
 * RFC 5952 IPv6 (with `%zone` if any), CJDNS as IPv6, `.onion` for Tor
 * (v2 as its old 16-character name), `.b32.i2p`, and `<base32>.internal`.
 */
export function formatAddress(a: NetAddress): string {
  switch (a.network) {
    case "ipv4":
      return formatIpv4(a.bytes);
    case "ipv6":
      return formatIpv6(a.bytes, a.scopeId);
    case "cjdns":
      return formatIpv6(a.bytes);
    case "onion":
      return encodeOnion(a.bytes);
    case "torv2":
      return `${encodeBase32(a.bytes)}.onion`;
    case "i2p":
      return `${encodeBase32(a.bytes)}${I2P_SUFFIX}`;
    case "internal":
      return `${encodeBase32(a.bytes)}${INTERNAL_SUFFIX}`;
  }
}
