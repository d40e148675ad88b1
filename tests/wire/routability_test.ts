/** RFC ranges, validity, routability and network class against Core's netbase assertions. */
import { describe, expect, test } from "bun:test";
import type { NetAddress } from "../../src/wire/address.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import {
  isBindAny,
  isHeNet,
  isLocal,
  isRfc1918,
  isRfc2544,
  isRfc3849,
  isRfc3927,
  isRfc3964,
  isRfc4193,
  isRfc4380,
  isRfc4843,
  isRfc4862,
  isRfc5737,
  isRfc6052,
  isRfc6145,
  isRfc6598,
  isRfc7343,
  isRoutable,
  isValid,
  linkedIpv4,
  netClassOf,
  networkOf,
} from "../../src/wire/routability.ts";
import { networkGroup } from "../../src/wire/netgroup.ts";
import { coreAddress, coreNetName, NETADDR, toHex } from "./address_vectors.ts";

/** Core's predicate names → ours (GetNetwork/GetNetClass give Core enum names). */
const PREDICATES: Record<string, (a: NetAddress) => boolean | string> = {
  IsIPv4: (a) => a.network === "ipv4",
  IsIPv6: (a) => a.network === "ipv6",
  IsTor: (a) => a.network === "onion",
  IsInternal: (a) => a.network === "internal",
  IsValid: isValid,
  IsRoutable: isRoutable,
  IsLocal: isLocal,
  IsRFC1918: isRfc1918,
  IsRFC2544: isRfc2544,
  IsRFC3849: isRfc3849,
  IsRFC3927: isRfc3927,
  IsRFC3964: isRfc3964,
  IsRFC4193: isRfc4193,
  IsRFC4380: isRfc4380,
  IsRFC4843: isRfc4843,
  IsRFC4862: isRfc4862,
  IsRFC5737: isRfc5737,
  IsRFC6052: isRfc6052,
  IsRFC6145: isRfc6145,
  IsRFC6598: isRfc6598,
  IsRFC7343: isRfc7343,
  IsHeNet: isHeNet,
  IsBindAny: isBindAny,
  GetNetwork: (a) => coreNetName(networkOf(a)),
  GetNetClass: (a) => coreNetName(netClassOf(a)),
  GetGroup_hex: (a) => toHex(networkGroup(a)),
};

describe("Core netbase_networks / netbase_properties", () => {
  test("every assertion holds", () => {
    expect(NETADDR.assertions.length).toBe(31);
    for (const v of NETADDR.assertions) {
      const fn = PREDICATES[v.predicate];
      expect({ row: `${v.predicate}(${v.input})`, known: fn !== undefined }).toEqual({
        row: `${v.predicate}(${v.input})`,
        known: true,
      });
      expect({ row: `${v.predicate}(${v.input})`, got: fn(coreAddress(v.input)) }).toEqual({
        row: `${v.predicate}(${v.input})`,
        got: v.expected,
      });
    }
  });

  test("every flag of every address in the derived table matches", () => {
    const table = NETADDR.derived_flag_table as Record<string, Record<string, unknown>>;
    expect(Object.keys(table).length).toBe(42);
    let checked = 0;
    for (const [input, flags] of Object.entries(table)) {
      const a = coreAddress(input);
      const got: Record<string, unknown> = {};
      for (const name of Object.keys(flags)) {
        const fn = PREDICATES[name];
        got[name] = fn ? fn(a) : `no predicate for ${name}`;
        checked++;
      }
      expect({ input, ...got }).toEqual({ input, ...flags });
    }
    expect(checked).toBe(42 * 26);
  });
});

describe("linked IPv4 and classes beyond the vectors", () => {
  test("each IPv6 form carrying IPv4 yields that IPv4 address", () => {
    const cases: [string, string][] = [
      ["1.2.3.4", "01020304"],
      ["::ffff:0:102:304", "01020304"],
      ["64:ff9b::102:304", "01020304"],
      ["2002:102:304::1", "01020304"],
      ["2001:0:9999:9999:9999:9999:fefd:fcfb", "01020304"],
    ];
    for (const [text, want] of cases) {
      const got = linkedIpv4(parseAddress(text));
      expect({ text, got: got && toHex(got) }).toEqual({ text, got: want });
    }
    expect(linkedIpv4(parseAddress("2001:db9::1"))).toBeNull();
    expect(linkedIpv4(parseAddress("10.1.2.3"))).toBeNull();
  });

  test("Tor v3, I2P and CJDNS classify as their own networks; Tor v2 never routes", () => {
    const onion = parseAddress("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion");
    const i2p = parseAddress("ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p");
    const cjdns: NetAddress = { network: "cjdns", bytes: parseAddress("fc00::1").bytes };
    const badCjdns: NetAddress = { network: "cjdns", bytes: parseAddress("aa00::1").bytes };
    const torv2: NetAddress = { network: "torv2", bytes: new Uint8Array(10).fill(1) };
    expect([onion, i2p, cjdns, badCjdns, torv2].map(networkOf)).toEqual([
      "onion",
      "i2p",
      "cjdns",
      "unroutable",
      "unroutable",
    ]);
    // fc00::/8 as IPv6 is unique-local (RFC 4193), not routable
    expect(networkOf(parseAddress("fc00::1"))).toBe("unroutable");
  });

  test("range edges: one step outside each range is not in it", () => {
    const inOut: [(a: NetAddress) => boolean, string, string][] = [
      [isRfc1918, "172.16.0.0", "172.32.0.0"],
      [isRfc1918, "172.31.255.255", "172.15.255.255"],
      [isRfc2544, "198.19.0.1", "198.20.0.1"],
      [isRfc6598, "100.127.255.255", "100.128.0.0"],
      [isRfc6598, "100.64.0.0", "100.63.255.255"],
      [isRfc5737, "203.0.113.255", "203.0.114.0"],
      [isRfc4193, "fdff::1", "fe00::1"],
      [isRfc4843, "2001:1f::1", "2001:2f::1"],
      [isRfc7343, "2001:2f::1", "2001:30::1"],
      [isRfc4862, "fe80::ffff", "fe80:0:0:1::1"],
      [isLocal, "0.255.255.255", "1.0.0.0"],
      [isLocal, "::1", "::2"],
    ];
    for (const [fn, yes, no] of inOut) {
      expect({ fn: fn.name, yes, no, r: [fn(parseAddress(yes)), fn(parseAddress(no))] })
        .toEqual({ fn: fn.name, yes, no, r: [true, false] });
    }
  });
});
