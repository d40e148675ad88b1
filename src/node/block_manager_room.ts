/**
 * The node's block room: a `HeaderChain` saved in the data directory
 * (`HeaderPersistence`) and the `BlockManager` that syncs, downloads,
 * accepts and relays over it. `load` fills the chain from the stored
 * headers; `start` creates the manager (peers are handed to it from then
 * on); `stop` stops it, which saves the headers one last time.
 *
 * The manager's "accepted" and "relayed" events go to the node's callbacks,
 * the latter with the relay latency: seconds from a block's acceptance to
 * its announcement.
 */
import type { Logger } from "../log/logger.ts";
import type { Peer } from "../peer/peer.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import type { KvStore } from "../platform/storage.ts";
import {
  type BlockAcceptedEvent,
  BlockManager,
  type BlockRelayedEvent,
  type RecentBlockView,
} from "../sync/block_manager.ts";
import { HeaderChain } from "../sync/header_chain.ts";
import { HeaderPersistence } from "../sync/header_persist.ts";
import { BLOCK_HEADER_SIZE, blockHeaderHash } from "../wire/block_header.ts";
import { hashToHex } from "../wire/bytes.ts";
import type { Message } from "../wire/message.ts";
import type { NetworkParams } from "../wire/params.ts";
import type { BlockRoom, ChainTip, HeaderView, SubmitResult } from "./block_room.ts";
import type { NodeStatus } from "../api/source.ts";

/**
 * Acceptance times kept for the relay latency. A block is announced right
 * after it is accepted (in the same call), so a few suffice; 64 covers a
 * long run of orphans connected at once.
 */
export const RELAY_TIMES_KEPT = 64;
/** Offset of the timestamp in an 80-byte header. */
const HEADER_TIME_OFFSET = 68;

/** What a `BlockManagerRoom` needs. */
export interface BlockManagerRoomOptions {
  readonly params: NetworkParams;
  readonly sha256: Sha256;
  readonly clock: Clock;
  /** Records go here as given (pass e.g. `root.child("sync")`). */
  readonly logger: Logger;
  /** Tie-breaks between equal sync candidates. Default `cryptoRandom`. */
  readonly random?: Random;
  /** A block was accepted (received or submitted). */
  readonly onAccepted?: (event: BlockAcceptedEvent) => void;
  /** A block was announced to peers, `latencySeconds` after it was accepted. */
  readonly onRelayed?: (event: BlockRelayedEvent, latencySeconds: number) => void;
}

/** Header sync progress, block download and relay for the node. */
export class BlockManagerRoom implements BlockRoom {
  /** The header chain (genesis until `load`). */
  readonly #chain: HeaderChain;
  readonly #options: BlockManagerRoomOptions;
  readonly #log: Logger;
  /** Acceptance time (Unix ms) by display hash, oldest first. */
  readonly #acceptedAt = new Map<string, number>();
  #persistence: HeaderPersistence | undefined;
  #manager: BlockManager | null = null;
  #stopped = false;

  constructor(options: BlockManagerRoomOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#chain = new HeaderChain({
      params: options.params,
      sha256: options.sha256,
      now: () => options.clock.now(),
    });
  }

  /** Fills the chain from the headers stored in `store`; they are saved there from now on. */
  async load(store: KvStore): Promise<Record<string, unknown>> {
    const o = this.#options;
    const persistence = this.#persistence = new HeaderPersistence({
      store,
      chain: this.#chain,
      sha256: o.sha256,
      now: () => o.clock.now(),
      logger: this.#log,
    });
    const report = await persistence.load();
    return {
      headers: report.loaded,
      height: this.#chain.tipHeight,
      ...(report.problem === null ? {} : { headersSetAside: report.setAside.length }),
    };
  }

  /** Creates the block manager over the loaded chain. Later calls do nothing. */
  start(): void {
    if (this.#manager !== null || this.#stopped) return;
    const o = this.#options;
    const manager = this.#manager = new BlockManager({
      params: o.params,
      chain: this.#chain,
      persistence: this.#persistence,
      sha256: o.sha256,
      clock: o.clock,
      logger: this.#log,
      random: o.random,
    });
    manager.on("accepted", (event) => {
      this.#acceptedAt.set(event.hash, event.receivedAt);
      while (this.#acceptedAt.size > RELAY_TIMES_KEPT) {
        this.#acceptedAt.delete(this.#acceptedAt.keys().next().value as string);
      }
      o.onAccepted?.(event);
    });
    manager.on("relayed", (event) => {
      const at = this.#acceptedAt.get(event.hash);
      const latency = at === undefined ? 0 : Math.max(0, o.clock.now() - at) / 1000;
      o.onRelayed?.(event, latency);
    });
  }

  addPeer(peer: Peer): void {
    this.#manager?.addPeer(peer);
  }

  removePeer(peer: Peer): void {
    this.#manager?.removePeer(peer.id);
  }

  onMessage(peer: Peer, msg: Message): void {
    this.#manager?.onMessage(peer, msg);
  }

  tip(): ChainTip {
    const tip = this.#chain.tip();
    return { height: tip.height, hash: hashToHex(tip.hash) };
  }

  sync(): NodeStatus["sync"] {
    const s = this.#manager?.status().headerSync;
    return {
      height: this.#chain.tipHeight,
      bestPeerHeight: s?.bestPeerHeight ?? -1,
      headersPerSecond: s?.headersPerSecond ?? 0,
      caughtUp: s?.caughtUp ?? false,
    };
  }

  recentHeaders(count: number): HeaderView[] {
    const out: HeaderView[] = [];
    const chain = this.#chain;
    for (let h = chain.tipHeight; h >= 0 && out.length < count; h--) {
      const hash = chain.hashAt(h)!;
      const raw = chain.header(hash)!;
      const time = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
        .getUint32(HEADER_TIME_OFFSET, true);
      out.push({ hash: hashToHex(hash), height: h, time });
    }
    return out;
  }

  recentBlocks(limit: number): RecentBlockView[] {
    return this.#manager?.recentBlocks(limit) ?? [];
  }

  submit(bytes: Uint8Array): SubmitResult | null {
    const manager = this.#manager;
    if (manager === null || this.#stopped) return null;
    if (bytes.length >= BLOCK_HEADER_SIZE) {
      const hash = hashToHex(blockHeaderHash(this.#options.sha256, bytes));
      const known = manager.recentBlocks().find((b) => b.hash === hash);
      if (known !== undefined) return { status: "duplicate", hash, height: known.height };
    }
    const result = manager.injectBlock(bytes);
    switch (result.status) {
      case "accepted":
        return { status: "accepted", hash: hashToHex(result.hash), height: result.height };
      case "orphan":
        return { status: "orphan", hash: hashToHex(result.hash), height: null };
      case "rejected":
        return {
          status: "rejected",
          hash: result.hash === null ? null : hashToHex(result.hash),
          reason: result.reason,
          message: result.message,
        };
    }
  }

  /** Stops the manager (which saves the headers). Later calls do nothing. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#manager?.stop();
  }
}
