/**
 * Header presync: downloading a peer's long header chain twice so that a
 * chain below the anti-DoS work threshold costs us no storage (Core's
 * HeadersSyncState, src/headerssync.cpp; the rules and constants are
 * Core's, the code our own).
 *
 * 1. Presync. Headers are checked for linkage, proof of work (by the
 *    caller, before) and a permitted difficulty transition, their work
 *    summed, and nothing kept but one bit per `commitmentPeriod` headers, at
 *    heights ≡ a secret random offset: the low bit of a salted SHA-256 of
 *    the header's hash, under a secret random salt. A chain longer than 6
 *    blocks a second since the chain start's median time past (the fastest
 *    the median-time rule allows) is refused. A short message before the
 *    work reaches the threshold ends it: the chain is too light.
 * 2. Redownload. Once the work reaches the threshold, the same headers are
 *    asked for again from the chain start. Each must link, transition
 *    permissibly and, at a commitment height, match its bit; it waits in a
 *    buffer (48 bytes a header: the previous hash is implied) until
 *    `redownloadBufferSize` more have been checked after it, and is only
 *    then handed back for storing. Once the redownloaded work reaches the
 *    threshold, everything buffered is handed back and no bit is checked
 *    any more (the peer's chain may have grown meanwhile).
 *
 * A peer that shows one chain in presync and another in redownload fails a
 * commitment with probability 1/2 per bit; about 24 bits lie in a buffer's
 * worth of headers, so a substituted chain is caught before any of it is
 * stored, except with probability about 2^-24. Memory in presync is the
 * bits (under 200 bytes for 900,000 headers at mainnet's period); in
 * redownload, the buffer (about 800 KB at mainnet's parameters).
 */
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import { BLOCK_HEADER_SIZE } from "../wire/block_header.ts";
import { bytesEqual } from "../wire/bytes.ts";
import { sha256dInto } from "../wire/hash.ts";
import { MAX_HEADERS } from "../wire/messages/headers.ts";
import type { NetworkParams } from "../wire/params.ts";
import { MAX_FUTURE_BLOCK_TIME } from "./header_rules.ts";
import { permittedDifficultyTransition } from "./retarget.ts";

/**
 * Blocks per second the median-time rule allows at most (a block must be
 * later than the median of the 11 before it: 6 can share one second), the
 * bound on how many headers a chain can have for its time (Core).
 */
export const MAX_BLOCKS_PER_SECOND = 6;
/** Bytes a header takes in the redownload buffer: all but its previous hash (Core CompressedHeader). */
export const COMPRESSED_HEADER_SIZE = 48;
/** Bytes of the secret salt of the commitment hash. */
const SALT_SIZE = 32;
/** Offsets of the fields of a serialized header. */
const PREV_OFFSET = 4;
const MERKLE_OFFSET = 36;
const TIME_OFFSET = 68;
const BITS_OFFSET = 72;

/** Where presync stands. */
export type PresyncPhase =
  /** Checking the peer's chain and keeping commitment bits. */
  | "presync"
  /** The chain reached the threshold: asked again, checked against the bits, handed back. */
  | "redownload"
  /** Over (done, given up, or failed): the object is spent. */
  | "final";

/** Why a presync ended without the chain being handed back whole. */
export type PresyncFailure =
  /** A message that does not extend the last header (the peer may have switched chains). */
  | "non-continuous"
  /** A difficulty change the rules do not permit at that height. */
  | "bad-difficulty"
  /** More headers than a chain can have for its time. */
  | "too-long"
  /** A short message before the chain reached the threshold (presync) or the target (redownload). */
  | "incomplete"
  /** A redownloaded header at a commitment height does not match its bit. */
  | "commitment-mismatch"
  /** More commitment heights in redownload than in presync, before the threshold. */
  | "commitment-overrun";

/** The stored header a peer's chain forks from. */
export interface PresyncStart {
  /** Wire order. */
  readonly hash: Uint8Array;
  readonly height: number;
  /** Total work up to and including it. */
  readonly chainWork: bigint;
  /** Its nBits. */
  readonly bits: number;
  /** Its timestamp, Unix seconds. */
  readonly time: number;
  /** Median time past at it, Unix seconds. */
  readonly medianTimePast: number;
  /** A block locator from it (asked after the last header in each request). */
  readonly locator: readonly Uint8Array[];
}

/** What a `HeadersPresync` needs. */
export interface HeadersPresyncOptions {
  /** Difficulty rules and `headersSync` (commitment period, buffer size). */
  readonly params: NetworkParams;
  readonly sha256: Sha256;
  /** The secret offset and salt come from here. */
  readonly random: Random;
  readonly start: PresyncStart;
  /** The work the chain must reach (the anti-DoS threshold when presync began). */
  readonly minimumWork: bigint;
  /** Now, Unix seconds (bounds the chain's length). */
  readonly nowSeconds: number;
  /** Work of one header with these nBits (the chain's cached `workOf`). */
  readonly workOf: (bits: number) => bigint;
}

/** What one `headers` message did. */
export interface PresyncResult {
  /** False when the message ended the presync in failure (`failure` says why). */
  readonly success: boolean;
  /** True when the peer should be asked for more, from `locator()`. */
  readonly requestMore: boolean;
  /** Why it ended, when it did without handing back the whole chain; else null. */
  readonly failure: PresyncFailure | null;
  /** Headers now ready to store, in order (80-byte views into one buffer). */
  readonly ready: Uint8Array[];
  /** Their hashes, back to back (32 bytes each). */
  readonly readyHashes: Uint8Array;
}

/** One peer's download-twice header sync. */
export class HeadersPresync {
  readonly #o: HeadersPresyncOptions;
  readonly #period: number;
  readonly #offset: number;
  readonly #salt: Uint8Array;
  readonly #maxCommitments: number;
  /** Scratch: salt || hash. */
  readonly #saltedInput = new Uint8Array(SALT_SIZE + 32);
  #phase: PresyncPhase = "presync";
  // Presync.
  /** Commitment bits, a bit queue: pushed at `#bitsPushed`, read from `#bitsRead`. */
  #bits = new Uint8Array(0);
  #bitsPushed = 0;
  #bitsRead = 0;
  #work: bigint;
  #height: number;
  #lastHash: Uint8Array;
  #lastBits: number;
  #lastTime: number;
  // Redownload.
  /** Ring of compressed headers: `#bufferCount` from slot `#bufferHead`. */
  #buffer = new Uint8Array(0);
  #bufferHead = 0;
  #bufferCount = 0;
  #redownloadHeight = 0;
  #redownloadWork = 0n;
  #redownloadLastHash: Uint8Array;
  #redownloadLastBits = 0;
  /** Previous hash of the oldest buffered header. */
  #firstPrevHash: Uint8Array;
  /** Redownloaded work reached the threshold: hand back everything, check no more bits. */
  #releaseAll = false;

  constructor(options: HeadersPresyncOptions) {
    this.#o = options;
    const { params, start, random } = options;
    this.#period = params.headersSync.commitmentPeriod;
    if (!(this.#period > 0)) throw new RangeError("headersSync.commitmentPeriod must be positive");
    this.#offset = random.int(this.#period);
    this.#salt = random.bytes(SALT_SIZE);
    this.#saltedInput.set(this.#salt);
    const seconds = Math.max(0, options.nowSeconds - start.medianTimePast) + MAX_FUTURE_BLOCK_TIME;
    this.#maxCommitments = Math.floor(MAX_BLOCKS_PER_SECOND * seconds / this.#period);
    this.#work = start.chainWork;
    this.#height = start.height;
    this.#lastHash = start.hash.slice();
    this.#lastBits = start.bits;
    this.#lastTime = start.time;
    this.#redownloadLastHash = this.#lastHash;
    this.#firstPrevHash = this.#lastHash;
  }

  /** Where it stands. */
  get phase(): PresyncPhase {
    return this.#phase;
  }

  /** Height reached in presync (the chain start's until a header arrives). */
  get height(): number {
    return this.#height;
  }

  /** Timestamp of the last presync header (the chain start's before one), Unix seconds. */
  get time(): number {
    return this.#lastTime;
  }

  /** Work of the presync chain so far. */
  get work(): bigint {
    return this.#work;
  }

  /** Height reached in redownload (the chain start's before). */
  get redownloadHeight(): number {
    return this.#phase === "redownload" ? this.#redownloadHeight : this.#o.start.height;
  }

  /** Most commitment bits this chain may need (its length bound). */
  get maxCommitments(): number {
    return this.#maxCommitments;
  }

  /** Bytes held for this peer: the bit queue and the redownload buffer. */
  memoryBytes(): number {
    return this.#bits.byteLength + this.#buffer.byteLength + this.#saltedInput.byteLength +
      this.#o.start.locator.length * 32;
  }

  /**
   * The locator of the next `getheaders`: the last header received (presync)
   * or redownloaded (redownload), then the chain start's locator.
   */
  locator(): Uint8Array[] {
    if (this.#phase === "final") return [];
    const last = this.#phase === "presync" ? this.#lastHash : this.#redownloadLastHash;
    return [last.slice(), ...this.#o.start.locator];
  }

  /**
   * Takes one `headers` message: `raws` (80 bytes each, already checked to
   * meet their own proof of work and to link to each other) with their
   * `hashes` back to back; `full` when it was as long as a message may be.
   */
  process(raws: readonly Uint8Array[], hashes: Uint8Array, full: boolean): PresyncResult {
    if (this.#phase === "final" || raws.length === 0) {
      return this.#result(false, false, this.#phase === "final" ? null : "incomplete");
    }
    if (this.#phase === "presync") {
      const failure = this.#presync(raws, hashes);
      if (failure !== null) return this.#result(false, false, failure);
      // Reaching the threshold asks again from the start: more is wanted either way.
      if (full || this.#work >= this.#o.minimumWork) return this.#result(true, true, null);
      return this.#result(true, false, "incomplete");
    }
    for (let i = 0; i < raws.length; i++) {
      const failure = this.#redownload(raws[i], hashes.subarray(32 * i, 32 * i + 32));
      if (failure !== null) return this.#result(false, false, failure);
    }
    const { ready, readyHashes } = this.#popReady();
    if (this.#bufferCount === 0 && this.#releaseAll) {
      return this.#result(true, false, null, ready, readyHashes);
    }
    if (full) return this.#result(true, true, null, ready, readyHashes);
    return this.#result(true, false, "incomplete", ready, readyHashes);
  }

  #result(
    success: boolean,
    requestMore: boolean,
    failure: PresyncFailure | null,
    ready: Uint8Array[] = [],
    readyHashes: Uint8Array = new Uint8Array(0),
  ): PresyncResult {
    if (!(success && requestMore)) this.#finish();
    return { success, requestMore, failure, ready, readyHashes };
  }

  /** Frees everything; the object is spent. */
  #finish(): void {
    this.#phase = "final";
    this.#bits = new Uint8Array(0);
    this.#buffer = new Uint8Array(0);
    this.#bufferCount = 0;
  }

  #presync(raws: readonly Uint8Array[], hashes: Uint8Array): PresyncFailure | null {
    if (!bytesEqual(raws[0].subarray(PREV_OFFSET, PREV_OFFSET + 32), this.#lastHash)) {
      return "non-continuous";
    }
    const { params, workOf } = this.#o;
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i];
      const height = this.#height + 1;
      const bits = u32At(raw, BITS_OFFSET);
      if (!permittedDifficultyTransition(params, height, this.#lastBits, bits)) {
        return "bad-difficulty";
      }
      if (height % this.#period === this.#offset) {
        if (this.#bitsPushed >= this.#maxCommitments) return "too-long";
        this.#pushBit(this.#commitment(hashes, i));
      }
      this.#work += workOf(bits);
      this.#height = height;
      this.#lastBits = bits;
      this.#lastTime = u32At(raw, TIME_OFFSET);
    }
    this.#lastHash = hashes.slice(32 * (raws.length - 1), 32 * raws.length);
    if (this.#work >= this.#o.minimumWork) this.#startRedownload();
    return null;
  }

  #startRedownload(): void {
    const { start, params } = this.#o;
    this.#phase = "redownload";
    this.#redownloadHeight = start.height;
    this.#redownloadWork = start.chainWork;
    this.#redownloadLastHash = start.hash.slice();
    this.#redownloadLastBits = start.bits;
    this.#firstPrevHash = this.#redownloadLastHash;
    this.#buffer = new Uint8Array(
      (params.headersSync.redownloadBufferSize + MAX_HEADERS) * COMPRESSED_HEADER_SIZE,
    );
    this.#bufferHead = 0;
    this.#bufferCount = 0;
  }

  #redownload(raw: Uint8Array, hash: Uint8Array): PresyncFailure | null {
    const height = this.#redownloadHeight + 1;
    if (!bytesEqual(raw.subarray(PREV_OFFSET, PREV_OFFSET + 32), this.#redownloadLastHash)) {
      return "non-continuous";
    }
    const bits = u32At(raw, BITS_OFFSET);
    if (!permittedDifficultyTransition(this.#o.params, height, this.#redownloadLastBits, bits)) {
      return "bad-difficulty";
    }
    this.#redownloadWork += this.#o.workOf(bits);
    if (this.#redownloadWork >= this.#o.minimumWork) this.#releaseAll = true;
    if (!this.#releaseAll && height % this.#period === this.#offset) {
      if (this.#bitsRead >= this.#bitsPushed) return "commitment-overrun";
      if (this.#commitment(hash, 0) !== this.#popBit()) return "commitment-mismatch";
    }
    const capacity = this.#buffer.length / COMPRESSED_HEADER_SIZE;
    if (this.#bufferCount >= capacity) return "too-long"; // a message beyond MAX_HEADERS
    const slot = ((this.#bufferHead + this.#bufferCount) % capacity) * COMPRESSED_HEADER_SIZE;
    this.#buffer.set(raw.subarray(0, PREV_OFFSET), slot);
    this.#buffer.set(raw.subarray(MERKLE_OFFSET, BLOCK_HEADER_SIZE), slot + PREV_OFFSET);
    this.#bufferCount++;
    this.#redownloadHeight = height;
    this.#redownloadLastHash = hash.slice(0, 32);
    this.#redownloadLastBits = bits;
    return null;
  }

  /** The buffered headers that may be stored now, rebuilt whole, with their hashes. */
  #popReady(): { ready: Uint8Array[]; readyHashes: Uint8Array } {
    const keep = this.#releaseAll ? 0 : this.#o.params.headersSync.redownloadBufferSize;
    const n = Math.max(0, this.#bufferCount - keep);
    const out = new Uint8Array(n * BLOCK_HEADER_SIZE);
    const hashes = new Uint8Array(n * 32);
    const ready: Uint8Array[] = new Array(n);
    const capacity = this.#buffer.length / COMPRESSED_HEADER_SIZE;
    let prev = this.#firstPrevHash;
    for (let i = 0; i < n; i++) {
      const slot = this.#bufferHead * COMPRESSED_HEADER_SIZE;
      const at = i * BLOCK_HEADER_SIZE;
      out.set(this.#buffer.subarray(slot, slot + PREV_OFFSET), at);
      out.set(prev, at + PREV_OFFSET);
      out.set(
        this.#buffer.subarray(slot + PREV_OFFSET, slot + COMPRESSED_HEADER_SIZE),
        at + MERKLE_OFFSET,
      );
      ready[i] = out.subarray(at, at + BLOCK_HEADER_SIZE);
      sha256dInto(this.#o.sha256, ready[i], hashes, i * 32);
      prev = hashes.subarray(i * 32, i * 32 + 32);
      this.#bufferHead = (this.#bufferHead + 1) % capacity;
      this.#bufferCount--;
    }
    if (n > 0) this.#firstPrevHash = prev.slice();
    return { ready, readyHashes: hashes };
  }

  /** The commitment bit of the hash at `hashes[32i, 32i + 32)`: a salted hash's low bit. */
  #commitment(hashes: Uint8Array, i: number): number {
    this.#saltedInput.set(hashes.subarray(32 * i, 32 * i + 32), SALT_SIZE);
    return this.#o.sha256(this.#saltedInput)[0] & 1;
  }

  #pushBit(bit: number): void {
    const byte = this.#bitsPushed >>> 3;
    if (byte >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(16, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    if (bit) this.#bits[byte] |= 1 << (this.#bitsPushed & 7);
    this.#bitsPushed++;
  }

  #popBit(): number {
    const bit = (this.#bits[this.#bitsRead >>> 3] >>> (this.#bitsRead & 7)) & 1;
    this.#bitsRead++;
    return bit;
  }
}

/** Little-endian u32 at `at`. */
function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}
