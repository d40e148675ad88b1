/**
 * Test-before-evict for the tried table (Core ResolveCollisions and
 * SelectTriedCollision). When a newly working address would take the tried
 * slot of another, the move waits: the connection manager's feeler tests the
 * incumbent, and the incumbent keeps its slot if it answered within 4 hours;
 * otherwise, or if the test never completes, the newcomer takes the slot.
 */
import type { Random } from "../platform/random.ts";
import type { AddrEntry } from "./entry.ts";
import type { AddrTables } from "./tables.ts";

/** An incumbent that succeeded this recently keeps its slot (Core ADDRMAN_REPLACEMENT, 4 h). */
export const REPLACEMENT_SECONDS = 4 * 3600;
/** A failed test of the incumbent counts only once it is this old (Core: 60 s). */
export const TEST_GRACE_SECONDS = 60;
/** A collision untested for this long evicts the incumbent (Core ADDRMAN_TEST_WINDOW, 40 min). */
export const TEST_WINDOW_SECONDS = 40 * 60;

/** A pending collision: `newcomer` wants the tried slot `incumbent` holds. */
export interface TriedCollision {
  readonly newcomer: AddrEntry;
  readonly incumbent: AddrEntry;
}

/**
 * Settles what can be settled in the collision set at `now`: the incumbent
 * stays if it succeeded within 4 hours; it is evicted if it was tried and
 * failed in that time (at least a minute ago), or if the collision has
 * waited 40 minutes since the newcomer's success without a test; a slot that
 * has become free is simply taken. Returns how many collisions were settled.
 */
export function resolveCollisions(t: AddrTables, now: number): number {
  let settled = 0;
  for (const e of [...t.triedCollisions]) {
    let done = false;
    if (t.byKey.get(e.key) !== e || e.triedSlot >= 0 || e.refCount === 0) {
      done = true; // deleted or moved meanwhile
    } else {
      const incumbent = t.triedSlots.at(t.triedSlotOf(e));
      if (incumbent === undefined) {
        t.good(e, now, false);
        done = true;
      } else if (now - incumbent.lastSuccess < REPLACEMENT_SECONDS) {
        done = true;
      } else if (now - incumbent.lastTry < REPLACEMENT_SECONDS) {
        if (now - incumbent.lastTry > TEST_GRACE_SECONDS) {
          t.good(e, now, false);
          done = true;
        }
      } else if (now - e.lastSuccess > TEST_WINDOW_SECONDS) {
        t.good(e, now, false);
        done = true;
      }
    }
    if (done) {
      t.triedCollisions.delete(e);
      settled++;
    }
  }
  return settled;
}

/**
 * One pending collision at random, for a feeler to test its incumbent, or
 * `undefined` when none is pending.
 */
export function selectTriedCollision(t: AddrTables, random: Random): TriedCollision | undefined {
  if (t.triedCollisions.size === 0) return undefined;
  const newcomer = [...t.triedCollisions][random.int(t.triedCollisions.size)];
  if (t.byKey.get(newcomer.key) !== newcomer || newcomer.triedSlot >= 0) {
    t.triedCollisions.delete(newcomer);
    return undefined;
  }
  const incumbent = t.triedSlots.at(t.triedSlotOf(newcomer));
  return incumbent === undefined ? undefined : { newcomer, incumbent };
}
