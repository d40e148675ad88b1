/**
 * The block store: the last blocks of the best chain on disk, as received
 * (witness included), so peers can fetch them from us after the in-memory
 * cache (`recent_blocks.ts`) has let them go — what a NODE_NETWORK_LIMITED
 * node promises (BIP159: the last 288 blocks).
 *
 * One key a block in its own storage (the node's `<datadir>/blocks/`):
 * `block-<hash, display hex>-<size in bytes>.bin`, so the index is rebuilt
 * from the key list alone at start (no block is read) and a stored block
 * whose header the chain lost is still recognised.
 *
 * Kept: every accepted block in the window of the last `keep` heights of
 * the best chain, and up to `maxStale` blocks of other branches in that
 * window (a reorg's old branch, kept until pruned). Pruned after every
 * write: everything below the window, the lowest stale blocks beyond
 * `maxStale`, then — past `maxBytes` — stale blocks first and the lowest of
 * the best chain after them.
 *
 * Crash safety: each block is written whole through `KvStore.set` (a temp
 * file, fsynced, renamed; see adapters/storage/file.ts), so a kill at any
 * moment leaves it absent or complete. Measured against writing in place
 * and checking every block as it is read (bench/block_store.ts): an atomic
 * write of a 1–2 MB block costs 7–16 ms once, a full check (sha256d of the
 * block) 1.3–4 ms on every read, and blocks are read far more often than
 * written. Reads still check what is cheap — the length and the header's
 * hash against the key, as Core's ReadBlock checks the hash — and a file
 * that fails is deleted with a warning (the block can be fetched again),
 * never served. At start, block files whose header the stored chain lacks
 * (a kill between the block's write and the delayed header save) give their
 * header back to the chain.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { KvStore } from "../platform/storage.ts";
import { MAX_BLOCK_SERIALIZED_SIZE } from "../wire/block.ts";
import { BLOCK_HEADER_SIZE, blockHeaderHash } from "../wire/block_header.ts";
import { bytesEqual, hashToHex, hexToHash } from "../wire/bytes.ts";
import { errorText } from "../util/error_text.ts";
import type { HeaderChain } from "./header_chain.ts";
import { HeaderError } from "./header_error.ts";

/**
 * Blocks of the best chain a NODE_NETWORK_LIMITED node keeps (BIP159; Core
 * net_processing NODE_NETWORK_LIMITED_MIN_BLOCKS, validation
 * MIN_BLOCKS_TO_KEEP). The default and least `--keepblocks`.
 */
export const NODE_NETWORK_LIMITED_MIN_BLOCKS = 288;
/**
 * Blocks off the best chain kept in the window: the old branch of a reorg
 * or two (Core keeps them until their block file is pruned).
 */
export const MAX_STALE_BLOCKS = 16;
/**
 * How long a new block waits in memory before its write starts, when the
 * store has a clock. Peers ask for a block we announce within a round trip
 * or two; the write's work (opening the file, handing 1–4 MB to the kernel,
 * the fsyncs on the thread pool) would otherwise run on our two event-loop
 * turns right then and delay serving it (measured on the 5-node relay line:
 * about 1.5 ms a hop of 6.5–7 ms, bench/relay.ts). The block is served from
 * memory meanwhile; a crash in that window loses it as a crash during the
 * write would, and it is fetched again.
 */
export const BLOCK_WRITE_DELAY_MS = 50;
/** Key prefix of stored blocks. */
const KEY_PREFIX = "block-";
/** `block-<64 hex>-<size>.bin`. */
const KEY_PATTERN = /^block-([0-9a-f]{64})-(\d{1,7})\.bin$/;

/** The bounds of a block store. */
export interface BlockStoreLimits {
  /** Heights of the best chain kept, counted down from the tip. */
  readonly keep: number;
  /** Blocks off the best chain kept within the window. */
  readonly maxStale: number;
  /** Bytes stored at most (stale blocks go first, then the lowest of the best chain). */
  readonly maxBytes: number;
}

/**
 * The default bounds for `keep` heights: `MAX_STALE_BLOCKS`, and as many
 * bytes as `keep` blocks of the largest size can take (1.15 GB for 288), so
 * the best chain's window always fits and stale blocks get what it leaves.
 */
export function blockStoreLimits(keep: number = NODE_NETWORK_LIMITED_MIN_BLOCKS): BlockStoreLimits {
  return { keep, maxStale: MAX_STALE_BLOCKS, maxBytes: keep * MAX_BLOCK_SERIALIZED_SIZE };
}

/** The key of block `hash` (wire order) of `size` bytes. */
export function blockKey(hash: Uint8Array, size: number): string {
  return `${KEY_PREFIX}${hashToHex(hash)}-${size}.bin`;
}

/** What is stored, for `/chain` and the metrics. */
export interface BlockStoreStatus {
  readonly count: number;
  readonly bytes: number;
  /** Lowest and highest height held (any branch), or null when empty. */
  readonly lowestHeight: number | null;
  readonly highestHeight: number | null;
}

/** What opening the store found. */
export interface BlockStoreLoadReport {
  /** Blocks indexed. */
  readonly blocks: number;
  readonly bytes: number;
  /** Headers the chain lacked, taken from stored blocks (the caller saves them). */
  readonly adoptedHeaders: number;
  /** Files deleted: unusable, unknown to the chain, or pruned. */
  readonly removed: number;
}

/** What a `BlockStore` needs. */
export interface BlockStoreOptions {
  /** Its own storage (the node's `<datadir>/blocks`). */
  readonly store: KvStore;
  /** Heights, best-chain membership and the tip come from it. */
  readonly chain: HeaderChain;
  readonly sha256: Sha256;
  readonly logger: Logger;
  readonly limits: BlockStoreLimits;
  /**
   * With a clock, writes start `BLOCK_WRITE_DELAY_MS` after `put` (the
   * blocks put meanwhile go with them); without one, at once.
   */
  readonly clock?: Clock;
}

/** One stored block. */
interface Entry {
  /** Wire order. */
  readonly hash: Uint8Array;
  readonly key: string;
  readonly height: number;
  readonly size: number;
}

/** One block waiting for its write. */
interface Pending {
  readonly hash: Uint8Array;
  readonly height: number;
  readonly bytes: Uint8Array;
}

/** The recent blocks on disk, indexed in memory. */
export class BlockStore {
  readonly #store: KvStore;
  readonly #chain: HeaderChain;
  readonly #sha256: Sha256;
  readonly #log: Logger;
  readonly #limits: BlockStoreLimits;
  readonly #clock: Clock | undefined;
  /** Blocks put but not yet queued for writing (display hex), in put order: keys of `#pending`. */
  #delayed: string[] = [];
  /** Cancels the timer that queues `#delayed`; null when none is set. */
  #cancelDelay: (() => void) | null = null;
  /** By display hex. */
  readonly #index = new Map<string, Entry>();
  /** Accepted, not yet written (served from here meanwhile); by display hex. */
  readonly #pending = new Map<string, Pending>();
  #bytes = 0;
  /** Writes and deletions, one after another. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: BlockStoreOptions) {
    this.#store = options.store;
    this.#chain = options.chain;
    this.#sha256 = options.sha256;
    this.#log = options.logger;
    this.#limits = options.limits;
    this.#clock = options.clock;
  }

  /**
   * Opens the store: indexes the blocks whose headers the chain knows, gives
   * the chain the headers of the others where they connect, deletes what is
   * unusable, and prunes to the bounds. Rejects only when the storage fails.
   */
  static async open(options: BlockStoreOptions): Promise<{
    store: BlockStore;
    report: BlockStoreLoadReport;
  }> {
    const s = new BlockStore(options);
    const report = await s.#load();
    return { store: s, report };
  }

  /** The bounds in force. */
  get limits(): BlockStoreLimits {
    return this.#limits;
  }

  /** Blocks stored or being written. */
  get count(): number {
    return this.#index.size + this.#pending.size;
  }

  /**
   * True when block `hash` (wire order) is stored or being written. `hex`:
   * the same hash in display hex, when the caller has it already.
   */
  has(hash: Uint8Array, hex = hashToHex(hash)): boolean {
    return this.#index.has(hex) || this.#pending.has(hex);
  }

  /** The height of a block stored or being written. */
  heightOf(hash: Uint8Array): number | undefined {
    const key = hashToHex(hash);
    return this.#index.get(key)?.height ?? this.#pending.get(key)?.height;
  }

  /**
   * The bytes of block `hash` as received, or undefined (synchronously) when
   * it is not held. The promise resolves to undefined when the file turns
   * out unusable (deleted, with a warning) or vanished (pruned meanwhile).
   */
  read(hash: Uint8Array): Promise<Uint8Array | undefined> | undefined {
    const hex = hashToHex(hash);
    const pending = this.#pending.get(hex);
    if (pending !== undefined) return Promise.resolve(pending.bytes);
    const entry = this.#index.get(hex);
    if (entry === undefined) return undefined;
    return this.#readEntry(hex, entry);
  }

  /**
   * Stores an accepted block at `height` (the bytes are kept, not copied,
   * until written). Blocks below the window, or held already, are skipped.
   * The write is queued; a failing one is logged and the block is not held.
   */
  put(hash: Uint8Array, height: number, bytes: Uint8Array): void {
    const hex = hashToHex(hash);
    if (this.#closed || height < this.#floor() || this.has(hash, hex)) return;
    this.#pending.set(hex, { hash: hash.slice(), height, bytes });
    if (this.#clock === undefined) {
      this.#enqueue(() => this.#write(hex));
      return;
    }
    this.#delayed.push(hex);
    this.#cancelDelay ??= this.#clock.setTimer(BLOCK_WRITE_DELAY_MS, () => this.#queueDelayed());
  }

  /** Queues the writes of the blocks put since the delay began. */
  #queueDelayed(): void {
    this.#cancelDelay?.();
    this.#cancelDelay = null;
    const delayed = this.#delayed;
    this.#delayed = [];
    for (const hex of delayed) this.#enqueue(() => this.#write(hex));
  }

  /** What is stored (blocks being written included). */
  status(): BlockStoreStatus {
    let low = Infinity;
    let high = -Infinity;
    let bytes = this.#bytes;
    for (const e of this.#index.values()) {
      low = Math.min(low, e.height);
      high = Math.max(high, e.height);
    }
    for (const p of this.#pending.values()) {
      low = Math.min(low, p.height);
      high = Math.max(high, p.height);
      bytes += p.bytes.length;
    }
    return {
      count: this.count,
      bytes,
      lowestHeight: low === Infinity ? null : low,
      highestHeight: high === -Infinity ? null : high,
    };
  }

  /** Writes what waits (at once), then waits for every write; later puts are ignored. Never rejects. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queueDelayed();
    await this.#queue;
  }

  /** Lowest height of the window: `keep` heights ending at the tip. */
  #floor(): number {
    return this.#chain.tipHeight - this.#limits.keep + 1;
  }

  #enqueue(job: () => Promise<void>): void {
    this.#queue = this.#queue.then(job).catch((error) =>
      this.#log.warn("block store operation failed", { error: errorText(error) })
    );
  }

  async #write(hex: string): Promise<void> {
    const p = this.#pending.get(hex);
    if (p === undefined) return;
    const key = blockKey(p.hash, p.bytes.length);
    try {
      await this.#store.set(key, p.bytes);
      this.#add({ hash: p.hash, key, height: p.height, size: p.bytes.length });
    } catch (error) {
      this.#log.warn("cannot store a block", {
        hash: hex,
        height: p.height,
        error: errorText(error),
      });
    } finally {
      this.#pending.delete(hex);
    }
    await this.#prune();
  }

  async #readEntry(hex: string, entry: Entry): Promise<Uint8Array | undefined> {
    const bytes = await this.#store.get(entry.key);
    if (bytes === undefined) {
      this.#drop(hex);
      return undefined;
    }
    const problem = this.#problem(bytes, entry.hash, entry.size);
    if (problem === null) return bytes;
    this.#log.warn("stored block unusable; deleted", { key: entry.key, problem });
    if (this.#index.get(hex) === entry) this.#remove(entry);
    return undefined;
  }

  /** Why `bytes` are not block `hash` of `size` bytes, or null. */
  #problem(bytes: Uint8Array, hash: Uint8Array, size: number): string | null {
    if (bytes.length !== size) return `${bytes.length} bytes, expected ${size}`;
    if (size < BLOCK_HEADER_SIZE) return "shorter than a header";
    const actual = blockHeaderHash(this.#sha256, bytes);
    return bytesEqual(actual, hash) ? null : `its header hashes to ${hashToHex(actual)}`;
  }

  #add(entry: Entry): void {
    const hex = hashToHex(entry.hash);
    const old = this.#index.get(hex);
    if (old !== undefined) this.#bytes -= old.size;
    this.#index.set(hex, entry);
    this.#bytes += entry.size;
  }

  /** Forgets `hex` in the index (its file is gone). */
  #drop(hex: string): void {
    const entry = this.#index.get(hex);
    if (entry === undefined) return;
    this.#index.delete(hex);
    this.#bytes -= entry.size;
  }

  /** Forgets `entry` and deletes its file (queued). */
  #remove(entry: Entry): void {
    this.#drop(hashToHex(entry.hash));
    this.#enqueue(() => this.#store.delete(entry.key));
  }

  /** Deletes what falls outside the bounds (see the file comment for the order). */
  async #prune(): Promise<number> {
    const floor = this.#floor();
    const { maxStale, maxBytes } = this.#limits;
    const doomed: Entry[] = [];
    const stale: Entry[] = [];
    const best: Entry[] = [];
    for (const e of this.#index.values()) {
      if (e.height < floor) doomed.push(e);
      else if (this.#chain.heightOf(e.hash) === undefined) stale.push(e);
      else best.push(e);
    }
    stale.sort((a, b) => a.height - b.height);
    best.sort((a, b) => a.height - b.height);
    while (stale.length > maxStale) doomed.push(stale.shift()!);
    let bytes = this.#bytes;
    for (const e of doomed) bytes -= e.size;
    while (bytes > maxBytes && (stale.length > 0 || best.length > 0)) {
      const e = stale.length > 0 ? stale.shift()! : best.shift()!;
      doomed.push(e);
      bytes -= e.size;
    }
    for (const e of doomed) {
      this.#drop(hashToHex(e.hash));
      await this.#store.delete(e.key);
    }
    return doomed.length;
  }

  async #load(): Promise<BlockStoreLoadReport> {
    const chain = this.#chain;
    const unknown: Entry[] = [];
    let removed = 0;
    for (const key of await this.#store.list(KEY_PREFIX)) {
      const m = KEY_PATTERN.exec(key);
      if (m === null) continue;
      const hash = hexToHash(m[1]);
      const size = Number(m[2]);
      const height = chain.heightOf(hash) ?? chain.info(hash)?.height;
      if (this.#index.has(m[1])) {
        await this.#store.delete(key); // the same block under another size: unusable
        removed++;
      } else if (height === undefined) unknown.push({ hash, key, height: -1, size });
      else this.#add({ hash, key, height, size });
    }
    const adopted = await this.#adopt(unknown);
    for (const e of unknown) {
      if (this.#index.get(hashToHex(e.hash))?.key === e.key) continue;
      await this.#store.delete(e.key);
      removed++;
    }
    removed += await this.#prune();
    return { blocks: this.#index.size, bytes: this.#bytes, adoptedHeaders: adopted, removed };
  }

  /**
   * Offers the chain the headers of stored blocks it does not know, in
   * rounds while any connects; indexes those it takes. Returns how many.
   */
  async #adopt(unknown: readonly Entry[]): Promise<number> {
    const headers = new Map<Entry, Uint8Array>();
    for (const e of unknown) {
      const bytes = await this.#store.get(e.key);
      if (bytes === undefined || this.#problem(bytes, e.hash, e.size) !== null) continue;
      headers.set(e, bytes.slice(0, BLOCK_HEADER_SIZE));
    }
    let adopted = 0;
    for (let progress = true; progress && headers.size > 0;) {
      progress = false;
      for (const [e, header] of headers) {
        if (!this.#chain.has(header.subarray(4, 36))) continue;
        headers.delete(e);
        try {
          const accepted = this.#chain.acceptHeader(header);
          this.#add({ ...e, height: accepted.height });
          adopted++;
          progress = true;
        } catch (error) {
          if (!(error instanceof HeaderError)) throw error;
        }
      }
    }
    if (adopted > 0) this.#log.info("headers taken from stored blocks", { headers: adopted });
    return adopted;
  }
}
