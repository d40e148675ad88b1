/**
 * The bounds and timings of a block manager, their defaults and the checks
 * that they fit together. Each default is the constant beside the code it
 * bounds, where its reason is written.
 */
import { MAX_HEADERS } from "../wire/messages/headers.ts";
import {
  BLOCK_DOWNLOAD_TIMEOUT_MS,
  MAX_BLOCKS_IN_FLIGHT,
  MAX_BLOCKS_IN_FLIGHT_PER_PEER,
} from "./block_download.ts";
import { MAX_BLOCK_RECORDS } from "./block_records.ts";
import { NODE_NETWORK_LIMITED_MIN_BLOCKS } from "./block_store.ts";
import { HEADERS_RESPONSE_TIMEOUT_MS } from "./header_sync.ts";
import { MAX_ORPHAN_BLOCKS, MAX_ORPHAN_BYTES } from "./orphan_pool.ts";
import { MAX_RECENT_BLOCK_BYTES, MAX_RECENT_BLOCKS } from "./recent_blocks.ts";

/** Delay between newly accepted headers and their save (batches a sync's writes). */
export const HEADER_SAVE_DELAY_MS = 5_000;

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
  /**
   * Heights of the best chain whose blocks are fetched and kept on disk,
   * counted down from the tip (`--keepblocks`).
   */
  readonly keepBlocks: number;
  /** Headers served per `headers` message; a received one this long means more follow. */
  readonly headersPerMessage: number;
  /** Accepted blocks remembered (duplicates, relay latency, the API). */
  readonly blockRecords: number;
  readonly orphanBlocks: number;
  readonly orphanBytes: number;
  readonly recentBlocks: number;
  readonly recentBytes: number;
  /** Delay before newly accepted headers are saved. */
  readonly headerSaveDelayMs: number;
}

/** The default bounds. */
export const DEFAULT_BLOCK_MANAGER_LIMITS: BlockManagerLimits = Object.freeze({
  blocksInFlightPerPeer: MAX_BLOCKS_IN_FLIGHT_PER_PEER,
  blocksInFlight: MAX_BLOCKS_IN_FLIGHT,
  blockTimeoutMs: BLOCK_DOWNLOAD_TIMEOUT_MS,
  headersTimeoutMs: HEADERS_RESPONSE_TIMEOUT_MS,
  keepBlocks: NODE_NETWORK_LIMITED_MIN_BLOCKS,
  headersPerMessage: MAX_HEADERS,
  blockRecords: MAX_BLOCK_RECORDS,
  orphanBlocks: MAX_ORPHAN_BLOCKS,
  orphanBytes: MAX_ORPHAN_BYTES,
  recentBlocks: MAX_RECENT_BLOCKS,
  recentBytes: MAX_RECENT_BLOCK_BYTES,
  headerSaveDelayMs: HEADER_SAVE_DELAY_MS,
});

/** The defaults with `overrides` applied; a RangeError when they do not fit together. */
export function blockManagerLimits(
  overrides: Partial<BlockManagerLimits> = {},
): BlockManagerLimits {
  const limits = { ...DEFAULT_BLOCK_MANAGER_LIMITS, ...overrides };
  if (!Number.isInteger(limits.keepBlocks) || limits.keepBlocks < 1) {
    throw new RangeError(`keepBlocks must be a positive integer`);
  }
  if (limits.headersPerMessage < 1 || limits.headersPerMessage > MAX_HEADERS) {
    throw new RangeError(`headersPerMessage must be 1..${MAX_HEADERS}`);
  }
  return limits;
}
