/**
 * What a peer is made with: the options its owner passes (only the network
 * magic and a SHA-256 are required) and the one place their defaults are
 * applied, so the peer reads settled values and every default is named here.
 */
import { type Logger, silentLogger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import { systemClock } from "../platform/system_clock.ts";
import type { TransportFactory } from "../transport/transport.ts";
import { V1Transport } from "../transport/v1_transport.ts";
import { USER_AGENT } from "../version.ts";
import { DEFAULT_MIN_PROTOCOL_VERSION, type RequiredServices } from "./handshake.ts";
import { DEFAULT_KNOWN_INVENTORY_LIMIT } from "./known_inventory.ts";
import { type PeerTimeouts, resolveTimeouts } from "./liveness.ts";
import { DEFAULT_BAN_THRESHOLD } from "./misbehaviour.ts";
import { DEFAULT_SEND_QUEUE_LIMIT_BYTES } from "./send_queue.ts";
import { NODE_NONE, NODE_WITNESS } from "./services.ts";

/**
 * Services an outbound peer must have by default: witness data, without
 * which this node cannot fetch post-segwit blocks. The connection manager
 * passes Core's rule instead (`desirableServices` for automatic outbound
 * kinds, none for manual peers and feelers).
 */
export const DEFAULT_REQUIRED_SERVICES = NODE_WITNESS;

/** Everything a peer needs; only `magic` and `sha256` are required. */
export interface PeerOptions {
  /** The network's 4 message-start bytes (`NetworkParams.magic`). */
  readonly magic: Uint8Array;
  readonly sha256: Sha256;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Nonces for version and ping. Default: `cryptoRandom`. */
  readonly random?: Random;
  /** Where records go, as given (pass e.g. `root.child("peer")`). Default: silent. */
  readonly logger?: Logger;
  /** Services we announce. Default `NODE_NONE`. */
  readonly services?: bigint;
  /** Services an outbound peer must have. Default `DEFAULT_REQUIRED_SERVICES`. */
  readonly requiredServices?: RequiredServices;
  /** Our best height, read when our `version` is sent. Default 0. */
  readonly bestHeight?: () => number;
  /** Lowest protocol version accepted. Default `DEFAULT_MIN_PROTOCOL_VERSION` (70001). */
  readonly minProtocolVersion?: number;
  /**
   * Nonces of our `version` messages in flight, shared by all of a node's
   * peers: a remote `version` carrying one means we dialed ourselves. Each
   * peer adds its nonce when sending and removes it once the handshake ends.
   * Default: a set of this peer's own (detects nothing across peers).
   */
  readonly localNonces?: Set<bigint>;
  /** Deadlines; each missing one takes its `DEFAULT_PEER_TIMEOUTS` value. */
  readonly timeouts?: Partial<PeerTimeouts>;
  /** Send queue bound. Default `DEFAULT_SEND_QUEUE_LIMIT_BYTES` (10 MiB). */
  readonly sendQueueLimitBytes?: number;
  /** Known-inventory bound. Default `DEFAULT_KNOWN_INVENTORY_LIMIT` (1,000). */
  readonly knownInventoryLimit?: number;
  /** Misbehaviour score that bans. Default `DEFAULT_BAN_THRESHOLD` (100). */
  readonly banThreshold?: number;
  /** User-requested: failures are logged as warnings, never banned automatically. */
  readonly persistent?: boolean;
  /** Node-wide id. Default: the next value of a process-wide counter. */
  readonly id?: number;
  /** BIP14 user agent to announce. Default `USER_AGENT`. */
  readonly userAgent?: string;
  /** How bytes become frames on this connection. Default: v1 framing with `magic`. */
  readonly transport?: TransportFactory;
}

/** `PeerOptions` with every default applied. */
export type PeerSettings =
  & Required<Omit<PeerOptions, "magic" | "timeouts">>
  & { readonly timeouts: PeerTimeouts };

let nextPeerId = 1;

/**
 * The settings of a new peer: `options` with each missing value defaulted
 * (and, without an `id`, the next process-wide one taken). Throws
 * `RangeError` for a deadline that is not a positive number.
 */
export function peerSettings(options: PeerOptions): PeerSettings {
  return {
    id: options.id ?? nextPeerId++,
    sha256: options.sha256,
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
    logger: options.logger ?? silentLogger,
    services: options.services ?? NODE_NONE,
    requiredServices: options.requiredServices ?? DEFAULT_REQUIRED_SERVICES,
    bestHeight: options.bestHeight ?? (() => 0),
    minProtocolVersion: options.minProtocolVersion ?? DEFAULT_MIN_PROTOCOL_VERSION,
    localNonces: options.localNonces ?? new Set(),
    timeouts: resolveTimeouts(options.timeouts),
    sendQueueLimitBytes: options.sendQueueLimitBytes ?? DEFAULT_SEND_QUEUE_LIMIT_BYTES,
    knownInventoryLimit: options.knownInventoryLimit ?? DEFAULT_KNOWN_INVENTORY_LIMIT,
    banThreshold: options.banThreshold ?? DEFAULT_BAN_THRESHOLD,
    persistent: options.persistent ?? false,
    userAgent: options.userAgent ?? USER_AGENT,
    transport: options.transport ??
      ((owner, signal) => new V1Transport(options.magic, options.sha256, owner, signal)),
  };
}
