/**
 * Network groups as the connection manager uses them: outbound peers must
 * come from distinct groups (IPv4 /16, IPv6 /32, Core's groups from
 * `src/wire/netgroup.ts`), so that one operator cannot own all of our
 * outbound slots; inbound eviction counts peers per group.
 */
import type { NetAddress } from "../wire/address.ts";
import { toHex } from "../wire/bytes.ts";
import { networkGroup } from "../wire/netgroup.ts";

/** The network group of `a` as a string key (the group bytes in hex). */
export function groupKey(a: NetAddress): string {
  return toHex(networkGroup(a));
}

/**
 * The key under which an outbound peer at `a` takes part in the one-per-group
 * rule, or `null` when it is exempt: Tor, I2P and CJDNS addresses say nothing
 * about who routes them, so they are not limited by group.
 */
export function outboundGroup(a: NetAddress): string | null {
  if (a.network === "onion" || a.network === "i2p" || a.network === "cjdns") return null;
  return groupKey(a);
}
