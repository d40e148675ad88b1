/** Node module-resolve hook: `bun:test` → the shim over node:test and expect. */
const SHIM = new URL("./bun_test.ts", import.meta.url).href;
export async function resolve(
  specifier: string,
  context: unknown,
  next: (s: string, c: unknown) => Promise<unknown>,
): Promise<unknown> {
  if (specifier === "bun:test") return { url: SHIM, shortCircuit: true };
  return next(specifier, context);
}
