/**
 * Outbound connections, direct or through a SOCKS5 proxy: the one place that
 * decides how an address is reached. Tor `.onion` addresses go through the
 * `--onion` proxy (else `--proxy`), I2P through `--proxy`, everything else
 * through `--proxy` when one is set and directly otherwise. The proxy itself
 * is dialled through the same `Dial` port. Every dial takes the caller's
 * AbortSignal and one timeout covering the proxy connection and handshake.
 */
import type { Clock } from "../platform/clock.ts";
import type { Conn, Dial, HostPort } from "../platform/conn.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { NetAddress, Network } from "../wire/address.ts";
import { type AddressPort, formatEndpoint, numericAddress } from "../wire/host_port.ts";
import { internalAddress } from "../wire/internal_address.ts";
import { abortReason, childController, timeoutError } from "../util/abort_tree.ts";
import { socks5Connect } from "./socks5.ts";

/** How to reach the outside. */
export interface DialerOptions {
  readonly dial: Dial;
  readonly clock: Clock;
  readonly sha256: Sha256;
  /** SOCKS5 proxy for every outbound connection. */
  readonly proxy?: HostPort;
  /** SOCKS5 proxy for Tor addresses (default: `proxy`). */
  readonly onion?: HostPort;
  /** Connect timeout, proxy handshake included. */
  readonly timeoutMs: number;
}

/** An open outbound connection and the address the peer is known by. */
export interface Dialed {
  readonly conn: Conn;
  /** The dialled address (an internal address for a name sent to a proxy). */
  readonly address: AddressPort;
}

/** Thrown for an address no configured route can reach. */
export class UnreachableError extends Error {
  /** An error saying that `what` cannot be reached and which option would help. */
  constructor(what: string, hint: string) {
    super(`cannot reach ${what}: ${hint}`);
    this.name = "UnreachableError";
  }
}

/** Dials addresses directly or through the configured proxies. */
export class Dialer {
  readonly #options: DialerOptions;

  constructor(options: DialerOptions) {
    this.#options = options;
  }

  /** True when addresses on `network` can be dialled with this configuration. */
  reachable(network: Network): boolean {
    switch (network) {
      case "ipv4":
      case "ipv6":
        return true;
      case "onion":
        return (this.#options.onion ?? this.#options.proxy) !== undefined;
      case "i2p":
        return this.#options.proxy !== undefined;
      default:
        return false; // CJDNS needs its own routing; Tor v2 and internal names are not hosts
    }
  }

  /** The proxy `host` is reached through, or null for a direct connection. */
  #route(host: string, addr: NetAddress | null): HostPort | null {
    const { proxy, onion } = this.#options;
    const network = addr?.network;
    if (network === "onion") {
      const via = onion ?? proxy;
      if (via === undefined) throw new UnreachableError(host, "set --onion or --proxy");
      return via;
    }
    if (network === "i2p") {
      if (proxy === undefined) {
        throw new UnreachableError(host, "set --proxy to an I2P SOCKS5 proxy");
      }
      return proxy;
    }
    if (addr !== null && !this.reachable(addr.network)) {
      throw new UnreachableError(host, `${addr.network} addresses are not supported`);
    }
    return proxy ?? null;
  }

  /**
   * Connects to `target` (an address or a name). Rejects with the dial or
   * proxy error, an `UnreachableError`, a "TimeoutError" after the timeout,
   * or the signal's reason on abort.
   */
  async connect(target: HostPort, signal: AbortSignal): Promise<Dialed> {
    const { dial, clock, timeoutMs, sha256 } = this.#options;
    const addr = numericAddress(target.host);
    const via = this.#route(target.host, addr);
    if (via === null) {
      const conn = await dial(target, { signal, timeoutMs });
      const address = addr ?? numericAddress(conn.remote.host) ??
        internalAddress(sha256, target.host);
      return { conn, address: { address, port: target.port } };
    }
    const label = formatEndpoint(target);
    const child = childController(signal);
    const cancelTimer = clock.setTimer(
      timeoutMs,
      () =>
        child.controller.abort(timeoutError(`connect to ${label} through the proxy`, timeoutMs)),
      child.signal,
    );
    try {
      const proxied = await dial(via, { signal: child.signal });
      const conn = await socks5Connect(proxied, target, child.signal);
      return {
        conn,
        address: { address: addr ?? internalAddress(sha256, target.host), port: target.port },
      };
    } catch (error) {
      throw child.signal.aborted ? abortReason(child.signal) : error;
    } finally {
      cancelTimer();
      child.dispose();
    }
  }
}
