/**
 * The ledger of registered tests: when `npm test` names a file in
 * BTC_EDGE_TEST_LEDGER, the `bun:test` shim (tests/shim/bun_test.ts, so deno
 * and node) appends a line with the test file's path and the test's full name
 * for every test it registers, skipped ones included, at registration: before
 * the test runs and straight to the file, so nothing a runner loses can lose
 * it. `npm test` reads it back as the tests each file declares.
 *
 * No `bun:test` import: tests/run_all.ts runs this under plain Node.
 */
import { appendFileSync } from "node:fs";
import process from "node:process";

/** The environment variable naming the ledger file. */
export const LEDGER_ENV = "BTC_EDGE_TEST_LEDGER";

/** One registered test. */
export interface Registered {
  /** Its test file, relative to the project root ("?" when not found). */
  readonly file: string;
  /** Its full name, blocks included ("outer > inner > name"). */
  readonly name: string;
}

/** Notes one registered test when a ledger is asked for. */
export function noteRegistered(file: string | undefined, name: string): void {
  const path = process.env[LEDGER_ENV];
  if (path) appendFileSync(path, `${JSON.stringify([file ?? "?", name])}\n`);
}

/** The registered tests in a ledger's text, in order. */
export function readLedger(text: string): Registered[] {
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const [file, name] = JSON.parse(line) as [string, string];
    return { file, name };
  });
}

/** How many tests each file registered. */
export function declaredPerFile(registered: readonly Registered[]): Map<string, number> {
  const declared = new Map<string, number>();
  for (const { file } of registered) declared.set(file, (declared.get(file) ?? 0) + 1);
  return declared;
}
