/**
 * Order statistics for the benches: an ascending copy, a quantile by rank
 * and the median. The leading underscore keeps bench/run_all.ts from running
 * this module as a bench.
 */

/** `values` sorted ascending, in a new array. */
export function ascending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * The value at fraction `q` (0 to 1) of `sorted` (ascending): the element of
 * rank ⌊q·n⌋, the last one for q = 1; undefined when `sorted` is empty.
 */
export function quantile(sorted: readonly number[], q: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The median of `values` (the upper middle one of an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  return quantile(ascending(values), 0.5) ?? NaN;
}
