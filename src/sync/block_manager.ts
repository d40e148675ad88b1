/**
 * The block manager: everything the node does with headers and blocks once
 * a peer is connected.
 *
 * - Header sync (`header_sync.ts`): one sync peer at a time asks for
 *   headers with a block locator; full answers (2,000) are followed up, a
 *   stalled sync peer is replaced. Once synced, any peer's full `headers`
 *   answer is followed up the same way, and headers or inv that do not
 *   connect are answered with a `getheaders` of our own (at most one
 *   outstanding per peer; while syncing, only the sync peer is asked).
 * - Downloads (`block_download.ts`): once headers are synced, the blocks of
 *   the last `downloadDepth` heights of the best header chain that we do not
 *   hold are asked (`getdata`, witness) of peers that showed they have them,
 *   bounded in flight per peer and in total, each with a timeout.
 * - Acceptance (`block_accept.ts`): header valid and on our chain or a
 *   competing one, merkle root, size/weight limits, witness commitment, no
 *   mutation. Orphans (unknown parent) wait in the `OrphanPool` while their
 *   missing ancestor is asked of the peer that sent them; accepted blocks go
 *   to the `RecentBlocks` cache that serves `getdata` (`block_serve.ts`).
 * - Relay (`relay.ts`): a block accepted at the tip is announced once to
 *   every peer not known to have it, never to its sender: `headers` to peers
 *   that sent `sendheaders`, `inv` to the others. We send `sendheaders` once
 *   our headers are synced.
 * - `getheaders`/`getblocks` are answered from the header chain, always
 *   (also while syncing, so two new nodes can sync from each other).
 * - Blocks-only: transaction inventory and `tx` messages are counted and
 *   ignored, never requested.
 *
 * Misbehaviour (points through `SyncPeer.misbehave`; 100 bans):
 * `BAD_HEADER_POINTS` a header failing proof of work, difficulty or time
 * rules; `NON_CONTINUOUS_HEADERS_POINTS` a `headers` message whose headers
 * do not link to each other; `UNCONNECTING_HEADERS_POINTS` every
 * `MAX_UNCONNECTING_HEADERS`-th `headers` message in a row that does not
 * connect to our chain; `LONG_UNCONNECTING_HEADERS_POINTS` every
 * non-connecting `headers` message longer than an announcement; `MUTATED_BLOCK_POINTS` a block whose body does not
 * match its header; `INVALID_BLOCK_POINTS` a block whose header commits to
 * an invalid body (no coinbase, two coinbases); `MALFORMED_BLOCK_POINTS` a
 * block that does not decode. A header too far in the future costs nothing.
 *
 * Every call returns quickly (no awaiting); timers go through the Clock port
 * and are cancelled by `stop()`.
 */
import type { Logger } from "../log/logger.ts";
import { Emitter } from "../util/emitter.ts";
import { SENDHEADERS_VERSION } from "../peer/handshake.ts";
import { KnownInventory } from "../peer/known_inventory.ts";
import { MALFORMED_MESSAGE_POINTS } from "../peer/misbehaviour.ts";
import { NODE_WITNESS } from "../peer/services.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import { PROTOCOL_VERSION } from "../version.ts";
import {
  BLOCK_HEADER_SIZE,
  type BlockHeader,
  blockHeaderHash,
  decodeBlockHeader,
  encodeBlockHeader,
} from "../wire/block_header.ts";
import { hashToHex } from "../wire/bytes.ts";
import { sha256d } from "../wire/hash.ts";
import type { Message } from "../wire/message.ts";
import { type LocatorMessage, MAX_HEADERS } from "../wire/messages/headers.ts";
import {
  type InvItem,
  MSG_BLOCK,
  MSG_TX,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_FLAG,
  MSG_WTX,
} from "../wire/messages/inv.ts";
import type { NetworkParams } from "../wire/params.ts";
import { acceptBlock, type BlockAcceptResult } from "./block_accept.ts";
import {
  BLOCK_DOWNLOAD_TIMEOUT_MS,
  BlockDownload,
  MAX_BLOCKS_IN_FLIGHT,
  MAX_BLOCKS_IN_FLIGHT_PER_PEER,
} from "./block_download.ts";
import { GetDataQueue } from "./block_serve.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { HeaderError } from "./header_error.ts";
import type { HeaderLoadReport, HeaderPersistence } from "./header_persist.ts";
import { HEADERS_RESPONSE_TIMEOUT_MS, HeaderSync, type HeaderSyncState } from "./header_sync.ts";
import { MAX_ORPHAN_BLOCKS, MAX_ORPHAN_BYTES, OrphanPool } from "./orphan_pool.ts";
import { MAX_RECENT_BLOCK_BYTES, MAX_RECENT_BLOCKS, RecentBlocks } from "./recent_blocks.ts";
import { blockAnnouncement, MAX_BLOCKS_TO_ANNOUNCE } from "./block_announce.ts";
import { HeaderSyncProgress, type HeaderSyncStatus } from "./sync_progress.ts";
import type { SyncPeer, SyncPeerOwner } from "./sync_peer.ts";

/**
 * Heights below the best header whose blocks are fetched: the last 8
 * blocks, so the recent cache can serve peers a few blocks behind (about
 * 12 MB on mainnet) without downloading history an edge node does not need.
 */
export const DEFAULT_DOWNLOAD_DEPTH = 8;
/** Accepted blocks remembered (hash, height, sender, relay targets) for duplicates and the API. */
export const MAX_BLOCK_RECORDS = 1_024;
/** Delay between newly accepted headers and their save (batches a sync's writes). */
export const HEADER_SAVE_DELAY_MS = 5_000;
/** Most hashes in the `inv` answering `getblocks`. Core net_processing (500). */
export const MAX_GETBLOCKS_RESULTS = 500;
/**
 * `headers` messages in a row that do not connect before the peer is
 * penalised (and again at every further multiple). Core net_processing
 * MAX_NUM_UNCONNECTING_HEADERS_MSGS.
 */
export const MAX_UNCONNECTING_HEADERS = 10;
/**
 * A block announcement from a peer whose getheaders is unanswered re-asks
 * after this long (bounds the getheaders an inv flood can draw out of us).
 */
export const REASK_AFTER_INV_MS = 1_000;
/** Per peer, blocks it failed to deliver (notfound, timeout, mutated) not asked of it again. */
export const MAX_LACKING_PER_PEER = 64;
/** Hashes of blocks found invalid, never downloaded again. */
export const MAX_INVALID_BLOCKS = 1_000;

/** A header failing proof of work, difficulty or time rules: an attack, ban at once. */
export const BAD_HEADER_POINTS = 100;
/** Headers in one message that do not link to each other (Core: 20). */
export const NON_CONTINUOUS_HEADERS_POINTS = 20;
/** Every `MAX_UNCONNECTING_HEADERS`-th non-connecting `headers` message in a row (Core: 20). */
export const UNCONNECTING_HEADERS_POINTS = 20;
/**
 * A non-connecting `headers` message longer than an announcement
 * (`MAX_BLOCKS_TO_ANNOUNCE`): five ban.
 */
export const LONG_UNCONNECTING_HEADERS_POINTS = 20;
/** A block whose body does not match its header (Core: BLOCK_MUTATED, discouraged). */
export const MUTATED_BLOCK_POINTS = 100;
/** A block whose header commits to an invalid body (no coinbase, two coinbases). */
export const INVALID_BLOCK_POINTS = 100;
/** A block that does not decode (as any malformed message). */
export const MALFORMED_BLOCK_POINTS = MALFORMED_MESSAGE_POINTS;

/** The bounds and timings of a block manager. */
export interface BlockManagerLimits {
  /** Blocks asked of one peer at once. */
  readonly blocksInFlightPerPeer: number;
  /** Blocks in flight across all peers. */
  readonly blocksInFlight: number;
  /** How long a peer has to deliver a requested block. */
  readonly blockTimeoutMs: number;
  /** How long a `getheaders` stays outstanding (sync-peer stall, per-peer rate limit). */
  readonly headersTimeoutMs: number;
  /** Heights below the best header whose blocks are fetched. */
  readonly downloadDepth: number;
  /** Headers served per `headers` message; a received one this long means more follow. */
  readonly headersPerMessage: number;
  /** Accepted blocks remembered (at least `downloadDepth`). */
  readonly blockRecords: number;
  readonly orphanBlocks: number;
  readonly orphanBytes: number;
  readonly recentBlocks: number;
  readonly recentBytes: number;
  /** Delay before newly accepted headers are saved. */
  readonly headerSaveDelayMs: number;
}

/** The default bounds (each constant documents its reason). */
export const DEFAULT_BLOCK_MANAGER_LIMITS: BlockManagerLimits = Object.freeze({
  blocksInFlightPerPeer: MAX_BLOCKS_IN_FLIGHT_PER_PEER,
  blocksInFlight: MAX_BLOCKS_IN_FLIGHT,
  blockTimeoutMs: BLOCK_DOWNLOAD_TIMEOUT_MS,
  headersTimeoutMs: HEADERS_RESPONSE_TIMEOUT_MS,
  downloadDepth: DEFAULT_DOWNLOAD_DEPTH,
  headersPerMessage: MAX_HEADERS,
  blockRecords: MAX_BLOCK_RECORDS,
  orphanBlocks: MAX_ORPHAN_BLOCKS,
  orphanBytes: MAX_ORPHAN_BYTES,
  recentBlocks: MAX_RECENT_BLOCKS,
  recentBytes: MAX_RECENT_BLOCK_BYTES,
  headerSaveDelayMs: HEADER_SAVE_DELAY_MS,
});

/** What a `BlockManager` needs. */
export interface BlockManagerOptions {
  /** The network (must be the chain's). */
  readonly params: NetworkParams;
  /** The header chain to extend (the manager's own). */
  readonly chain: HeaderChain;
  /** Where headers are saved; loaded by `start()` into a fresh chain. */
  readonly persistence?: HeaderPersistence;
  readonly sha256: Sha256;
  readonly clock: Clock;
  /** Records go here as given (pass e.g. `root.child("sync")`). */
  readonly logger: Logger;
  /** Tie-breaks between equal sync candidates. Default `cryptoRandom`. */
  readonly random?: Random;
  /** Overrides of `DEFAULT_BLOCK_MANAGER_LIMITS`. */
  readonly limits?: Partial<BlockManagerLimits>;
}

/** Emitted when a block is accepted. */
export interface BlockAcceptedEvent {
  /** Display order hex. */
  readonly hash: string;
  readonly height: number;
  /** True when its header is on the best chain. */
  readonly onBestChain: boolean;
  /** Serialized size in bytes. */
  readonly size: number;
  /** The sender's string form; absent for `injectBlock` without a peer. */
  readonly from?: string;
  /** Clock time of acceptance, Unix ms. */
  readonly receivedAt: number;
}

/** Emitted when a block was announced to peers. */
export interface BlockRelayedEvent {
  /** Display order hex. */
  readonly hash: string;
  readonly height: number;
  /** The peers it was announced to (string forms). */
  readonly to: readonly string[];
}

/** The events of a block manager. */
export interface BlockManagerEvents {
  accepted: [BlockAcceptedEvent];
  relayed: [BlockRelayedEvent];
}

/** One accepted block, for the API's inventory view. */
export interface RecentBlockView {
  /** Display order hex. */
  readonly hash: string;
  readonly height: number;
  readonly size: number;
  /** Unix ms. */
  readonly receivedAt: number;
  /** The sender's string form (absent: injected locally). */
  readonly from?: string;
  /** The peers it was announced to (string forms). */
  readonly relayedTo: readonly string[];
  /** True while the block's bytes are in the cache (getdata is served). */
  readonly cached: boolean;
}

/** Running totals. */
export interface BlockManagerCounters {
  readonly blocksAccepted: number;
  readonly blocksRejected: number;
  /** Blocks received again (already accepted or held as orphans). */
  readonly blocksDuplicate: number;
  readonly orphansAdded: number;
  readonly blocksServed: number;
  /** Entries answered with `notfound`. */
  readonly notFoundSent: number;
  /** Announcements sent (one per peer per block). */
  readonly announcements: number;
  readonly headersAccepted: number;
  readonly downloadTimeouts: number;
  /** Transaction entries in `inv` messages (blocks-only: ignored). */
  readonly txInvIgnored: number;
  /** `tx` messages (blocks-only: ignored). */
  readonly txIgnored: number;
  /** Messages (other than block and getheaders/getblocks) from peers never added. */
  readonly unknownPeerMessages: number;
}

/** A snapshot of the manager. */
export interface BlockManagerStatus {
  readonly tip: { readonly hash: string; readonly height: number; readonly time: number };
  readonly headerSync: HeaderSyncStatus & {
    readonly state: HeaderSyncState;
    /** The sync peer's string form, or null. */
    readonly syncPeer: string | null;
  };
  readonly peers: number;
  readonly blocksInFlight: number;
  readonly orphans: { readonly count: number; readonly bytes: number };
  readonly recentBlocks: { readonly count: number; readonly bytes: number };
  /** Accepted blocks remembered. */
  readonly blockRecords: number;
  readonly counters: BlockManagerCounters;
}

/** What the manager keeps about one peer. */
interface PeerState {
  readonly peer: SyncPeer;
  /** Cancels this peer's timers when it leaves. */
  readonly abort: AbortController;
  readonly getdata: GetDataQueue;
  /** Blocks it failed to deliver. */
  readonly lacks: KnownInventory;
  /** Highest best-chain height it showed us it has (headers or inv), −1 before. */
  bestHeight: number;
  /** The last block it announced whose header we lacked (Core's hashLastUnknownBlock). */
  lastUnknown: Uint8Array | null;
  /** Clock time of our outstanding `getheaders`, or null. */
  getheadersAt: number | null;
  /** A re-ask of headers is scheduled (see `#askAfterAnnouncement`). */
  reaskPending: boolean;
  /** Non-connecting `headers` messages in a row. */
  unconnecting: number;
  sentSendHeaders: boolean;
}

/** An accepted block's record. */
interface BlockRecord {
  readonly hash: Uint8Array;
  readonly height: number;
  readonly size: number;
  readonly receivedAt: number;
  readonly from?: string;
  readonly relayedTo: string[];
}

/** A block waiting to be processed, with where it came from. */
interface Incoming {
  readonly bytes: Uint8Array;
  readonly from: SyncPeer | undefined;
  /** True when `from` was added (we have a record of it). */
  readonly registered: boolean;
}

/** `getheaders`' "no stop" hash. */
const ZERO_HASH = new Uint8Array(32);

/** True when `hash` is all zeros. */
function isZero(hash: Uint8Array): boolean {
  for (const b of hash) if (b !== 0) return false;
  return true;
}

/**
 * `bytes`, copied when it is a small view of a much larger buffer (a
 * network chunk), so keeping it does not pin the rest.
 */
function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength * 2 < bytes.buffer.byteLength ? bytes.slice() : bytes;
}

/** Downloads, accepts, caches, serves and relays blocks; syncs headers. */
export class BlockManager implements SyncPeerOwner {
  readonly #params: NetworkParams;
  readonly #chain: HeaderChain;
  readonly #persistence: HeaderPersistence | undefined;
  readonly #sha256: Sha256;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #limits: BlockManagerLimits;
  readonly #abort = new AbortController();
  readonly #events: Emitter<BlockManagerEvents>;
  readonly #peers = new Map<number, PeerState>();
  readonly #download: BlockDownload;
  readonly #sync: HeaderSync;
  readonly #progress: HeaderSyncProgress;
  readonly #orphans: OrphanPool;
  readonly #recent: RecentBlocks;
  /** Accepted blocks by display hex, oldest first. */
  readonly #records = new Map<string, BlockRecord>();
  readonly #invalid = new KnownInventory(MAX_INVALID_BLOCKS);
  readonly #counters = {
    blocksAccepted: 0,
    blocksRejected: 0,
    blocksDuplicate: 0,
    orphansAdded: 0,
    blocksServed: 0,
    notFoundSent: 0,
    announcements: 0,
    headersAccepted: 0,
    downloadTimeouts: 0,
    txInvIgnored: 0,
    txIgnored: 0,
    unknownPeerMessages: 0,
  };
  #cancelSave: (() => void) | null = null;
  #started = false;
  #stopped = false;

  constructor(options: BlockManagerOptions) {
    if (options.chain.params.genesisHash !== options.params.genesisHash) {
      throw new Error(
        `the header chain follows ${options.chain.params.name}, the manager ${options.params.name}`,
      );
    }
    const limits = { ...DEFAULT_BLOCK_MANAGER_LIMITS, ...options.limits };
    if (limits.blockRecords < limits.downloadDepth) {
      throw new RangeError(
        `blockRecords (${limits.blockRecords}) must be at least downloadDepth (${limits.downloadDepth})`,
      );
    }
    if (limits.headersPerMessage < 1 || limits.headersPerMessage > MAX_HEADERS) {
      throw new RangeError(`headersPerMessage must be 1..${MAX_HEADERS}`);
    }
    this.#params = options.params;
    this.#chain = options.chain;
    this.#persistence = options.persistence;
    this.#sha256 = options.sha256;
    this.#clock = options.clock;
    this.#log = options.logger;
    this.#limits = limits;
    this.#events = new Emitter((event, error) =>
      this.#log.warn("block manager event handler threw", { event, error })
    );
    this.#progress = new HeaderSyncProgress(() => this.#clock.now());
    this.#orphans = new OrphanPool({ maxCount: limits.orphanBlocks, maxBytes: limits.orphanBytes });
    this.#recent = new RecentBlocks({
      maxCount: limits.recentBlocks,
      maxBytes: limits.recentBytes,
    });
    this.#download = new BlockDownload({
      clock: this.#clock,
      signal: this.#abort.signal,
      perPeer: limits.blocksInFlightPerPeer,
      total: limits.blocksInFlight,
      timeoutMs: limits.blockTimeoutMs,
      onTimeout: (hash, peerId) => this.#downloadTimedOut(hash, peerId),
    });
    this.#sync = new HeaderSync({
      clock: this.#clock,
      signal: this.#abort.signal,
      stallTimeoutMs: limits.headersTimeoutMs,
      random: options.random ?? cryptoRandom,
      logger: this.#log,
      peers: () => [...this.#peers.values()].map((st) => st.peer),
      request: (peer) => {
        const st = this.#peers.get(peer.id);
        return st !== undefined && this.#requestHeaders(st, undefined, true);
      },
      onSynced: () => this.#synced(),
    });
  }

  /** The network. */
  get params(): NetworkParams {
    return this.#params;
  }

  /** The header chain. */
  get chain(): HeaderChain {
    return this.#chain;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof BlockManagerEvents>(
    event: K,
    handler: (...args: BlockManagerEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, handler);
  }

  /**
   * Loads stored headers into the chain when it is fresh (genesis only) and
   * persistence is configured; returns the load report, or null when
   * nothing was loaded. Rejects only when the store fails.
   */
  async start(): Promise<HeaderLoadReport | null> {
    if (this.#started || this.#stopped) return null;
    this.#started = true;
    if (this.#persistence === undefined || this.#chain.count !== 1) return null;
    const report = await this.#persistence.load();
    this.#log.info("stored headers loaded", {
      headers: report.loaded,
      height: this.#chain.tipHeight,
    });
    return report;
  }

  /**
   * Cancels every timer and request, then saves the headers one last time.
   * Never rejects (a failing save is logged). Later calls do nothing.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort();
    for (const st of this.#peers.values()) st.abort.abort();
    this.#cancelSave?.();
    this.#cancelSave = null;
    this.#download.clear();
    this.#sync.close();
    if (this.#persistence === undefined) return;
    try {
      await this.#persistence.save();
    } catch (error) {
      this.#log.error("saving headers failed at stop", { error });
    }
  }

  /** A peer completed its handshake. */
  addPeer(peer: SyncPeer): void {
    if (this.#stopped || this.#peers.has(peer.id)) return;
    const abort = new AbortController();
    const st: PeerState = {
      peer,
      abort,
      getdata: new GetDataQueue({
        peer,
        lookup: (hash) => this.#recent.get(hash),
        clock: this.#clock,
        signal: abort.signal,
        onServed: (hash) => {
          peer.known.add(hash);
          this.#counters.blocksServed++;
        },
        onNotFound: (n) => (this.#counters.notFoundSent += n),
      }),
      lacks: new KnownInventory(MAX_LACKING_PER_PEER),
      bestHeight: -1,
      lastUnknown: null,
      getheadersAt: null,
      reaskPending: false,
      unconnecting: 0,
      sentSendHeaders: false,
    };
    this.#peers.set(peer.id, st);
    const claimed = peer.remoteVersion?.startHeight ?? 0;
    this.#progress.setPeerHeight(peer.id, claimed);
    if (this.#sync.state === "synced") {
      this.#sendSendHeaders(st);
      if (claimed > this.#chain.tipHeight) this.#requestHeaders(st);
    }
    this.#sync.peerAdded();
    this.#fetchFrom(st);
  }

  /** A peer left: its requests go to other peers. */
  removePeer(id: number): void {
    const st = this.#peers.get(id);
    if (st === undefined) return;
    this.#peers.delete(id);
    st.abort.abort();
    this.#progress.removePeer(id);
    const released = this.#download.releasePeer(id);
    this.#sync.peerRemoved(id);
    if (released.length > 0) this.#fetchAll();
  }

  /** Handles one message from `peer` (inv, headers, block, getdata, getheaders, getblocks, notfound, tx). */
  onMessage(peer: SyncPeer, msg: Message): void {
    if (this.#stopped) return;
    const st = this.#peers.get(peer.id);
    switch (msg.command) {
      case "block":
        this.#onBlock(peer, st, msg.raw);
        return;
      case "tx":
        this.#counters.txIgnored++;
        return;
      case "getheaders":
        this.#onGetHeaders(peer, msg);
        return;
      case "getblocks":
        this.#onGetBlocks(peer, msg);
        return;
      case "inv":
      case "headers":
      case "getdata":
      case "notfound":
        break;
      default:
        return;
    }
    if (st === undefined || st.peer !== peer) {
      this.#counters.unknownPeerMessages++;
      this.#log.debug("message from a peer we have no record of", {
        peer: peer.toString(),
        command: msg.command,
      });
      return;
    }
    switch (msg.command) {
      case "inv":
        this.#onInv(st, msg.items);
        return;
      case "headers":
        this.#onHeaders(st, msg.headers);
        return;
      case "getdata":
        st.getdata.add(msg.items);
        return;
      case "notfound":
        this.#onNotFound(st, msg.items);
        return;
    }
  }

  /**
   * Accepts a block produced or obtained locally (tests, benches, a mining
   * hook) as if received from `from` (default: nobody), and relays it when
   * it lands at the tip. Returns what acceptance said of it.
   */
  injectBlock(bytes: Uint8Array, from?: SyncPeer): BlockAcceptResult {
    const registered = from !== undefined && this.#peers.get(from.id)?.peer === from;
    const result = this.#process({ bytes, from, registered });
    this.#fetchAll();
    return result;
  }

  /** Accepted blocks, newest first (at most `limit`). */
  recentBlocks(limit: number = this.#limits.blockRecords): RecentBlockView[] {
    const out: RecentBlockView[] = [];
    const records = [...this.#records.values()];
    for (let i = records.length - 1; i >= 0 && out.length < limit; i--) {
      const r = records[i];
      out.push({
        hash: hashToHex(r.hash),
        height: r.height,
        size: r.size,
        receivedAt: r.receivedAt,
        ...(r.from === undefined ? {} : { from: r.from }),
        relayedTo: [...r.relayedTo],
        cached: this.#recent.has(r.hash),
      });
    }
    return out;
  }

  /** A snapshot: tip, header sync, downloads, caches and counters. */
  status(): BlockManagerStatus {
    const tip = this.#chain.tip();
    return {
      tip: { hash: hashToHex(tip.hash), height: tip.height, time: tip.time },
      headerSync: {
        ...this.#progress.status(tip.height),
        state: this.#sync.state,
        syncPeer: this.#sync.syncPeer?.toString() ?? null,
      },
      peers: this.#peers.size,
      blocksInFlight: this.#download.size,
      orphans: { count: this.#orphans.size, bytes: this.#orphans.bytes },
      recentBlocks: { count: this.#recent.size, bytes: this.#recent.bytes },
      blockRecords: this.#records.size,
      counters: { ...this.#counters },
    };
  }

  // ---- headers ----

  /**
   * A peer that announces a block we lack has new headers for us. If our last
   * getheaders to it is still unanswered (some peers, bcoin among them, send
   * nothing when they had no headers to give), ask again once it is
   * REASK_AFTER_INV_MS old: at once, or from a timer (one per peer), so an inv
   * flood draws at most one getheaders a second.
   */
  #askAfterAnnouncement(st: PeerState): void {
    if (st.getheadersAt === null) {
      this.#requestHeaders(st);
      return;
    }
    const waited = this.#clock.now() - st.getheadersAt;
    if (waited >= REASK_AFTER_INV_MS) {
      this.#requestHeaders(st, undefined, true);
      return;
    }
    if (st.reaskPending) return;
    st.reaskPending = true;
    this.#clock.setTimer(REASK_AFTER_INV_MS - waited, () => {
      st.reaskPending = false;
      if (st.getheadersAt !== null && this.#mayAskHeaders(st)) {
        this.#requestHeaders(st, undefined, true);
      }
    }, st.abort.signal);
  }

  /**
   * Sends `getheaders` (locator from `from`, default our best header) unless
   * one is outstanding to this peer (`force` sends anyway). True when sent.
   */
  #requestHeaders(st: PeerState, from?: Uint8Array, force = false): boolean {
    const now = this.#clock.now();
    if (
      !force && st.getheadersAt !== null && now - st.getheadersAt < this.#limits.headersTimeoutMs
    ) return false;
    const locator = this.#chain.locator(from);
    const sent = st.peer.send({
      command: "getheaders",
      version: PROTOCOL_VERSION,
      locator,
      hashStop: ZERO_HASH,
    });
    if (sent) st.getheadersAt = now;
    return sent;
  }

  #onHeaders(st: PeerState, headers: readonly BlockHeader[]): void {
    st.getheadersAt = null;
    const id = st.peer.id;
    if (headers.length === 0) {
      this.#sync.headersReceived(id, false);
      this.#fetchAll(st);
      return;
    }
    const raws = headers.map(encodeBlockHeader);
    if (!this.#chain.has(raws[0].subarray(4, 36))) {
      if (raws.length > MAX_BLOCKS_TO_ANNOUNCE) {
        // Not an announcement, and no answer to our locator (which always
        // reaches genesis) starts on an unknown header: junk.
        st.peer.misbehave(
          LONG_UNCONNECTING_HEADERS_POINTS,
          `${raws.length} headers that do not connect to our chain`,
        );
        return;
      }
      // While we sync from another peer, an announcement of a block beyond
      // our headers is expected, not the announcer's fault.
      if (!this.#mayAskHeaders(st)) return;
      st.unconnecting++;
      if (st.unconnecting % MAX_UNCONNECTING_HEADERS === 0) {
        st.peer.misbehave(
          UNCONNECTING_HEADERS_POINTS,
          `${st.unconnecting} headers messages in a row that do not connect`,
        );
      }
      this.#requestHeaders(st);
      return;
    }
    st.unconnecting = 0;
    const result = this.#chain.acceptHeaders(raws);
    const accepted = result.accepted.length;
    if (accepted > 0) {
      this.#counters.headersAccepted += accepted;
      this.#progress.recordAccepted(accepted);
      this.#scheduleSave();
      for (const a of result.accepted) st.peer.known.add(a.hash);
    }
    if (result.error !== null) {
      this.#headerRefused(st, result.error);
      this.#sync.headersReceived(id, false);
    } else {
      const last = blockHeaderHash(this.#sha256, raws[raws.length - 1]);
      st.peer.known.add(last);
      this.#noteHeight(st, last);
      const full = raws.length >= this.#limits.headersPerMessage;
      if (full && this.#mayAskHeaders(st)) this.#requestHeaders(st, last, true);
      this.#sync.headersReceived(id, full);
    }
    if (st.lastUnknown !== null && this.#chain.has(st.lastUnknown)) {
      this.#noteHeight(st, st.lastUnknown);
      st.lastUnknown = null;
    }
    this.#fetchAll(st);
  }

  /** One sync peer at a time: while syncing, only the sync peer is asked for headers. */
  #mayAskHeaders(st: PeerState): boolean {
    return this.#sync.state !== "syncing" || this.#sync.syncPeer === st.peer;
  }

  /** Raises the peer's best height to `hash`'s when it is on our best chain. */
  #noteHeight(st: PeerState, hash: Uint8Array): void {
    const height = this.#chain.heightOf(hash);
    if (height === undefined || height <= st.bestHeight) return;
    st.bestHeight = height;
    this.#progress.setPeerHeight(st.peer.id, height);
  }

  #headerRefused(st: PeerState, error: HeaderError): void {
    const peer = st.peer;
    switch (error.kind) {
      case "bad-pow":
      case "bad-diffbits":
      case "time-too-old":
      case "time-timewarp":
        peer.misbehave(BAD_HEADER_POINTS, `invalid header: ${error.message}`);
        return;
      case "unknown-parent":
        peer.misbehave(NON_CONTINUOUS_HEADERS_POINTS, `headers out of order: ${error.message}`);
        return;
      case "time-too-new":
        this.#log.debug("header from the future ignored", { peer: peer.toString(), error });
        return;
      case "capacity":
      case "malformed":
      case "duplicate":
        this.#log.warn("header not stored", { peer: peer.toString(), error: error.message });
        return;
    }
  }

  #synced(): void {
    this.#log.info("headers synced", { height: this.#chain.tipHeight });
    for (const st of this.#peers.values()) {
      this.#sendSendHeaders(st);
      const claimed = st.peer.remoteVersion?.startHeight ?? 0;
      if (claimed > this.#chain.tipHeight) this.#requestHeaders(st);
    }
    this.#fetchAll();
  }

  #sendSendHeaders(st: PeerState): void {
    if (st.sentSendHeaders || st.peer.negotiatedVersion < SENDHEADERS_VERSION) return;
    st.sentSendHeaders = st.peer.send({ command: "sendheaders" });
  }

  #scheduleSave(): void {
    const persistence = this.#persistence;
    if (persistence === undefined || this.#cancelSave !== null || this.#stopped) return;
    this.#cancelSave = this.#clock.setTimer(this.#limits.headerSaveDelayMs, () => {
      this.#cancelSave = null;
      persistence.save().catch((error) => this.#log.warn("saving headers failed", { error }));
    }, this.#abort.signal);
  }

  // ---- announcements and requests from peers ----

  #onInv(st: PeerState, items: readonly InvItem[]): void {
    let unknown: Uint8Array | null = null;
    for (const item of items) {
      const base = item.type & ~MSG_WITNESS_FLAG;
      if (base === MSG_TX || base === MSG_WTX) {
        this.#counters.txInvIgnored++;
        continue;
      }
      if (base !== MSG_BLOCK) continue;
      if (this.#chain.has(item.hash)) this.#noteHeight(st, item.hash);
      else unknown = item.hash;
    }
    if (unknown !== null) {
      st.lastUnknown = unknown.slice();
      if (this.#mayAskHeaders(st)) this.#askAfterAnnouncement(st);
    }
    this.#fetchFrom(st);
  }

  #onGetHeaders(peer: SyncPeer, msg: LocatorMessage): void {
    const stop = isZero(msg.hashStop) ? null : msg.hashStop;
    const raws = this.#chain.getHeaders(msg.locator, stop, this.#limits.headersPerMessage);
    peer.send({ command: "headers", headers: raws.map(decodeBlockHeader) });
  }

  #onGetBlocks(peer: SyncPeer, msg: LocatorMessage): void {
    const stop = isZero(msg.hashStop) ? null : msg.hashStop;
    const raws = this.#chain.getHeaders(msg.locator, stop, MAX_GETBLOCKS_RESULTS);
    if (raws.length === 0) return;
    const items = raws.map((raw) => ({ type: MSG_BLOCK, hash: sha256d(this.#sha256, raw) }));
    peer.send({ command: "inv", items });
  }

  #onNotFound(st: PeerState, items: readonly InvItem[]): void {
    let released = false;
    for (const item of items) {
      if ((item.type & ~MSG_WITNESS_FLAG) !== MSG_BLOCK) continue;
      if (this.#download.release(item.hash, st.peer.id) !== undefined) {
        st.lacks.add(item.hash);
        released = true;
      }
    }
    if (released) this.#fetchAll();
  }

  // ---- downloads ----

  /** Downloads start once the initial header sync is over (or has no peer to sync from). */
  #downloadsAllowed(): boolean {
    return !this.#stopped && this.#sync.state !== "syncing";
  }

  /** True when the block `hash` is neither held, known invalid, in flight nor an orphan. */
  #wanted(hash: Uint8Array): boolean {
    return !this.#records.has(hashToHex(hash)) && !this.#invalid.has(hash) &&
      !this.#download.has(hash) && !this.#orphans.has(hash);
  }

  /** Asks each peer (`first` first) for the wanted blocks it has. */
  #fetchAll(first?: PeerState): void {
    if (!this.#downloadsAllowed()) return;
    if (first !== undefined && this.#peers.get(first.peer.id) === first) this.#fetchFrom(first);
    for (const st of this.#peers.values()) if (st !== first) this.#fetchFrom(st);
  }

  /** Asks `st` for the wanted blocks near the tip it showed it has, within the bounds. */
  #fetchFrom(st: PeerState): void {
    const peer = st.peer;
    if (!this.#downloadsAllowed() || !this.#download.canRequest(peer.id)) return;
    if (((peer.remoteVersion?.services ?? 0n) & NODE_WITNESS) === 0n) return;
    const tip = this.#chain.tipHeight;
    const items: InvItem[] = [];
    for (
      let h = Math.max(1, tip - this.#limits.downloadDepth + 1);
      h <= tip && this.#download.canRequest(peer.id);
      h++
    ) {
      const hash = this.#chain.hashAt(h)!;
      if (!this.#wanted(hash) || st.lacks.has(hash)) continue;
      if (st.bestHeight < h && !peer.known.has(hash)) continue;
      this.#download.request(peer.id, hash);
      items.push({ type: MSG_WITNESS_BLOCK, hash });
    }
    this.#sendGetData(st, items);
  }

  #sendGetData(st: PeerState, items: InvItem[]): void {
    if (items.length === 0 || st.peer.send({ command: "getdata", items })) return;
    for (const item of items) this.#download.release(item.hash, st.peer.id);
  }

  #downloadTimedOut(hash: Uint8Array, peerId: number): void {
    this.#counters.downloadTimeouts++;
    const st = this.#peers.get(peerId);
    st?.lacks.add(hash);
    this.#log.debug("block download timed out", {
      peer: st?.peer.toString(),
      hash: hashToHex(hash),
    });
    this.#fetchAll();
  }

  // ---- blocks ----

  #onBlock(peer: SyncPeer, st: PeerState | undefined, raw: Uint8Array): void {
    const registered = st !== undefined && st.peer === peer;
    if (raw.length < BLOCK_HEADER_SIZE) {
      this.#counters.blocksRejected++;
      peer.misbehave(MALFORMED_BLOCK_POINTS, `block of ${raw.length} bytes, shorter than a header`);
      return;
    }
    const hash = blockHeaderHash(this.#sha256, raw);
    this.#download.release(hash);
    peer.known.add(hash);
    if (this.#records.has(hashToHex(hash)) || this.#orphans.has(hash)) {
      this.#counters.blocksDuplicate++;
    } else {
      this.#process({ bytes: raw, from: peer, registered });
    }
    this.#fetchAll(registered ? st : undefined);
  }

  /**
   * Accepts a block, then the orphans it connects (in order); relays the
   * last one accepted if it is the tip. Returns the first block's result.
   */
  #process(first: Incoming): BlockAcceptResult {
    const queue: Incoming[] = [first];
    let firstResult: BlockAcceptResult | undefined;
    let announce: { hash: Uint8Array; height: number; from: SyncPeer | undefined } | null = null;
    for (let i = 0; i < queue.length; i++) {
      const { bytes, from, registered } = queue[i];
      const result = acceptBlock(this.#chain, this.#sha256, bytes);
      firstResult ??= result;
      switch (result.status) {
        case "accepted":
          this.#record(result, bytes, from);
          if (result.onBestChain && result.height === this.#chain.tipHeight) {
            announce = { hash: result.hash, height: result.height, from };
          }
          for (const child of this.#orphans.takeChildren(result.hash)) {
            const st = this.#peers.get(child.peerId);
            queue.push({ bytes: child.bytes, from: st?.peer, registered: st !== undefined });
          }
          break;
        case "orphan":
          this.#keepOrphan(result.hash, result.prevHash, bytes, from, registered);
          break;
        case "rejected":
          this.#rejected(result, from);
          break;
      }
    }
    if (announce !== null && this.#chain.heightOf(announce.hash) === this.#chain.tipHeight) {
      this.#announce(announce.hash, announce.height, announce.from);
    }
    return firstResult!;
  }

  #record(
    result: Extract<BlockAcceptResult, { status: "accepted" }>,
    bytes: Uint8Array,
    from: SyncPeer | undefined,
  ): void {
    const kept = owned(bytes);
    const key = hashToHex(result.hash);
    const receivedAt = this.#clock.now();
    const fromText = from?.toString();
    this.#records.set(key, {
      hash: result.hash,
      height: result.height,
      size: kept.length,
      receivedAt,
      ...(fromText === undefined ? {} : { from: fromText }),
      relayedTo: [],
    });
    while (this.#records.size > this.#limits.blockRecords) {
      this.#records.delete(this.#records.keys().next().value as string);
    }
    this.#recent.put(result.hash, kept);
    this.#counters.blocksAccepted++;
    if (result.header !== null) {
      this.#counters.headersAccepted++;
      this.#progress.recordAccepted(1);
      this.#scheduleSave();
    }
    this.#log.debug("block accepted", {
      hash: key,
      height: result.height,
      bestChain: result.onBestChain,
      peer: fromText,
    });
    this.#events.emit("accepted", {
      hash: key,
      height: result.height,
      onBestChain: result.onBestChain,
      size: kept.length,
      ...(fromText === undefined ? {} : { from: fromText }),
      receivedAt,
    });
  }

  #keepOrphan(
    hash: Uint8Array,
    prevHash: Uint8Array,
    bytes: Uint8Array,
    from: SyncPeer | undefined,
    registered: boolean,
  ): void {
    const fields = {
      hash: hashToHex(hash),
      parent: hashToHex(prevHash),
      peer: from?.toString(),
    };
    if (from !== undefined && !registered) {
      this.#log.warn("orphan block from a peer we have no record of", fields);
    }
    const { added, evicted } = this.#orphans.add({
      hash,
      prevHash: prevHash.slice(),
      bytes: owned(bytes),
      peerId: from?.id ?? -1,
    });
    if (evicted.length > 0) this.#log.debug("orphan blocks evicted", { count: evicted.length });
    if (!added) return;
    this.#counters.orphansAdded++;
    this.#log.debug("orphan block held", fields);
    const st = registered && from !== undefined ? this.#peers.get(from.id) : undefined;
    if (st === undefined) return;
    const missing = this.#orphans.missingAncestor(hash);
    if (missing !== undefined && this.#wanted(missing)) {
      if (this.#download.request(st.peer.id, missing)) {
        this.#sendGetData(st, [{ type: MSG_WITNESS_BLOCK, hash: missing }]);
      }
    }
    if (this.#mayAskHeaders(st)) this.#requestHeaders(st);
  }

  #rejected(
    result: Extract<BlockAcceptResult, { status: "rejected" }>,
    from: SyncPeer | undefined,
  ): void {
    this.#counters.blocksRejected++;
    const hash = result.hash;
    let points = 0;
    switch (result.reason) {
      case "decode":
        points = MALFORMED_BLOCK_POINTS;
        break;
      case "bad-cb-missing":
      case "bad-cb-multiple":
        points = INVALID_BLOCK_POINTS;
        break;
      case "bad-pow":
      case "bad-diffbits":
      case "time-too-old":
      case "time-timewarp":
        points = BAD_HEADER_POINTS;
        break;
      case "time-too-new":
      case "capacity":
      case "malformed":
        break;
      default:
        points = result.mutated ? MUTATED_BLOCK_POINTS : 0;
    }
    if (hash !== null) {
      if (result.mutated) {
        if (from !== undefined) this.#peers.get(from.id)?.lacks.add(hash);
      } else if (points > 0) this.#invalid.add(hash);
    }
    this.#log.debug("block rejected", {
      hash: hash === null ? null : hashToHex(hash),
      reason: result.reason,
      message: result.message,
      peer: from?.toString(),
    });
    if (from !== undefined && points > 0) {
      from.misbehave(points, `block rejected (${result.reason}): ${result.message}`);
    }
  }

  /** Announces the tip block `hash` to every peer not known to have it, except its sender. */
  #announce(hash: Uint8Array, height: number, from: SyncPeer | undefined): void {
    const to: string[] = [];
    for (const { peer } of this.#peers.values()) {
      if (peer === from || peer.id === from?.id || peer.known.has(hash)) continue;
      if (!peer.send(blockAnnouncement(this.#chain, hash, peer))) continue;
      peer.known.add(hash);
      to.push(peer.toString());
    }
    if (to.length === 0) return;
    const key = hashToHex(hash);
    this.#records.get(key)?.relayedTo.push(...to);
    this.#counters.announcements += to.length;
    this.#log.debug("block announced", { hash: key, height, peers: to.length });
    this.#events.emit("relayed", { hash: key, height, to });
  }
}
