/**
 * One known address with what we learned about it, and the two judgements
 * made from that history: is it terrible (not worth keeping or sharing), and
 * how likely is `select()` to pick it. Times are Unix seconds throughout.
 */
import type { NetAddress } from "../wire/address.ts";

/** Seconds in a day. */
const DAY = 86_400;

/** Entries with a timestamp this far in the future are terrible (Core: 10 minutes). */
export const MAX_FUTURE_SECONDS = 600;
/** Entries not seen for this long are terrible (Core ADDRMAN_HORIZON, 30 days). */
export const HORIZON_SECONDS = 30 * DAY;
/** Failed attempts, with no success ever, after which an entry is terrible (Core ADDRMAN_RETRIES). */
export const MAX_RETRIES = 3;
/** Failures since the last success after which an entry is terrible (Core ADDRMAN_MAX_FAILURES)… */
export const MAX_FAILURES = 10;
/** …if that success is older than this (Core ADDRMAN_MIN_FAIL, 7 days). */
export const MIN_FAIL_SECONDS = 7 * DAY;
/** An entry tried this recently is never terrible (Core: 1 minute). */
export const RECENT_TRY_GRACE_SECONDS = 60;
/** A try this recent cuts the selection chance to 1% (Core: 10 minutes). */
export const RECENT_TRY_SECONDS = 600;
/** Failures beyond this do not lower the chance further (Core: 8). */
export const MAX_CHANCE_FAILURES = 8;

/**
 * 0.66^n for n = 0…8, correctly rounded. Written out rather than computed:
 * `Math.pow` differs in the last bit between engines (JavaScriptCore gives a
 * different 0.66^7), and selection must replay identically on every runtime.
 */
const CHANCE_BY_FAILURES: readonly number[] = [
  1,
  0.66,
  0.43560000000000004,
  0.28749600000000003,
  0.18974736000000003,
  0.12523325760000004,
  0.08265395001600002,
  0.05455160701056002,
  0.03600406062696961,
];

/** The history fields the judgements read. */
export interface AddrHistory {
  /** Last time the address was announced or seen alive (Core nTime). */
  time: number;
  /** Last connection attempt (0 = never). */
  lastTry: number;
  /** Last successful connection (0 = never). */
  lastSuccess: number;
  /** Failed attempts since the last success. */
  attempts: number;
}

/** The networks an entry can be on (the routable ones). */
export type TableNetwork = Exclude<NetAddress["network"], "internal" | "torv2">;

/**
 * A table entry. Mutable: the tables update it in place. The address bytes
 * live only in `key` (see `entryAddress`): a separate byte array per entry
 * would cost more than the rest of the entry.
 */
export interface AddrEntry extends AddrHistory {
  /** Map key: network, bytes and port (see `entryKey`). */
  readonly key: string;
  readonly network: TableNetwork;
  readonly port: number;
  /** Service bits as last announced (ORed together over announcements). */
  services: bigint;
  /** Who told us first; decides the new bucket when the entry leaves the tried table. */
  readonly source: NetAddress;
  /** Network group of `addr`, as a latin1 string of its bytes. */
  readonly group: string;
  /** Network group of `source`, likewise. */
  readonly sourceGroup: string;
  /** Last attempt that counted as a failure (Core m_last_count_attempt). */
  lastCountAttempt: number;
  /** New-table slots holding this entry: 0 to 8 (Core nRefCount). */
  refCount: number;
  /** Tried-table slot, or -1. An entry is in the tried table or in the new table, never both. */
  triedSlot: number;
  /** Index in the tables' random-order array (for getaddr sampling). */
  randomPos: number;
  /** The tables' number for this entry in their slot arrays (0 until registered). */
  id: number;
}

/** First character of an entry key, per network. */
const NETWORK_CODE: Readonly<Record<NetAddress["network"], number>> = {
  ipv4: 0x34, // "4"
  ipv6: 0x36, // "6"
  torv2: 0x74, // "t"
  onion: 0x6f, // "o"
  i2p: 0x69, // "i"
  cjdns: 0x63, // "c"
  internal: 0x6e, // "n"
};
/** Scratch for building keys: network code, up to 32 address bytes, port. */
const keyScratch = new Uint8Array(1 + 32 + 2);

/**
 * The map key of `addr:port`: a network letter, the address bytes and the
 * port as char codes, built as one flat string. Compact (one byte a
 * character) and unique: the same bytes on two networks (IPv6 and CJDNS)
 * give different keys.
 */
export function entryKey(addr: NetAddress, port: number): string {
  const b = addr.bytes;
  const n = b.length;
  if (n === 4) {
    // The common case, without the scratch copy (about 3× faster).
    return String.fromCharCode(
      NETWORK_CODE[addr.network],
      b[0],
      b[1],
      b[2],
      b[3],
      port >>> 8,
      port & 0xff,
    );
  }
  keyScratch[0] = NETWORK_CODE[addr.network];
  keyScratch.set(b, 1);
  keyScratch[n + 1] = port >>> 8;
  keyScratch[n + 2] = port & 0xff;
  return String.fromCharCode.apply(null, keyScratch.subarray(0, n + 3) as unknown as number[]);
}

/** Distinct service values shared between entries (a handful are common). */
const MAX_INTERNED_SERVICES = 256;
const servicesPool = new Map<bigint, bigint>();

/**
 * One shared bigint per service value, so 80,000 entries announcing the same
 * bits hold one value rather than 80,000 (bigints are heap objects).
 */
export function internServices(services: bigint): bigint {
  const hit = servicesPool.get(services);
  if (hit !== undefined) return hit;
  if (servicesPool.size >= MAX_INTERNED_SERVICES) servicesPool.clear();
  servicesPool.set(services, services);
  return services;
}

/** The address of an entry, rebuilt from its key (a new array each call). */
export function entryAddress(e: AddrEntry): NetAddress {
  const bytes = new Uint8Array(e.key.length - 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = e.key.charCodeAt(i + 1);
  return { network: e.network, bytes };
}

/**
 * Core's AddrInfo::IsTerrible: true for an entry not worth keeping in a
 * contested slot or sharing in getaddr answers. Rules in order: tried in the
 * last minute → no; timestamp over 10 minutes ahead → yes; not seen for 30
 * days → yes; 3 attempts and never a success → yes; 10 failures and no
 * success for a week → yes; otherwise no.
 */
export function isTerrible(e: AddrHistory, now: number): boolean {
  if (now - e.lastTry <= RECENT_TRY_GRACE_SECONDS) return false;
  if (e.time > now + MAX_FUTURE_SECONDS) return true;
  if (now - e.time > HORIZON_SECONDS) return true;
  if (e.lastSuccess === 0 && e.attempts >= MAX_RETRIES) return true;
  if (now - e.lastSuccess > MIN_FAIL_SECONDS && e.attempts >= MAX_FAILURES) return true;
  return false;
}

/**
 * Core's AddrInfo::GetChance: the relative chance of selecting the entry,
 * 1.0 scaled by 0.01 when tried in the last 10 minutes and by 0.66 per failed
 * attempt (at most 8). `attempts` is never negative here.
 */
export function getChance(e: AddrHistory, now: number): number {
  let chance = 1.0;
  if (now - e.lastTry < RECENT_TRY_SECONDS) chance *= 0.01;
  return chance * CHANCE_BY_FAILURES[Math.min(e.attempts, MAX_CHANCE_FAILURES)];
}
