/**
 * Choosing who hears a fresh address (Core RelayAddress): two peers picked
 * by a keyed hash of the address, the day and the peer, so the same address
 * goes to the same two peers all day (their known-address filters then stop
 * echoes) and to others the next day. The day boundary is offset per
 * address so not every destination rotates at once. Never the source.
 */
import type { Sha256 } from "../platform/hash.ts";
import { isAddrV1Compatible, type NetAddress } from "../wire/address.ts";
import { writeServiceKey } from "./buckets.ts";

/** Peers each fresh address is relayed to (Core: 2 for reachable networks). */
export const RELAY_FANOUT = 2;
/** Only addr messages this small are relayed: bigger ones are getaddr answers (Core: 10). */
export const MAX_RELAY_BATCH = 10;
/** Only addresses seen this recently are relayed (Core: 10 minutes). */
export const RELAY_FRESH_SECONDS = 10 * 60;
/** The destinations of an address change this often (Core ROTATE_ADDR_RELAY_DEST_INTERVAL). */
export const RELAY_ROTATION_SECONDS = 24 * 3600;

/** A peer that might receive a relayed address. */
export interface RelayCandidate {
  readonly id: number;
  /** Sent sendaddrv2: can receive Tor v3, I2P and CJDNS addresses. */
  readonly addrv2: boolean;
}

/** Picks relay destinations under a secret key. */
export class RelayChooser {
  readonly #sha256: Sha256;
  /** key ‖ service key ‖ u32le(day), hashed to a per-address-and-day seed. */
  readonly #buf = new Uint8Array(32 + 34 + 4);
  /** seed ‖ u64le(peer id), hashed to a peer's score. */
  readonly #peerBuf = new Uint8Array(32 + 8);
  readonly #peerView = new DataView(this.#peerBuf.buffer);

  /** `key`: 32 secret bytes (random per process; nothing needs it to persist). */
  constructor(sha256: Sha256, key: Uint8Array) {
    this.#sha256 = sha256;
    this.#buf.set(key.subarray(0, 32));
  }

  /**
   * Up to two peer ids among `candidates` (never `sourceId`, and only
   * addrv2 peers for addresses the legacy format cannot carry) that should
   * hear `addr:port` at `now` (Unix seconds).
   */
  choose(
    addr: NetAddress,
    port: number,
    candidates: Iterable<RelayCandidate>,
    sourceId: number,
    now: number,
  ): number[] {
    const klen = writeServiceKey(this.#buf.subarray(32), addr, port);
    const unkeyed = this.#sha256(this.#buf.subarray(32, 32 + klen));
    const offset = (unkeyed[0] | (unkeyed[1] << 8) | (unkeyed[2] << 16)) % RELAY_ROTATION_SECONDS;
    const day = Math.floor((now + offset) / RELAY_ROTATION_SECONDS);
    const at = 32 + klen;
    new DataView(this.#buf.buffer).setUint32(at, day, true);
    this.#peerBuf.set(this.#sha256(this.#buf.subarray(0, at + 4)));
    const v1Only = !isAddrV1Compatible(addr);
    const best: { id: number; score: number }[] = [];
    for (const c of candidates) {
      if (c.id === sourceId || (v1Only && !c.addrv2)) continue;
      this.#peerView.setUint32(32, c.id >>> 0, true);
      this.#peerView.setUint32(36, Math.floor(c.id / 2 ** 32), true);
      const h = this.#sha256(this.#peerBuf);
      const score = h[0] * 2 ** 40 + h[1] * 2 ** 32 + ((h[2] << 24) >>> 0) + (h[3] << 16) +
        (h[4] << 8) + h[5];
      if (best.length < RELAY_FANOUT) best.push({ id: c.id, score });
      else if (score > best[best.length - 1].score) best[best.length - 1] = { id: c.id, score };
      best.sort((a, b) => b.score - a.score);
    }
    return best.map((b) => b.id);
  }
}
