/**
 * What kind of address this is: the special-purpose ranges Core recognises
 * (named after their RFCs), validity, routability, and the network class the
 * address book and connection manager group and limit by. The definitions
 * are Core's netaddress ones, so our choices match the network's.
 */
import type { NetAddress } from "./address.ts";
import { CJDNS_PREFIX } from "./address.ts";

/**
 * Core's network classes: where an address can be reached, `unroutable` for
 * local, private, reserved and invalid addresses, `internal` for name hashes.
 */
export type NetClass = "unroutable" | "ipv4" | "ipv6" | "onion" | "i2p" | "cjdns" | "internal";

/** Core's numeric network ids (enum Network): the first byte of a group, and in addrman hashes. */
export const NET_CLASS_ID: Readonly<Record<NetClass, number>> = {
  unroutable: 0,
  ipv4: 1,
  ipv6: 2,
  onion: 3,
  i2p: 4,
  cjdns: 5,
  internal: 6,
};

function v4(a: NetAddress): Uint8Array | null {
  return a.network === "ipv4" ? a.bytes : null;
}

function v6(a: NetAddress): Uint8Array | null {
  return a.network === "ipv6" ? a.bytes : null;
}

function startsWith(b: Uint8Array | null, ...prefix: number[]): b is Uint8Array {
  if (b === null) return false;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false;
  return true;
}

/** IPv4 private networks 10/8, 192.168/16, 172.16/12. */
export function isRfc1918(a: NetAddress): boolean {
  const b = v4(a);
  return b !== null && (b[0] === 10 || (b[0] === 192 && b[1] === 168) ||
    (b[0] === 172 && b[1] >= 16 && b[1] <= 31));
}

/** IPv4 benchmarking network 198.18/15. */
export function isRfc2544(a: NetAddress): boolean {
  const b = v4(a);
  return b !== null && b[0] === 198 && (b[1] === 18 || b[1] === 19);
}

/** IPv4 link-local 169.254/16. */
export function isRfc3927(a: NetAddress): boolean {
  return startsWith(v4(a), 169, 254);
}

/** IPv4 carrier-grade NAT shared space 100.64/10. */
export function isRfc6598(a: NetAddress): boolean {
  const b = v4(a);
  return b !== null && b[0] === 100 && b[1] >= 64 && b[1] <= 127;
}

/** IPv4 documentation networks 192.0.2/24, 198.51.100/24, 203.0.113/24. */
export function isRfc5737(a: NetAddress): boolean {
  const b = v4(a);
  return startsWith(b, 192, 0, 2) || startsWith(b, 198, 51, 100) || startsWith(b, 203, 0, 113);
}

/** IPv6 documentation prefix 2001:db8::/32. */
export function isRfc3849(a: NetAddress): boolean {
  return startsWith(v6(a), 0x20, 0x01, 0x0d, 0xb8);
}

/** IPv6 6to4 tunnelling 2002::/16 (an IPv4 address in bytes 2-5). */
export function isRfc3964(a: NetAddress): boolean {
  return startsWith(v6(a), 0x20, 0x02);
}

/** IPv6 well-known NAT64 prefix 64:ff9b::/96 (an IPv4 address in the last 4 bytes). */
export function isRfc6052(a: NetAddress): boolean {
  return startsWith(v6(a), 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0);
}

/** IPv6 Teredo tunnelling 2001::/32 (the inverted IPv4 address in the last 4 bytes). */
export function isRfc4380(a: NetAddress): boolean {
  return startsWith(v6(a), 0x20, 0x01, 0, 0);
}

/** IPv6 link-local autoconfiguration fe80::/64. */
export function isRfc4862(a: NetAddress): boolean {
  return startsWith(v6(a), 0xfe, 0x80, 0, 0, 0, 0, 0, 0);
}

/** IPv6 unique local addresses fc00::/7 (CJDNS-network addresses are not IPv6 and not here). */
export function isRfc4193(a: NetAddress): boolean {
  const b = v6(a);
  return b !== null && (b[0] & 0xfe) === 0xfc;
}

/** IPv6 SIIT translated IPv4 ::ffff:0:0:0/96 (an IPv4 address in the last 4 bytes). */
export function isRfc6145(a: NetAddress): boolean {
  return startsWith(v6(a), 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0);
}

/** IPv6 ORCHID 2001:10::/28. */
export function isRfc4843(a: NetAddress): boolean {
  const b = v6(a);
  return startsWith(b, 0x20, 0x01, 0) && (b[3] & 0xf0) === 0x10;
}

/** IPv6 ORCHIDv2 2001:20::/28. */
export function isRfc7343(a: NetAddress): boolean {
  const b = v6(a);
  return startsWith(b, 0x20, 0x01, 0) && (b[3] & 0xf0) === 0x20;
}

/** Hurricane Electric's 2001:470::/32, grouped by /36 rather than /32. */
export function isHeNet(a: NetAddress): boolean {
  return startsWith(v6(a), 0x20, 0x01, 0x04, 0x70);
}

/** Loopback or "this host": IPv4 127/8 and 0/8, IPv6 ::1. */
export function isLocal(a: NetAddress): boolean {
  const b4 = v4(a);
  if (b4 !== null) return b4[0] === 127 || b4[0] === 0;
  const b6 = v6(a);
  return b6 !== null && b6.every((x, i) => x === (i === 15 ? 1 : 0));
}

/** The all-zero IPv4 or IPv6 address (0.0.0.0, ::): "listen on every interface". */
export function isBindAny(a: NetAddress): boolean {
  return (a.network === "ipv4" || a.network === "ipv6") && a.bytes.every((x) => x === 0);
}

/**
 * Could refer to a real host: not `::`, not 0.0.0.0 or 255.255.255.255, not
 * IPv6 documentation space, not a CJDNS address outside fc00::/8, not an
 * internal name and not Tor v2.
 */
export function isValid(a: NetAddress): boolean {
  switch (a.network) {
    case "ipv4": {
      const all = a.bytes.every((x) => x === 0) || a.bytes.every((x) => x === 0xff);
      return !all;
    }
    case "ipv6":
      return !a.bytes.every((x) => x === 0) && !isRfc3849(a);
    case "cjdns":
      return a.bytes[0] === CJDNS_PREFIX;
    case "onion":
    case "i2p":
      return true;
    case "internal":
    case "torv2":
      return false;
  }
}

/** Valid and reachable on the public network: none of the private, local or reserved ranges. */
export function isRoutable(a: NetAddress): boolean {
  return isValid(a) &&
    !(isRfc1918(a) || isRfc2544(a) || isRfc3927(a) || isRfc4862(a) || isRfc6598(a) ||
      isRfc5737(a) || isRfc4193(a) || isRfc4843(a) || isRfc7343(a) || isLocal(a));
}

/**
 * The network the address is reached through (Core GetNetwork): `internal`
 * for name hashes, `unroutable` for anything not routable, else its network.
 */
export function networkOf(a: NetAddress): NetClass {
  if (a.network === "internal") return "internal";
  if (!isRoutable(a)) return "unroutable";
  return a.network === "torv2" ? "unroutable" : a.network; // never routable; narrows the type
}

/** Routable, and IPv4 itself or IPv6 that carries an IPv4 address (SIIT, NAT64, 6to4, Teredo). */
export function hasLinkedIpv4(a: NetAddress): boolean {
  return isRoutable(a) &&
    (a.network === "ipv4" || isRfc6145(a) || isRfc6052(a) || isRfc3964(a) || isRfc4380(a));
}

/**
 * The IPv4 address linked to `a` (see `hasLinkedIpv4`), 4 bytes, or `null`
 * when there is none.
 */
export function linkedIpv4(a: NetAddress): Uint8Array | null {
  if (!hasLinkedIpv4(a)) return null;
  const b = a.bytes;
  if (a.network === "ipv4") return b.slice();
  if (isRfc6052(a) || isRfc6145(a)) return b.slice(12, 16);
  if (isRfc3964(a)) return b.slice(2, 6);
  return b.slice(12, 16).map((x) => ~x & 0xff); // Teredo stores it inverted
}

/**
 * The class an address counts in for diversity (Core GetNetClass): like
 * `networkOf`, but IPv6 carrying an IPv4 address counts as `ipv4`.
 */
export function netClassOf(a: NetAddress): NetClass {
  if (a.network === "internal") return "internal";
  if (!isRoutable(a)) return "unroutable";
  if (hasLinkedIpv4(a)) return "ipv4";
  return networkOf(a);
}
