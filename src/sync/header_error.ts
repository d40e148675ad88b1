/**
 * Why a header was refused. The peer layer switches on `kind` to decide how
 * much a peer misbehaved (a header with bad proof of work is an attack, one
 * too far in the future may only be a clock problem, a duplicate is normal).
 */

/** What was wrong with a header. */
export type HeaderErrorKind =
  /** Not 80 bytes. */
  | "malformed"
  /** Already known (not misbehaviour: peers re-announce headers). */
  | "duplicate"
  /** The hash does not meet its own nBits, or nBits is unusable or above the limit. */
  | "bad-pow"
  /** The parent is not a known header (out of order, or a fork we never saw). */
  | "unknown-parent"
  /** nBits differs from what the difficulty rules require after its parent. */
  | "bad-diffbits"
  /** The time is not after the median of the previous 11 blocks. */
  | "time-too-old"
  /** BIP94 (testnet4): a period's first block is more than 10 minutes before its parent. */
  | "time-timewarp"
  /** More than 2 hours ahead of network-adjusted time (may become valid later). */
  | "time-too-new"
  /** A version below 2, 3 or 4 from the BIP34, BIP66 or BIP65 height on (Core `bad-version`). */
  | "bad-version"
  /** The header index is full. */
  | "capacity";

/** A refused header: `kind` for code, the message for people, `hash` (display order) when known. */
export class HeaderError extends Error {
  /** The failure class. */
  readonly kind: HeaderErrorKind;
  /** The header's hash in display order, or "" when it could not be computed. */
  readonly hash: string;

  constructor(kind: HeaderErrorKind, message: string, hash = "") {
    super(hash ? `header ${hash}: ${message}` : message);
    this.name = "HeaderError";
    this.kind = kind;
    this.hash = hash;
  }
}
