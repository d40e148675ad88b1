/**
 * Process services for the CLI entry under Node and Bun (both implement
 * `process`): shutdown signals, exit, arguments, environment, home directory.
 * Not for `src/`.
 */
import { homedir } from "node:os";
import process from "node:process";

/** The signals that ask the node to shut down. */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Calls `handler` with the signal name on SIGINT or SIGTERM; returns the unsubscriber. */
export function onShutdownSignal(handler: (signal: string) => void): () => void {
  const listeners = SHUTDOWN_SIGNALS.map((name) => {
    const listener = () => handler(name);
    process.on(name, listener);
    return [name, listener] as const;
  });
  return () => {
    for (const [name, listener] of listeners) process.off(name, listener);
  };
}

/** Ends the process with `code`. */
export function exit(code: number): never {
  process.exit(code);
}

/** The command-line arguments after the script name. */
export function args(): string[] {
  return process.argv.slice(2);
}

/** The environment variable `name`, or `undefined`. */
export function env(name: string): string | undefined {
  return process.env[name];
}

/** The user's home directory. */
export function homeDir(): string {
  return homedir();
}

/** Resident set size and V8/JSC heap in use, in bytes. */
export function memory(): { rss: number; heapUsed: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}
