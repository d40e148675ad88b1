/**
 * A group of background tasks the node awaits on stop. A task is registered
 * before it starts (the group runs the function itself), so stop() can never
 * miss one; `close(deadlineMs)` waits for all of them, or reports the names
 * still running when the deadline passes.
 */
import type { Clock } from "../platform/clock.ts";

/** Tracks named async tasks. */
export class TaskGroup {
  readonly #running = new Map<number, string>();
  readonly #promises = new Set<Promise<void>>();
  readonly #onError: (name: string, error: unknown) => void;
  #nextId = 0;
  #closed = false;

  /** `onError` receives what a task threw (tasks should handle their own errors). */
  constructor(onError: (name: string, error: unknown) => void) {
    this.#onError = onError;
  }

  /** Names of the tasks still running. */
  get running(): string[] {
    return [...this.#running.values()];
  }

  /**
   * Registers and starts `fn`. Returns false (and does not start it) once the
   * group is closing: nothing new begins during shutdown.
   */
  spawn(name: string, fn: () => Promise<unknown>): boolean {
    if (this.#closed) return false;
    const id = this.#nextId++;
    this.#running.set(id, name);
    const p = (async () => {
      try {
        await fn();
      } catch (error) {
        this.#onError(name, error);
      } finally {
        this.#running.delete(id);
      }
    })();
    this.#promises.add(p);
    p.finally(() => this.#promises.delete(p));
    return true;
  }

  /**
   * Refuses new tasks and waits for the running ones, at most `deadlineMs`.
   * Resolves with the names still running at the deadline (empty when all ended).
   */
  async close(deadlineMs: number, clock: Clock): Promise<string[]> {
    this.#closed = true;
    const abort = new AbortController();
    const all = (async () => {
      while (this.#promises.size) await Promise.all([...this.#promises]);
    })();
    const timedOut = clock.sleep(deadlineMs, abort.signal).then(() => true, () => false);
    const late = await Promise.race([all.then(() => false), timedOut]);
    abort.abort();
    return late ? this.running : [];
  }
}
