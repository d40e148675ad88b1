/**
 * The header chain: validates headers, keeps every valid one (best chain and
 * side branches) in the compact `HeaderIndex`, follows the branch with the
 * most work, and answers locator and getheaders questions.
 *
 * A header is accepted when it is 80 bytes, new, and passes the consensus
 * rules of `header_rules.ts` (proof of work, a known parent, difficulty,
 * median time, timewarp, future limit, version; Core's order), while the
 * index has room. Whether a header's chain has enough work to be stored at
 * all (`antiDosWorkThreshold`) is the caller's question: the chain stores
 * every valid header it is given.
 *
 * Chain work is exact (bigint): each branch tip's total is kept in a map, and
 * the best chain's total at every 2,016th height in a list, so the total of
 * any header is its branch's walk down to the best chain plus at most 2,015
 * per-header work values, never a walk from genesis.
 */
import type { Sha256 } from "../platform/hash.ts";
import { BLOCK_HEADER_SIZE } from "../wire/block_header.ts";
import { bytesEqual, fromHex, hashToHex } from "../wire/bytes.ts";
import { sha256d } from "../wire/hash.ts";
import { MAX_HEADERS, MAX_LOCATOR_HASHES } from "../wire/messages/headers.ts";
import type { NetworkParams } from "../wire/params.ts";
import { work } from "./compact_target.ts";
import { HeaderError } from "./header_error.ts";
import { HeaderIndex, MAX_INDEXED_HEADERS } from "./header_index.ts";
import { checkHeader, headerBits, type HeaderContext, medianTimePastAt } from "./header_rules.ts";

/** Locator entries after which the steps start doubling (the first 12 are one apart, as Core's). */
const LOCATOR_DENSE_ENTRIES = 10;
/** Heights between exact best-chain work checkpoints (one retarget period). */
const WORK_CHECKPOINT_INTERVAL = 2016;
/** Distinct nBits values whose work is cached (a few per retarget period are seen). */
const MAX_WORK_CACHE = 4096;
/**
 * Blocks of tip-difficulty work below our tip that a branch may stop short of
 * and still be stored: lets headers fork from near our tip (Core
 * GetAntiDoSWorkThreshold's 144-block buffer, one day of blocks).
 */
export const ANTI_DOS_TIP_BUFFER_BLOCKS = 144n;

/** What a `HeaderChain` needs. */
export interface HeaderChainOptions {
  /** The network: genesis, proof-of-work limit and difficulty rules. */
  readonly params: NetworkParams;
  readonly sha256: Sha256;
  /** Network-adjusted time, Unix milliseconds (for the 2-hour future limit). */
  readonly now: () => number;
}

/** What accepting a header did to the best chain. */
export type HeaderAcceptStatus =
  /** The header is the new tip, on top of the old one. */
  | "extended"
  /** The header's branch has more work: the best chain switched to it. */
  | "reorged"
  /** Stored on a branch with no more work than the best chain. */
  | "side";

/** One accepted header. */
export interface AcceptedHeader {
  /** Its hash, wire order (a copy). */
  readonly hash: Uint8Array;
  readonly height: number;
  readonly status: HeaderAcceptStatus;
  /** For "reorged": height of the last block the old and new best chains share. */
  readonly forkHeight: number;
  /** For "reorged": blocks that left the best chain (0 otherwise). */
  readonly disconnected: number;
}

/** The outcome of `acceptHeaders`. */
export interface HeadersBatchResult {
  /** Headers stored, in order. */
  readonly accepted: AcceptedHeader[];
  /** Headers skipped because they were already known. */
  readonly duplicates: number;
  /** The first refusal other than "duplicate" (processing stopped there), or null. */
  readonly error: HeaderError | null;
}

/** Where a known header sits. */
export interface HeaderInfo {
  readonly height: number;
  /** True when it is on the best chain. */
  readonly onBestChain: boolean;
  /** Total work of its chain, genesis to it (exact). */
  readonly chainWork: bigint;
}

/** A header no other extends (a branch tip), as Core's getchaintips lists it. */
export interface BranchTip {
  /** Wire order (a copy). */
  readonly hash: Uint8Array;
  readonly height: number;
  /** Headers between it and the best chain (0 for the best chain's tip). */
  readonly branchLength: number;
  /** Total work, genesis to it (exact). */
  readonly chainWork: bigint;
}

/** The best chain's tip. */
export interface ChainTip {
  /** Wire order (a copy). */
  readonly hash: Uint8Array;
  readonly height: number;
  /** Total work, genesis included. */
  readonly work: bigint;
  /** Its timestamp, Unix seconds. */
  readonly time: number;
}

/**
 * Every valid header we know, and the best chain among them. Starts with the
 * network's genesis header. Raw headers it returns are views into its
 * storage that never change; hashes it returns are copies.
 */
export class HeaderChain {
  /** The network this chain follows. */
  readonly params: NetworkParams;
  readonly #sha256: Sha256;
  readonly #index: HeaderIndex;
  /** What the header rules read. */
  readonly #context: HeaderContext;
  /** Exact total work of every header that has no child yet. */
  readonly #leafWork = new Map<number, bigint>();
  /** Exact best-chain total work at heights 0, 2016, 4032… */
  readonly #checkpoints: bigint[] = [];
  readonly #workCache = new Map<number, bigint>();
  #tip = 0;
  #tipWork = 0n;

  /** A chain holding only the genesis header of `options.params`. */
  constructor(options: HeaderChainOptions) {
    this.params = options.params;
    this.#sha256 = options.sha256;
    this.#index = new HeaderIndex(options.sha256);
    this.#context = { params: options.params, index: this.#index, now: options.now };
    const genesis = fromHex(options.params.genesisBlockHex).subarray(0, BLOCK_HEADER_SIZE);
    const hash = sha256d(options.sha256, genesis);
    if (hashToHex(hash) !== options.params.genesisHash) {
      throw new Error(
        `genesis header of ${options.params.name} hashes to ${hashToHex(hash)}, ` +
          `expected ${options.params.genesisHash}: the network parameters are inconsistent`,
      );
    }
    const index = this.#index.add(genesis, hash, -1);
    this.#index.setBest(index);
    this.#tipWork = this.#work(headerBits(genesis));
    this.#leafWork.set(index, this.#tipWork);
    this.#checkpoints.push(this.#tipWork);
  }

  /** Headers stored, genesis and side branches included. */
  get count(): number {
    return this.#index.count;
  }

  /** Height of the best chain's tip. */
  get tipHeight(): number {
    return this.#index.tipHeight;
  }

  /** Total work of the best chain (exact). */
  get tipWork(): bigint {
    return this.#tipWork;
  }

  /** The best chain's tip. */
  tip(): ChainTip {
    return {
      hash: this.#index.hashAt(this.#tip).slice(),
      height: this.#index.tipHeight,
      work: this.#tipWork,
      time: this.#index.timeOf(this.#tip),
    };
  }

  /**
   * Validates and stores one 80-byte header. Returns what it did to the best
   * chain; throws `HeaderError` when refused (nothing is stored then).
   * `hash` is its sha256d when the caller has it already (not checked).
   */
  acceptHeader(raw: Uint8Array, hash?: Uint8Array): AcceptedHeader {
    if (raw.length !== BLOCK_HEADER_SIZE) {
      throw new HeaderError("malformed", `a header is 80 bytes, got ${raw.length}`);
    }
    const index = this.#index;
    hash = hash === undefined ? sha256d(this.#sha256, raw) : hash.slice(0, 32);
    if (index.find(hash) >= 0) {
      throw new HeaderError("duplicate", "already known", hashToHex(hash));
    }
    const { parent, height, bits } = checkHeader(this.#context, raw, hash);
    const parentHeight = height - 1;
    if (index.count >= MAX_INDEXED_HEADERS) {
      throw new HeaderError("capacity", `the index holds ${index.count} headers, its maximum`);
    }
    const chainWork = this.#chainWork(parent) + this.#work(bits);
    const added = index.add(raw, hash, parent);
    this.#leafWork.delete(parent);
    this.#leafWork.set(added, chainWork);
    const result = { hash, height, forkHeight: parentHeight, disconnected: 0 };
    if (chainWork <= this.#tipWork) return { ...result, status: "side" };
    if (parent === this.#tip) {
      index.setBest(added);
      this.#tip = added;
      this.#tipWork = chainWork;
      if (height % WORK_CHECKPOINT_INTERVAL === 0) this.#checkpoints.push(chainWork);
      return { ...result, status: "extended" };
    }
    return { ...this.#reorganize(added, chainWork), hash, height };
  }

  /**
   * Accepts headers in order (a `headers` message). Known headers are
   * skipped and counted; the first other refusal stops the batch. `hashes`,
   * when the caller has them, holds their sha256d back to back (32 each).
   */
  acceptHeaders(raws: readonly Uint8Array[], hashes?: Uint8Array): HeadersBatchResult {
    const accepted: AcceptedHeader[] = [];
    let duplicates = 0;
    for (let i = 0; i < raws.length; i++) {
      try {
        accepted.push(this.acceptHeader(raws[i], hashes?.subarray(32 * i, 32 * i + 32)));
      } catch (error) {
        if (!(error instanceof HeaderError)) throw error;
        if (error.kind !== "duplicate") return { accepted, duplicates, error };
        duplicates++;
      }
    }
    return { accepted, duplicates, error: null };
  }

  /**
   * The work a header chain must reach to be stored (Core
   * GetAntiDoSWorkThreshold): the network's minimum chain work, or our tip's
   * work less `ANTI_DOS_TIP_BUFFER_BLOCKS` blocks at the tip's difficulty,
   * whichever is more. Below it a branch costs memory for nothing: it can
   * never become our best chain soon.
   */
  antiDosWorkThreshold(): bigint {
    const buffer = this.#work(this.#index.bitsOf(this.#tip)) * ANTI_DOS_TIP_BUFFER_BLOCKS;
    const nearTip = buffer < this.#tipWork ? this.#tipWork - buffer : 0n;
    const minimum = this.params.minimumChainWork;
    return nearTip > minimum ? nearTip : minimum;
  }

  /** The work one header with `bits` proves (0 for an unusable nBits), cached. */
  workOf(bits: number): bigint {
    return this.#work(bits);
  }

  /**
   * The branch tips (headers no other extends), the best chain's tip first,
   * then by height, highest first; at most `limit`.
   */
  tips(limit: number): BranchTip[] {
    const index = this.#index;
    const leaves = [...this.#leafWork.keys()].filter((at) => at !== this.#tip);
    leaves.sort((a, b) => index.heightOf(b) - index.heightOf(a));
    const out: BranchTip[] = [];
    for (const at of [this.#tip, ...leaves]) {
      if (out.length >= limit) break;
      let joint = at;
      while (!index.isBest(joint)) joint = index.parentOf(joint);
      const height = index.heightOf(at);
      out.push({
        hash: index.hashAt(at).slice(),
        height,
        branchLength: height - index.heightOf(joint),
        chainWork: this.#leafWork.get(at)!,
      });
    }
    return out;
  }

  /** True when `hash` (wire order) is a stored header. */
  has(hash: Uint8Array): boolean {
    return hash.length === 32 && this.#index.find(hash) >= 0;
  }

  /** Height, best-chain membership and chain work of a stored header. */
  info(hash: Uint8Array): HeaderInfo | undefined {
    const at = hash.length === 32 ? this.#index.find(hash) : -1;
    if (at < 0) return undefined;
    return {
      height: this.#index.heightOf(at),
      onBestChain: this.#index.isBest(at),
      chainWork: this.#chainWork(at),
    };
  }

  /** Median time past (of it and up to 10 ancestors) of a stored header, Unix seconds. */
  medianTimePast(hash: Uint8Array): number | undefined {
    const at = hash.length === 32 ? this.#index.find(hash) : -1;
    if (at < 0) return undefined;
    return medianTimePastAt(this.#index, at);
  }

  /** Height of `hash` when it is on the best chain. */
  heightOf(hash: Uint8Array): number | undefined {
    const at = hash.length === 32 ? this.#index.find(hash) : -1;
    return at >= 0 && this.#index.isBest(at) ? this.#index.heightOf(at) : undefined;
  }

  /** Hash (wire order, a copy) of the best chain's block at `height`. */
  hashAt(height: number): Uint8Array | undefined {
    const at = this.#index.bestAt(height);
    return at < 0 ? undefined : this.#index.hashAt(at).slice();
  }

  /** The raw header of `hash` (any branch), or undefined. */
  header(hash: Uint8Array): Uint8Array | undefined {
    const at = hash.length === 32 ? this.#index.find(hash) : -1;
    return at < 0 ? undefined : this.#index.rawAt(at);
  }

  /**
   * The `i`-th stored header in insertion order (0 is genesis; every parent
   * comes before its children), for persistence.
   */
  storedHeader(i: number): Uint8Array {
    if (i < 0 || i >= this.#index.count) {
      throw new RangeError(`no stored header ${i} of ${this.#index.count}`);
    }
    return this.#index.rawAt(i);
  }

  /**
   * A block locator from the tip (or from `from`, a stored header): hashes
   * newest first, the first 12 one apart, then doubling steps, ending with
   * genesis: about 12 + log2(height) entries, far below the 101 allowed.
   * Empty when `from` is unknown.
   */
  locator(from?: Uint8Array): Uint8Array[] {
    const start = from === undefined ? this.#tip : this.#index.find(from);
    if (start < 0) return [];
    const out: Uint8Array[] = [];
    let height = this.#index.heightOf(start);
    let step = 1;
    while (out.length < MAX_LOCATOR_HASHES) {
      out.push(this.#index.hashAt(this.#index.ancestorOf(start, height)).slice());
      if (height === 0) break;
      height = Math.max(height - step, 0);
      if (out.length > LOCATOR_DENSE_ENTRIES) step *= 2;
    }
    return out;
  }

  /**
   * The answer to `getheaders`: best-chain headers after the first locator
   * hash that is on our best chain (after genesis when none is), up to and
   * including `stop` (zero hash or null: no stop), at most `max` (≤ 2,000).
   * With an empty locator, only the header of `stop`, if known. Returns raw
   * 80-byte views.
   */
  getHeaders(
    locator: readonly Uint8Array[],
    stop: Uint8Array | null,
    max: number = MAX_HEADERS,
  ): Uint8Array[] {
    const index = this.#index;
    const limit = Math.min(Math.max(0, max), MAX_HEADERS);
    if (locator.length === 0) {
      const at = stop && stop.length === 32 ? index.find(stop) : -1;
      return at < 0 || limit === 0 ? [] : [index.rawAt(at)];
    }
    let fork = 0;
    for (const hash of locator) {
      const at = hash.length === 32 ? index.find(hash) : -1;
      if (at >= 0 && index.isBest(at)) {
        fork = index.heightOf(at);
        break;
      }
    }
    const out: Uint8Array[] = [];
    for (let h = fork + 1; h <= index.tipHeight && out.length < limit; h++) {
      const at = index.bestAt(h);
      out.push(index.rawAt(at));
      if (stop && bytesEqual(index.hashAt(at), stop)) break;
    }
    return out;
  }

  /** Bytes held by the header storage (index arrays; the small work maps excluded). */
  memoryBytes(): number {
    return this.#index.memoryBytes();
  }

  #work(bits: number): bigint {
    let value = this.#workCache.get(bits);
    if (value === undefined) {
      if (this.#workCache.size >= MAX_WORK_CACHE) this.#workCache.clear();
      value = work(bits);
      this.#workCache.set(bits, value);
    }
    return value;
  }

  /** Exact total work from genesis to the header at `at`. */
  #chainWork(at: number): bigint {
    const leaf = this.#leafWork.get(at);
    if (leaf !== undefined) return leaf;
    const index = this.#index;
    let sum = 0n;
    while (!index.isBest(at)) {
      sum += this.#work(index.bitsOf(at));
      at = index.parentOf(at);
    }
    return sum + this.#bestWorkAt(index.heightOf(at));
  }

  /** Exact total work of the best chain up to `height`. */
  #bestWorkAt(height: number): bigint {
    const index = this.#index;
    if (height === index.tipHeight) return this.#tipWork;
    const k = Math.floor(height / WORK_CHECKPOINT_INTERVAL);
    let sum = this.#checkpoints[k];
    // Runs of equal nBits cost one multiplication each.
    let runBits = -1;
    let run = 0n;
    for (let h = k * WORK_CHECKPOINT_INTERVAL + 1; h <= height; h++) {
      const bits = index.bitsOf(index.bestAt(h));
      if (bits === runBits) {
        run++;
        continue;
      }
      if (run > 0n) sum += this.#work(runBits) * run;
      runBits = bits;
      run = 1n;
    }
    if (run > 0n) sum += this.#work(runBits) * run;
    return sum;
  }

  /** Makes `newTip`'s branch the best chain. */
  #reorganize(
    newTip: number,
    chainWork: bigint,
  ): { status: "reorged"; forkHeight: number; disconnected: number } {
    const index = this.#index;
    const branch: number[] = [];
    let at = newTip;
    while (!index.isBest(at)) {
      branch.push(at);
      at = index.parentOf(at);
    }
    const forkHeight = index.heightOf(at);
    const disconnected = index.tipHeight - forkHeight;
    let sum = this.#bestWorkAt(forkHeight);
    this.#checkpoints.length = Math.floor(forkHeight / WORK_CHECKPOINT_INTERVAL) + 1;
    for (let i = branch.length - 1; i >= 0; i--) {
      const header = branch[i];
      sum += this.#work(index.bitsOf(header));
      index.setBest(header);
      const height = index.heightOf(header);
      if (height % WORK_CHECKPOINT_INTERVAL === 0) this.#checkpoints.push(sum);
    }
    this.#tip = newTip;
    this.#tipWork = chainWork;
    return { status: "reorged", forkHeight, disconnected };
  }
}
