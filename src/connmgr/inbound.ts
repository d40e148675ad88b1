/**
 * Admission of inbound connections: banned addresses are refused, then the
 * per-IP limit (btcd's, default 3) is applied, then the total inbound limit
 * (default 125); at the limit an existing peer is evicted (`eviction.ts`)
 * to make room, or the new connection is refused when every peer is
 * protected.
 */
import { type EvictionCandidate, selectEviction } from "./eviction.ts";

/** Default most inbound peers (Core -maxconnections default). */
export const DEFAULT_MAX_INBOUND = 125;
/** Default most inbound peers from one IP address (btcd default). */
export const DEFAULT_MAX_INBOUND_PER_IP = 3;

/** The limits and what we know of the newcomer and the current inbound peers. */
export interface AdmissionInput {
  readonly banned: boolean;
  /** Inbound peers connected from the newcomer's address. */
  readonly sameAddress: number;
  /** Inbound peers connected. */
  readonly inbound: number;
  readonly maxInbound: number;
  readonly maxPerIp: number;
  /** The current inbound peers for eviction (called only when the slots are full). */
  readonly candidates: () => readonly EvictionCandidate[];
}

/** Accept (after evicting `evict`, if set) or refuse with a reason. */
export type Admission =
  | { readonly accept: true; readonly evict?: number }
  | { readonly accept: false; readonly reason: string };

/** Decides whether a new inbound connection may stay. */
export function admitInbound(input: AdmissionInput): Admission {
  if (input.banned) return { accept: false, reason: "banned" };
  if (input.maxInbound <= 0) return { accept: false, reason: "inbound connections are disabled" };
  if (input.sameAddress >= input.maxPerIp) {
    return {
      accept: false,
      reason:
        `already ${input.sameAddress} connections from this address (limit ${input.maxPerIp})`,
    };
  }
  if (input.inbound < input.maxInbound) return { accept: true };
  const evict = selectEviction(input.candidates());
  if (evict === undefined) {
    return { accept: false, reason: `inbound slots full (${input.maxInbound}), all protected` };
  }
  return { accept: true, evict };
}
