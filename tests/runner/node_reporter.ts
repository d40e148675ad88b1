/**
 * A `node --test` reporter (`--test-reporter=./tests/runner/node_reporter.ts`)
 * that writes one JSON line for each test the run reported (passed, failed,
 * cancelled or skipped): its name and seconds. `npm test` gives each to its
 * file by the names in the ledger of registered tests
 * (tests/runner/test_ledger.ts; node's events name the shim as every test's
 * file), holds the counts against the tests each file registered, and lists
 * the slowest files.
 */

/** One line of this reporter's output. */
export interface ReportedTest {
  readonly name: string;
  readonly seconds: number;
}

interface EventData {
  name?: string;
  nesting?: number;
  details?: { duration_ms?: number };
}

/** The reporter: node's test events in, JSON lines out. */
export default async function* nodeReporter(
  source: AsyncIterable<{ type: string; data?: EventData }>,
): AsyncGenerator<string> {
  for await (const { type, data } of source) {
    if (type !== "test:pass" && type !== "test:fail") continue;
    if (data?.nesting !== 0 || data.name === undefined) continue;
    const line: ReportedTest = {
      name: data.name,
      seconds: (data.details?.duration_ms ?? 0) / 1000,
    };
    yield `${JSON.stringify(line)}\n`;
  }
}
