/**
 * The new and tried tables: fixed slots (1,024 × 64 new, 256 × 64 tried)
 * filled as Bitcoin Core's addrman fills them, the index by address, the
 * random-order array getaddr samples from, and counts per network. The
 * rules for adding, promoting (`good`), evicting and deleting are Core's, so
 * the same calls under the same key leave the same slots filled.
 *
 * Times are Unix seconds, passed in by the caller (`AddrManager`).
 */
import type { Random } from "../platform/random.ts";
import type { Sha256 } from "../platform/hash.ts";
import { addressEquals, type NetAddress } from "../wire/address.ts";
import { networkGroup } from "../wire/netgroup.ts";
import { isRoutable } from "../wire/routability.ts";
import {
  BUCKET_SIZE,
  BucketHasher,
  latin1,
  NEW_BUCKET_COUNT,
  TRIED_BUCKET_COUNT,
} from "./buckets.ts";
import {
  type AddrEntry,
  entryAddress,
  entryKey,
  internServices,
  isTerrible,
  type TableNetwork,
} from "./entry.ts";
import { BucketFill } from "./bucket_fill.ts";
import { EntryIds, EntrySlots } from "./entry_slots.ts";

/** Most new-table slots one address may hold (Core ADDRMAN_NEW_BUCKETS_PER_ADDRESS). */
export const NEW_BUCKETS_PER_ADDRESS = 8;
/** Pending tried-table collisions kept for testing (Core ADDRMAN_SET_TRIED_COLLISION_SIZE). */
export const MAX_TRIED_COLLISIONS = 10;
/** Slots in the new table. */
export const NEW_SLOTS = NEW_BUCKET_COUNT * BUCKET_SIZE;
/** Slots in the tried table. */
export const TRIED_SLOTS = TRIED_BUCKET_COUNT * BUCKET_SIZE;
/** An address seen within this long counts as online: its time is refreshed hourly (Core). */
const ONLINE_WINDOW_SECONDS = 24 * 3600;
/** Time refresh interval for an online address (Core: 1 hour)… */
const ONLINE_UPDATE_SECONDS = 3600;
/** …and for one that is not (Core: 24 hours). */
const OFFLINE_UPDATE_SECONDS = 24 * 3600;
/** `connected()` refreshes an entry's time at most this often (Core: 20 minutes). */
const CONNECTED_UPDATE_SECONDS = 20 * 60;

/** Entries per network, split by table. */
export type NetworkCounts = Record<TableNetwork, { new: number; tried: number }>;

/** One address to add, as gossip carries it. */
export interface AddrInput {
  readonly addr: NetAddress;
  readonly port: number;
  readonly services: bigint;
  /** Claimed last-seen time, Unix seconds. */
  readonly time: number;
}

/** The address book's slot tables. */
export class AddrTables {
  /** The secret bucketing key (32 bytes). */
  readonly key: Uint8Array;
  /** Placement under `key`. */
  readonly hasher: BucketHasher;
  readonly #random: Random;
  /** Every entry by `entryKey`. */
  readonly byKey: Map<string, AddrEntry> = new Map();
  /** Ids of the registered entries (the slot tables store ids). */
  readonly #ids = new EntryIds();
  /** New-table slots, bucket × 64 + position. */
  readonly newSlots: EntrySlots = new EntrySlots(NEW_SLOTS, this.#ids);
  /** Tried-table slots, bucket × 64 + position. */
  readonly triedSlots: EntrySlots = new EntrySlots(TRIED_SLOTS, this.#ids);
  /** Occupied slots per new bucket, and the occupied buckets (select draws among them). */
  readonly newFill: BucketFill = new BucketFill(NEW_BUCKET_COUNT);
  /** Occupied slots per tried bucket, and the occupied buckets. */
  readonly triedFill: BucketFill = new BucketFill(TRIED_BUCKET_COUNT);
  /** Every entry, in an order shuffled by getaddr sampling (Core vRandom). */
  readonly randomOrder: AddrEntry[] = [];
  /** Entries in the new table (Core nNew). */
  newCount = 0;
  /** Entries in the tried table (Core nTried). */
  triedCount = 0;
  /** Entries per network and table. */
  readonly counts: NetworkCounts = {
    ipv4: { new: 0, tried: 0 },
    ipv6: { new: 0, tried: 0 },
    onion: { new: 0, tried: 0 },
    i2p: { new: 0, tried: 0 },
    cjdns: { new: 0, tried: 0 },
  };
  /** New entries whose promotion would evict a tried entry, waiting for a test. */
  readonly triedCollisions: Set<AddrEntry> = new Set();
  /** Time of the last `good` (Core m_last_good); failures only count once after each. */
  lastGood = 1;
  /**
   * Bumped by every change that can make a new-table occupant yield its
   * slot (slots filled or emptied, times, attempts). A full bucket found
   * refusing newcomers stays refusing while the epoch and the second are
   * unchanged, so a burst of gossip into full buckets scans each once.
   */
  #epoch = 0;
  readonly #refusedEpoch = new Int32Array(NEW_BUCKET_COUNT).fill(-1);
  readonly #refusedAt = new Float64Array(NEW_BUCKET_COUNT);

  /** Tables under the 32-byte `key`; `random` decides the ½ⁿ multiplicity coin flips. */
  constructor(sha256: Sha256, key: Uint8Array, random: Random) {
    this.key = key.slice();
    this.hasher = new BucketHasher(sha256, this.key);
    this.#random = random;
  }

  /** Entries in both tables. */
  get size(): number {
    return this.byKey.size;
  }

  /** The entry for `addr:port`, if known. */
  find(addr: NetAddress, port: number): AddrEntry | undefined {
    return this.byKey.get(entryKey(addr, port));
  }

  /**
   * The network group of `addr` (Core GetGroup), as a latin1 string. A
   * routable IPv4 address's group is class 1 and its /16: that case, most
   * of gossip, is built here directly, as `networkGroup` takes about a
   * microsecond (a third of an add); tables_test checks the two agree.
   */
  groupOf(addr: NetAddress): string {
    const b = addr.bytes;
    if (addr.network === "ipv4" && isRoutable(addr)) return String.fromCharCode(1, b[0], b[1]);
    return latin1(networkGroup(addr));
  }

  /**
   * Adds gossiped addresses heard from `source` (Core AddrMan::Add), each
   * timestamp lowered by `penalty` seconds unless the source announces
   * itself. Unroutable addresses are ignored. Returns how many addresses
   * took a new slot.
   */
  add(inputs: readonly AddrInput[], source: NetAddress, penalty: number, now: number): number {
    let added = 0;
    let sourceGroup: string | undefined;
    let saturatedAt = -1;
    for (const input of inputs) {
      if (!isRoutable(input.addr)) continue;
      if (sourceGroup === undefined) {
        sourceGroup = this.groupOf(source);
        if (this.#saturated(sourceGroup, now)) saturatedAt = this.#epoch;
      }
      const self = addressEquals(input.addr, source);
      const refused = saturatedAt === this.#epoch;
      if (this.#addOne(input, source, sourceGroup, self ? 0 : penalty, now, refused)) added++;
    }
    return added;
  }

  /**
   * True when every new bucket `sourceGroup` can reach is full and refusing
   * (see `#bucketRefuses`): nothing this source tells us can take a slot
   * until something changes, so a flood from it costs no hashing. The
   * verdict holds while the epoch and the second are unchanged.
   */
  #saturated(sourceGroup: string, now: number): boolean {
    const buckets = this.hasher.sourceBuckets(sourceGroup);
    if (buckets === undefined) return false;
    for (let i = 0; i < buckets.length; i++) {
      if (!this.#bucketRefuses(buckets[i], 0, now)) return false;
    }
    return true;
  }

  /** One address of `add`; `refused`: the source is saturated, no slot can be won. */
  #addOne(
    input: AddrInput,
    source: NetAddress,
    sourceGroup: string,
    penalty: number,
    now: number,
    refused: boolean,
  ): boolean {
    const h = this.hasher;
    const key = entryKey(input.addr, input.port);
    const e = this.byKey.get(key);
    if (e === undefined) {
      // A new address: it is created only if it wins a slot (Core creates it
      // and deletes it again when it loses, which leaves the same state).
      if (refused) return false;
      const group = this.groupOf(input.addr);
      const bucket = h.newBucket(group, sourceGroup);
      if (this.#bucketRefuses(bucket, 0, now)) return false;
      const slot = bucket * BUCKET_SIZE + h.position(true, bucket, h.keyOf(input.addr, input.port));
      if (!this.#yields(this.newSlots.at(slot), 0, now)) return false;
      const time = Math.max(0, input.time - penalty);
      const created = this.#create(key, input, group, source, sourceGroup, time);
      this.clearNew(slot);
      this.#putNew(created, slot);
      return true;
    }
    const online = now - input.time < ONLINE_WINDOW_SECONDS;
    const interval = online ? ONLINE_UPDATE_SECONDS : OFFLINE_UPDATE_SECONDS;
    if (e.time < input.time - interval - penalty) {
      e.time = Math.max(0, input.time - penalty);
      this.#epoch++;
    }
    e.services = internServices(e.services | input.services);
    // Nothing new, already tried, or at the reference limit: stop here.
    if (input.time === 0 || (e.time !== 0 && input.time <= e.time)) return false;
    if (e.triedSlot >= 0 || e.refCount === NEW_BUCKETS_PER_ADDRESS) return false;
    // Each further reference is half as likely as the one before.
    if (e.refCount > 0 && this.#random.int(1 << e.refCount) !== 0) return false;
    if (refused) return false;
    const bucket = h.newBucket(e.group, sourceGroup);
    if (this.#bucketRefuses(bucket, e.refCount, now)) return false;
    const slot = bucket * BUCKET_SIZE + h.position(true, bucket, h.keyOf(input.addr, e.port));
    const occupant = this.newSlots.at(slot);
    if (occupant === e || !this.#yields(occupant, e.refCount, now)) return false;
    this.clearNew(slot);
    this.#putNew(e, slot);
    return true;
  }

  /**
   * Whether a new slot held by `occupant` goes to a newcomer with
   * `refCount` references: when empty, when the occupant is terrible, or
   * when the occupant has other references and the newcomer none.
   */
  #yields(occupant: AddrEntry | undefined, refCount: number, now: number): boolean {
    return occupant === undefined || isTerrible(occupant, now) ||
      (occupant.refCount > 1 && refCount === 0);
  }

  /**
   * True when new bucket `bucket` is full and none of its occupants would
   * yield to a newcomer with `refCount` references: then the newcomer loses
   * whatever its slot, and hashing for the slot can be skipped.
   */
  #bucketRefuses(bucket: number, refCount: number, now: number): boolean {
    if (this.newFill.at(bucket) < BUCKET_SIZE) return false;
    const memo = refCount === 0;
    if (memo && this.#refusedEpoch[bucket] === this.#epoch && this.#refusedAt[bucket] === now) {
      return true;
    }
    const base = bucket * BUCKET_SIZE;
    for (let i = 0; i < BUCKET_SIZE; i++) {
      if (this.#yields(this.newSlots.at(base + i), refCount, now)) return false;
    }
    if (memo) {
      this.#refusedEpoch[bucket] = this.#epoch;
      this.#refusedAt[bucket] = now;
    }
    return true;
  }

  #create(
    key: string,
    input: AddrInput,
    group: string,
    source: NetAddress,
    sourceGroup: string,
    time: number,
  ): AddrEntry {
    const e: AddrEntry = {
      key,
      network: input.addr.network as TableNetwork,
      port: input.port,
      services: internServices(input.services),
      time,
      source,
      group,
      sourceGroup,
      lastTry: 0,
      lastSuccess: 0,
      lastCountAttempt: 0,
      attempts: 0,
      refCount: 0,
      triedSlot: -1,
      randomPos: 0,
      id: 0,
    };
    this.insert(e);
    return e;
  }

  /**
   * Registers a new entry that is in neither table yet (counted as new until
   * placed). Used by `add` and by restoring from peers.json.
   */
  insert(e: AddrEntry): void {
    this.#ids.assign(e);
    e.randomPos = this.randomOrder.length;
    this.randomOrder.push(e);
    this.byKey.set(e.key, e);
    this.newCount++;
    this.counts[e.network].new++;
  }

  #putNew(e: AddrEntry, slot: number): void {
    this.#epoch++;
    this.newSlots.set(slot, e);
    this.newFill.add(slot >>> 6);
    e.refCount++;
  }

  /**
   * Places an inserted entry in a free new slot (restoring). The caller has
   * checked the slot is free and the entry is not tried.
   */
  restoreNew(e: AddrEntry, slot: number): void {
    this.#putNew(e, slot);
  }

  /** Places an inserted entry in a free tried slot (restoring). */
  restoreTried(e: AddrEntry, slot: number): void {
    this.#putTried(e, slot);
  }

  #putTried(e: AddrEntry, slot: number): void {
    this.#epoch++;
    this.triedSlots.set(slot, e);
    this.triedFill.add(slot >>> 6);
    e.triedSlot = slot;
    this.newCount--;
    this.triedCount++;
    const c = this.counts[e.network];
    c.new--;
    c.tried++;
  }

  /** Empties a new slot; an entry left with no slot is deleted (Core ClearNew). */
  clearNew(slot: number): void {
    const e = this.newSlots.at(slot);
    if (e === undefined) return;
    this.#epoch++;
    this.newSlots.set(slot, undefined);
    this.newFill.remove(slot >>> 6);
    if (--e.refCount === 0) this.#delete(e);
  }

  #delete(e: AddrEntry): void {
    this.swapRandom(e.randomPos, this.randomOrder.length - 1);
    this.randomOrder.pop();
    this.byKey.delete(e.key);
    this.#ids.release(e);
    this.triedCollisions.delete(e);
    this.newCount--;
    this.counts[e.network].new--;
  }

  /** Swaps two places of the random-order array (Core SwapRandom). */
  swapRandom(i: number, j: number): void {
    if (i === j) return;
    const r = this.randomOrder;
    const a = r[i];
    const b = r[j];
    r[i] = b;
    r[j] = a;
    a.randomPos = j;
    b.randomPos = i;
  }

  /** The tried slot `e` belongs in. */
  triedSlotOf(e: AddrEntry): number {
    const h = this.hasher;
    const k = h.keyOf(entryAddress(e), e.port);
    const bucket = h.triedBucket(k, e.group);
    return bucket * BUCKET_SIZE + h.position(false, bucket, k);
  }

  /** The new slot `e` gets when heard from its recorded source. */
  homeNewSlot(e: AddrEntry): number {
    const h = this.hasher;
    const bucket = h.newBucket(e.group, e.sourceGroup);
    return bucket * BUCKET_SIZE + h.position(true, bucket, h.keyOf(entryAddress(e), e.port));
  }

  /**
   * A successful connection to `e` (Core Good): history updated, and the
   * entry moved to the tried table. With `testBeforeEvict`, a move that
   * would evict another entry is put off: `e` joins the collision set (at
   * most 10) for the incumbent to be tested, and false is returned.
   */
  good(e: AddrEntry, now: number, testBeforeEvict: boolean): boolean {
    this.#epoch++;
    this.lastGood = now;
    e.lastSuccess = now;
    e.lastTry = now;
    e.attempts = 0;
    if (e.triedSlot >= 0 || e.refCount === 0) return false;
    const slot = this.triedSlotOf(e);
    if (testBeforeEvict && this.triedSlots.at(slot) !== undefined) {
      if (this.triedCollisions.size < MAX_TRIED_COLLISIONS) this.triedCollisions.add(e);
      return false;
    }
    this.#makeTried(e, slot);
    return true;
  }

  /** Moves a new entry to tried slot `slot`; its incumbent goes back to the new table. */
  #makeTried(e: AddrEntry, slot: number): void {
    this.#removeFromNew(e);
    const old = this.triedSlots.at(slot);
    if (old !== undefined) {
      this.triedSlots.set(slot, undefined);
      this.triedFill.remove(slot >>> 6);
      old.triedSlot = -1;
      this.triedCount--;
      this.newCount++;
      const c = this.counts[old.network];
      c.tried--;
      c.new++;
      const home = this.homeNewSlot(old);
      this.clearNew(home);
      this.#putNew(old, home);
    }
    this.#putTried(e, slot);
  }

  /** Clears every new slot of `e` (without deleting it): its home slot first, then a scan. */
  #removeFromNew(e: AddrEntry): void {
    const home = this.homeNewSlot(e);
    if (this.newSlots.holds(home, e)) this.#unslotNew(home);
    for (let s = 0; s < NEW_SLOTS && e.refCount > 0; s++) {
      if (this.newSlots.holds(s, e)) this.#unslotNew(s);
    }
  }

  #unslotNew(slot: number): void {
    const e = this.newSlots.at(slot) as AddrEntry;
    this.#epoch++;
    this.newSlots.set(slot, undefined);
    this.newFill.remove(slot >>> 6);
    e.refCount--;
  }

  /**
   * A connection attempt (Core Attempt). With `countFailure`, it counts as a
   * failure unless one was already counted since the last `good` anywhere.
   */
  attempt(e: AddrEntry, now: number, countFailure: boolean): void {
    this.#epoch++;
    e.lastTry = now;
    if (countFailure && e.lastCountAttempt < this.lastGood) {
      e.lastCountAttempt = now;
      e.attempts++;
    }
  }

  /** A peer we were connected to was still alive at `now` (Core Connected): refresh its time. */
  connected(e: AddrEntry, now: number): void {
    if (now - e.time > CONNECTED_UPDATE_SECONDS) {
      e.time = now;
      this.#epoch++;
    }
  }
}
