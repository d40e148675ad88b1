/**
 * Seeding: where the first addresses come from when the address book needs
 * some, in Core's order.
 *
 * 1. `--seednode` peers: an addr-fetch connection each (handshake, getaddr,
 *    disconnect once addresses came, or after a timeout; `superviseAddrFetch`).
 * 2. The network's DNS seeds, resolved through the Resolve port (each lookup
 *    with a timeout and the manager's AbortSignal); skipped when enough
 *    outbound peers are ready by then. Answers enter the book on the default
 *    port, recorded as coming from the seed (an internal address standing for
 *    its name) and dated 3 to 7 days ago, as Core does, so that addresses
 *    heard from live peers are preferred.
 * 3. The fixed seeds (`fixed_seeds.ts`), only if the book is still empty:
 *    at once when nothing else is configured, else after the fixed-seed delay.
 */
import type { AddrManager } from "../addrmgr/addr_manager.ts";
import type { Logger } from "../log/logger.ts";
import type { Peer } from "../peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../peer/services.ts";
import type { Clock } from "../platform/clock.ts";
import type { HostPort } from "../platform/conn.ts";
import type { Platform } from "../platform/platform.ts";
import type { Random } from "../platform/random.ts";
import type { Resolve } from "../platform/resolver.ts";
import type { Sha256 } from "../platform/hash.ts";
import { errorText } from "../util/error_text.ts";
import type { NetAddress } from "../wire/address.ts";
import { parseAddress } from "../wire/address_format.ts";
import { parseHostPort } from "../wire/host_port.ts";
import { internalAddress } from "../wire/internal_address.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";
import type { NetworkParams } from "../wire/params.ts";
import type { ConnConfig } from "./conn_config.ts";
import { FIXED_SEEDS } from "./fixed_seeds.ts";

/** How long one seed lookup may take. */
export const DNS_SEED_TIMEOUT_MS = 10_000;
/** Addresses from a seed are dated at least this long ago (Core: 3 days)... */
const SEED_AGE_MIN_SECONDS = 3 * 24 * 3600;
/** ...plus up to this much more (Core: 4 days). */
const SEED_AGE_SPREAD_SECONDS = 4 * 24 * 3600;
/** Most addresses taken from one seed's answer (bounds a hostile resolver). */
export const MAX_ADDRESSES_PER_SEED = 256;
/** Services assumed for seed answers and fixed seeds: seeds list full witness nodes. */
const SEED_SERVICES = NODE_NETWORK | NODE_WITNESS;
/** DNS seeds are skipped when this many outbound peers are ready by then (Core: 2). */
const ENOUGH_PEERS_FOR_NO_SEEDING = 2;
/** Fixed seeds are dated between 2 weeks and 1 week ago (Core). */
const WEEK_SECONDS = 7 * 24 * 3600;

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

/** What `runSeeding` needs. */
export interface SeedingOptions {
  readonly signal: AbortSignal;
  readonly platform: Pick<Platform, "resolve" | "clock" | "sha256">;
  readonly params: NetworkParams;
  readonly config: Pick<
    ConnConfig,
    "seednode" | "dnsSeed" | "dnsSeedDelayMs" | "fixedSeedDelayMs" | "fixedSeeds"
  >;
  readonly addrman: Pick<AddrManager, "needMoreAddresses" | "size" | "add">;
  readonly random: Random;
  readonly logger: Logger;
  /** Outbound full-relay peers whose handshake completed. */
  readonly readyOutbound: () => number;
  /** Starts an addr-fetch connection to a `--seednode` peer. */
  readonly fetchFrom: (target: HostPort) => void;
  /** Addresses were added: the outbound fill should look again. */
  readonly onAddresses: () => void;
}

/** Seeds the address book as the module header says; resolves when seeding is over. */
export async function runSeeding(options: SeedingOptions): Promise<void> {
  const { signal, platform, addrman: book, config, logger } = options;
  if (book.needMoreAddresses()) { for (const target of config.seednode) options.fetchFrom(target); }
  let learned = 0;
  const seeds = options.params.dnsSeeds;
  if (config.dnsSeed && seeds.length > 0 && book.needMoreAddresses()) {
    if (book.size > 0) await platform.clock.sleep(config.dnsSeedDelayMs, signal).catch(() => {});
    if (signal.aborted) return;
    if (options.readyOutbound() >= ENOUGH_PEERS_FOR_NO_SEEDING) {
      logger.debug("DNS seeds skipped: enough outbound peers", {});
    } else {
      const answers = await queryDnsSeeds(seeds, {
        resolve: platform.resolve,
        sha256: platform.sha256,
        random: options.random,
        signal,
        logger,
        now: Math.floor(platform.clock.now() / 1000),
        defaultPort: options.params.defaultPort,
      });
      if (signal.aborted) return;
      for (const a of answers) learned += book.add(a.addresses, a.source);
      const answered = answers.filter((a) => a.error === undefined).length;
      logger.info("DNS seeds queried", { seeds: answers.length, answered, added: learned });
      if (answered === 0 && options.readyOutbound() === 0) {
        logger.warn(
          "no DNS seed answered and no peer is connected: no peers are reachable yet " +
            "(is this machine offline?); the node keeps trying and its status API stays up",
          { seeds: answers.length },
        );
      }
      options.onAddresses();
    }
  }
  await addFixedSeeds(
    options,
    !(config.dnsSeed && seeds.length > 0) && config.seednode.length === 0,
  );
}

/** Adds the fixed seeds if the book is (still) empty: at once, or after the fixed-seed delay. */
async function addFixedSeeds(options: SeedingOptions, immediately: boolean): Promise<void> {
  const { signal, platform, addrman: book, params, logger } = options;
  const list = options.config.fixedSeeds ?? FIXED_SEEDS[params.name];
  if (list.length === 0 || book.size > 0) return;
  if (!immediately) {
    await platform.clock.sleep(options.config.fixedSeedDelayMs, signal).catch(() => {});
    if (signal.aborted || book.size > 0) return;
  }
  const nowSeconds = Math.floor(platform.clock.now() / 1000);
  const addresses: PeerAddress[] = [];
  for (const text of list) {
    try {
      const { address, port } = parseHostPort(text, params.defaultPort);
      const age = WEEK_SECONDS + options.random.int(WEEK_SECONDS);
      addresses.push({ time: nowSeconds - age, services: SEED_SERVICES, addr: address, port });
    } catch (error) {
      logger.warn("fixed seed ignored", { seed: text, error: errorText(error) });
    }
  }
  const added = book.add(addresses, internalAddress(platform.sha256, "fixedseeds"));
  logger.info("address book empty; fixed seeds added", { added });
  options.onAddresses();
}

/** What `superviseAddrFetch` needs. */
export interface AddrFetchOptions {
  readonly clock: Clock;
  /** A peer that sent no addresses this long after its handshake is dropped. */
  readonly answerTimeoutMs: number;
  readonly signal: AbortSignal;
}

/**
 * Ends an addr-fetch connection once its job is done: when the peer sends
 * more than one address, or when it sent none in time after the handshake.
 * Call before the peer starts.
 */
export function superviseAddrFetch(peer: Peer, options: AddrFetchOptions): void {
  peer.on("message", (msg) => {
    if ((msg.command === "addr" || msg.command === "addrv2") && msg.addresses.length > 1) {
      void peer.disconnect("seed node answered with addresses");
    }
  });
  peer.on("ready", () => {
    options.clock.setTimer(
      options.answerTimeoutMs,
      () => void peer.disconnect("seed node sent no addresses in time"),
      options.signal,
    );
  });
}
