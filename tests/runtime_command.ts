/**
 * Test helper: the command line that runs a TypeScript file under a given
 * runtime (from node_modules), and the current runtime's name.
 */
import { fileURLToPath } from "node:url";
import { runtimeName as current } from "#platform";

/** The project root (with a trailing slash). */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The runtimes the project runs on. */
export const RUNTIMES = ["deno", "bun", "node"] as const;
/** One of them. */
export type RuntimeName = typeof RUNTIMES[number];

/**
 * The runtime running this test, typed as any of the three (the adapter's
 * literal type would make `runtimeName === "node"` a type error under deno check).
 */
export const runtimeName: RuntimeName = current as RuntimeName;

/**
 * `[command, ...args]` that runs `script` under `runtime`. Deno runs from its
 * real binary, not the npm wrapper script, so signals reach it.
 */
export function runtimeCommand(runtime: RuntimeName, script: string): string[] {
  switch (runtime) {
    case "deno":
      return [`${ROOT}node_modules/deno/deno`, "run", "--allow-all", script];
    case "bun":
      return [`${ROOT}node_modules/.bin/bun`, script];
    case "node":
      return [`${ROOT}node_modules/.bin/node`, script];
  }
}

/**
 * For tests that spawn nodes under all three runtimes themselves and so run
 * once per npm test (in its node run): the reason to skip under bun and deno,
 * or null under node.
 */
export const onlyOncePerRun: string | null = runtimeName !== "node"
  ? `runs under Node only (once per npm test), this is ${runtimeName}`
  : null;
