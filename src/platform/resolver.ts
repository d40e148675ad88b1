/** The DNS port: resolves a host name to its A and AAAA addresses. */

/** Options for one lookup. */
export interface ResolveOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * Returns the IPv4 then IPv6 literals a name resolves to; an IP literal
 * (IPv6 with or without brackets) comes back as itself. Rejects when no
 * lookup succeeds (unknown name, DNS failure), with the signal's reason on
 * abort, or with a "TimeoutError" after `timeoutMs`.
 */
export type Resolve = (host: string, options?: ResolveOptions) => Promise<string[]>;
