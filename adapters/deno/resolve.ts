/**
 * DNS with `Deno.resolveDns`: A and AAAA queries in parallel, cancelled by
 * the signal. Deno's resolver reads the hosts file itself, so `localhost`
 * resolves without a fallback.
 */
import { isIP } from "node:net";
import type { Resolve } from "../../src/platform/resolver.ts";
import { withDeadline } from "../shared/abort.ts";
import { normalizeHost } from "../shared/host.ts";

/** IP literals come back as they are; names resolve to their IPv4 then IPv6 addresses. */
export const resolve: Resolve = (host, options = {}) => {
  const name = normalizeHost(host);
  if (isIP(name) !== 0) return Promise.resolve([name]);
  return withDeadline(`resolve ${name}`, options, async (signal) => {
    const [v4, v6] = await Promise.allSettled([
      Deno.resolveDns(name, "A", { signal }),
      Deno.resolveDns(name, "AAAA", { signal }),
    ]);
    if (v4.status === "rejected" && v6.status === "rejected") throw v4.reason;
    return [
      ...(v4.status === "fulfilled" ? v4.value : []),
      ...(v6.status === "fulfilled" ? v6.value : []),
    ];
  });
};
