/**
 * Bucket placement, byte-compatible with Bitcoin Core's addrman (no asmap):
 * which tried/new bucket an address falls in and its slot inside the bucket.
 * Every hash is the first 8 bytes (little-endian) of a double SHA-256 over
 * the secret 32-byte key followed by length-prefixed network groups and the
 * address's service key. All table sizes are powers of two, so "hash mod n"
 * only needs the low bits of the first bytes of the digest: no 64-bit
 * arithmetic is done.
 *
 * `BucketHasher` is the fast form used by the tables: it reuses scratch
 * buffers and caches the second hash of each two-step scheme (which depends
 * only on a group and a 3- or 6-bit value).
 */
import type { Sha256 } from "../platform/hash.ts";
import type { NetAddress } from "../wire/address.ts";
import { INTERNAL_IN_IPV6_PREFIX, IPV4_IN_IPV6_PREFIX } from "../wire/address.ts";
import { sha256dInto } from "../wire/hash.ts";

/** Buckets in the tried table (Core ADDRMAN_TRIED_BUCKET_COUNT). */
export const TRIED_BUCKET_COUNT = 256;
/** Buckets in the new table (Core ADDRMAN_NEW_BUCKET_COUNT). */
export const NEW_BUCKET_COUNT = 1024;
/** Slots per bucket in either table (Core ADDRMAN_BUCKET_SIZE). */
export const BUCKET_SIZE = 64;
/** Tried buckets one address group can reach (Core ADDRMAN_TRIED_BUCKETS_PER_GROUP). */
export const TRIED_BUCKETS_PER_GROUP = 8;
/** New buckets one source group can reach (Core ADDRMAN_NEW_BUCKETS_PER_SOURCE_GROUP). */
export const NEW_BUCKETS_PER_SOURCE_GROUP = 64;
/** Length of the secret bucketing key. */
export const BUCKET_KEY_SIZE = 32;

/** Tag byte of the slot hash in the new table ("N"). */
const TAG_NEW = 0x4e;
/** Tag byte of the slot hash in the tried table ("K"). */
const TAG_TRIED = 0x4b;
/** Longest service key: 32 address bytes (Tor v3, I2P) + 2 port bytes. */
const MAX_SERVICE_KEY = 34;
/** Longest network group (internal: class byte + 10 bytes); groups are < 253 bytes. */
const MAX_GROUP = 32;
/**
 * Groups whose step-2 results are cached, per table. Source groups are our
 * peers' and tried groups come from real connections, so few are ever used;
 * the bound keeps an unusual run from growing the caches without limit.
 */
const MAX_CACHED_GROUPS = 8192;

/**
 * Core's CService::GetKey: the address bytes as Core's GetAddrBytes gives them
 * (IPv4 in its 16-byte IPv4-mapped form, internal names behind their 6-byte
 * prefix, every other network raw) followed by the port, big-endian.
 * Writes into `out` at 0 and returns the length.
 */
export function writeServiceKey(out: Uint8Array, addr: NetAddress, port: number): number {
  let n: number;
  if (addr.network === "ipv4") {
    out.set(IPV4_IN_IPV6_PREFIX, 0);
    out.set(addr.bytes, IPV4_IN_IPV6_PREFIX.length);
    n = 16;
  } else if (addr.network === "internal") {
    out.set(INTERNAL_IN_IPV6_PREFIX, 0);
    out.set(addr.bytes, INTERNAL_IN_IPV6_PREFIX.length);
    n = 16;
  } else {
    out.set(addr.bytes, 0);
    n = addr.bytes.length;
  }
  out[n] = (port >>> 8) & 0xff;
  out[n + 1] = port & 0xff;
  return n + 2;
}

/** The service key of `addr:port` as a new array (see `writeServiceKey`). */
export function serviceKey(addr: NetAddress, port: number): Uint8Array {
  const out = new Uint8Array(MAX_SERVICE_KEY);
  return out.slice(0, writeServiceKey(out, addr, port));
}

/**
 * Placement under one key, with scratch buffers and caches. Not re-entrant
 * (single-threaded use only, which is all JavaScript offers).
 */
export class BucketHasher {
  readonly #sha256: Sha256;
  /** key ‖ room for the longest preimage. */
  readonly #buf: Uint8Array;
  /** Views of `#buf` by length, so hashing allocates no view. */
  readonly #views: Uint8Array[] = [];
  /** Where each digest is written, so hashing allocates no result either. */
  readonly #digest = new Uint8Array(32);
  readonly #keyScratch = new Uint8Array(MAX_SERVICE_KEY);
  /** Tried step 2, by address group: 8 buckets each (-1 = not yet computed). */
  readonly #triedStep2 = new Map<string, Int16Array>();
  /** New step 2, by source group: 64 buckets each (-1 = not yet computed). */
  readonly #newStep2 = new Map<string, Int16Array>();

  /** `key` is the 32 secret bytes, exactly as hashed. */
  constructor(sha256: Sha256, key: Uint8Array) {
    if (key.length !== BUCKET_KEY_SIZE) {
      throw new RangeError(`the bucket key has ${BUCKET_KEY_SIZE} bytes, got ${key.length}`);
    }
    this.#sha256 = sha256;
    this.#buf = new Uint8Array(BUCKET_KEY_SIZE + 2 + 2 * MAX_GROUP + MAX_SERVICE_KEY + 8);
    this.#buf.set(key);
  }

  /** First two bytes of sha256d over the first `len` bytes of the scratch buffer. */
  #cheapLow16(len: number): number {
    let view = this.#views[len];
    if (view === undefined) view = this.#views[len] = this.#buf.subarray(0, len);
    const d = this.#digest;
    sha256dInto(this.#sha256, view, d, 0);
    return d[0] | (d[1] << 8);
  }

  /** Writes a CompactSize-prefixed byte string at `at`; returns the next offset. */
  #putVar(at: number, bytes: Uint8Array): number {
    this.#buf[at] = bytes.length;
    this.#buf.set(bytes, at + 1);
    return at + 1 + bytes.length;
  }

  /** `#putVar` for a byte string held as a latin1 string (a group). */
  #putVarText(at: number, text: string): number {
    const b = this.#buf;
    b[at++] = text.length;
    for (let i = 0; i < text.length; i++) b[at++] = text.charCodeAt(i);
    return at;
  }

  /** Writes a small non-negative integer as u64le at `at`; returns the next offset. */
  #putU64(at: number, value: number): number {
    this.#buf.fill(0, at + 1, at + 8);
    this.#buf[at] = value;
    return at + 8;
  }

  /** The step-2 cache of `id` in `caches`, created (filled with -1) when missing. */
  #step2(caches: Map<string, Int16Array>, id: string, size: number): Int16Array {
    let cache = caches.get(id);
    if (cache === undefined) {
      if (caches.size >= MAX_CACHED_GROUPS) caches.clear();
      cache = new Int16Array(size).fill(-1);
      caches.set(id, cache);
    }
    return cache;
  }

  /**
   * Tried bucket of an address from its service key `k` and network group
   * `group` (Core AddrInfo::GetTriedBucket). Groups are passed as latin1
   * strings of their bytes (see `latin1`): compact, and usable as cache keys.
   */
  triedBucket(k: Uint8Array, group: string): number {
    const step1 = this.#cheapLow16(this.#putVar(BUCKET_KEY_SIZE, k)) % TRIED_BUCKETS_PER_GROUP;
    const cache = this.#step2(this.#triedStep2, group, TRIED_BUCKETS_PER_GROUP);
    let bucket = cache[step1];
    if (bucket < 0) {
      const at = this.#putU64(this.#putVarText(BUCKET_KEY_SIZE, group), step1);
      bucket = cache[step1] = this.#cheapLow16(at) % TRIED_BUCKET_COUNT;
    }
    return bucket;
  }

  /**
   * New bucket of an address with network group `group` heard from a source
   * with network group `sourceGroup` (Core AddrInfo::GetNewBucket). The port
   * and the rest of the address do not matter. Groups are latin1 strings.
   */
  newBucket(group: string, sourceGroup: string): number {
    const end = this.#putVarText(this.#putVarText(BUCKET_KEY_SIZE, group), sourceGroup);
    const step1 = this.#cheapLow16(end) % NEW_BUCKETS_PER_SOURCE_GROUP;
    const cache = this.#step2(this.#newStep2, sourceGroup, NEW_BUCKETS_PER_SOURCE_GROUP);
    let bucket = cache[step1];
    if (bucket < 0) {
      const at = this.#putU64(this.#putVarText(BUCKET_KEY_SIZE, sourceGroup), step1);
      bucket = cache[step1] = this.#cheapLow16(at) % NEW_BUCKET_COUNT;
    }
    return bucket;
  }

  /**
   * The 64 new buckets a source group reaches, once all of them have been
   * computed (they are cached as its addresses arrive), else undefined.
   */
  sourceBuckets(sourceGroup: string): Int16Array | undefined {
    const cache = this.#newStep2.get(sourceGroup);
    return cache !== undefined && !cache.includes(-1) ? cache : undefined;
  }

  /**
   * Slot inside `bucket` of the new (`isNew`) or tried table for service key
   * `k` (Core AddrInfo::GetBucketPosition).
   */
  position(isNew: boolean, bucket: number, k: Uint8Array): number {
    const b = this.#buf;
    let at = BUCKET_KEY_SIZE;
    b[at++] = isNew ? TAG_NEW : TAG_TRIED;
    b[at++] = bucket & 0xff; // i32le(bucket); buckets are < 2^16
    b[at++] = bucket >>> 8;
    b[at++] = 0;
    b[at++] = 0;
    return this.#cheapLow16(this.#putVar(at, k)) % BUCKET_SIZE;
  }

  /** The service key of `addr:port` in a scratch view, valid until the next call. */
  keyOf(addr: NetAddress, port: number): Uint8Array {
    return this.#keyScratch.subarray(0, writeServiceKey(this.#keyScratch, addr, port));
  }
}

/** A byte string as a JavaScript string of char codes 0–255 (a compact map key). */
export function latin1(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** Tried bucket (Core GetTriedBucket) for one service key and group under `key`. */
export function triedBucket(
  sha256: Sha256,
  key: Uint8Array,
  k: Uint8Array,
  group: Uint8Array,
): number {
  return new BucketHasher(sha256, key).triedBucket(k, latin1(group));
}

/** New bucket (Core GetNewBucket) for an address group and a source group under `key`. */
export function newBucket(
  sha256: Sha256,
  key: Uint8Array,
  group: Uint8Array,
  sourceGroup: Uint8Array,
): number {
  return new BucketHasher(sha256, key).newBucket(latin1(group), latin1(sourceGroup));
}

/** Slot in `bucket` (Core GetBucketPosition) for one service key under `key`. */
export function bucketPosition(
  sha256: Sha256,
  key: Uint8Array,
  isNew: boolean,
  bucket: number,
  k: Uint8Array,
): number {
  return new BucketHasher(sha256, key).position(isNew, bucket, k);
}
