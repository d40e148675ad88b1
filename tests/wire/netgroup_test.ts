/** Network groups (Core GetGroup without asmap) against netbase and addrman vectors. */
import { describe, expect, test } from "bun:test";
import { flipIpv6ToCjdns, type NetAddress } from "../../src/wire/address.ts";
import { networkGroup } from "../../src/wire/netgroup.ts";
import { splitHostPort } from "../../src/wire/host_port.ts";
import { ADDRMAN, coreAddress, NETADDR, toHex } from "./address_vectors.ts";

/** An addrman-vectors host: `addr_net` "cjdns" means IPv6 text built as CJDNS. */
function addrmanHost(host: string, net: string): NetAddress {
  const a = coreAddress(host);
  return net === "cjdns" ? flipIpv6ToCjdns(a) : a;
}

describe("networkGroup", () => {
  test("every netbase_getgroup row gives Core's group bytes", () => {
    expect(NETADDR.getgroup_no_asmap.length).toBe(12);
    for (const v of NETADDR.getgroup_no_asmap) {
      const g = networkGroup(coreAddress(v.input));
      expect({ row: `${v.input} (${v.note})`, group: Array.from(g), hex: toHex(g) }).toEqual({
        row: `${v.input} (${v.note})`,
        group: v.group,
        hex: v.group_hex,
      });
    }
  });

  test("every address and source in the addrman placements has its group", () => {
    const rows = ADDRMAN.placements as {
      addr: string;
      addr_net: string;
      source: string;
      source_net: string;
      group_hex: string;
      source_group_hex: string;
    }[];
    expect(rows.length).toBe(1094);
    const seen = new Map<string, string>();
    for (const r of rows) {
      seen.set(`${r.addr_net}|${splitHostPort(r.addr).host}`, r.group_hex);
      seen.set(`${r.source_net}|${r.source}`, r.source_group_hex);
    }
    const mismatches: string[] = [];
    for (const [key, want] of seen) {
      const [net, host] = key.split("|");
      const got = toHex(networkGroup(addrmanHost(host, net)));
      if (got !== want) mismatches.push(`${key}: got ${got}, want ${want}`);
    }
    expect(mismatches).toEqual([]);
    expect(seen.size).toBeGreaterThan(337);
  });

  test("Tor, I2P and CJDNS keep 4 and 12 prefix bits with the rest set to 1", () => {
    const onion: NetAddress = { network: "onion", bytes: new Uint8Array(32).fill(0xa5) };
    const i2p: NetAddress = { network: "i2p", bytes: new Uint8Array(32).fill(0x30) };
    const cjdns: NetAddress = { network: "cjdns", bytes: new Uint8Array(16).fill(0xfc) };
    expect(toHex(networkGroup(onion))).toBe("03af");
    expect(toHex(networkGroup(i2p))).toBe("043f");
    expect(toHex(networkGroup(cjdns))).toBe("05fcff");
  });
});
