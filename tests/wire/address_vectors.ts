/**
 * Test helpers for the address tests: the two address vector files, SHA-256
 * from node:crypto, and Core's test conventions for turning an input string
 * into an address.
 */
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import type { Sha256 } from "../../src/platform/hash.ts";
import type { NetAddress } from "../../src/wire/address.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { internalAddress } from "../../src/wire/internal_address.ts";
import type { NetClass } from "../../src/wire/routability.ts";
export { fromHex as hex, toHex } from "../../src/wire/bytes.ts";

/** Parses a JSON file from /work/shared/vectors. */
// deno-lint-ignore no-explicit-any
function load(file: string): any {
  return JSON.parse(
    readFileSync(new URL(`../../../shared/vectors/${file}`, import.meta.url), "utf8"),
  );
}

/** addrv2-vectors.json. */
// deno-lint-ignore no-explicit-any
export const ADDRV2: any = load("addrv2-vectors.json");
/** netaddr-vectors.json. */
// deno-lint-ignore no-explicit-any
export const NETADDR: any = load("netaddr-vectors.json");
/** addrman-vectors.json (only its per-address group columns are used here). */
// deno-lint-ignore no-explicit-any
export const ADDRMAN: any = load("addrman-vectors.json");

/** SHA-256 from node:crypto (tests only; the core gets it injected). */
export const sha256: Sha256 = (d) => new Uint8Array(createHash("sha256").update(d).digest());

/**
 * An input string as Core's tests build it: "internal:NAME" is SetInternal(NAME);
 * anything else is a numeric LookupHost, and a failed parse gives the default
 * address `::` (invalid).
 */
export function coreAddress(input: string): NetAddress {
  if (input.startsWith("internal:")) return internalAddress(sha256, input.slice(9));
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
