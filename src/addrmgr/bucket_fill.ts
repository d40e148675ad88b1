/**
 * Occupied slots per bucket of one table, and the buckets holding any, in a
 * dense list: selection draws a bucket uniformly among the occupied ones at
 * once instead of drawing among all 1,024 (or 256) and retrying the empty
 * ones, as Core's AddrMan::Select does. The result is the same distribution
 * (a uniform bucket, given it is occupied), but a sparse book (a young node,
 * a test network) no longer pays a draw per empty bucket on every selection.
 */
import type { Random } from "../platform/random.ts";

/** Slot counts of one table's buckets and the list of occupied buckets. */
export class BucketFill {
  /** Occupied slots per bucket (at most 64 each). */
  readonly #count: Uint8Array;
  /** The occupied buckets, in no particular order. */
  readonly #occupied: Uint16Array;
  /** Each occupied bucket's place in `#occupied`. */
  readonly #place: Uint16Array;
  #size = 0;

  /** Counts for `buckets` buckets (at most 65,536), all empty. */
  constructor(buckets: number) {
    this.#count = new Uint8Array(buckets);
    this.#occupied = new Uint16Array(buckets);
    this.#place = new Uint16Array(buckets);
  }

  /** Occupied slots in `bucket`. */
  at(bucket: number): number {
    return this.#count[bucket];
  }

  /** Buckets with at least one occupied slot. */
  get occupied(): number {
    return this.#size;
  }

  /** One slot of `bucket` was filled. */
  add(bucket: number): void {
    if (this.#count[bucket]++ > 0) return;
    this.#place[bucket] = this.#size;
    this.#occupied[this.#size++] = bucket;
  }

  /** One slot of `bucket` was emptied. */
  remove(bucket: number): void {
    if (--this.#count[bucket] > 0) return;
    const last = this.#occupied[--this.#size];
    const place = this.#place[bucket];
    this.#occupied[place] = last;
    this.#place[last] = place;
  }

  /** A uniformly drawn occupied bucket; call only when `occupied` > 0. */
  draw(random: Random): number {
    return this.#occupied[random.int(this.#size)];
  }
}
