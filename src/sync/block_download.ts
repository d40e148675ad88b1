/**
 * Blocks in flight: which block was asked of which peer, bounded per peer
 * and in total, each request with its own timeout on the Clock port. A
 * block is asked of one peer at a time; an answer (the block, `notfound`),
 * a timeout or the peer leaving releases it so another peer can be asked.
 */
import type { Clock } from "../platform/clock.ts";
import { hashToHex } from "../wire/bytes.ts";

/** Blocks asked of one peer at once. Core net_processing MAX_BLOCKS_IN_TRANSIT_PER_PEER. */
export const MAX_BLOCKS_IN_FLIGHT_PER_PEER = 16;
/**
 * Blocks in flight across all peers. An edge node fetches only near the tip,
 * so four peers' worth is plenty; it also caps what a burst of announcements
 * can make us download at once (64 × 4 MB at worst).
 */
export const MAX_BLOCKS_IN_FLIGHT = 64;
/**
 * How long a peer has to deliver a requested block. Core allows a block
 * interval plus more per extra peer; a minute covers a 4 MB block on a slow
 * link while a silent peer cannot hold a block back for long.
 */
export const BLOCK_DOWNLOAD_TIMEOUT_MS = 60_000;

/** Bounds and timing of a `BlockDownload`. */
export interface BlockDownloadOptions {
  readonly clock: Clock;
  /** Aborting cancels every timer (the manager stopping). */
  readonly signal: AbortSignal;
  readonly perPeer: number;
  readonly total: number;
  readonly timeoutMs: number;
  /** Called when a request expired (already released). */
  readonly onTimeout: (hash: Uint8Array, peerId: number) => void;
}

/** One outstanding request. */
interface Request {
  readonly hash: Uint8Array;
  readonly peerId: number;
  readonly cancel: () => void;
}

/** Tracks block requests in flight. */
export class BlockDownload {
  readonly #options: BlockDownloadOptions;
  readonly #byHash = new Map<string, Request>();
  readonly #perPeer = new Map<number, Set<string>>();

  constructor(options: BlockDownloadOptions) {
    this.#options = options;
  }

  /** Requests in flight. */
  get size(): number {
    return this.#byHash.size;
  }

  /** Requests in flight to `peerId`. */
  countFor(peerId: number): number {
    return this.#perPeer.get(peerId)?.size ?? 0;
  }

  /** True when another request to `peerId` fits both bounds. */
  canRequest(peerId: number): boolean {
    return this.#byHash.size < this.#options.total &&
      this.countFor(peerId) < this.#options.perPeer;
  }

  /** True when `hash` is in flight (to any peer); `hex`: it in display hex, when known. */
  has(hash: Uint8Array, hex = hashToHex(hash)): boolean {
    return this.#byHash.has(hex);
  }

  /**
   * Records that `hash` was asked of `peerId` and starts its timeout. False
   * (nothing recorded) when it is already in flight or a bound is reached.
   */
  request(peerId: number, hash: Uint8Array): boolean {
    const key = hashToHex(hash);
    if (this.#byHash.has(key) || !this.canRequest(peerId)) return false;
    const { clock, signal, timeoutMs, onTimeout } = this.#options;
    const copy = hash.slice();
    const cancel = clock.setTimer(timeoutMs, () => {
      if (this.#byHash.get(key)?.peerId !== peerId) return;
      this.#release(key);
      onTimeout(copy, peerId);
    }, signal);
    this.#byHash.set(key, { hash: copy, peerId, cancel });
    let set = this.#perPeer.get(peerId);
    if (set === undefined) this.#perPeer.set(peerId, set = new Set());
    set.add(key);
    return true;
  }

  /**
   * Releases `hash` (it arrived, or the peer said notfound). With `peerId`,
   * only a request to that peer is released. Returns the peer it was asked
   * of, or undefined when it was not in flight.
   */
  release(hash: Uint8Array, peerId?: number): number | undefined {
    const key = hashToHex(hash);
    const request = this.#byHash.get(key);
    if (request === undefined || (peerId !== undefined && request.peerId !== peerId)) {
      return undefined;
    }
    this.#release(key);
    return request.peerId;
  }

  /** Releases every request to `peerId` (it left); returns their hashes. */
  releasePeer(peerId: number): Uint8Array[] {
    const keys = this.#perPeer.get(peerId);
    if (keys === undefined) return [];
    const hashes: Uint8Array[] = [];
    for (const key of [...keys]) {
      const request = this.#byHash.get(key);
      if (request) hashes.push(request.hash);
      this.#release(key);
    }
    return hashes;
  }

  /** Cancels every timer and forgets every request. */
  clear(): void {
    for (const request of this.#byHash.values()) request.cancel();
    this.#byHash.clear();
    this.#perPeer.clear();
  }

  #release(key: string): void {
    const request = this.#byHash.get(key);
    if (request === undefined) return;
    request.cancel();
    this.#byHash.delete(key);
    const set = this.#perPeer.get(request.peerId);
    set?.delete(key);
    if (set?.size === 0) this.#perPeer.delete(request.peerId);
  }
}
