/**
 * The per-peer address rate limit (Core m_addr_token_bucket): a peer earns
 * 0.1 address a second up to 1,000 banked, each processed address spends
 * one, and addresses arriving with nothing banked are dropped (and counted).
 * Asking a peer for addresses (getaddr) grants it 1,000 more for the answer.
 */

/** Tokens earned per second (Core MAX_ADDR_RATE_PER_SECOND). */
export const ADDR_RATE_PER_SECOND = 0.1;
/** Most tokens earned by waiting (Core MAX_ADDR_PROCESSING_TOKEN_BUCKET). */
export const ADDR_BUCKET_MAX = 1_000;
/** Tokens granted when we send getaddr: one answer's worth (Core MAX_ADDR_TO_SEND). */
export const GETADDR_GRANT = 1_000;
/** Tokens a new peer starts with (Core: 1, enough for a self-announcement). */
export const ADDR_BUCKET_START = 1;

/** One peer's bucket. Times are milliseconds. */
export class AddrTokenBucket {
  #tokens = ADDR_BUCKET_START;
  #last: number;

  /** A bucket for a peer connected at `now` ms. */
  constructor(now: number) {
    this.#last = now;
  }

  /** Tokens banked (after the last `refill`). */
  get tokens(): number {
    return this.#tokens;
  }

  /** Adds what was earned since the last refill (never above the cap by waiting). */
  refill(now: number): void {
    if (this.#tokens < ADDR_BUCKET_MAX) {
      const earned = (Math.max(now - this.#last, 0) / 1000) * ADDR_RATE_PER_SECOND;
      this.#tokens = Math.min(this.#tokens + earned, ADDR_BUCKET_MAX);
    }
    this.#last = now;
  }

  /** Spends one token; false (nothing spent) when less than one is banked. */
  take(): boolean {
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Grants `n` tokens at once (after we send getaddr); may exceed the cap. */
  grant(n: number): void {
    this.#tokens += n;
  }
}
