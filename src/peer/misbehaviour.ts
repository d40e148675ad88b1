/**
 * Misbehaviour scoring, btcd's model: a score with a persistent part that
 * only grows and a transient part that decays exponentially (half-life 60 s),
 * so a burst of minor offences fades while repeated or serious ones add up.
 * When the sum reaches the ban threshold (100) the peer is banned and
 * disconnected, unless it is persistent (user-requested): those are never
 * banned automatically.
 *
 * Chosen over Core's discourage-on-first-offence because this node is an
 * edge node that talks to many unknown implementations: a single odd message
 * costs a few points instead of the connection, and the weights below say
 * how serious each offence is. Time comes from the injected clock.
 */
import type { Clock } from "../platform/clock.ts";

/** Score at which a peer is banned. btcd's default ban threshold (Core's former -banscore). */
export const DEFAULT_BAN_THRESHOLD = 100;
/** Half-life of the transient part of the score. btcd's decaying ban score. */
export const TRANSIENT_HALF_LIFE_MS = 60_000;

/** Points a malformed message costs (decode or bound error): five of them ban a peer. */
export const MALFORMED_MESSAGE_POINTS = 20;
/** Points for a second `version` (Core scored it 1 before it dropped scores). */
export const DUPLICATE_VERSION_POINTS = 1;
/** Points for `wtxidrelay`/`sendaddrv2` after `verack`; the connection also ends. */
export const LATE_FEATURE_POINTS = 1;

/** A decaying misbehaviour score for one peer. */
export class BanScore {
  readonly #clock: Clock;
  readonly #halfLifeMs: number;
  #persistent = 0;
  #transient = 0;
  #updatedAt = 0;

  /** `halfLifeMs`: how fast the transient part fades. */
  constructor(clock: Clock, halfLifeMs: number = TRANSIENT_HALF_LIFE_MS) {
    if (!(halfLifeMs > 0)) throw new RangeError(`halfLifeMs must be positive, got ${halfLifeMs}`);
    this.#clock = clock;
    this.#halfLifeMs = halfLifeMs;
  }

  /** Adds points to each part (non-negative); returns the new total. */
  add(persistent: number, transient: number): number {
    if (!(persistent >= 0) || !(transient >= 0)) {
      throw new RangeError(
        `misbehaviour points must be non-negative, got ${persistent}/${transient}`,
      );
    }
    const now = this.#clock.now();
    this.#transient = this.#decayed(now) + transient;
    this.#updatedAt = now;
    this.#persistent += persistent;
    return this.#persistent + this.#transient;
  }

  /** The current total: persistent plus the decayed transient part. */
  get value(): number {
    return this.#persistent + this.#decayed(this.#clock.now());
  }

  /** The persistent part alone. */
  get persistent(): number {
    return this.#persistent;
  }

  #decayed(now: number): number {
    if (this.#transient === 0) return 0;
    const elapsed = Math.max(0, now - this.#updatedAt);
    return this.#transient * Math.pow(0.5, elapsed / this.#halfLifeMs);
  }
}
