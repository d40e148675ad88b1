/** Address text: Tor v3, I2P, internal names, IPv4/IPv6 parsing and RFC 5952 output. */
import { describe, expect, test } from "bun:test";
import { isAddrV1Compatible, netAddress, toLegacyIpv6 } from "../../src/wire/address.ts";
import { formatAddress, parseAddress } from "../../src/wire/address_format.ts";
import { ByteReader } from "../../src/wire/bytes.ts";
import { readAddressV1 } from "../../src/wire/address.ts";
import { DecodeError } from "../../src/wire/errors.ts";
import { encodeBase32 } from "../../src/wire/base32.ts";
import { onionChecksum } from "../../src/wire/onion.ts";
import { internalAddress } from "../../src/wire/internal_address.ts";
import { isBindAny, isValid } from "../../src/wire/routability.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { ADDRV2, coreAddress, hex, NETADDR, toHex } from "./address_vectors.ts";

/** The input of an invalid-name row: text, or raw bytes given as hex (embedded NUL). */
function inputOf(v: { input?: string; input_hex?: string }): string {
  return v.input ?? String.fromCharCode(...hex(v.input_hex as string));
}

function parseFails(text: string): boolean {
  try {
    parseAddress(text);
  } catch (e) {
    return e instanceof DecodeError && e.kind === "invalid";
  }
  return false;
}

describe("Tor v3 names", () => {
  test("every .onion ↔ pubkey pair converts both ways", () => {
    expect(ADDRV2.torv3.length).toBe(3);
    for (const v of ADDRV2.torv3) {
      const a = parseAddress(v.onion);
      expect({ row: v.onion, net: a.network, key: toHex(a.bytes) }).toEqual({
        row: v.onion,
        net: "onion",
        key: v.pubkey,
      });
      expect({ row: v.pubkey, text: formatAddress(netAddress("onion", hex(v.pubkey))) }).toEqual(
        { row: v.pubkey, text: v.onion },
      );
    }
  });

  test("every invalid name is refused with a DecodeError", () => {
    expect(ADDRV2.torv3_invalid.length).toBe(6);
    for (const v of ADDRV2.torv3_invalid) {
      expect({ row: v.reason, refused: parseFails(inputOf(v)) }).toEqual({
        row: v.reason,
        refused: true,
      });
    }
  });

  test("a checksum wrong in either byte is refused", () => {
    const pubkey = hex(ADDRV2.torv3[0].pubkey);
    const good = onionChecksum(pubkey);
    for (const flip of [0, 1]) {
      const raw = new Uint8Array(35);
      raw.set(pubkey);
      raw.set(good, 32);
      raw[32 + flip] ^= 0x01;
      raw[34] = 3;
      const name = `${encodeBase32(raw)}.onion`;
      expect({ flip, refused: parseFails(name) }).toEqual({ flip, refused: true });
    }
  });

  test("the messages say what is wrong", () => {
    const msg = (t: string) => {
      try {
        parseAddress(t);
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    };
    expect(msg("6hzph5hv6337r6p2.onion")).toContain("Tor v2 is no longer supported");
    expect(msg("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscsad.onion")).toContain(
      "checksum",
    );
    expect(msg("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrye.onion")).toContain(
      "version",
    );
    expect(msg("mf*g zak.onion")).toContain("base32");
    expect(msg("mfrggzak.onion")).toContain("56");
  });
});

describe("I2P names", () => {
  test("every name parses (either case) to its 32 bytes and prints in lowercase", () => {
    expect(ADDRV2.i2p.length).toBe(2);
    for (const v of ADDRV2.i2p) {
      const a = parseAddress(v.input);
      expect({ row: v.input, net: a.network, bytes: toHex(a.bytes), text: formatAddress(a) })
        .toEqual({ row: v.input, net: "i2p", bytes: v.addr, text: v.canonical });
    }
  });

  test("every invalid name is refused with a DecodeError", () => {
    expect(ADDRV2.i2p_invalid.length).toBe(5);
    for (const v of ADDRV2.i2p_invalid) {
      expect({ row: v.reason, refused: parseFails(inputOf(v)) }).toEqual({
        row: v.reason,
        refused: true,
      });
    }
  });
});

describe("internal names", () => {
  test("every vector: name → legacy bytes and text, and legacy bytes → text", () => {
    expect(ADDRV2.internal.length).toBe(3);
    for (const v of ADDRV2.internal) {
      const a = v.name !== undefined
        ? internalAddress(sha256, v.name)
        : readAddressV1(new ByteReader(hex(v.from_ipv6_hex)));
      const row = v.name ?? v.from_ipv6_hex;
      expect({ row, net: a.network, text: formatAddress(a) }).toEqual({
        row,
        net: "internal",
        text: v.string,
      });
      if (v.addr_v1_hex) {
        expect({ row, v1: toHex(toLegacyIpv6(a) as Uint8Array) }).toEqual({
          row,
          v1: v.addr_v1_hex,
        });
      }
    }
  });

  test("the printed form parses back; an empty name or a bad form is refused", () => {
    const a = internalAddress(sha256, "seed.example");
    expect(toHex(parseAddress(formatAddress(a)).bytes)).toBe(toHex(a.bytes));
    expect(() => internalAddress(sha256, "")).toThrow(DecodeError);
    expect(parseFails("zklycewkdo64v6w.internal")).toBe(true);
    expect(parseFails("zklycewkdo64v6w1.internal")).toBe(true);
  });
});

describe("Core cnetaddr_basic", () => {
  test("every row has Core's flags and string", () => {
    expect(NETADDR.cnetaddr_basic.length).toBe(10);
    for (const v of NETADDR.cnetaddr_basic) {
      const row = v.input;
      if (v.SetSpecial === false) {
        expect({ row, refused: parseFails(v.input) }).toEqual({ row, refused: true });
        continue;
      }
      const a = coreAddress(v.input);
      const got: Record<string, unknown> = { row, ToStringAddr: formatAddress(a) };
      const want: Record<string, unknown> = { row, ToStringAddr: v.ToStringAddr };
      const flags: Record<string, boolean> = {
        IsValid: isValid(a),
        IsBindAny: isBindAny(a),
        IsIPv4: a.network === "ipv4",
        IsIPv6: a.network === "ipv6",
        IsTor: a.network === "onion",
        IsI2P: a.network === "i2p",
        IsInternal: a.network === "internal",
        IsAddrV1Compatible: isAddrV1Compatible(a),
      };
      for (const [k, value] of Object.entries(flags)) {
        if (k in v) {
          got[k] = value;
          want[k] = v[k];
        }
      }
      expect(got).toEqual(want);
    }
  });
});

describe("IPv6 text (Core cnetaddr_tostring_canonical_ipv6)", () => {
  test("every input prints in its RFC 5952 form", () => {
    expect(NETADDR.ipv6_canonical_rfc5952.length).toBe(40);
    for (const v of NETADDR.ipv6_canonical_rfc5952) {
      const a = parseAddress(v.input);
      expect({ row: v.input, net: a.network, text: formatAddress(a) }).toEqual({
        row: v.input,
        net: "ipv6",
        text: v.to_string,
      });
    }
  });

  test("embedded IPv4 (::FFFF:0102:0304) is the same IPv4 address", () => {
    expect(NETADDR.embedded_ipv4.length).toBe(1);
    for (const v of NETADDR.embedded_ipv4) {
      const a = parseAddress(v.a);
      const b = parseAddress(v.b);
      expect([a.network, b.network, formatAddress(b)]).toEqual(["ipv4", "ipv4", formatAddress(a)]);
    }
  });

  test("IPv4 tails, zone ids and CJDNS text", () => {
    expect(formatAddress(parseAddress("64:ff9b::1.2.3.4"))).toBe("64:ff9b::102:304");
    expect(formatAddress(parseAddress("0:0:0:0:0:ffff:1.2.3.4"))).toBe("1.2.3.4");
    expect(formatAddress(parseAddress("1:2:3:4:5:6:7::"))).toBe("1:2:3:4:5:6:7:0");
    expect(formatAddress(parseAddress("::2:3:4:5:6:7:8"))).toBe("0:2:3:4:5:6:7:8");
    expect(formatAddress(parseAddress("1:0:0:2:0:0:0:3"))).toBe("1:0:0:2::3");
    expect(formatAddress(parseAddress("fe80::1%4294967295"))).toBe("fe80::1%4294967295");
    expect(formatAddress(parseAddress("fe80::1%0"))).toBe("fe80::1");
    expect(formatAddress(parseAddress("[2001:db8::1]"))).toBe("2001:db8::1");
    expect(formatAddress(netAddress("cjdns", hex("fc000001000200030004000500060007")))).toBe(
      "fc00:1:2:3:4:5:6:7",
    );
  });

  test("OnionCat text becomes the invalid ::, the internal prefix an internal address", () => {
    expect(formatAddress(parseAddress("fd87:d87e:eb43::1"))).toBe("::");
    const internal = parseAddress("fd6b:88c0:8724:1:2:3:4:5");
    expect([internal.network, toHex(internal.bytes)]).toEqual([
      "internal",
      "00010002000300040005",
    ]);
  });
});

describe("bad address text", () => {
  test("malformed IPv4 and IPv6 are refused", () => {
    const bad = [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "01.2.3.4",
      "1.2.3.-4",
      "127.1",
      "0x7f.0.0.1",
      " 1.2.3.4",
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8::",
      ":1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:",
      "12345::",
      "g::1",
      "1.2.3.4::",
      "::1.2.3",
      "fe80::1%eth0",
      "fe80::1%4294967296",
      "fe80::1%",
      "[::1",
      "1.2.3.4\u0000",
      "www.bitcoincore.org",
      "totally bogus",
    ];
    for (const t of bad) expect({ t, refused: parseFails(t) }).toEqual({ t, refused: true });
  });

  test("a .onion suffix in capitals is not an onion name (Core's suffix is case-sensitive)", () => {
    expect(parseFails("PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.ONION")).toBe(
      true,
    );
    expect(parseAddress("PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.onion").network)
      .toBe("onion");
  });
});
