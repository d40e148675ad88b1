/**
 * A `node --test` reporter (`--test-reporter=./tests/runner/file_reporter.ts`)
 * that writes one JSON line a test file: the file (relative to the working
 * directory), how many tests its child process reported (passed, failed,
 * cancelled, skipped or todo) and the file's wall time in seconds, child
 * start-up included. `npm test` compares the counts with the tests each file
 * registered, and lists the slowest files.
 *
 * The count is the one in the child's closing summary of its file, the last
 * thing it sends: a child whose results were cut off (it exited early, or
 * its last messages were lost) has no summary here and counts 0.
 */
import { resolve } from "node:path";
import process from "node:process";

/** One line of this reporter's output. */
export interface FileLine {
  readonly file: string;
  readonly tests: number;
  readonly seconds: number;
}

interface EventData {
  name?: string;
  nesting?: number;
  file?: string;
  counts?: { tests: number };
}

/** The reporter: node's test events in, JSON lines out. */
export default async function* fileReporter(
  source: AsyncIterable<{ type: string; data?: EventData }>,
): AsyncGenerator<string> {
  const cwd = process.cwd();
  const files = new Map<string, { tests: number; start?: number; seconds: number }>();
  const entry = (name: string) => {
    let e = files.get(name);
    if (e === undefined) files.set(name, e = { tests: 0, seconds: 0 });
    return e;
  };
  for await (const { type, data } of source) {
    if (data?.file === undefined) continue;
    if (type === "test:summary") {
      // One for each file (from its child), then one for the run, which names no file.
      entry(data.file).tests = data.counts?.tests ?? 0;
      continue;
    }
    // The parent's own test for the file is named by its path.
    if (data.nesting !== 0 || data.name === undefined || resolve(cwd, data.name) !== data.file) {
      continue;
    }
    const e = entry(data.file);
    if (type === "test:dequeue") e.start = performance.now();
    if (type === "test:complete" && e.start !== undefined) {
      e.seconds = (performance.now() - e.start) / 1000;
    }
  }
  const cwdPrefix = resolve(cwd) + "/";
  for (const [file, e] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const relative = file.startsWith(cwdPrefix) ? file.slice(cwdPrefix.length) : file;
    const line: FileLine = { file: relative, tests: e.tests, seconds: e.seconds };
    yield `${JSON.stringify(line)}\n`;
  }
}
