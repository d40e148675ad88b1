/**
 * What each header and block offence costs a peer: one table from the
 * reason (a `HeaderErrorKind`, a `BlockRejectReason`, or one of the
 * header-request offences) to misbehaviour points and why, the way bcoin's
 * `VerifyError` and btcd's `RuleError` carry their own score. Callers look
 * the reason up and apply it; none decides a cost of its own. 100 points
 * ban (`peer/misbehaviour.ts`); a reason that costs 0 is not the sender's
 * fault (a duplicate, a header ahead of our clock, our own index full).
 */
import { MALFORMED_MESSAGE_POINTS } from "../peer/misbehaviour.ts";
import type { BlockRejectReason } from "./block_accept.ts";
import type { HeaderErrorKind } from "./header_error.ts";

/** The cost of one offence. */
export interface Penalty {
  /** Misbehaviour points (0: not the peer's fault). */
  readonly points: number;
  /** Why it costs that much. */
  readonly why: string;
}

/** An offence found while handling a peer's `headers` messages, beyond a refused header. */
export type HeaderRequestOffence =
  /** Every `MAX_UNCONNECTING_HEADERS`-th `headers` message in a row that does not connect. */
  | "unconnecting-headers"
  /** A non-connecting `headers` message longer than an announcement. */
  | "long-unconnecting-headers";

/** An offence in a compact-block (BIP152) message that decoded. */
export type CompactOffence =
  /** A `sendcmpct` whose announce byte is neither 0 nor 1. */
  | "sendcmpct-announce"
  /** A `getblocktxn` asking for an index past the block's last transaction. */
  | "getblocktxn-out-of-bounds";

/** Every reason the sync layer may hold against a peer. */
export type PenaltyReason =
  | HeaderErrorKind
  | BlockRejectReason
  | HeaderRequestOffence
  | CompactOffence;

const INVALID_HEADER: Penalty = {
  points: 100,
  why: "a header failing proof of work, difficulty or time rules: an attack, ban at once",
};
const MUTATED_BLOCK: Penalty = {
  points: 100,
  why: "a block whose body does not match its header (Core: BLOCK_MUTATED, discouraged)",
};

/** Reason → cost. */
export const PENALTIES: Readonly<Record<PenaltyReason, Penalty>> = Object.freeze({
  "bad-pow": INVALID_HEADER,
  "bad-diffbits": INVALID_HEADER,
  "time-too-old": INVALID_HEADER,
  "time-timewarp": INVALID_HEADER,
  "unknown-parent": {
    points: 20,
    why: "headers in one message that do not link to each other (Core: 20)",
  },
  "time-too-new": { points: 0, why: "may be our clock, and becomes valid later" },
  "duplicate": { points: 0, why: "peers re-announce headers we have" },
  "malformed": { points: 0, why: "an internal refusal (not 80 bytes), never on the wire" },
  "capacity": { points: 0, why: "our header index is full" },
  "decode": {
    points: MALFORMED_MESSAGE_POINTS,
    why: "a block that does not decode (as any malformed message)",
  },
  "bad-cb-missing": {
    points: 100,
    why: "a block whose header commits to an invalid body (no coinbase)",
  },
  "bad-cb-multiple": {
    points: 100,
    why: "a block whose header commits to an invalid body (two coinbases)",
  },
  "bad-txnmrklroot": MUTATED_BLOCK,
  "bad-txns-duplicate": MUTATED_BLOCK,
  "bad-txns-64-byte": MUTATED_BLOCK,
  "bad-witness-nonce-size": MUTATED_BLOCK,
  "bad-witness-merkle-match": MUTATED_BLOCK,
  "unexpected-witness": MUTATED_BLOCK,
  "unconnecting-headers": {
    points: 20,
    why: "a run of headers messages that do not connect to our chain (Core: 20)",
  },
  "long-unconnecting-headers": {
    points: 20,
    why: "non-connecting headers longer than an announcement: no answer to our locator " +
      "starts on an unknown header, so junk; five ban",
  },
  "sendcmpct-announce": {
    points: 100,
    why: "BIP152 allows only 0 or 1 (Core: Misbehaving, discouraged at once)",
  },
  "getblocktxn-out-of-bounds": {
    points: 100,
    why: "asks for a transaction the block does not have (Core: Misbehaving, discouraged)",
  },
});

/** The points `reason` costs. */
export function penaltyPoints(reason: PenaltyReason): number {
  return PENALTIES[reason].points;
}
