/**
 * Manual connections (Core's kind): the peers the user names. `--connect`
 * and `--addnode` peers, and API requests marked persistent, are kept
 * connected: dialled until the node stops and reconnected after every loss;
 * after a failure the next try waits 5 s × the failures in a row, at most
 * 5 minutes (btcd's connmgr), and a completed handshake resets the count.
 * Other API requests are dialled once. The API can start at most
 * `MAX_USER_CONNECTIONS`, and never two for one target.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { HostPort } from "../platform/conn.ts";
import { errorText } from "../util/error_text.ts";
import { formatEndpoint } from "../wire/host_port.ts";
import type { ConnectionOutcome } from "./connection.ts";
import type { ConnectionTable, Reservation } from "./connection_table.ts";

/** Retry step: the wait grows by this much per failure in a row (btcd: 5 s). */
export const RETRY_STEP_MS = 5_000;
/** Longest wait between tries (btcd: 5 minutes). */
export const RETRY_MAX_MS = 5 * 60_000;
/**
 * User-requested connections (API POST /peers): kept targets plus one-off
 * dials in progress or connected. Bounds what control requests can start.
 */
export const MAX_USER_CONNECTIONS = 32;

/** What a user-requested connect did. */
export type UserConnectResult = "started" | "duplicate" | "limit" | "stopping";

/** The wait before the next try after `failures` failures in a row (0 after a lost peer). */
export function retryDelayMs(
  failures: number,
  stepMs: number = RETRY_STEP_MS,
  maxMs: number = RETRY_MAX_MS,
): number {
  return Math.min(stepMs * Math.max(failures, 1), maxMs);
}

/** What `keepConnected` needs. */
export interface KeepConnectedOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly stepMs?: number;
  readonly maxMs?: number;
  /**
   * One connection: dial, run the peer until it closes. Rejects when the
   * dial fails; resolves with how the connection ended otherwise.
   */
  readonly connectOnce: () => Promise<ConnectionOutcome>;
  /** A failed try (dial error or handshake failure) and the wait before the next. */
  readonly onFailure: (failures: number, reason: string, retryInMs: number) => void;
}

/** Keeps one peer connected until `signal` aborts. Never rejects. */
export async function keepConnected(options: KeepConnectedOptions): Promise<void> {
  const { signal, clock } = options;
  let failures = 0;
  while (!signal.aborted) {
    let reason: string;
    try {
      const outcome = await options.connectOnce();
      reason = outcome.reason;
      failures = outcome.ready ? 0 : failures + 1;
    } catch (error) {
      reason = errorText(error);
      failures++;
    }
    if (signal.aborted) return;
    const delay = retryDelayMs(failures, options.stepMs, options.maxMs);
    if (failures > 0) options.onFailure(failures, reason, delay);
    await clock.sleep(delay, signal).catch(() => {});
  }
}

/** What `ManualConnections` needs. */
export interface ManualOptions {
  readonly table: ConnectionTable;
  /** The `ConnConfig` fields of the same names. */
  readonly config: { readonly retryStepMs: number; readonly retryMaxMs: number };
  readonly clock: Clock;
  /** Aborted when the manager stops: every kept peer is let go. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Registers and starts a named task (false once shutting down). */
  readonly spawn: (name: string, fn: () => Promise<unknown>) => boolean;
  /** Starts the reserved dial `r` in a task of its own (false: not started, `r` released). */
  readonly dial: (target: HostPort, r: Reservation) => boolean;
  /** Runs the reserved dial `r` to the end of its connection; rejects when the dial fails. */
  readonly run: (target: HostPort, r: Reservation) => Promise<ConnectionOutcome>;
}

/** The manual connections: kept peers and the user's one-off requests. */
export class ManualConnections {
  readonly #o: ManualOptions;
  /** Targets kept connected at user request (API `persistent`), at most MAX_USER_CONNECTIONS. */
  readonly #userKept = new Set<string>();

  constructor(options: ManualOptions) {
    this.#o = options;
  }

  /** Keeps `target` connected until the manager stops; false when it could not start. */
  keep(target: HostPort): boolean {
    const { table, logger } = this.#o;
    const hostPort = formatEndpoint(target);
    const label = `${hostPort} (outbound)`;
    return this.#o.spawn(`persistent ${hostPort}`, () =>
      keepConnected({
        signal: this.#o.signal,
        clock: this.#o.clock,
        stepMs: this.#o.config.retryStepMs,
        maxMs: this.#o.config.retryMaxMs,
        connectOnce: () => this.#o.run(target, table.reserve("manual", hostPort, null, true)),
        onFailure: (failures, reason, retryInMs) =>
          logger.error("persistent peer connection failed", {
            peer: label,
            attempt: failures,
            retryInSeconds: retryInMs / 1000,
            error: reason,
          }),
      }));
  }

  /**
   * Connects to `target` at user request: `persistent` keeps it connected
   * like `--addnode`, otherwise it is dialled once. "duplicate" when that
   * target is already being dialled, connected or kept; "limit" past
   * `MAX_USER_CONNECTIONS`; "stopping" when the task could not start.
   */
  request(target: HostPort, persistent: boolean): UserConnectResult {
    const { table } = this.#o;
    const hostPort = formatEndpoint(target);
    if (table.busy(hostPort) || this.#userKept.has(hostPort)) return "duplicate";
    const once = table.count({ kinds: ["manual"], persistent: false, dials: true });
    if (this.#userKept.size + once >= MAX_USER_CONNECTIONS) return "limit";
    if (!persistent) {
      return this.#o.dial(target, table.reserve("manual", hostPort, null)) ? "started" : "stopping";
    }
    if (!this.keep(target)) return "stopping";
    this.#userKept.add(hostPort);
    return "started";
  }
}
