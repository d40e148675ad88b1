/** Network names (Core ParseNetwork). */
import { describe, expect, test } from "bun:test";
import { parseNetwork } from "../../src/wire/parse_network.ts";
import { coreNetName, NETADDR } from "./address_vectors.ts";

/** A vector input; the one row of raw bytes is given as a description. */
function inputOf(text: string): string {
  return text === "\\xfe\\xff (two raw bytes)" ? "\xfe\xff" : text;
}

describe("parseNetwork", () => {
  test("every row names Core's network (NET_UNROUTABLE when we answer null)", () => {
    expect(NETADDR.parse_network.length).toBe(14);
    for (const v of NETADDR.parse_network) {
      const got = parseNetwork(inputOf(v.input));
      expect({ row: v.input, got: got === null ? "NET_UNROUTABLE" : coreNetName(got) }).toEqual({
        row: v.input,
        got: v.expected,
      });
    }
  });

  test("i2p is a name too; only ASCII letters fold", () => {
    expect(parseNetwork("I2P")).toBe("i2p");
    expect(parseNetwork("\u212Aipv4")).toBeNull(); // Kelvin sign folds to "k" in Unicode
    expect(parseNetwork("ipv4 ")).toBeNull();
    expect(parseNetwork("internal")).toBeNull();
  });
});
