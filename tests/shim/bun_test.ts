/**
 * A tiny `bun:test` stand-in so one test file runs under `deno test` and
 * `node --test` as well as `bun test`.
 *
 * Tests are registered with `node:test`'s top-level `test` (Deno implements
 * it over Deno.test); `describe` blocks are flattened into "outer > inner >
 * name" test names because Deno's node:test has no hooks. The shim runs the
 * hooks itself: beforeAll before a block's first test, afterAll after its last,
 * beforeEach/afterEach around every test of the block and its children. As in
 * bun, each test file is a block of its own: hooks outside any `describe`
 * belong to that file's tests only, though deno and `node --test` with
 * `--test-isolation=none` run many files in one process.
 * `expect` is Jest's matcher library (the npm `expect` package), which is what
 * bun:test's `expect` mirrors.
 *
 * A test without a timeout of its own gets DEFAULT_TEST_TIMEOUT_MS (`npm test`
 * gives bun the same), so a hang is a named failure on every runtime. A
 * skipped test carries its file as the skip message, which `node --test`
 * prints after `#` (tests/run_all.ts names the skipped tests by it). Every
 * registered test is noted in the ledger `npm test` may ask for
 * (tests/runner/test_ledger.ts), to catch a runner reporting fewer.
 */
import { test as nodeTest } from "node:test";
import { expect } from "expect";
import { noteRegistered } from "../runner/test_ledger.ts";
import { DEFAULT_TEST_TIMEOUT_MS } from "./default_timeout.ts";

type Hook = () => unknown | Promise<unknown>;
type TestOptions = { timeout?: number } | number | undefined;

interface Suite {
  name: string;
  parent: Suite | null;
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  /** Tests registered in this block or its children, in order. */
  pending: number;
  started: boolean;
}

function newSuite(name: string, parent: Suite | null): Suite {
  return {
    name,
    parent,
    beforeAll: [],
    afterAll: [],
    beforeEach: [],
    afterEach: [],
    pending: 0,
    started: false,
  };
}

/** The block of each test file (by callerFile()), holding its top-level hooks. */
const fileBlocks = new Map<string, Suite>();
/** The `describe` block being defined, null at a file's top level. */
let current: Suite | null = null;

/** The block a test or hook registered now belongs to. */
function scope(): Suite {
  if (current !== null) return current;
  const file = callerFile() ?? "?";
  let block = fileBlocks.get(file);
  if (block === undefined) fileBlocks.set(file, block = newSuite("", null));
  return block;
}

function chain(suite: Suite): Suite[] {
  const out: Suite[] = [];
  for (let s: Suite | null = suite; s; s = s.parent) out.unshift(s);
  return out;
}

function fullName(suite: Suite, name: string): string {
  return [...chain(suite).map((s) => s.name).filter(Boolean), name].join(" > ");
}

async function runAll(hooks: Hook[]): Promise<void> {
  for (const hook of hooks) await hook();
}

function timeoutOf(options: TestOptions): number {
  return (typeof options === "number" ? options : options?.timeout) ?? DEFAULT_TEST_TIMEOUT_MS;
}

/**
 * The test file registering a test (the first stack frame in a `_test.ts`
 * file, else the first outside the shim), relative to the project root.
 */
function callerFile(): string | undefined {
  const shim = import.meta.url;
  const projectRoot = new URL("../../", shim).href;
  const files = (new Error().stack ?? "").split("\n").flatMap((line) => {
    const url = /(file:\/\/[^\s)]+?):\d+:\d+/.exec(line)?.[1];
    return url === undefined || url === shim ? [] : [url];
  });
  const file = files.find((f) => f.endsWith("_test.ts")) ?? files[0];
  return file?.startsWith(projectRoot) ? file.slice(projectRoot.length) : file;
}

/** `describe(name, fn)`: a block of tests sharing hooks. */
export function describe(name: string, fn: () => void): void {
  const outer = current;
  current = newSuite(name, scope());
  try {
    fn();
  } finally {
    current = outer;
  }
}

/** `test(name, fn, timeout?)` as bun:test spells it. */
export function test(
  name: string,
  fn: () => unknown | Promise<unknown>,
  options?: TestOptions,
): void {
  const block = scope();
  const full = fullName(block, name);
  noteRegistered(callerFile(), full);
  const suites = chain(block);
  for (const s of suites) s.pending++;
  nodeTest(full, { timeout: timeoutOf(options) }, async () => {
    try {
      for (const s of suites) {
        if (!s.started) {
          s.started = true;
          await runAll(s.beforeAll);
        }
      }
      for (const s of suites) await runAll(s.beforeEach);
      try {
        await fn();
      } finally {
        for (const s of [...suites].reverse()) await runAll(s.afterEach);
      }
    } finally {
      for (const s of [...suites].reverse()) {
        if (--s.pending === 0) await runAll(s.afterAll);
      }
    }
  });
}
test.skip = (name: string, _fn: unknown, _options?: TestOptions): void => {
  const file = callerFile();
  const full = fullName(scope(), name);
  noteRegistered(file, full);
  nodeTest(full, { skip: file ?? true }, () => {});
};
test.skipIf = (condition: boolean) => condition ? test.skip : test;

/** Runs once before the first test of the enclosing block. */
export function beforeAll(hook: Hook): void {
  scope().beforeAll.push(hook);
}
/** Runs once after the last test of the enclosing block. */
export function afterAll(hook: Hook): void {
  scope().afterAll.push(hook);
}
/** Runs before every test of the enclosing block. */
export function beforeEach(hook: Hook): void {
  scope().beforeEach.push(hook);
}
/** Runs after every test of the enclosing block. */
export function afterEach(hook: Hook): void {
  scope().afterEach.push(hook);
}

export { expect, test as it };
