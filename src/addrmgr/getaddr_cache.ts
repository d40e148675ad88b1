/**
 * The getaddr answer cache (Core m_addr_response_caches): one sample of the
 * book per requesting network, reused for 21 to 27 hours, so repeated
 * getaddr requests (or many connections from one scraper) learn no more
 * than one sample a day and cannot map the book or time our learning.
 */
import type { Random } from "../platform/random.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";

/** Most addresses in one answer (Core MAX_ADDR_TO_SEND). */
export const GETADDR_MAX_ADDRESSES = 1_000;
/** Share of the book in one answer, percent (Core MAX_PCT_ADDR_TO_SEND). */
export const GETADDR_MAX_PCT = 23;
/** Shortest life of a cached answer (Core: 21 hours). */
export const CACHE_MIN_LIFETIME_MS = 21 * 3600 * 1000;
/** Random extra life, up to (Core: 6 hours). */
export const CACHE_LIFETIME_SPREAD_MS = 6 * 3600 * 1000;

interface Cached {
  readonly addresses: readonly PeerAddress[];
  readonly expires: number;
}

/** Cached answers by key (the requesting network). */
export class GetaddrCache {
  readonly #random: Random;
  readonly #entries = new Map<string, Cached>();

  constructor(random: Random) {
    this.#random = random;
  }

  /**
   * The cached answer for `key` at `now` (ms), built with `build` when
   * missing or expired.
   */
  get(key: string, now: number, build: () => readonly PeerAddress[]): readonly PeerAddress[] {
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.expires > now) return hit.addresses;
    const expires = now + CACHE_MIN_LIFETIME_MS + this.#random.int(CACHE_LIFETIME_SPREAD_MS);
    const addresses = build();
    this.#entries.set(key, { addresses, expires });
    return addresses;
  }
}
