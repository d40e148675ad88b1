/**
 * The address book the connection manager uses: it hears what happened
 * (`add` from gossip, `attempt`, `good`, `connected`), answers which address
 * to try next (`select`) and what to share (`getAddresses`), and keeps
 * itself in peers.json (loaded on start, saved every 10 minutes while
 * changed and on stop). Time comes from the injected clock, randomness from
 * the injected source, so a seeded run replays exactly.
 */
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import type { KvStore } from "../platform/storage.ts";
import type { NetAddress } from "../wire/address.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import { BUCKET_KEY_SIZE } from "./buckets.ts";
import { resolveCollisions, selectTriedCollision } from "./collisions.ts";
import { type AddrEntry, entryAddress, internServices } from "./entry.ts";
import { CorruptPeersFile, fromStored, PEERS_KEY, serializePeers } from "./persist.ts";
import { sampleAddresses } from "./sample.ts";
import { select, type SelectOptions } from "./select.ts";
import { AddrTables, type NetworkCounts } from "./tables.ts";

/** Below this many addresses we ask outbound peers for more (getaddr). */
export const NEED_MORE_ADDRESSES_BELOW = 1_000;
/** How often a changed book is written to peers.json (Core DUMP_PEERS_INTERVAL, 15 min; ours 10). */
export const SAVE_INTERVAL_MS = 10 * 60 * 1000;

/** What the address manager needs. */
export interface AddrManagerOptions {
  readonly sha256: Sha256;
  readonly clock: Clock;
  /** Coin flips, selection and the first key; default `cryptoRandom`. Seed it only in tests. */
  readonly random?: Random;
  readonly logger?: Logger;
  /** Where peers.json lives; without one nothing is saved or loaded. */
  readonly store?: KvStore;
  /** The bucketing key to start with (default: 32 random bytes); a loaded file's key wins. */
  readonly key?: Uint8Array;
  /** Called after each successful write of peers.json, with the addresses written. */
  readonly onSaved?: (addresses: number) => void;
}

/** A read-only view of one known address. Times are Unix seconds (0 = never). */
export interface KnownAddress extends PeerAddress {
  /** Who first told us of it. */
  readonly source: NetAddress;
  readonly lastTry: number;
  readonly lastSuccess: number;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  /** In the tried table (has worked before) rather than the new table. */
  readonly tried: boolean;
}

/** Options for `getAddresses`. */
export interface GetAddressesOptions {
  /** Most addresses (0 or absent = no cap). */
  readonly maxCount?: number;
  /** Percentage of the book, rounded down (0 or absent = all). */
  readonly maxPct?: number;
  /** Only these networks. */
  readonly networks?: ReadonlySet<NetAddress["network"]>;
  /** Leave out addresses for which this returns true (banned ones). */
  readonly exclude?: (addr: NetAddress) => boolean;
  /** Keep terrible entries (default: left out). */
  readonly includeTerrible?: boolean;
}

/** How loading peers.json went. */
export type LoadOutcome = "loaded" | "missing" | "corrupt";

/** Counts for the API and the dashboard. */
export interface AddrManagerStats {
  readonly total: number;
  readonly new: number;
  readonly tried: number;
  readonly byNetwork: NetworkCounts;
  /** Promotions waiting for a feeler to test the entry they would evict. */
  readonly pendingCollisions: number;
  readonly needMoreAddresses: boolean;
  /** Changed since the last save. */
  readonly dirty: boolean;
  /** When peers.json was last written (ms), or null. */
  readonly lastSaved: number | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function known(e: AddrEntry): KnownAddress {
  return {
    addr: entryAddress(e),
    port: e.port,
    services: e.services,
    time: e.time,
    source: e.source,
    lastTry: e.lastTry,
    lastSuccess: e.lastSuccess,
    attempts: e.attempts,
    tried: e.triedSlot >= 0,
  };
}

/** The address book. */
export class AddrManager {
  readonly #sha256: Sha256;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #log: Logger;
  readonly #store: KvStore | undefined;
  readonly #onSaved: ((addresses: number) => void) | undefined;
  #tables: AddrTables;
  #dirty = false;
  #lastSaved: number | null = null;
  #saving: Promise<unknown> = Promise.resolve();
  #cancelTimer: (() => void) | undefined;

  /** An empty book; `open` also loads peers.json. */
  constructor(options: AddrManagerOptions) {
    this.#sha256 = options.sha256;
    this.#clock = options.clock;
    this.#random = options.random ?? cryptoRandom;
    this.#log = options.logger ?? silentLogger;
    this.#store = options.store;
    this.#onSaved = options.onSaved;
    this.#tables = new AddrTables(
      this.#sha256,
      options.key ?? this.#random.bytes(BUCKET_KEY_SIZE),
      this.#random,
    );
  }

  /** A book loaded from the store's peers.json (empty if missing or unusable). */
  static async open(options: AddrManagerOptions): Promise<AddrManager> {
    const book = new AddrManager(options);
    await book.load();
    return book;
  }

  /** Unix seconds now. */
  #now(): number {
    return Math.floor(this.#clock.now() / 1000);
  }

  /** The internal tables (read-only use: tests and benches inspect slots). */
  get tables(): AddrTables {
    return this.#tables;
  }

  /** Addresses known. */
  get size(): number {
    return this.#tables.size;
  }

  /**
   * Adds gossiped addresses heard from `source`, each aged by
   * `penaltySeconds` unless it is the source's own. Unroutable ones are
   * ignored. Returns how many took a new-table slot.
   */
  add(addresses: readonly PeerAddress[], source: NetAddress, penaltySeconds = 0): number {
    if (addresses.length === 0) return 0;
    this.#dirty = true;
    return this.#tables.add(addresses, source, penaltySeconds, this.#now());
  }

  /**
   * We completed a handshake with `addr:port`: it moves to the tried table.
   * False when unknown, already tried, or the move waits for a collision
   * test (see `selectTriedCollision`).
   */
  good(addr: NetAddress, port: number, testBeforeEvict = true): boolean {
    const e = this.#tables.find(addr, port);
    if (e === undefined) return false;
    this.#dirty = true;
    return this.#tables.good(e, this.#now(), testBeforeEvict);
  }

  /**
   * We tried to connect. `countFailure` says whether a failure should count
   * against the address (false while we have hardly any connections, so a
   * dead local network does not condemn good addresses).
   */
  attempt(addr: NetAddress, port: number, countFailure: boolean): void {
    const e = this.#tables.find(addr, port);
    if (e === undefined) return;
    this.#dirty = true;
    this.#tables.attempt(e, this.#now(), countFailure);
  }

  /** A connection to `addr:port` was alive until now (call on disconnect). */
  connected(addr: NetAddress, port: number): void {
    const e = this.#tables.find(addr, port);
    if (e === undefined) return;
    this.#dirty = true;
    this.#tables.connected(e, this.#now());
  }

  /** Records the services a peer told us in its version message. */
  setServices(addr: NetAddress, port: number, services: bigint): void {
    const e = this.#tables.find(addr, port);
    if (e === undefined) return;
    this.#dirty = true;
    e.services = internServices(services);
  }

  /** What we know of `addr:port`, if anything. */
  find(addr: NetAddress, port: number): KnownAddress | undefined {
    const e = this.#tables.find(addr, port);
    return e === undefined ? undefined : known(e);
  }

  /** An address to connect to (see `select` in select.ts for the rules), or undefined. */
  select(options?: SelectOptions): KnownAddress | undefined {
    const e = select(this.#tables, this.#random, this.#now(), options);
    return e === undefined ? undefined : known(e);
  }

  /**
   * A pending tried-table collision: a feeler should connect to `incumbent`;
   * then call `good` or `attempt` for it and `resolveCollisions()`.
   */
  selectTriedCollision(): { newcomer: KnownAddress; incumbent: KnownAddress } | undefined {
    const c = selectTriedCollision(this.#tables, this.#random);
    return c === undefined
      ? undefined
      : { newcomer: known(c.newcomer), incumbent: known(c.incumbent) };
  }

  /** Settles pending collisions whose test is done or overdue; returns how many. */
  resolveCollisions(): number {
    const n = resolveCollisions(this.#tables, this.#now());
    if (n > 0) this.#dirty = true;
    return n;
  }

  /**
   * A random sample of the book (for getaddr answers and the API). Sampling
   * reshuffles the order later samples start from; that alone does not mark
   * the book as changed.
   */
  getAddresses(options: GetAddressesOptions = {}): KnownAddress[] {
    const { networks, exclude } = options;
    const filter = networks === undefined && exclude === undefined
      ? undefined
      : (e: AddrEntry) =>
        (networks === undefined || networks.has(e.network)) &&
        (exclude === undefined || !exclude(entryAddress(e)));
    return sampleAddresses(this.#tables, this.#random, this.#now(), {
      maxCount: options.maxCount ?? 0,
      maxPct: options.maxPct ?? 0,
      includeTerrible: options.includeTerrible,
      filter,
    }).map(known);
  }

  /**
   * Every known address in a stable order (the order entries were stored),
   * for paged listings: from the start, or after `after` (an address of a
   * previous page). Undefined when `after` is no longer in the book.
   */
  list(
    after?: { readonly addr: NetAddress; readonly port: number },
  ): Iterable<KnownAddress> | undefined {
    const entries = this.#tables.byKey;
    const from = after === undefined ? undefined : this.#tables.find(after.addr, after.port);
    if (after !== undefined && from === undefined) return undefined;
    return (function* () {
      let skipping = from !== undefined;
      for (const e of entries.values()) {
        if (skipping) {
          skipping = e !== from;
          continue;
        }
        yield known(e);
      }
    })();
  }

  /** True while the book is small enough that we should ask peers for addresses. */
  needMoreAddresses(): boolean {
    return this.#tables.size < NEED_MORE_ADDRESSES_BELOW;
  }

  /** Counts by table and network. */
  stats(): AddrManagerStats {
    const t = this.#tables;
    const byNetwork = structuredClone(t.counts);
    return {
      total: t.size,
      new: t.newCount,
      tried: t.triedCount,
      byNetwork,
      pendingCollisions: t.triedCollisions.size,
      needMoreAddresses: this.needMoreAddresses(),
      dirty: this.#dirty,
      lastSaved: this.#lastSaved,
    };
  }

  /**
   * Replaces the book with peers.json from the store. A file that cannot be
   * used is renamed `peers.json.corrupt-<time>` with a warning and the book
   * starts empty (with a fresh key). Never throws: a bad file must not stop
   * the node.
   */
  async load(): Promise<LoadOutcome> {
    const store = this.#store;
    if (store === undefined) return "missing";
    let bytes: Uint8Array | undefined;
    try {
      bytes = await store.get(PEERS_KEY);
    } catch (e) {
      this.#log.warn("cannot read peers.json; starting with an empty address book", {
        error: (e as Error).message,
      });
      return "missing";
    }
    if (bytes === undefined) return "missing";
    try {
      this.#tables = fromStored(JSON.parse(decoder.decode(bytes)), this.#sha256, this.#random);
      this.#dirty = false;
      this.#log.info("loaded peers.json", { addresses: this.#tables.size });
      return "loaded";
    } catch (e) {
      const reason = e instanceof CorruptPeersFile ? e.reason : (e as Error).message;
      const aside = `${PEERS_KEY}.corrupt-${
        new Date(this.#clock.now()).toISOString().replace(/[:.]/g, "-")
      }`;
      try {
        await store.rename(PEERS_KEY, aside);
      } catch (renameError) {
        this.#log.warn("cannot set the unusable peers.json aside", {
          error: (renameError as Error).message,
        });
      }
      this.#log.warn("peers.json is unusable; set aside, starting with an empty address book", {
        reason,
        file: aside,
      });
      this.#tables = new AddrTables(
        this.#sha256,
        this.#random.bytes(BUCKET_KEY_SIZE),
        this.#random,
      );
      this.#dirty = false;
      return "corrupt";
    }
  }

  /**
   * Writes peers.json atomically through the store (saves run one at a
   * time). Resolves false, with a warning, when the write fails; the book
   * stays marked as changed so the next save retries.
   */
  save(): Promise<boolean> {
    const store = this.#store;
    if (store === undefined) return Promise.resolve(true);
    const bytes = encoder.encode(serializePeers(this.#tables));
    const size = this.#tables.size;
    this.#dirty = false;
    const job = this.#saving.then(() => store.set(PEERS_KEY, bytes)).then(
      () => {
        this.#lastSaved = this.#clock.now();
        this.#log.debug("saved peers.json", { addresses: size, bytes: bytes.length });
        this.#onSaved?.(size);
        return true;
      },
      (e: unknown) => {
        this.#dirty = true;
        this.#log.warn("cannot save peers.json", { error: (e as Error).message });
        return false;
      },
    );
    this.#saving = job;
    return job;
  }

  /** Starts saving every 10 minutes while changed. Idempotent. */
  start(): void {
    if (this.#cancelTimer !== undefined) return;
    const tick = () => {
      this.#cancelTimer = this.#clock.setTimer(SAVE_INTERVAL_MS, tick);
      if (this.#dirty) void this.save();
    };
    this.#cancelTimer = this.#clock.setTimer(SAVE_INTERVAL_MS, tick);
  }

  /** Stops the timer and saves if changed. Resolves when the write is done. */
  async stop(): Promise<void> {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    if (this.#dirty) await this.save();
    await this.#saving;
  }
}
