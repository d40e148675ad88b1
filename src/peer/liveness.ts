/**
 * Liveness of one peer: the handshake deadline, the ping cycle (a random
 * nonce every interval, one outstanding at a time, round-trip time measured
 * on the matching pong) and the two ways a silent peer is dropped: no pong in
 * time, or nothing at all received for too long after the handshake. Every
 * timer goes through the Clock port with the peer's AbortSignal, so a
 * disconnect cancels them all at once.
 */
import type { Clock } from "../platform/clock.ts";
import type { Random } from "../platform/random.ts";

/** Liveness deadlines in milliseconds. */
export interface PeerTimeouts {
  /** The version handshake must complete within this. */
  readonly handshakeMs: number;
  /** A ping is sent this often (when none is outstanding). */
  readonly pingIntervalMs: number;
  /** A ping unanswered this long ends the connection. */
  readonly pingTimeoutMs: number;
  /** Nothing received for this long after the handshake ends the connection. */
  readonly inactivityMs: number;
}

/**
 * Defaults like Core and btcd: 30 s handshake (btcd's negotiate timeout),
 * ping every 2 minutes (Core PING_INTERVAL), 20 minutes for the pong (Core
 * TIMEOUT_INTERVAL), 5 minutes of silence (btcd's idle timeout; Core allows 20).
 */
export const DEFAULT_PEER_TIMEOUTS: PeerTimeouts = Object.freeze({
  handshakeMs: 30_000,
  pingIntervalMs: 2 * 60_000,
  pingTimeoutMs: 20 * 60_000,
  inactivityMs: 5 * 60_000,
});

/**
 * The defaults with `overrides` applied (an `undefined` value keeps the
 * default). Throws `RangeError` for a deadline that is not a positive number.
 */
export function resolveTimeouts(overrides: Partial<PeerTimeouts> = {}): PeerTimeouts {
  const out = { ...DEFAULT_PEER_TIMEOUTS };
  for (const key of Object.keys(out) as Array<keyof PeerTimeouts>) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`timeouts.${key} must be a positive number of ms, got ${value}`);
    }
    out[key] = value;
  }
  return out;
}

/** What liveness asks of its peer. */
export interface LivenessHooks {
  /** Send a `ping` with this nonce. */
  sendPing(nonce: bigint): void;
  /** A deadline passed: end the connection with this reason. */
  timeout(reason: string): void;
}

/** Timers and ping state of one peer. */
export class Liveness {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #timeouts: PeerTimeouts;
  readonly #signal: AbortSignal;
  readonly #hooks: LivenessHooks;
  #cancelHandshake: (() => void) | null = null;
  #cancelPingTimeout: (() => void) | null = null;
  #pingNonce: bigint | null = null;
  #pingSentAt = 0;
  #lastPingMs: number | null = null;
  #minPingMs: number | null = null;
  #lastReceive = 0;

  /** Nothing starts until `startHandshakeTimer`; aborting `signal` cancels every timer. */
  constructor(
    clock: Clock,
    random: Random,
    timeouts: PeerTimeouts,
    signal: AbortSignal,
    hooks: LivenessHooks,
  ) {
    this.#clock = clock;
    this.#random = random;
    this.#timeouts = timeouts;
    this.#signal = signal;
    this.#hooks = hooks;
  }

  /** Starts the handshake deadline. */
  startHandshakeTimer(): void {
    this.#cancelHandshake = this.#after(
      this.#timeouts.handshakeMs,
      () => this.#hooks.timeout(`handshake not completed within ${this.#timeouts.handshakeMs} ms`),
    );
  }

  /** The handshake completed: stop its deadline, ping now and start the cycle and idle check. */
  handshakeComplete(): void {
    this.#cancelHandshake?.();
    this.#cancelHandshake = null;
    this.#lastReceive = this.#clock.now();
    this.#pingTick();
    this.#after(this.#timeouts.inactivityMs, () => this.#idleCheck());
  }

  /** Something arrived from the peer. */
  received(): void {
    this.#lastReceive = this.#clock.now();
  }

  /**
   * A `pong` arrived. Returns the round-trip time in ms when it answers the
   * outstanding ping; `null` (ignore it) for a wrong or unsolicited nonce.
   */
  pong(nonce: bigint): number | null {
    if (this.#pingNonce === null || nonce !== this.#pingNonce) return null;
    const rtt = Math.max(0, this.#clock.now() - this.#pingSentAt);
    this.#pingNonce = null;
    this.#cancelPingTimeout?.();
    this.#cancelPingTimeout = null;
    this.#lastPingMs = rtt;
    this.#minPingMs = this.#minPingMs === null ? rtt : Math.min(this.#minPingMs, rtt);
    return rtt;
  }

  /** Round-trip time of the last answered ping, ms (`null` before the first). */
  get lastPingMs(): number | null {
    return this.#lastPingMs;
  }

  /** Lowest round-trip time seen, ms (`null` before the first). */
  get minPingMs(): number | null {
    return this.#minPingMs;
  }

  /** How long the outstanding ping has waited, ms (`null` when none is outstanding). */
  get pingWaitMs(): number | null {
    return this.#pingNonce === null ? null : this.#clock.now() - this.#pingSentAt;
  }

  #pingTick(): void {
    if (this.#pingNonce === null) this.#sendPing();
    this.#after(this.#timeouts.pingIntervalMs, () => this.#pingTick());
  }

  #sendPing(): void {
    const nonce = randomNonce(this.#random);
    this.#pingNonce = nonce;
    this.#pingSentAt = this.#clock.now();
    this.#cancelPingTimeout = this.#after(this.#timeouts.pingTimeoutMs, () => {
      if (this.#pingNonce === nonce) {
        this.#hooks.timeout(`no pong within ${this.#timeouts.pingTimeoutMs} ms`);
      }
    });
    this.#hooks.sendPing(nonce);
  }

  #idleCheck(): void {
    const idle = this.#clock.now() - this.#lastReceive;
    if (idle >= this.#timeouts.inactivityMs) {
      this.#hooks.timeout(`nothing received for ${this.#timeouts.inactivityMs} ms`);
    } else {
      this.#after(this.#timeouts.inactivityMs - idle, () => this.#idleCheck());
    }
  }

  #after(ms: number, fn: () => void): () => void {
    return this.#clock.setTimer(ms, () => {
      if (!this.#signal.aborted) fn();
    }, this.#signal);
  }
}

/** A random non-zero u64 (zero is avoided so a nonce never looks unset). */
export function randomNonce(random: Random): bigint {
  for (;;) {
    const b = random.bytes(8);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (v !== 0n) return v;
  }
}
