/** The DNS port: resolves a host name to its A and AAAA addresses. */

/** Options for one lookup. */
export interface ResolveOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Returns the IPv4 and IPv6 literals a name resolves to (may be empty). */
export type Resolve = (host: string, options?: ResolveOptions) => Promise<string[]>;
