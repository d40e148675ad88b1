/**
 * Test helpers for the address tests: the address vector files, and Core's
 * test conventions for turning an input string into an address.
 */
import type { NetAddress } from "../../src/wire/address.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { internalAddress } from "../../src/wire/internal_address.ts";
import type { NetClass } from "../../src/wire/routability.ts";
import { nodeSha256, vectorJson } from "../support/vectors.ts";
export { fromHex as hex, toHex } from "../../src/wire/bytes.ts";

/** addrv2-vectors.json. */
// deno-lint-ignore no-explicit-any
export const ADDRV2: any = vectorJson("addrv2-vectors.json");
/** netaddr-vectors.json. */
// deno-lint-ignore no-explicit-any
export const NETADDR: any = vectorJson("netaddr-vectors.json");
/** addrman-vectors.json (only its per-address group columns are used here). */
// deno-lint-ignore no-explicit-any
export const ADDRMAN: any = vectorJson("addrman-vectors.json");

/**
 * An input string as Core's tests build it: "internal:NAME" is SetInternal(NAME);
 * anything else is a numeric LookupHost, and a failed parse gives the default
 * address `::` (invalid).
 */
export function coreAddress(input: string): NetAddress {
  if (input.startsWith("internal:")) return internalAddress(nodeSha256, input.slice(9));
  try {
    return parseAddress(input);
  } catch {
    return { network: "ipv6", bytes: new Uint8Array(16) };
  }
}

/** Core's enum names ("NET_IPV4") for our net classes. */
export function coreNetName(c: NetClass): string {
  return `NET_${c.toUpperCase()}`;
}
