/**
 * Cleaning gossiped timestamps before they reach the tables (Core
 * net_processing ProcessMessage "addr"): a claimed last-seen time that is
 * implausible (before 1973 or over 10 minutes ahead) becomes "5 days ago",
 * and addresses not announced by themselves are aged by 2 hours so relayed
 * hearsay never looks fresher than first-hand announcements.
 */

/** Times at or before this are defaults, not observations (Core CAddress TIME_INIT, 1973). */
export const TIME_INIT = 100_000_000;
/** Claimed times further ahead than this are not believed (Core: 10 minutes). */
export const MAX_CLOCK_AHEAD_SECONDS = 10 * 60;
/** Age given to an unbelievable timestamp (Core: 5 days). */
export const UNTRUSTED_AGE_SECONDS = 5 * 24 * 3600;
/** Ageing of addresses relayed by a peer other than the address itself (Core: 2 hours). */
export const GOSSIP_PENALTY_SECONDS = 2 * 3600;

/** `time` (Unix seconds) if plausible at `now`, else `now` − 5 days. */
export function sanitiseTime(time: number, now: number): number {
  if (time <= TIME_INIT || time > now + MAX_CLOCK_AHEAD_SECONDS) return now - UNTRUSTED_AGE_SECONDS;
  return time;
}
