/** "host:port" text: Core's SplitHostPort and LookupNumeric cases, and printing. */
import { describe, expect, test } from "bun:test";
import { netAddress } from "../../src/wire/address.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { DecodeError } from "../../src/wire/errors.ts";
import { formatHostPort, parseHostPort, splitHostPort } from "../../src/wire/host_port.ts";
import { internalAddress } from "../../src/wire/internal_address.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { hex, NETADDR } from "./address_vectors.ts";

/** LookupNumeric then ToStringAddrPort; Core prints a failure as "[::]:0". */
function lookupNumeric(text: string, defaultPort: number): string {
  try {
    const { address, port } = parseHostPort(text, defaultPort);
    return formatHostPort(address, port);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return "[::]:0";
  }
}

describe("splitHostPort (Core netbase_splithost)", () => {
  test("every row splits into Core's host, port and validity", () => {
    expect(NETADDR.split_host_port.length).toBe(32);
    for (const v of NETADDR.split_host_port) {
      expect({ row: v.input, ...splitHostPort(v.input) }).toEqual({
        row: v.input,
        host: v.host,
        port: v.port,
        validPort: v.valid_port,
      });
    }
  });

  test("a leading + and leading zeros are accepted in the port, as Core's ParseUInt16 does", () => {
    expect(splitHostPort("1.2.3.4:+80")).toEqual({ host: "1.2.3.4", port: 80, validPort: true });
    expect(splitHostPort("1.2.3.4:0080")).toEqual({ host: "1.2.3.4", port: 80, validPort: true });
    expect(splitHostPort("1.2.3.4:+-80").validPort).toBe(false);
    expect(splitHostPort("1.2.3.4: 80").validPort).toBe(false);
  });
});

describe("parseHostPort / formatHostPort (Core netbase_lookupnumeric)", () => {
  test("every row prints as Core prints it (failures as [::]:0)", () => {
    expect(NETADDR.lookup_numeric.length).toBe(9);
    for (const v of NETADDR.lookup_numeric) {
      expect({ row: v.input, got: lookupNumeric(v.input, v.default_port) }).toEqual({
        row: v.input,
        got: v.to_string_addr_port,
      });
    }
  });

  test("bad ports and empty input are refused with a message naming the problem", () => {
    for (const t of ["1.2.3.4:0", "1.2.3.4:65536", "[::1]:x", "", "\u0000"]) {
      expect({ t, got: lookupNumeric(t, 8333) }).toEqual({ t, got: "[::]:0" });
    }
    expect(() => parseHostPort("1.2.3.4:0", 8333)).toThrow("port of 1-65535");
    expect(() => parseHostPort("[fd6b:88c0:8724::1]:8333", 8333)).toThrow("internal");
  });

  test("each network prints with or without brackets as Core does", () => {
    const onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    const i2p = "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p";
    const cjdns = netAddress("cjdns", hex("fc000000000000000000000000000001"));
    expect(formatHostPort(parseAddress("1.2.3.4"), 8333)).toBe("1.2.3.4:8333");
    expect(formatHostPort(parseAddress("2001:db8::1"), 8333)).toBe("[2001:db8::1]:8333");
    expect(formatHostPort(cjdns, 8333)).toBe("[fc00::1]:8333");
    expect(formatHostPort(parseAddress(onion), 8333)).toBe(`${onion}:8333`);
    expect(formatHostPort(parseAddress(i2p), 0)).toBe(`${i2p}:0`);
    expect(formatHostPort(internalAddress(sha256, "a"), 1)).toBe("zklycewkdo64v6wc.internal:1");
  });

  test("a printed host:port parses back to the same address and port", () => {
    for (const t of ["1.2.3.4:1", "[2001:db8::1]:65535", "[fe80::1%2]:8333"]) {
      const { address, port } = parseHostPort(t, 8333);
      expect(formatHostPort(address, port)).toBe(t);
    }
    const onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    expect(parseHostPort(onion, 8333).port).toBe(8333);
    expect(parseHostPort(`${onion}:9000`, 8333).port).toBe(9000);
  });
});
