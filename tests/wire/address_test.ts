/** BIP155 and legacy address byte codecs against Core's vectors, plus round trips and bad input. */
import { describe, expect, test } from "bun:test";
import {
  addressEquals,
  flipIpv6ToCjdns,
  isAddrV1Compatible,
  MAX_ADDRV2_SIZE,
  type NetAddress,
  netAddress,
  readAddressV1,
  readAddressV2,
  writeAddressV1,
  writeAddressV2,
} from "../../src/wire/address.ts";
import { formatAddress, parseAddress } from "../../src/wire/address_format.ts";
import { ByteReader, ByteWriter } from "../../src/wire/bytes.ts";
import { DecodeError } from "../../src/wire/errors.ts";
import { isValid } from "../../src/wire/routability.ts";
import { ADDRV2, coreAddress, hex, toHex } from "./address_vectors.ts";

/** Core's network names in the vectors → ours. */
const NETWORK: Record<string, string> = {
  IPV4: "ipv4",
  IPV6: "ipv6",
  ONION: "onion",
  I2P: "i2p",
  CJDNS: "cjdns",
  INTERNAL: "internal",
};

function v2Bytes(a: NetAddress): string {
  const w = new ByteWriter();
  writeAddressV2(w, a);
  return toHex(w.finish());
}

function v1Bytes(a: NetAddress): string {
  const w = new ByteWriter();
  writeAddressV1(w, a);
  return toHex(w.finish());
}

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error("expected a DecodeError, nothing was thrown");
}

describe("readAddressV2 (Core cnetaddr_unserialize_v2)", () => {
  test("every vector decodes to Core's result or fails with Core's error text", () => {
    expect(ADDRV2.unserialize_v2.length).toBe(20);
    for (const v of ADDRV2.unserialize_v2) {
      const row = `row "${v.description}" (${v.hex})`;
      const r = new ByteReader(hex(v.hex));
      if (v.result === "error") {
        const err = decodeError(() => readAddressV2(r));
        expect({ row, message: err.message.includes(v.error) }).toEqual({ row, message: true });
        continue;
      }
      const a = readAddressV2(r);
      expect({ row, left: r.remaining }).toEqual({ row, left: 0 });
      if (v.valid) {
        expect({ row, got: a && formatAddress(a), valid: a !== null && isValid(a) }).toEqual({
          row,
          got: v.string,
          valid: true,
        });
      } else {
        expect({ row, valid: a !== null && isValid(a) }).toEqual({ row, valid: false });
      }
      if (v.network) expect({ row, net: a?.network }).toEqual({ row, net: NETWORK[v.network] });
      if (v.string) expect({ row, str: a && formatAddress(a) }).toEqual({ row, str: v.string });
      if (v.addrv1_compatible !== undefined) {
        expect({ row, v1: a !== null && isAddrV1Compatible(a) }).toEqual({
          row,
          v1: v.addrv1_compatible,
        });
      }
    }
  });

  test("error kinds: too long is a bound, a wrong size is invalid, short data is truncated", () => {
    const long = decodeError(() => readAddressV2(new ByteReader(hex("01fd010201020304"))));
    expect([long.kind, long.bound]).toEqual(["bound", MAX_ADDRV2_SIZE]);
    expect(decodeError(() => readAddressV2(new ByteReader(hex("010501020304")))).kind).toBe(
      "invalid",
    );
    expect(decodeError(() => readAddressV2(new ByteReader(hex("01040102")))).kind).toBe(
      "truncated",
    );
    // an unknown network whose bytes are missing is also truncated, not skipped
    expect(decodeError(() => readAddressV2(new ByteReader(hex("aa0401")))).kind).toBe("truncated");
  });

  test("exactly 512 bytes of an unknown network are skipped; 513 are not", () => {
    const w = new ByteWriter().u8(0xaa).varBytes(new Uint8Array(MAX_ADDRV2_SIZE)).u8(0x77);
    const r = new ByteReader(w.finish());
    expect(readAddressV2(r)).toBeNull();
    expect(r.u8()).toBe(0x77);
    const w2 = new ByteWriter().u8(0xaa).varBytes(new Uint8Array(MAX_ADDRV2_SIZE + 1));
    expect(decodeError(() => readAddressV2(new ByteReader(w2.finish()))).message).toContain(
      "Address too long: 513 > 512",
    );
  });

  test("a Tor v2 record (id 3) of 10 bytes is kept as torv2 and is never valid", () => {
    const a = readAddressV2(new ByteReader(hex("030af1f2f3f4f5f6f7f8f9fa")));
    expect(a?.network).toBe("torv2");
    expect(isValid(a as NetAddress)).toBe(false);
    expect(v2Bytes(a as NetAddress)).toBe("030af1f2f3f4f5f6f7f8f9fa");
    // any other id-3 length is skipped like an unknown network, as Core no longer knows id 3
    const r = new ByteReader(hex("0302abcd"));
    expect(readAddressV2(r)).toBeNull();
    expect(r.remaining).toBe(0);
  });

  test("decoded bytes are copies: reusing the input buffer does not change the address", () => {
    const buf = hex("010401020304");
    const a = readAddressV2(new ByteReader(buf)) as NetAddress;
    buf.fill(9);
    expect(formatAddress(a)).toBe("1.2.3.4");
  });
});

describe("writeAddressV2 / writeAddressV1 (Core cnetaddr_serialize_v1/v2)", () => {
  test("every v2 vector serialises byte for byte and reads back to the same address", () => {
    expect(ADDRV2.serialize_v2.length).toBe(5);
    for (const v of ADDRV2.serialize_v2) {
      const row = `row "${v.description}"`;
      const a = coreAddress(v.address);
      expect({ row, hex: v2Bytes(a) }).toEqual({ row, hex: v.hex });
      const back = readAddressV2(new ByteReader(hex(v.hex)));
      expect({ row, same: back !== null && addressEquals(back, a) }).toEqual({ row, same: true });
    }
  });

  test("every v1 vector serialises byte for byte; v1-compatible ones read back", () => {
    expect(ADDRV2.serialize_v1.length).toBe(5);
    for (const v of ADDRV2.serialize_v1) {
      const row = `row "${v.description}"`;
      const a = coreAddress(v.address);
      expect({ row, hex: v1Bytes(a) }).toEqual({ row, hex: v.hex });
      const back = readAddressV1(new ByteReader(hex(v.hex)));
      const expected = isAddrV1Compatible(a) ? a : coreAddress("::");
      expect({ row, same: addressEquals(back, expected) }).toEqual({ row, same: true });
    }
  });

  test("Tor v3, I2P, CJDNS and Tor v2 have no v1 form and become 16 zero bytes", () => {
    const zero = "00".repeat(16);
    for (const network of ["onion", "i2p", "cjdns", "torv2"] as const) {
      const size = network === "cjdns" ? 16 : network === "torv2" ? 10 : 32;
      const a = netAddress(network, new Uint8Array(size).fill(0xfc));
      expect({ network, hex: v1Bytes(a) }).toEqual({ network, hex: zero });
    }
  });
});

describe("readAddressV1", () => {
  test("IPv4-mapped, internal, OnionCat and plain IPv6 are told apart", () => {
    const read = (h: string) => readAddressV1(new ByteReader(hex(h)));
    expect(formatAddress(read("00000000000000000000ffff01020304"))).toBe("1.2.3.4");
    expect(read("fd6b88c08724ca978112ca1bbdcafac2").network).toBe("internal");
    expect(formatAddress(read("fd87d87eeb430102030405060708090a"))).toBe("::");
    expect(formatAddress(read("20010db8000000000000000000000001"))).toBe("2001:db8::1");
    expect(decodeError(() => read("00ff")).kind).toBe("truncated");
  });
});

describe("the CAddress lists of netbase_tests (address part of each record)", () => {
  const list = ADDRV2.caddress_list;

  test("the v1 list decodes to Core's records and re-encodes byte for byte", () => {
    const r = new ByteReader(hex(list.v1_hex));
    const n = r.varint();
    expect(n).toBe(list.addresses.length);
    const w = new ByteWriter().varint(n);
    for (const want of list.addresses) {
      const time = r.u32le();
      const services = r.u64le();
      const a = readAddressV1(r);
      const port = r.u16be();
      expect([time, Number(services), formatAddress(a), port]).toEqual([
        want.time,
        want.services,
        want.address,
        want.port,
      ]);
      w.u32le(time).u64le(services);
      writeAddressV1(w, a);
      w.u16be(port);
    }
    r.end();
    expect(toHex(w.finish())).toBe(list.v1_hex);
  });

  test("the v2 list decodes to Core's records and re-encodes byte for byte", () => {
    const r = new ByteReader(hex(list.v2_hex));
    const n = r.varint();
    expect(n).toBe(list.addresses.length);
    const w = new ByteWriter().varint(n);
    for (const want of list.addresses) {
      const time = r.u32le();
      const services = r.varint();
      const a = readAddressV2(r) as NetAddress;
      const port = r.u16be();
      expect([time, services, formatAddress(a), port]).toEqual([
        want.time,
        want.services,
        want.address,
        want.port,
      ]);
      w.u32le(time).varint(services);
      writeAddressV2(w, a);
      w.u16be(port);
    }
    r.end();
    expect(toHex(w.finish())).toBe(list.v2_hex);
  });
});

describe("btcd addrv2 payloads (address part; the message codec has its own tests)", () => {
  /** A minimal addrv2 payload walk: count ≤ 1000, then time, services, address, port. */
  function addressesOf(payload: Uint8Array): NetAddress[] {
    const r = new ByteReader(payload, "addrv2");
    const n = r.count(1000, "addresses");
    const out: NetAddress[] = [];
    for (let i = 0; i < n; i++) {
      r.u32le();
      r.varint();
      const a = readAddressV2(r);
      r.u16be();
      if (a !== null) out.push(a);
    }
    r.end();
    return out;
  }

  test("each btcd case is accepted or rejected as btcd does", () => {
    const cases = ADDRV2.addrv2_message_btcd.cases;
    expect(cases.length).toBe(4);
    for (const c of cases) {
      const row = `btcd case ${c.hex} (${c.reason})`;
      if (c.expect === "error") {
        expect({ row, threw: decodeError(() => addressesOf(hex(c.hex))) instanceof DecodeError })
          .toEqual({ row, threw: true });
      } else {
        expect({ row, kept: addressesOf(hex(c.hex)).length }).toEqual({
          row,
          kept: c.addresses_kept,
        });
      }
    }
  });
});

describe("round trips and construction", () => {
  const samples = [
    "1.2.3.4",
    "255.255.255.255",
    "2001:db8::1",
    "::",
    "fe80::1",
    "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion",
    "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p",
    "zklycewkdo64v6wc.internal",
  ];

  test("v2 encode then decode gives the same address for every network", () => {
    const all = [
      ...samples.map(parseAddress),
      flipIpv6ToCjdns(parseAddress("fc00:1:2:3:4:5:6:7")),
    ];
    for (const a of all) {
      const w = new ByteWriter();
      writeAddressV2(w, a);
      const r = new ByteReader(w.finish());
      const back = readAddressV2(r);
      expect({ a: formatAddress(a), same: back !== null && addressEquals(a, back) }).toEqual({
        a: formatAddress(a),
        same: true,
      });
      expect(r.remaining).toBe(0);
    }
  });

  test("v1 encode then decode gives the same address for v1-compatible ones", () => {
    for (const a of samples.map(parseAddress).filter(isAddrV1Compatible)) {
      const w = new ByteWriter();
      writeAddressV1(w, a);
      const back = readAddressV1(new ByteReader(w.finish()));
      expect({ a: formatAddress(a), same: addressEquals(a, back) }).toEqual({
        a: formatAddress(a),
        same: true,
      });
    }
  });

  test("netAddress refuses a byte length that does not fit the network", () => {
    expect(() => netAddress("ipv4", new Uint8Array(16))).toThrow(RangeError);
    expect(() => netAddress("onion", new Uint8Array(31))).toThrow(RangeError);
    expect(netAddress("i2p", new Uint8Array(32)).network).toBe("i2p");
  });

  test("flipIpv6ToCjdns only flips IPv6 inside fc00::/8", () => {
    expect(flipIpv6ToCjdns(parseAddress("fc01::1")).network).toBe("cjdns");
    expect(flipIpv6ToCjdns(parseAddress("fd00::1")).network).toBe("ipv6");
    expect(flipIpv6ToCjdns(parseAddress("1.2.3.4")).network).toBe("ipv4");
  });

  test("addressEquals compares network and bytes, not the zone id", () => {
    expect(addressEquals(parseAddress("fe80::1%3"), parseAddress("fe80::1"))).toBe(true);
    expect(addressEquals(parseAddress("fc00::1"), flipIpv6ToCjdns(parseAddress("fc00::1"))))
      .toBe(false);
    expect(addressEquals(parseAddress("1.2.3.4"), parseAddress("1.2.3.5"))).toBe(false);
  });
});
