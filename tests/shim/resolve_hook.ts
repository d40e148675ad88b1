/** Node module-resolve hook: `bun:test` → the shim over node:test and expect. */
const SHIM = new URL("./bun_test.ts", import.meta.url).href;

type Next = (specifier: string, context: unknown) => unknown;

export function resolve(specifier: string, context: unknown, next: Next): unknown {
  if (specifier === "bun:test") return { url: SHIM, shortCircuit: true };
  return next(specifier, context);
}
