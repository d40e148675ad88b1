/**
 * Host spelling shared by the adapters: IPv6 literals travel without
 * brackets, and an IPv4 address that a dual-stack socket reports in its
 * IPv4-mapped form (`::ffff:1.2.3.4`) is reported as plain IPv4 so the same
 * peer has one spelling.
 */

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `[::1]` → `::1`; `::ffff:1.2.3.4` → `1.2.3.4`; anything else unchanged. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const mapped = MAPPED_V4.exec(bare);
  return mapped ? mapped[1] : bare;
}

/** `host:port`, with brackets around IPv6 literals (for messages only). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
