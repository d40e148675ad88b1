/**
 * DNS through `node:dns` (Node and Bun): A and AAAA queries in parallel on a
 * fresh `Resolver`, which `cancel()` aborts. When neither query answers, the
 * system resolver (`lookup`, getaddrinfo) is asked, so names that only live
 * in the hosts file (`localhost`, container aliases) still resolve: c-ares
 * queries skip /etc/hosts.
 */
import { isIP } from "node:net";
import { lookup, Resolver } from "node:dns/promises";
import type { Resolve } from "../../src/platform/resolver.ts";
import { withDeadline } from "./abort.ts";
import { normalizeHost } from "./host.ts";

/** Per-query timeout handed to c-ares when the caller gives none. */
export const DEFAULT_DNS_TIMEOUT_MS = 5_000;
/** Attempts per query: DNS seeds answer or not, retries mostly add latency. */
const DNS_TRIES = 2;

/** IP literals come back as they are; names resolve to their IPv4 then IPv6 addresses. */
export const resolve: Resolve = (host, options = {}) => {
  const name = normalizeHost(host);
  if (isIP(name) !== 0) return Promise.resolve([name]);
  return withDeadline(`resolve ${name}`, options, async (signal) => {
    const resolver = new Resolver({
      timeout: options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS,
      tries: DNS_TRIES,
    });
    signal.addEventListener("abort", () => resolver.cancel(), { once: true });
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    if (v4.status === "fulfilled" || v6.status === "fulfilled") {
      return [
        ...(v4.status === "fulfilled" ? v4.value : []),
        ...(v6.status === "fulfilled" ? v6.value : []),
      ];
    }
    if (signal.aborted) throw signal.reason;
    const found = await lookup(name, { all: true, order: "ipv4first" });
    return found.map((entry) => entry.address);
  });
};
