/**
 * The block manager's answers as the node shows them (hashes in display
 * hex): its status snapshot and running totals, the last headers of the
 * best chain, and what became of a block submitted locally (Core's
 * `submitblock`).
 */
import { hashToHex } from "../wire/bytes.ts";
import type { BlockAcceptResult } from "./block_accept.ts";
import type { BlockFetchCounters } from "./block_fetch.ts";
import type { BlockIntakeCounters } from "./block_intake.ts";
import type { BlockServingCounters } from "./block_serving.ts";
import type { BlockStoreStatus } from "./block_store.ts";
import type { CompactRelayCounters } from "./compact_relay.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { PresyncStatus } from "./header_intake.ts";
import type { HeaderSyncState } from "./header_sync.ts";
import type { HeaderSyncStatus } from "./sync_progress.ts";

/** Offset of the timestamp in an 80-byte header. */
const HEADER_TIME_OFFSET = 68;

/** The block manager's running totals. */
export interface BlockManagerCounters
  extends BlockIntakeCounters, CompactRelayCounters, BlockServingCounters, BlockFetchCounters {
  /** Announcements sent (one per peer per block). */
  readonly announcements: number;
  readonly headersAccepted: number;
  /** Headers received on chains below the anti-DoS work threshold, not stored. */
  readonly headersBelowThreshold: number;
  /** Transaction entries in `inv` messages (blocks-only: ignored). */
  readonly txInvIgnored: number;
  /** `tx` messages (blocks-only: ignored). */
  readonly txIgnored: number;
  /** Messages (other than block and getheaders/getblocks) from peers never added. */
  readonly unknownPeerMessages: number;
}

/** A snapshot of the block manager. */
export interface BlockManagerStatus {
  readonly tip: { readonly hash: string; readonly height: number; readonly time: number };
  /** Headers held, every branch, genesis included. */
  readonly headersStored: number;
  readonly headerSync: HeaderSyncStatus & {
    readonly state: HeaderSyncState;
    /** The sync peer's string form, or null. */
    readonly syncPeer: string | null;
    /** The leading presync, while a peer's chain is below the work threshold. */
    readonly presync: PresyncStatus | null;
  };
  readonly peers: number;
  readonly blocksInFlight: number;
  readonly orphans: { readonly count: number; readonly bytes: number };
  readonly recentBlocks: { readonly count: number; readonly bytes: number };
  /** The block store on disk (all zero/null before `loadBlocks`). */
  readonly blockStore: BlockStoreStatus;
  /** Accepted blocks remembered. */
  readonly blockRecords: number;
  /** Peers new blocks are pushed to as `cmpctblock` (string forms). */
  readonly highBandwidthPeers: readonly string[];
  readonly counters: BlockManagerCounters;
}

/** One header of the best chain. */
export interface HeaderView {
  /** Display-order hex. */
  readonly hash: string;
  readonly height: number;
  /** Header timestamp, Unix seconds. */
  readonly time: number;
}

/** What became of a submitted block. */
export type SubmitResult =
  | {
    /** Accepted now, held as an orphan (parent unknown), or already accepted before. */
    readonly status: "accepted" | "orphan" | "duplicate";
    /** Display-order hex. */
    readonly hash: string;
    /** Its height; null for an orphan (its parent is unknown). */
    readonly height: number | null;
  }
  | {
    readonly status: "rejected";
    /** Display-order hex, or null when the bytes are not a block. */
    readonly hash: string | null;
    /** The rejection reason (`decode`, `bad-pow`, `bad-txnmrklroot`…). */
    readonly reason: string;
    /** What was wrong. */
    readonly message: string;
  };

/** The last `count` headers of `chain`'s best chain, newest first. */
export function recentHeaders(chain: HeaderChain, count: number): HeaderView[] {
  const out: HeaderView[] = [];
  for (let h = chain.tipHeight; h >= 0 && out.length < count; h--) {
    const hash = chain.hashAt(h)!;
    const raw = chain.header(hash)!;
    const time = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
      .getUint32(HEADER_TIME_OFFSET, true);
    out.push({ hash: hashToHex(hash), height: h, time });
  }
  return out;
}

/** What acceptance said of a submitted block, as a `SubmitResult`. */
export function submitResult(result: BlockAcceptResult): SubmitResult {
  switch (result.status) {
    case "accepted":
      return { status: "accepted", hash: hashToHex(result.hash), height: result.height };
    case "orphan":
      return { status: "orphan", hash: hashToHex(result.hash), height: null };
    case "ignored": // never for a local block (no anti-DoS rule applies); reported as refused
    case "rejected":
      return {
        status: "rejected",
        hash: result.hash === null ? null : hashToHex(result.hash),
        reason: result.reason,
        message: result.message,
      };
  }
}
