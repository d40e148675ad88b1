/** Ports avoided for automatic outbound connections (Core IsBadPort). */
import { describe, expect, test } from "bun:test";
import { BAD_PORTS, isBadPort } from "../../src/wire/bad_ports.ts";
import { NETADDR } from "./address_vectors.ts";

describe("isBadPort", () => {
  test("exactly the 85 vector ports in 1..65535 are bad", () => {
    const want: number[] = NETADDR.bad_ports;
    expect(want.length).toBe(85);
    const got: number[] = [];
    for (let p = 0; p <= 65535; p++) if (isBadPort(p)) got.push(p);
    expect(got).toEqual(want);
    expect([...BAD_PORTS]).toEqual(want);
  });

  test("Core's spot checks: 1, 22, 6000 bad; 80, 443, 8333 fine", () => {
    expect([1, 22, 6000].map(isBadPort)).toEqual([true, true, true]);
    expect([80, 443, 8333].map(isBadPort)).toEqual([false, false, false]);
  });
});
