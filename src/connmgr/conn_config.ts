/**
 * The connection manager's settings: the limits from the options (`--maxpeers`,
 * `--targetoutbound`, `--timeout`...) and the timings that tests shorten.
 */
import type { HostPort } from "../platform/conn.ts";
import { FEELER_INTERVAL_MS } from "./feeler.ts";
import { DEFAULT_MAX_INBOUND, DEFAULT_MAX_INBOUND_PER_IP } from "./inbound.ts";
import { RETRY_MAX_MS, RETRY_STEP_MS } from "./manual.ts";
import { MAX_BLOCK_RELAY_ONLY_CONNECTIONS } from "./outbound.ts";

/** Everything the connection manager can be told. */
export interface ConnConfig {
  /** Automatic full outbound peers to keep (Core MAX_OUTBOUND_FULL_RELAY_CONNECTIONS: 8). */
  readonly targetOutbound: number;
  /**
   * Automatic block-relay-only peers to keep besides them (Core
   * MAX_BLOCK_RELAY_ONLY_CONNECTIONS: 2); none when `targetOutbound` is 0.
   */
  readonly blockRelayOnly: number;
  /** Most inbound peers. */
  readonly maxInbound: number;
  /** Most inbound peers from one IP address. */
  readonly maxInboundPerIp: number;
  /** Connect timeout (proxy handshake included). */
  readonly connectTimeoutMs: number;
  /** Automatic outbound dials in flight at once. */
  readonly maxDialsInFlight: number;
  /** `--connect`: only these peers (no automatic outbound, feelers or seeding). */
  readonly connect: readonly HostPort[];
  /** `--addnode`: these peers as well. */
  readonly addnode: readonly HostPort[];
  /** `--seednode`: connect, ask for addresses, disconnect. */
  readonly seednode: readonly HostPort[];
  /** Query the network's DNS seeds when the address book needs addresses. */
  readonly dnsSeed: boolean;
  /** SOCKS5 proxy for all outbound connections. */
  readonly proxy?: HostPort;
  /** SOCKS5 proxy for Tor addresses. */
  readonly onion?: HostPort;
  /** `--v2transport`: BIP324 v2 inbound and, where `transport_choice.ts` says, outbound. */
  readonly v2transport: boolean;
  /** Fixed seed addresses (`host:port`); default: the network's list in `fixed_seeds.ts`. */
  readonly fixedSeeds?: readonly string[];
  /** Mean time between feelers. */
  readonly feelerIntervalMs: number;
  /** Persistent peers: the retry wait grows by this per failure... */
  readonly retryStepMs: number;
  /** ...up to this. */
  readonly retryMaxMs: number;
  /** After a failed automatic dial, the next pick waits this long (Core paces at 500 ms). */
  readonly failedDialPauseMs: number;
  /** The outbound loop rechecks its slots at least this often (new addresses may have come). */
  readonly recheckMs: number;
  /** DNS seeds are asked only after this long when the book is not empty (Core: 11 s). */
  readonly dnsSeedDelayMs: number;
  /** Fixed seeds are added only after this long if the book is still empty (Core: 60 s). */
  readonly fixedSeedDelayMs: number;
  /** A seed node that sent no addresses this long after the handshake is dropped. */
  readonly seedAnswerTimeoutMs: number;
}

/** The defaults: the option defaults and Core's timings. */
export const DEFAULT_CONN_CONFIG: ConnConfig = {
  targetOutbound: 8,
  blockRelayOnly: MAX_BLOCK_RELAY_ONLY_CONNECTIONS,
  maxInbound: DEFAULT_MAX_INBOUND,
  maxInboundPerIp: DEFAULT_MAX_INBOUND_PER_IP,
  connectTimeoutMs: 10_000,
  maxDialsInFlight: 8,
  connect: [],
  addnode: [],
  seednode: [],
  dnsSeed: true,
  v2transport: true,
  feelerIntervalMs: FEELER_INTERVAL_MS,
  retryStepMs: RETRY_STEP_MS,
  retryMaxMs: RETRY_MAX_MS,
  failedDialPauseMs: 500,
  recheckMs: 5_000,
  dnsSeedDelayMs: 11_000,
  fixedSeedDelayMs: 60_000,
  seedAnswerTimeoutMs: 60_000,
};
