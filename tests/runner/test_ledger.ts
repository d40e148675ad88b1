/**
 * The ledger of registered tests: when `npm test` names a file in
 * BTC_EDGE_TEST_LEDGER, the `bun:test` shim (tests/shim/bun_test.ts, so deno
 * and node) appends a line with the test file's path for every test it
 * registers, skipped ones included, at registration: before the test runs and
 * straight to the file, so nothing the runner loses can lose it. `npm test`
 * reads it back as the number of tests each file declares.
 *
 * No `bun:test` import: tests/run_all.ts runs this under plain Node.
 */
import { appendFileSync } from "node:fs";
import process from "node:process";

/** The environment variable naming the ledger file. */
export const LEDGER_ENV = "BTC_EDGE_TEST_LEDGER";

/** Notes one registered test of `file` (relative to the project root) when a ledger is asked for. */
export function noteRegistered(file: string | undefined): void {
  const path = process.env[LEDGER_ENV];
  if (path) appendFileSync(path, `${file ?? "?"}\n`);
}

/** Tests declared per file, from a ledger's text. */
export function readLedger(text: string): Map<string, number> {
  const declared = new Map<string, number>();
  for (const file of text.split("\n")) {
    if (file !== "") declared.set(file, (declared.get(file) ?? 0) + 1);
  }
  return declared;
}
