/**
 * The runtime a bench runs under, with its version ("node v24.11.0"), for the
 * benches' headings. The leading underscore keeps bench/run_all.ts from
 * running this module as a bench.
 */

/** The parts of the runtimes' globals read here (declared so every runtime type-checks). */
declare const Bun: undefined | { version: string };
declare const Deno: undefined | { version: { deno: string } };
declare const process: { version: string };

/** "bun 1.3.1", "deno 2.5.6" or "node v24.11.0". */
export const RUNTIME_LABEL: string = typeof Bun !== "undefined"
  ? `bun ${Bun.version}`
  : typeof Deno !== "undefined"
  ? `deno ${Deno.version.deno}`
  : `node ${process.version}`;
