/**
 * Process services for the CLI entry under Deno: shutdown signals, exit,
 * arguments, environment, home directory. Not for `src/`.
 */

/** Calls `handler` with the signal name on SIGINT or SIGTERM; returns the unsubscriber. */
export function onShutdownSignal(handler: (signal: string) => void): () => void {
  // Windows delivers only SIGINT (and SIGBREAK) to Deno.
  const names: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const listeners = names.map((name) => {
    const listener = () => handler(name);
    Deno.addSignalListener(name, listener);
    return [name, listener] as const;
  });
  return () => {
    for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
  };
}

/** Ends the process with `code`. */
export function exit(code: number): never {
  Deno.exit(code);
}

/** The command-line arguments after the script name. */
export function args(): string[] {
  return [...Deno.args];
}

/** The environment variable `name`, or `undefined`. */
export function env(name: string): string | undefined {
  return Deno.env.get(name);
}

/** The user's home directory (HOME, or USERPROFILE on Windows). */
export function homeDir(): string {
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (home === undefined) {
    throw new Error("no home directory: set HOME (or USERPROFILE on Windows), or pass a data dir");
  }
  return home;
}

/** Resident set size and V8 heap in use, in bytes. */
export function memory(): { rss: number; heapUsed: number } {
  const m = Deno.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}
