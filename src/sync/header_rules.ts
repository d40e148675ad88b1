/**
 * The rules a new header must pass before the header chain stores it, in
 * Core's order (CheckBlockHeader, then ContextualCheckBlockHeader): it meets
 * the proof of work of its nBits (within the network's limit), links to a
 * known header, carries the nBits the difficulty rules require, is later
 * than the median time of the previous 11 blocks, passes BIP94's timewarp
 * rule where enforced, is at most 2 hours ahead of network-adjusted time,
 * and carries at least the version the BIP34/66/65 heights require.
 * Checkpoints and signet's block signature (which needs the block, not the
 * header) are not checked. A refusal is a `HeaderError` naming the rule.
 *
 * The difficulty and median-time rules read the header's own branch, which
 * may be a side branch: `BranchReader` walks it down to the best chain.
 */
import { hashToHex } from "../wire/bytes.ts";
import type { NetworkParams } from "../wire/params.ts";
import { HeaderError } from "./header_error.ts";
import type { HeaderIndex } from "./header_index.ts";
import { powProblem } from "./pow.ts";
import { type AncestorReader, getNextWorkRequired } from "./retarget.ts";

/** How far a header's time may run ahead of network-adjusted time (Core chain.h). */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** Blocks whose median time a new block must exceed (Core nMedianTimeSpan). */
export const MEDIAN_TIME_SPAN = 11;
/** BIP94: how far before its parent a period's first block may be dated. */
export const MAX_TIMEWARP = 600;
/** The minimum versions and the height parameter from which each applies (BIP34, BIP66, BIP65). */
const VERSION_RULES = [
  { minimum: 2, from: "bip34Height" },
  { minimum: 3, from: "bip66Height" },
  { minimum: 4, from: "bip65Height" },
] as const;

/** What the rules read: the network, the stored headers, and the time. */
export interface HeaderContext {
  readonly params: NetworkParams;
  readonly index: HeaderIndex;
  /** Network-adjusted time, Unix milliseconds (for the 2-hour future limit). */
  readonly now: () => number;
}

/** What the rules found of a header that passed them. */
export interface CheckedHeader {
  /** Its parent's position in the index. */
  readonly parent: number;
  readonly height: number;
  /** Its nBits. */
  readonly bits: number;
}

/**
 * Reads a branch's blocks by height, for the difficulty and median-time
 * rules. A cursor walks down from the branch tip; once it reaches the best
 * chain, lower heights are direct lookups. Requests usually go downward, so
 * a side branch is walked once per header, and only as far as needed.
 */
class BranchReader implements AncestorReader {
  readonly #index: HeaderIndex;
  readonly #tip: number;
  readonly #tipHeight: number;
  #cursor: number;
  #cursorHeight: number;
  /** True once the cursor is on the best chain. */
  #joined: boolean;

  constructor(index: HeaderIndex, tip: number) {
    this.#index = index;
    this.#tip = tip;
    this.#tipHeight = index.heightOf(tip);
    this.#cursor = tip;
    this.#cursorHeight = this.#tipHeight;
    this.#joined = index.isBest(tip);
  }

  bitsAt(height: number): number {
    return this.#index.bitsOf(this.#at(height));
  }

  timeAt(height: number): number {
    return this.#index.timeOf(this.#at(height));
  }

  #at(height: number): number {
    if (height < 0 || height > this.#tipHeight) {
      throw new RangeError(`no block at height ${height} on a branch of ${this.#tipHeight}`);
    }
    const index = this.#index;
    if (height > this.#cursorHeight) {
      this.#cursor = this.#tip;
      this.#cursorHeight = this.#tipHeight;
      this.#joined = index.isBest(this.#tip);
    }
    while (!this.#joined && this.#cursorHeight > height) {
      this.#cursor = index.parentOf(this.#cursor);
      this.#cursorHeight--;
      this.#joined = index.isBest(this.#cursor);
    }
    return this.#joined ? index.bestAt(height) : this.#cursor;
  }
}

/** Median of the timestamps of the block at `height` and up to 10 before it. */
function medianTimePast(reader: AncestorReader, height: number): number {
  const times: number[] = [];
  for (let h = height; h >= 0 && times.length < MEDIAN_TIME_SPAN; h--) times.push(reader.timeAt(h));
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Median time past (of it and up to 10 ancestors) of the stored header `at`, Unix seconds. */
export function medianTimePastAt(index: HeaderIndex, at: number): number {
  return medianTimePast(new BranchReader(index, at), index.heightOf(at));
}

/** Little-endian i32 at `at` (a header's version is signed, as Core's nVersion). */
function i32At(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
}

/** Little-endian u32 at `at`. */
function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** The nBits of an 80-byte header. */
export function headerBits(raw: Uint8Array): number {
  return u32At(raw, 72);
}

/**
 * Checks the 80-byte header `raw` (sha256d `hash`, not stored yet) against
 * every rule, in order; throws `HeaderError` at the first it breaks.
 */
export function checkHeader(ctx: HeaderContext, raw: Uint8Array, hash: Uint8Array): CheckedHeader {
  const { index, params } = ctx;
  const bits = headerBits(raw);
  const problem = powProblem(hash, bits, params.powLimit);
  if (problem !== null) {
    throw new HeaderError(
      "bad-pow",
      `proof of work fails (${problem}) for nBits 0x${bits.toString(16).padStart(8, "0")}`,
      hashToHex(hash),
    );
  }
  const parent = index.find(raw.subarray(4, 36));
  if (parent < 0) {
    throw new HeaderError(
      "unknown-parent",
      `its parent ${hashToHex(raw.subarray(4, 36))} is not a known header`,
      hashToHex(hash),
    );
  }
  const parentHeight = index.heightOf(parent);
  const height = parentHeight + 1;
  const time = u32At(raw, 68);
  const reader = new BranchReader(index, parent);
  const required = getNextWorkRequired(params, parentHeight, reader, time);
  if (bits !== required) {
    throw new HeaderError(
      "bad-diffbits",
      `nBits 0x${bits.toString(16)} at height ${height}; the difficulty rules require 0x${
        required.toString(16)
      }`,
      hashToHex(hash),
    );
  }
  const median = medianTimePast(reader, parentHeight);
  if (time <= median) {
    throw new HeaderError(
      "time-too-old",
      `time ${time} is not after the median time ${median} of the previous blocks`,
      hashToHex(hash),
    );
  }
  if (
    params.enforceBip94 && height % params.difficultyAdjustmentInterval === 0 &&
    time < reader.timeAt(parentHeight) - MAX_TIMEWARP
  ) {
    throw new HeaderError(
      "time-timewarp",
      `time ${time} is more than ${MAX_TIMEWARP} s before its parent's at a retarget`,
      hashToHex(hash),
    );
  }
  const limit = Math.floor(ctx.now() / 1000) + MAX_FUTURE_BLOCK_TIME;
  if (time > limit) {
    throw new HeaderError(
      "time-too-new",
      `time ${time} is more than ${MAX_FUTURE_BLOCK_TIME} s ahead of adjusted time`,
      hashToHex(hash),
    );
  }
  const version = i32At(raw, 0);
  for (const rule of VERSION_RULES) {
    if (version < rule.minimum && height >= params[rule.from]) {
      throw new HeaderError(
        "bad-version",
        `version 0x${(version >>> 0).toString(16).padStart(8, "0")} at height ${height}; ` +
          `at least ${rule.minimum} from height ${params[rule.from]}`,
        hashToHex(hash),
      );
    }
  }
  return { parent, height, bits };
}
