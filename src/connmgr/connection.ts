/** One connection the connection manager holds, and why it holds it. */
import type { Peer } from "../peer/peer.ts";

/**
 * Why a connection exists:
 * - `outbound`: one of the automatic full outbound slots (anchors included);
 * - `feeler`: a short test of an address, closed after the handshake;
 * - `seed`: a `--seednode` connection: handshake, getaddr, disconnect;
 * - `persistent`: user-requested (`--connect`, `--addnode`), kept forever;
 * - `manual`: user-requested once (the API), not retried;
 * - `inbound`: the remote connected to us.
 */
export type ConnKind = "outbound" | "feeler" | "seed" | "persistent" | "manual" | "inbound";

/** A connection as the rest of the node sees it. */
export interface ConnectionInfo {
  readonly peer: Peer;
  readonly kind: ConnKind;
  /** An outbound connection to a saved anchor. */
  readonly anchor: boolean;
  /** When the handshake completed (ms), or null. */
  readonly readyAt: number | null;
}
