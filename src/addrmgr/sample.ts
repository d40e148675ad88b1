/**
 * Sampling addresses to share (Core AddrMan::GetAddr): a partial
 * Fisher–Yates shuffle of the random-order array, taking a percentage of
 * the book up to a cap, skipping terrible entries and any the caller
 * excludes (banned, wrong network for the recipient).
 */
import type { Random } from "../platform/random.ts";
import { type AddrEntry, isTerrible } from "./entry.ts";
import type { AddrTables } from "./tables.ts";

/** Limits and filters for `sampleAddresses`. */
export interface SampleOptions {
  /** Most addresses returned (0 = no cap). */
  readonly maxCount: number;
  /** Percentage of the book returned, rounded down (0 = no limit). */
  readonly maxPct: number;
  /** Keep terrible entries (default false: they are left out). */
  readonly includeTerrible?: boolean;
  /** Entries for which this returns false are left out. */
  readonly filter?: (e: AddrEntry) => boolean;
}

/**
 * Up to `min(maxPct% of the book, maxCount)` entries in random order
 * (Core: 23% of 2,006 is 461). Entries filtered out do not count towards
 * the number, so fewer may come back when many are filtered. Reorders
 * `t.randomOrder` as a side effect, as Core does.
 */
export function sampleAddresses(
  t: AddrTables,
  random: Random,
  now: number,
  options: SampleOptions,
): AddrEntry[] {
  const order = t.randomOrder;
  let wanted = order.length;
  if (options.maxPct !== 0) wanted = Math.floor((options.maxPct * wanted) / 100);
  if (options.maxCount !== 0) wanted = Math.min(wanted, options.maxCount);
  const out: AddrEntry[] = [];
  for (let n = 0; n < order.length && out.length < wanted; n++) {
    t.swapRandom(n, n + random.int(order.length - n));
    const e = order[n];
    if (!options.includeTerrible && isTerrible(e, now)) continue;
    if (options.filter !== undefined && !options.filter(e)) continue;
    out.push(e);
  }
  return out;
}
