/**
 * The machine-readable line every bench prints last, read by
 * bench/run_all.ts to build its one table:
 *   RESULT {"bench":"wire","runtime":"node","metrics":[...]}
 * `runtime` is the column ("bun", "deno", "node", or "bcoin" for figures
 * of bcoin measured by the same bench in the same run). The leading
 * underscore keeps bench/run_all.ts from running this module as a bench.
 */

/** The parts of the runtimes' globals read here (declared so every runtime type-checks). */
declare const Bun: undefined | object;
declare const Deno: undefined | object;

/** The prefix of a result line. */
export const RESULT_PREFIX = "RESULT ";

/** One figure of one bench. */
export interface Metric {
  /** The table row, e.g. "wire: parse 1 MB block (413567)". Same name = same row. */
  readonly name: string;
  /** Unit shown next to the row name ("ms", "/s", "KiB"...). */
  readonly unit: string;
  readonly value: number;
}

/** A result line: one bench's figures for one column. */
export interface BenchResult {
  readonly bench: string;
  /** "bun" | "deno" | "node" | "bcoin". */
  readonly runtime: string;
  readonly metrics: readonly Metric[];
}

/** The runtime running this bench: "bun", "deno" or "node". */
export const RUNTIME: "bun" | "deno" | "node" = typeof Bun !== "undefined"
  ? "bun"
  : typeof Deno !== "undefined"
  ? "deno"
  : "node";

/** Prints one `RESULT {json}` line (for `runtime`, by default the current one). */
export function printResult(
  bench: string,
  metrics: readonly Metric[],
  runtime: string = RUNTIME,
): void {
  const result: BenchResult = { bench, runtime, metrics };
  console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
}

/** Parses a line printed by `printResult`; null for any other line. */
export function parseResult(line: string): BenchResult | null {
  if (!line.startsWith(RESULT_PREFIX)) return null;
  try {
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult;
  } catch {
    return null;
  }
}
