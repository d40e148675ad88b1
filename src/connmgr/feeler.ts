/**
 * Feelers: a short-lived connection to an address from the new table (or to
 * the incumbent of a tried-table collision) every 2 minutes on average, at
 * exponentially distributed intervals as in Core, so an observer cannot
 * predict them. Only a node whose outbound slots are full explores. The
 * handshake result reaches the address manager (`good`) through the
 * connection manager, which dials the feeler and hangs up once it is ready;
 * a settled collision is resolved here, before and after each feeler.
 */
import type { AddrManager } from "../addrmgr/addr_manager.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { HostPort } from "../platform/conn.ts";
import type { Random } from "../platform/random.ts";
import { errorText } from "../util/error_text.ts";
import { formatAddress } from "../wire/address_format.ts";
import type { ConnectionOutcome } from "./connection.ts";
import type { ConnectionTable, Reservation } from "./connection_table.ts";
import type { OutboundSlots } from "./outbound.ts";

/** Mean time between feelers (Core FEELER_INTERVAL: 2 minutes). */
export const FEELER_INTERVAL_MS = 2 * 60_000;
/** Longest wait drawn, as a multiple of the mean (bounds the exponential tail). */
const MAX_INTERVAL_FACTOR = 8;

/** The wait before the next feeler: exponential with mean `meanMs`, capped at 8 × the mean. */
export function nextFeelerDelayMs(random: Random, meanMs: number = FEELER_INTERVAL_MS): number {
  const draw = -Math.log(1 - random.float()) * meanMs;
  return Math.min(draw, meanMs * MAX_INTERVAL_FACTOR);
}

/** What `runFeelers` needs. */
export interface FeelerOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly random: Random;
  /** Mean time between feelers. */
  readonly meanMs: number;
  readonly addrman: Pick<AddrManager, "resolveCollisions" | "selectTriedCollision" | "select">;
  readonly logger: Logger;
  /** The outbound slots: feelers run only while they are full, and share their candidate loop. */
  readonly slots: Pick<OutboundSlots, "full" | "pick">;
  readonly table: Pick<ConnectionTable, "reserve">;
  /** Runs the reserved dial `r` to the end of its connection; rejects when the dial fails. */
  readonly run: (target: HostPort, r: Reservation) => Promise<ConnectionOutcome>;
}

/** Tries one feeler after each random wait until `signal` aborts. Never rejects. */
export async function runFeelers(options: FeelerOptions): Promise<void> {
  const { signal, addrman: book, logger, slots } = options;
  const draw = () => book.selectTriedCollision()?.incumbent ?? book.select({ newOnly: true });
  while (!signal.aborted) {
    const delay = nextFeelerDelayMs(options.random, options.meanMs);
    try {
      await options.clock.sleep(delay, signal);
    } catch {
      return;
    }
    if (!slots.full()) continue;
    book.resolveCollisions();
    const pick = slots.pick(draw, true);
    if (pick === undefined) continue;
    const target = { host: formatAddress(pick.address.addr), port: pick.address.port };
    try {
      const r = options.table.reserve("feeler", pick.hostPort, pick.group);
      const outcome = await options.run(target, r);
      logger.debug("feeler done", { peer: pick.hostPort, answered: outcome.ready });
    } catch (error) {
      if (signal.aborted) return;
      logger.debug("feeler failed", { peer: pick.hostPort, error: errorText(error) });
    }
    book.resolveCollisions();
  }
}
