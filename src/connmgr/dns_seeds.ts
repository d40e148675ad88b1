/**
 * DNS seeding: the network's seed names are resolved through the Resolve
 * port (each lookup with a timeout and the node's AbortSignal) and the
 * answers become address-book entries on the default port, recorded as
 * coming from the seed (an internal address standing for its name) and
 * dated 3 to 7 days ago, as Core does, so that addresses heard from live
 * peers are preferred.
 */
import { errorText } from "../util/error_text.ts";
import type { Logger } from "../log/logger.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../peer/services.ts";
import type { Random } from "../platform/random.ts";
import type { Resolve } from "../platform/resolver.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { NetAddress } from "../wire/address.ts";
import { parseAddress } from "../wire/address_format.ts";
import { internalAddress } from "../wire/internal_address.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";

/** How long one seed lookup may take. */
export const DNS_SEED_TIMEOUT_MS = 10_000;
/** Addresses from a seed are dated at least this long ago (Core: 3 days)... */
const SEED_AGE_MIN_SECONDS = 3 * 24 * 3600;
/** ...plus up to this much more (Core: 4 days). */
const SEED_AGE_SPREAD_SECONDS = 4 * 24 * 3600;
/** Most addresses taken from one seed's answer (bounds a hostile resolver). */
export const MAX_ADDRESSES_PER_SEED = 256;
/** Services assumed for seed answers: seeds list full witness nodes. */
const SEED_SERVICES = NODE_NETWORK | NODE_WITNESS;

/** The answer of one seed. */
export interface SeedAnswer {
  readonly seed: string;
  /** The seed as an address-book source. */
  readonly source: NetAddress;
  readonly addresses: PeerAddress[];
  /** Why the lookup failed, if it did. */
  readonly error?: string;
}

/** What `queryDnsSeeds` needs. */
export interface DnsSeedOptions {
  readonly resolve: Resolve;
  readonly sha256: Sha256;
  readonly random: Random;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Unix seconds now. */
  readonly now: number;
  readonly defaultPort: number;
  readonly timeoutMs?: number;
}

/** Resolves every seed at once; failed lookups come back with `error` and no addresses. */
export function queryDnsSeeds(
  seeds: readonly string[],
  options: DnsSeedOptions,
): Promise<SeedAnswer[]> {
  return Promise.all(seeds.map(async (seed): Promise<SeedAnswer> => {
    const name = seed.endsWith(".") ? seed.slice(0, -1) : seed;
    const source = internalAddress(options.sha256, name);
    try {
      const ips = await options.resolve(name, {
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? DNS_SEED_TIMEOUT_MS,
      });
      const addresses: PeerAddress[] = [];
      for (const ip of ips.slice(0, MAX_ADDRESSES_PER_SEED)) {
        let addr: NetAddress;
        try {
          addr = parseAddress(ip);
        } catch {
          continue;
        }
        const age = SEED_AGE_MIN_SECONDS + options.random.int(SEED_AGE_SPREAD_SECONDS);
        addresses.push({
          time: options.now - age,
          services: SEED_SERVICES,
          addr,
          port: options.defaultPort,
        });
      }
      options.logger.debug("DNS seed answered", { seed: name, addresses: addresses.length });
      return { seed: name, source, addresses };
    } catch (error) {
      const text = errorText(error);
      if (!options.signal.aborted) {
        options.logger.warn("DNS seed failed", { seed: name, error: text });
      }
      return { seed: name, source, addresses: [], error: text };
    }
  }));
}
