/** Host spelling: brackets off IPv6 literals, IPv4-mapped addresses as plain IPv4. */
import { describe, expect, test } from "bun:test";
import { formatHostPort, normalizeHost } from "../../../adapters/shared/host.ts";

describe("normalizeHost", () => {
  test("strips brackets from IPv6 literals", () => {
    expect(normalizeHost("[::1]")).toBe("::1");
    expect(normalizeHost("[2001:db8::1]")).toBe("2001:db8::1");
  });

  test("reports IPv4-mapped IPv6 addresses as IPv4", () => {
    expect(normalizeHost("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normalizeHost("::FFFF:10.0.0.2")).toBe("10.0.0.2");
    expect(normalizeHost("[::ffff:1.2.3.4]")).toBe("1.2.3.4");
  });

  test("leaves names, IPv4 and other IPv6 addresses alone", () => {
    for (const host of ["localhost", "seed.bitcoin.sipa.be", "1.2.3.4", "::1", "fe80::1%eth0"]) {
      expect(normalizeHost(host)).toBe(host);
    }
  });
});

describe("formatHostPort", () => {
  test("brackets IPv6 and not IPv4 or names", () => {
    expect(formatHostPort("::1", 8333)).toBe("[::1]:8333");
    expect(formatHostPort("1.2.3.4", 18444)).toBe("1.2.3.4:18444");
    expect(formatHostPort("localhost", 1)).toBe("localhost:1");
  });
});
