/**
 * Persistent peers (`--connect`, `--addnode`): dialled until the node stops,
 * reconnected after every loss. After a failure the next try waits
 * 5 s × the failures in a row, at most 5 minutes (btcd's connmgr); a
 * completed handshake resets the count.
 */
import { errorText } from "../util/error_text.ts";
import type { Clock } from "../platform/clock.ts";

/** Retry step: the wait grows by this much per failure in a row (btcd: 5 s). */
export const RETRY_STEP_MS = 5_000;
/** Longest wait between tries (btcd: 5 minutes). */
export const RETRY_MAX_MS = 5 * 60_000;

/** The wait before the next try after `failures` failures in a row (0 after a lost peer). */
export function retryDelayMs(
  failures: number,
  stepMs: number = RETRY_STEP_MS,
  maxMs: number = RETRY_MAX_MS,
): number {
  return Math.min(stepMs * Math.max(failures, 1), maxMs);
}

/** How one connection ended. */
export interface ConnectionOutcome {
  /** The handshake completed (the peer worked for a while). */
  readonly ready: boolean;
  /** Why it ended (or failed to start). */
  readonly reason: string;
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
