/**
 * What each header and block offence costs a peer: one table from the
 * reason (a `HeaderErrorKind`, a `BlockRejectReason`, or one of the
 * `headers`-message offences) to misbehaviour points, what Bitcoin Core
 * master does for the same offence, and why, the way bcoin's `VerifyError`
 * and btcd's `RuleError` carry their own score. Callers look the reason up
 * and apply it; none decides a cost of its own.
 *
 * Core master keeps no score: any misbehaviour discourages the peer
 * (`Misbehaving`, `MaybePunishNodeForBlock`). Here what Core discourages
 * costs `BAN_POINTS` (100: the ban threshold, `peer/misbehaviour.ts`), and
 * what Core only logs costs 0. The one offence we punish and Core does not
 * says why in its entry (`core: "ignores"` with points > 0).
 */
import { DEFAULT_BAN_THRESHOLD } from "../peer/misbehaviour.ts";
import type { BlockRejectReason } from "./block_accept.ts";
import type { HeaderErrorKind } from "./header_error.ts";

/** Points for what Core discourages at once: the default ban threshold. */
export const BAN_POINTS = DEFAULT_BAN_THRESHOLD;

/** The cost of one offence. */
export interface Penalty {
  /** Misbehaviour points (0: not punished). */
  readonly points: number;
  /** What Core master does: discourages the peer (`Misbehaving`), or logs and goes on. */
  readonly core: "discourages" | "ignores";
  /** Why it costs that much. */
  readonly why: string;
}

/** An offence found in a peer's `headers` message beyond a header the chain refused. */
export type HeaderMessageOffence =
  /** Headers in one message that do not each extend the one before (Core CheckHeadersAreContinuous). */
  | "non-continuous-headers"
  /** A redownloaded header chain that differs from the one pre-synchronized (headers_presync.ts). */
  | "presync-commitment";

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
  | HeaderMessageOffence
  | CompactOffence;

const INVALID_HEADER: Penalty = {
  points: BAN_POINTS,
  core: "discourages",
  why: "a header failing a consensus rule (Core: BLOCK_INVALID_HEADER)",
};
const MUTATED_BLOCK: Penalty = {
  points: BAN_POINTS,
  core: "discourages",
  why: "a block whose body does not match its header (Core: IsBlockMutated, 'mutated block')",
};
const INVALID_BLOCK: Penalty = {
  points: BAN_POINTS,
  core: "discourages",
  why: "a block breaking a consensus rule of CheckBlock (Core: BLOCK_CONSENSUS)",
};
const NOT_PUNISHED = (why: string): Penalty => ({ points: 0, core: "ignores", why });

/** Reason → cost. */
export const PENALTIES: Readonly<Record<PenaltyReason, Penalty>> = Object.freeze({
  "bad-pow": {
    points: BAN_POINTS,
    core: "discourages",
    why: "a header whose hash misses its own target (Core CheckHeadersPoW: " +
      "'header with invalid proof of work')",
  },
  "bad-diffbits": INVALID_HEADER,
  "time-too-old": INVALID_HEADER,
  "time-timewarp": INVALID_HEADER,
  "bad-version": INVALID_HEADER,
  "non-continuous-headers": {
    points: BAN_POINTS,
    core: "discourages",
    why: "headers in one message that do not link to each other " +
      "(Core: 'non-continuous headers sequence')",
  },
  "presync-commitment": {
    points: BAN_POINTS,
    core: "ignores",
    why: "a redownload that differs from the chain the peer showed in presync: Core gives up " +
      "the sync without punishing (the peer may have reorganized); a difference at a " +
      "commitment height before the work threshold is thousands of blocks deep on any real " +
      "chain, so here it is taken for what it almost surely is, a bait and switch",
  },
  "unknown-parent": NOT_PUNISHED(
    "a header whose parent we lack: answered with getheaders (Core HandleUnconnectingHeaders " +
      "no longer punishes unconnecting headers)",
  ),
  "time-too-new": NOT_PUNISHED("may be our clock; becomes valid later (Core: BLOCK_TIME_FUTURE)"),
  "duplicate": NOT_PUNISHED("peers re-announce headers we have"),
  "malformed": NOT_PUNISHED("an internal refusal (not 80 bytes), never on the wire"),
  "capacity": NOT_PUNISHED("our header index is full: not the peer's doing"),
  "decode": NOT_PUNISHED(
    "a block message that does not deserialize: Core logs the exception and goes on",
  ),
  "bad-blk-length": INVALID_BLOCK,
  "bad-blk-weight": {
    ...INVALID_BLOCK,
    why: "a block over the weight limit (Core: bad-blk-weight, BLOCK_CONSENSUS)",
  },
  "bad-cb-missing": INVALID_BLOCK,
  "bad-cb-multiple": INVALID_BLOCK,
  "bad-prevblk": {
    points: BAN_POINTS,
    core: "discourages",
    why: "a block whose parent we found invalid (Core: BLOCK_INVALID_PREV)",
  },
  "bad-txnmrklroot": MUTATED_BLOCK,
  "bad-txns-duplicate": MUTATED_BLOCK,
  "bad-txns-64-byte": MUTATED_BLOCK,
  "bad-witness-nonce-size": MUTATED_BLOCK,
  "bad-witness-merkle-match": MUTATED_BLOCK,
  "unexpected-witness": MUTATED_BLOCK,
  "sendcmpct-announce": {
    points: BAN_POINTS,
    core: "discourages",
    why: "BIP152 allows only 0 or 1 (Core: Misbehaving)",
  },
  "getblocktxn-out-of-bounds": {
    points: BAN_POINTS,
    core: "discourages",
    why: "asks for a transaction the block does not have (Core: Misbehaving)",
  },
});

/** The points `reason` costs. */
export function penaltyPoints(reason: PenaltyReason): number {
  return PENALTIES[reason].points;
}
