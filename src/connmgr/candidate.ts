/**
 * Choosing the next address to dial (the candidate loop of Core's
 * ThreadOpenConnections and btcd's connmgr): draw from the address manager
 * up to 100 times and take the first draw that passes every rule:
 *
 * - not banned, not already connected or being dialled, on a network we can
 *   reach (Tor and I2P only through a proxy);
 * - its network group holds none of our outbound peers (Tor, I2P and CJDNS
 *   are exempt, see `group.ts`);
 * - it announced the services we want of it (Core's
 *   `HasAllDesirableServiceFlags`: NODE_NETWORK_LIMITED is enough only while
 *   we are near the tip); a feeler's only has to keep blocks (Core's
 *   `MayHaveUsefulAddressDB`);
 * - not tried in the last 10 minutes, unless 30 draws have failed already;
 * - on the network's default port and not on a port of another well-known
 *   service, unless 50 draws have failed already (then we are desperate).
 */
import type { KnownAddress } from "../addrmgr/addr_manager.ts";
import { hasServices, mayHaveUsefulAddressDb } from "../peer/services.ts";
import type { NetAddress, Network } from "../wire/address.ts";
import { isBadPort } from "../wire/bad_ports.ts";
import { formatHostPort } from "../wire/host_port.ts";
import { outboundGroup } from "./group.ts";

/** Draws per pick before giving up (Core: 100). */
export const MAX_PICK_TRIES = 100;
/** An address tried this recently is skipped... (Core: 10 minutes) */
export const RECENT_TRY_SECONDS = 10 * 60;
/** ...while fewer than this many draws have failed (Core: 30). */
export const RECENT_TRY_MIN_TRIES = 30;
/** Non-default and well-known-service ports only after this many failed draws (Core: 50). */
export const ODD_PORT_MIN_TRIES = 50;

/** What the loop needs to judge a draw. */
export interface CandidateContext {
  /** One draw from the address manager (undefined: the book has nothing to give). */
  readonly select: () => KnownAddress | undefined;
  /** Unix seconds. */
  readonly now: number;
  /** The network's default P2P port. */
  readonly defaultPort: number;
  /** Groups (`outboundGroup`) of our outbound peers and outbound dials in flight. */
  readonly usedGroups: ReadonlySet<string>;
  readonly isBanned: (addr: NetAddress) => boolean;
  /** True when `host:port` is connected or being dialled already. */
  readonly isBusy: (hostPort: string) => boolean;
  /** True when addresses of this network can be dialled. */
  readonly reachable: (network: Network) => boolean;
  /**
   * The services wanted of a peer announcing `services` (`desirableServices`
   * with our tip's depth).
   */
  readonly desirableServices: (services: bigint) => bigint;
  /** Feeler picks only need a node that keeps blocks. Default false. */
  readonly feeler?: boolean;
}

/** A chosen address and how many draws it took. */
export interface CandidatePick {
  readonly address: KnownAddress;
  /** `host:port` of the address. */
  readonly hostPort: string;
  /** The outbound group key, or null when exempt. */
  readonly group: string | null;
  /** Draws made, this one included (above 50: picked in desperation). */
  readonly tries: number;
}

/** The first acceptable draw within `MAX_PICK_TRIES`, or undefined. */
export function pickCandidate(ctx: CandidateContext): CandidatePick | undefined {
  for (let tries = 1; tries <= MAX_PICK_TRIES; tries++) {
    const a = ctx.select();
    if (a === undefined) return undefined;
    if (ctx.isBanned(a.addr) || !ctx.reachable(a.addr.network)) continue;
    const hostPort = formatHostPort(a.addr, a.port);
    if (ctx.isBusy(hostPort)) continue;
    const group = outboundGroup(a.addr);
    if (group !== null && ctx.usedGroups.has(group)) continue;
    if (
      ctx.feeler
        ? !mayHaveUsefulAddressDb(a.services)
        : !hasServices(a.services, ctx.desirableServices(a.services))
    ) continue;
    if (ctx.now - a.lastTry < RECENT_TRY_SECONDS && tries < RECENT_TRY_MIN_TRIES) continue;
    if ((a.port !== ctx.defaultPort || isBadPort(a.port)) && tries < ODD_PORT_MIN_TRIES) continue;
    return { address: a, hostPort, group, tries };
  }
  return undefined;
}
