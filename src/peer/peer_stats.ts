/**
 * Per-peer statistics: traffic counters by command and the snapshot shape,
 * modelled on Core's getpeerinfo where it applies. Times are milliseconds
 * since the epoch (Core uses seconds); every field is JSON-serialisable.
 */
import type { TransportProtocol } from "../transport/transport.ts";
import type { HandshakeState, PeerDirection } from "./handshake.ts";

/**
 * The bucket for commands this node does not know. Counting them by name
 * would let a peer grow the map without bound; Core uses the same name.
 */
export const OTHER_COMMAND = "*other*";

/** Messages and bytes (header included) for one command. */
export interface CommandTraffic {
  readonly messages: number;
  readonly bytes: number;
}

/** Traffic in one direction. */
export interface TrafficStats {
  readonly messages: number;
  readonly bytes: number;
  /** By command name (`OTHER_COMMAND` for unknown ones). */
  readonly perCommand: Readonly<Record<string, CommandTraffic>>;
}

/** Counts messages and bytes in one direction, by command. */
export class TrafficCounter {
  #messages = 0;
  #bytes = 0;
  readonly #perCommand = new Map<string, { messages: number; bytes: number }>();

  /** Counts one message of `bytes` bytes (header included) under `command`. */
  record(command: string, bytes: number): void {
    this.#messages++;
    this.#bytes += bytes;
    let c = this.#perCommand.get(command);
    if (c === undefined) this.#perCommand.set(command, c = { messages: 0, bytes: 0 });
    c.messages++;
    c.bytes += bytes;
  }

  /** Total bytes counted. */
  get bytes(): number {
    return this.#bytes;
  }

  /** A copy of the counters. */
  snapshot(): TrafficStats {
    const perCommand: Record<string, CommandTraffic> = {};
    for (const [name, c] of [...this.#perCommand].sort(([a], [b]) => a < b ? -1 : 1)) {
      perCommand[name] = { messages: c.messages, bytes: c.bytes };
    }
    return { messages: this.#messages, bytes: this.#bytes, perCommand };
  }
}

/** Optional features the remote negotiated. */
export interface PeerFeatures {
  /** It asked for block announcements by `headers` (BIP130). */
  readonly sendHeaders: boolean;
  /** It asked for `addrv2` (BIP155). */
  readonly addrV2: boolean;
  /** It announced wtxid relay (BIP339). */
  readonly wtxidRelay: boolean;
  /** Its `feefilter` rate in sat/kvB (BIP133), `null` when none was sent. */
  readonly feeFilter: number | null;
}

/** A block the peer announced (by `inv` or `headers`). */
export interface AnnouncedBlock {
  /** Block hash, display order hex. */
  readonly hash: string;
  /** When it was announced, ms since the epoch. */
  readonly time: number;
}

/** A snapshot of one peer, shaped like one entry of Core's getpeerinfo. */
export interface PeerStats {
  /** Node-wide peer id. */
  readonly id: number;
  /** `host:port` (IPv6 in brackets). */
  readonly address: string;
  readonly direction: PeerDirection;
  /** User-requested: reconnected, never banned automatically. */
  readonly persistent: boolean;
  readonly handshake: HandshakeState;
  /** "v1", "v2" or "detecting" (Core's getpeerinfo `transport_protocol_type`). */
  readonly transport: TransportProtocol;
  /** The BIP324 session id, 64 hex digits; "" unless v2 (Core's `session_id`). */
  readonly sessionId: string;
  /** The remote's services, 16 hex digits. */
  readonly services: string;
  /** Names of the known service bits. */
  readonly serviceNames: readonly string[];
  /** The remote's protocol version (0 until its `version` arrived). */
  readonly version: number;
  /** min(ours, theirs) once known, else 0. */
  readonly negotiatedVersion: number;
  /** The remote's user agent, printable ASCII only ("" until known). */
  readonly userAgent: string;
  /** The best height the remote announced in `version`. */
  readonly startHeight: number;
  /** The remote's BIP37 relay flag (true when it did not send one). */
  readonly relay: boolean;
  readonly features: PeerFeatures;
  /** The last block it announced, or `null`. */
  readonly lastBlockAnnounced: AnnouncedBlock | null;
  /** Round-trip time of the last answered ping, ms. */
  readonly pingMs: number | null;
  /** Lowest round-trip time seen, ms. */
  readonly minPingMs: number | null;
  /** Age of the outstanding ping, ms. */
  readonly pingWaitMs: number | null;
  /** Their clock minus ours, seconds, from their `version`. */
  readonly timeOffsetSeconds: number | null;
  /** When the peer object was made. */
  readonly connectedAt: number;
  /** When we last queued a message to it (`null`: never). */
  readonly lastSend: number | null;
  /** When we last received a message from it (`null`: never). */
  readonly lastReceive: number | null;
  /** Current misbehaviour score (rounded). */
  readonly banScore: number;
  /** Hashes in its known-inventory cache. */
  readonly knownInventory: number;
  /** Bytes queued to it and not yet taken by the connection. */
  readonly sendQueueBytes: number;
  /** Messages dropped as not allowed in the state they arrived in. */
  readonly ignoredMessages: number;
  readonly sent: TrafficStats;
  readonly received: TrafficStats;
}
