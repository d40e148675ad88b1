/**
 * The block manager: what the node does with headers and blocks once a
 * peer is connected. It keeps the peers, dispatches their block-related
 * messages to the parts beside it, and announces new tip blocks:
 *
 * - Headers in (`header_intake.ts`): the initial sync from one sync peer at
 *   a time (`header_sync.ts`), follow-up and per-peer `getheaders`
 *   (`header_requests.ts`), stored headers loaded and saved
 *   (`header_persist.ts`).
 * - Blocks in (`block_intake.ts`): acceptance (`block_accept.ts`), orphans
 *   waiting for their parent, the recent-blocks cache, the block store on
 *   disk (`block_store.ts`, opened by `loadBlocks`) and the records of
 *   accepted blocks (`block_records.ts`).
 * - Downloads (`block_fetch.ts`, over `block_download.ts`): once headers
 *   are synced, the blocks of the last `keepBlocks` heights of the best
 *   header chain that we do not hold, the newest first, of peers that
 *   showed they have them, bounded in flight, each with a timeout.
 * - Relay (here, over `block_announce.ts`): a block accepted at the tip is
 *   first pushed as `cmpctblock` to the high-bandwidth compact peers
 *   (`compact_relay.ts`, BIP152), then announced once to every other peer
 *   not known to have it, never to its sender: `headers` to peers that sent
 *   `sendheaders`, `inv` to the others.
 * - Serving: `getdata` and `getblocktxn` from the recent-blocks cache, then
 *   the store, down to `MAX_SERVE_DEPTH` (a deeper request disconnects:
 *   `block_serving.ts` over `block_serve.ts`; compact answers by
 *   `compact_relay.ts`), `getheaders`/`getblocks` from the header chain
 *   (`header_serve.ts`), always, also while syncing.
 * - Blocks-only: transaction inventory and `tx` messages are counted and
 *   ignored, never requested; compact blocks are never asked for (a
 *   `cmpctblock` received is an announcement of its header).
 * - Misbehaviour: each offence costs what `penalties.ts` says.
 * - For the connection manager's eviction rules (`progress`,
 *   `chain_progress.ts`): each peer's best known header, last tip-moving
 *   announcement and last novel block, when our tip last changed, blocks in
 *   flight, and a "chain" event whenever our tip or a peer's best header
 *   moves.
 *
 * The header chain is the manager's own: `load` fills it from the store
 * (the one path for stored headers), `loadBlocks` opens the block store,
 * `start` begins taking part, `stop` saves one last time and waits for the
 * block writes. Every other call returns quickly (no awaiting);
 * timers go through the Clock port and are cancelled by `stop()`.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import type { KvStore } from "../platform/storage.ts";
import { Emitter } from "../util/emitter.ts";
import { BLOCK_HEADER_SIZE, type BlockHeader, blockHeaderHash } from "../wire/block_header.ts";
import { bytesEqual, hashToHex } from "../wire/bytes.ts";
import type { Message } from "../wire/message.ts";
import {
  type InvItem,
  MSG_BLOCK,
  MSG_TX,
  MSG_WITNESS_FLAG,
  MSG_WTX,
} from "../wire/messages/inv.ts";
import type { NetworkParams } from "../wire/params.ts";
import type { BlockAcceptResult } from "./block_accept.ts";
import { blockAnnouncement } from "./block_announce.ts";
import type { BlockDownload } from "./block_download.ts";
import { BlockFetch, type FetchPeer } from "./block_fetch.ts";
import type { BlockManagerEvents } from "./block_events.ts";
import { BlockIntake, type IncomingBlock, type TipBlock } from "./block_intake.ts";
import { type BlockManagerLimits, blockManagerLimits } from "./block_manager_limits.ts";
import type { RecentBlockView } from "./block_records.ts";
import type { GetDataQueue } from "./block_serve.ts";
import { BlockServing } from "./block_serving.ts";
import { BlockStore, blockStoreLimits, type BlockStoreLoadReport } from "./block_store.ts";
import {
  type BlockManagerStatus,
  type HeaderView,
  recentHeaders,
  type SubmitResult,
  submitResult,
} from "./block_views.ts";
import { CompactRelay } from "./compact_relay.ts";
import { HeaderChain } from "./header_chain.ts";
import { HeaderIntake, type HeaderPeer } from "./header_intake.ts";
import { ChainProgress, type ProgressPeer } from "./chain_progress.ts";
import { chainTips, type ChainTipView } from "./chain_tips.ts";
import type { HeaderLoadReport } from "./header_persist.ts";
import { HeaderRequests } from "./header_requests.ts";
import { answerGetBlocks, answerGetHeaders } from "./header_serve.ts";
import { PeerChain } from "./peer_chain.ts";
import type { SyncPeer } from "./sync_peer.ts";

/** What a `BlockManager` needs. */
export interface BlockManagerOptions {
  /** The network of the manager's header chain. */
  readonly params: NetworkParams;
  readonly sha256: Sha256;
  /** Timers, and the chain's network-adjusted time. */
  readonly clock: Clock;
  /** Records go here as given (pass e.g. `root.child("sync")`). */
  readonly logger: Logger;
  /** Tie-breaks between equal sync candidates. Default `cryptoRandom`. */
  readonly random?: Random;
  /** Overrides of `DEFAULT_BLOCK_MANAGER_LIMITS`. */
  readonly limits?: Partial<BlockManagerLimits>;
}

/** What the manager keeps about one peer: what its rooms read, and its own. */
interface PeerState extends HeaderPeer, FetchPeer, ProgressPeer {
  /** Cancels this peer's timers when it leaves. */
  readonly abort: AbortController;
  readonly getdata: GetDataQueue;
}

/** Syncs headers; downloads, accepts, caches, serves and relays blocks. */
export class BlockManager {
  readonly #params: NetworkParams;
  readonly #chain: HeaderChain;
  readonly #sha256: Sha256;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #limits: BlockManagerLimits;
  readonly #abort = new AbortController();
  readonly #events: Emitter<BlockManagerEvents>;
  readonly #peers = new Map<number, PeerState>();
  readonly #headers: HeaderIntake;
  readonly #blocks: BlockIntake<PeerState>;
  readonly #fetch: BlockFetch<PeerState>;
  /** The fetch's requests in flight. */
  readonly #download: BlockDownload;
  readonly #compact: CompactRelay;
  readonly #serving: BlockServing;
  /** The chain's progress as the connection manager reads it (its `ChainView`). */
  readonly progress: ChainProgress;
  /** The peers the newest tip was pushed to as `cmpctblock`, until it is announced. */
  #pushed: { readonly hash: Uint8Array; readonly to: readonly SyncPeer[] } | null = null;
  readonly #counters = {
    announcements: 0,
    txInvIgnored: 0,
    txIgnored: 0,
    unknownPeerMessages: 0,
  };
  #started = false;
  #stopped = false;

  constructor(options: BlockManagerOptions) {
    const limits = this.#limits = blockManagerLimits(options.limits);
    const clock = this.#clock = options.clock;
    const sha256 = this.#sha256 = options.sha256;
    const logger = this.#log = options.logger;
    this.#params = options.params;
    const chain = this.#chain = new HeaderChain({
      params: options.params,
      sha256,
      now: () => clock.now(),
    });
    this.#events = new Emitter((event, error) =>
      logger.warn("block manager event handler threw", { event, error })
    );
    const signal = this.#abort.signal;
    const random = options.random ?? cryptoRandom;
    this.#headers = new HeaderIntake({
      chain,
      sha256,
      clock,
      logger,
      random,
      signal,
      stallTimeoutMs: limits.headersTimeoutMs,
      headersPerMessage: limits.headersPerMessage,
      saveDelayMs: limits.headerSaveDelayMs,
      peers: this.#peers,
      onSynced: () => this.#fetch.fetchAll(),
    });
    this.#blocks = new BlockIntake({
      chain,
      sha256,
      clock,
      logger,
      limits,
      peers: this.#peers,
      onNewTip: (tip, from) => {
        this.#pushed = { hash: tip.hash, to: this.#compact.pushNewTip(tip, from) };
      },
      onAccepted: (event) => this.#events.emit("accepted", event),
      onNewHeader: () => this.#headers.headersAdded(1),
      onOrphan: (st, missing) => {
        // Ask its sender for the missing ancestor, and for headers.
        this.#fetch.fetchMissing(st, missing);
        if (this.#headers.mayAsk(st)) st.headers.request();
      },
    });
    const fetch = this.#fetch = new BlockFetch({
      params: options.params,
      chain,
      clock,
      logger,
      signal,
      limits,
      peers: this.#peers,
      has: (hash, hex) => this.#blocks.has(hash, hex),
      syncing: () => this.#headers.syncing,
      stopped: () => this.#stopped,
    });
    this.#download = fetch.download;
    this.#compact = new CompactRelay({
      chain,
      sha256,
      random,
      logger,
      bestHeight: (peer) => this.#peers.get(peer.id)?.bestHeight ?? -1,
    });
    this.progress = new ChainProgress({
      chain,
      sha256,
      clock,
      peers: this.#peers,
      download: this.#download,
      mayAsk: (p) => this.#headers.mayAsk(p),
      onMoved: (event) => this.#events.emit("chain", event),
    });
    this.#serving = new BlockServing({
      chain,
      blocks: this.#blocks,
      compact: this.#compact,
      clock,
      logger,
    });
  }

  /** The network. */
  get params(): NetworkParams {
    return this.#params;
  }

  /** The header chain (genesis until `load`). */
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
   * Fills the chain (genesis only until now) from the headers stored in
   * `store`, and saves new headers there from now on: the one way stored
   * headers come in. Unusable stored chunks are set aside and reported,
   * never fatal; rejects only when the store fails, or when called twice or
   * after `start`.
   */
  load(store: KvStore): Promise<HeaderLoadReport> {
    if (this.#started) return Promise.reject(new Error("headers are loaded before start"));
    return this.#headers.load(store);
  }

  /**
   * Opens the block store in `store` (after `load`: heights come from the
   * chain): what it holds is served and not fetched again. Headers the
   * chain lacked that stored blocks carry are added (and saved soon).
   * Rejects when the storage fails, or when called twice or after `start`.
   */
  async loadBlocks(store: KvStore): Promise<BlockStoreLoadReport> {
    if (this.#started || this.#blocks.store !== null) {
      throw new Error("the block store is opened once, before start");
    }
    const opened = await BlockStore.open({
      store,
      chain: this.#chain,
      sha256: this.#sha256,
      logger: this.#log,
      limits: blockStoreLimits(this.#limits.keepBlocks),
      clock: this.#clock,
    });
    this.#blocks.store = opened.store;
    this.#headers.headersAdded(opened.report.adoptedHeaders);
    return opened.report;
  }

  /** Begins taking part: peers, messages and submitted blocks are handled from now on. */
  start(): void {
    this.#started = true;
    this.progress.start();
  }

  /**
   * Cancels every timer and request, then saves the headers one last time
   * (when it started: before, nothing changed) and waits for the queued
   * block writes. Never rejects (a failing save is logged). Later calls do
   * nothing.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort();
    for (const st of this.#peers.values()) st.abort.abort();
    this.#download.clear();
    await this.#headers.close(this.#started);
    await this.#blocks.store?.close();
  }

  /** True between `start` and `stop`. */
  get #running(): boolean {
    return this.#started && !this.#stopped;
  }

  /** A peer completed its handshake. */
  addPeer(peer: SyncPeer): void {
    if (!this.#running || this.#peers.has(peer.id)) return;
    const abort = new AbortController();
    const getdata = this.#serving.queueFor(peer, abort.signal);
    const headers = new HeaderRequests({
      peer,
      chain: this.#chain,
      clock: this.#clock,
      signal: abort.signal,
      timeoutMs: this.#limits.headersTimeoutMs,
    });
    const lacks = this.#fetch.lackMemory();
    const st: PeerState = {
      peer,
      abort,
      getdata,
      headers,
      lacks,
      chain: new PeerChain(),
      bestHeight: -1,
      presync: null,
    };
    this.#peers.set(peer.id, st);
    this.#compact.peerAdded(peer);
    this.#headers.peerAdded(st);
    this.#fetch.fetchFrom(st);
  }

  /** A peer left: its requests go to other peers. */
  removePeer(id: number): void {
    const st = this.#peers.get(id);
    if (st === undefined) return;
    this.#peers.delete(id);
    st.abort.abort();
    const released = this.#download.releasePeer(id);
    this.#headers.peerRemoved(id);
    this.#compact.peerRemoved(id);
    if (released.length > 0) this.#fetch.fetchAll();
  }

  /**
   * Handles one message from `peer` (inv, headers, block, getdata,
   * getheaders, getblocks, notfound, tx, and the compact-block ones).
   */
  onMessage(peer: SyncPeer, msg: Message): void {
    if (!this.#running) return;
    const tipWork = this.#chain.tipWork;
    this.#dispatch(peer, msg);
    const st = this.#peers.get(peer.id);
    this.progress.note(st?.peer === peer ? st : undefined, msg, tipWork);
  }

  #dispatch(peer: SyncPeer, msg: Message): void {
    const st = this.#peers.get(peer.id);
    switch (msg.command) {
      case "block":
        this.#onBlock(peer, st, msg.raw);
        return;
      case "tx":
        this.#counters.txIgnored++;
        return;
      case "getheaders":
        answerGetHeaders(this.#chain, peer, msg, this.#limits.headersPerMessage);
        return;
      case "getblocks":
        answerGetBlocks(this.#chain, this.#sha256, peer, msg);
        return;
      case "inv":
      case "headers":
      case "getdata":
      case "notfound":
      case "sendcmpct":
      case "cmpctblock":
      case "getblocktxn":
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
        this.#fetch.onNotFound(st, msg.items);
        return;
      case "sendcmpct":
        this.#compact.onSendCmpct(peer, msg);
        return;
      case "cmpctblock":
        // Never asked for: an announcement of its header, as in a `headers` message.
        this.#onHeaders(st, [msg.header]);
        return;
      case "getblocktxn":
        st.getdata.addBlockTxn(msg);
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
    const tipWork = this.#chain.tipWork;
    const result = this.#accept({ bytes, from, registered, origin: "local" });
    this.#fetch.fetchAll();
    this.progress.note(undefined, undefined, tipWork);
    return result;
  }

  /**
   * Accepts a block produced or obtained locally (like Core's `submitblock`)
   * and relays it when it lands at the tip; one accepted before is a
   * duplicate. Null before `start` and after `stop`.
   */
  submit(bytes: Uint8Array): SubmitResult | null {
    if (!this.#running) return null;
    if (bytes.length >= BLOCK_HEADER_SIZE) {
      const hash = hashToHex(blockHeaderHash(this.#sha256, bytes));
      const height = this.#blocks.records.heightOf(hash);
      if (height !== undefined) return { status: "duplicate", hash, height };
    }
    return submitResult(this.injectBlock(bytes));
  }

  /** Accepted blocks, newest first (at most `limit`). */
  recentBlocks(limit: number = this.#limits.blockRecords): RecentBlockView[] {
    return this.#blocks.records.newest(limit, (hash) => this.#blocks.recent.has(hash));
  }

  /** The last `count` headers of the best chain, newest first. */
  recentHeaders(count: number): HeaderView[] {
    return recentHeaders(this.#chain, count);
  }

  /**
   * How many blocks behind the network our tip probably is, from its age
   * (Core `ApproximateBestBlockDepth`): what `desirableServices` asks.
   */
  approximateTipDepth(): number {
    const ageSeconds = this.#clock.now() / 1000 - this.#chain.tip().time;
    return Math.max(0, Math.floor(ageSeconds / this.#params.powTargetSpacing));
  }

  /** A snapshot: tip, header sync, downloads, caches and counters. */
  status(): BlockManagerStatus {
    const tip = this.#chain.tip();
    const { orphans, recent, records } = this.#blocks;
    return {
      tip: { hash: hashToHex(tip.hash), height: tip.height, time: tip.time },
      headersStored: this.#chain.count,
      headerSync: this.#headers.status(),
      peers: this.#peers.size,
      blocksInFlight: this.#download.size,
      orphans: { count: orphans.size, bytes: orphans.bytes },
      recentBlocks: { count: recent.size, bytes: recent.bytes },
      blockStore: this.#blocks.store?.status() ??
        { count: 0, bytes: 0, lowestHeight: null, highestHeight: null },
      blockRecords: records.size,
      highBandwidthPeers: this.#compact.highBandwidthPeers,
      counters: {
        ...this.#blocks.counters,
        ...this.#compact.counters,
        ...this.#serving.counters,
        ...this.#fetch.counters,
        ...this.#counters,
        headersAccepted: this.#headers.accepted,
        headersBelowThreshold: this.#headers.belowThreshold,
      },
    };
  }

  /** The active tip and up to `limit − 1` other branch tips (Core's getchaintips). */
  chainTips(limit: number): ChainTipView[] {
    const blocks = this.#blocks;
    return chainTips(this.#chain, limit, {
      held: (hash) => blocks.records.has(hash),
      invalid: (hash) => blocks.invalid(hash),
    });
  }

  // ---- announcements from peers ----

  /** Headers a peer sent (in `headers`, or a `cmpctblock`'s): downloads they made possible. */
  #onHeaders(st: PeerState, headers: readonly BlockHeader[]): void {
    const { fetch, tipMoved } = this.#headers.onHeaders(st, headers);
    // A new tip near the present is fetched from its announcer at once, syncing or not.
    if (tipMoved && this.#fetch.tipIsRecent()) this.#fetch.fetchNew(st);
    if (fetch) this.#fetch.fetchAll(st);
  }

  #onInv(st: PeerState, items: readonly InvItem[]): void {
    let unknown: Uint8Array | null = null;
    for (const item of items) {
      const base = item.type & ~MSG_WITNESS_FLAG;
      if (base === MSG_TX || base === MSG_WTX) {
        this.#counters.txInvIgnored++;
        continue;
      }
      if (base !== MSG_BLOCK) continue;
      if (this.#chain.has(item.hash)) this.#headers.noteHeight(st, item.hash);
      else unknown = item.hash;
    }
    if (unknown !== null) this.#headers.announcedUnknown(st, unknown);
    this.#fetch.fetchFrom(st);
  }

  // ---- blocks ----

  #onBlock(peer: SyncPeer, st: PeerState | undefined, raw: Uint8Array): void {
    if (this.#blocks.refuseShort(peer, raw)) return;
    const registered = st !== undefined && st.peer === peer;
    const hash = blockHeaderHash(this.#sha256, raw);
    // Asked of anyone: Core's IsBlockRequested (a late copy from another peer counts).
    const requested = this.#download.release(hash) !== undefined;
    peer.known.add(hash);
    if (!this.#blocks.duplicate(hash)) {
      const result = this.#accept({
        bytes: raw,
        from: peer,
        registered,
        origin: requested ? "requested" : "unrequested",
      });
      if (result.status === "accepted" && registered) st.chain.lastBlockAt = this.#clock.now();
    }
    this.#fetch.fetchAll(registered ? st : undefined);
  }

  /** Processes a block (and the orphans it connects); announces the new tip among them. */
  #accept(incoming: IncomingBlock): BlockAcceptResult {
    const { result, tip } = this.#blocks.process(incoming);
    if (tip !== null) this.#announce(tip);
    return result;
  }

  /**
   * Announces the tip block to every peer not known to have it, except its
   * sender (the high-bandwidth peers it was pushed to have it by now).
   */
  #announce({ hash, height, from }: TipBlock): void {
    const pushed = this.#pushed !== null && bytesEqual(this.#pushed.hash, hash)
      ? this.#pushed.to
      : [];
    this.#pushed = null;
    const to: string[] = pushed.map((peer) => peer.toString());
    for (const { peer } of this.#peers.values()) {
      if (peer === from || peer.id === from?.id || peer.known.has(hash)) continue;
      if (!peer.send(blockAnnouncement(this.#chain, hash, peer))) continue;
      peer.known.add(hash);
      to.push(peer.toString());
    }
    if (to.length === 0) return;
    const key = hashToHex(hash);
    const acceptedAt = this.#blocks.records.relayed(key, to);
    const latencyMs = acceptedAt === undefined ? 0 : Math.max(0, this.#clock.now() - acceptedAt);
    this.#counters.announcements += to.length;
    this.#log.debug("block announced", { hash: key, height, peers: to.length });
    this.#events.emit("relayed", { hash: key, height, to, latencyMs });
  }
}
