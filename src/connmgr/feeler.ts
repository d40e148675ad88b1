/**
 * Feeler timing: a short-lived connection to an address from the new table
 * (or to the incumbent of a tried-table collision) every 2 minutes on
 * average, at exponentially distributed intervals as in Core, so an observer
 * cannot predict them. The feeler itself (dial, handshake, disconnect,
 * report to the address manager) is run by the connection manager.
 */
import type { Random } from "../platform/random.ts";

/** Mean time between feelers (Core FEELER_INTERVAL: 2 minutes). */
export const FEELER_INTERVAL_MS = 2 * 60_000;
/** Longest wait drawn, as a multiple of the mean (bounds the exponential tail). */
const MAX_INTERVAL_FACTOR = 8;

/** The wait before the next feeler: exponential with mean `meanMs`, capped at 8 × the mean. */
export function nextFeelerDelayMs(random: Random, meanMs: number = FEELER_INTERVAL_MS): number {
  const draw = -Math.log(1 - random.float()) * meanMs;
  return Math.min(draw, meanMs * MAX_INTERVAL_FACTOR);
}
