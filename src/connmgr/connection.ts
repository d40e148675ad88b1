/**
 * The kinds of connection the connection manager keeps, and one connection
 * as the rest of the node sees it. Kinds carry Bitcoin Core's names (its
 * getpeerinfo `connection_type`), so the API can show them as they are.
 */
import type { AddrRelay } from "../addrmgr/gossip.ts";
import type { Peer } from "../peer/peer.ts";

/** What the manager needs to know about a kind. */
interface KindTraits {
  /**
   * Chosen by the node from the address book: such connections keep to the
   * one-peer-per-network-group rule together and share the dial budget.
   */
  readonly automatic: boolean;
  /**
   * The peer must announce the services we want of it (Core
   * `ExpectServicesFromConn`); a peer whose `version` lacks them is dropped.
   * Manual peers are taken as the user chose them, feelers only test.
   */
  readonly expectServices: boolean;
  /** When it takes part in address relay (Core's SetupAddressRelay; see `AddrRelay`). */
  readonly addrRelay: AddrRelay;
}

/**
 * Every connection kind and its traits; adding a kind is one line here.
 * - `outbound-full-relay`: one of the 8 automatic outbound slots that relay
 *   blocks and addresses;
 * - `block-relay-only`: one of the 2 automatic outbound slots that relay
 *   blocks and nothing else (no address ever crosses it, so address-relay
 *   probing cannot find it); the anchors are these (Core since 0.19);
 * - `feeler`: a short test of an address, closed after the handshake;
 * - `addr-fetch`: a `--seednode` connection: handshake, getaddr, disconnect;
 * - `manual`: user-requested: `--connect` and `--addnode` (kept connected), or
 *   the API (once, or kept when asked);
 * - `inbound`: the remote connected to us.
 */
export const CONN_KINDS = {
  "outbound-full-relay": { automatic: true, expectServices: true, addrRelay: "from-handshake" },
  "block-relay-only": { automatic: true, expectServices: true, addrRelay: "never" },
  "feeler": { automatic: true, expectServices: false, addrRelay: "never" },
  "addr-fetch": { automatic: false, expectServices: true, addrRelay: "from-handshake" },
  "manual": { automatic: false, expectServices: false, addrRelay: "from-handshake" },
  "inbound": { automatic: false, expectServices: false, addrRelay: "once-asked" },
} as const satisfies Record<string, KindTraits>;

/** Why a connection exists (see `CONN_KINDS`). */
export type ConnKind = keyof typeof CONN_KINDS;

/** The kinds chosen from the address book (one peer per network group among them). */
export const AUTOMATIC_KINDS: readonly ConnKind[] = (Object.keys(CONN_KINDS) as ConnKind[])
  .filter((kind) => CONN_KINDS[kind].automatic);

/** A connection as the rest of the node sees it. */
export interface ConnectionInfo {
  readonly peer: Peer;
  readonly kind: ConnKind;
  /** Kept connected: redialled after every loss (`--connect`, `--addnode`, API `persistent`). */
  readonly persistent: boolean;
  /** An outbound connection to a saved anchor (block-relay-only). */
  readonly anchor: boolean;
  /** When the handshake completed (ms), or null. */
  readonly readyAt: number | null;
}

/** How one outbound connection ended. */
export interface ConnectionOutcome {
  /** The handshake completed (the peer worked for a while). */
  readonly ready: boolean;
  /** Why it ended (or failed to start). */
  readonly reason: string;
}
