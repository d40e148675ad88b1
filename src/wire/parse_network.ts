/**
 * Network names as users write them in options like `-onlynet`: ipv4, ipv6,
 * onion, i2p, cjdns, in any ASCII case. "tor" is not accepted (Core dropped
 * it in favour of "onion").
 */
import type { NetClass } from "./routability.ts";

/** A network name a user may select. */
export type NetworkName = Exclude<NetClass, "unroutable" | "internal">;

const NAMES: ReadonlySet<string> = new Set(["ipv4", "ipv6", "onion", "i2p", "cjdns"]);

/**
 * The network `text` names, or `null` when it names none (Core ParseNetwork
 * answers NET_UNROUTABLE). Only ASCII letters are case-folded.
 */
export function parseNetwork(text: string): NetworkName | null {
  const lower = text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
  return NAMES.has(lower) ? lower as NetworkName : null;
}
