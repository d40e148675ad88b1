/**
 * Starting and stopping the status API: at the end of the node's start it
 * is served on `--api` (default 127.0.0.1 and the network's API port;
 * `none` serves nothing). Without `--api-token` the generated token is
 * written to `api.cookie` in the data directory, and a bind reachable from
 * other hosts draws a warning (the read routes need no token). At stop the
 * cookie is deleted with the other final writes, and the server closes
 * last, within the stop deadline (but never given less than
 * `API_CLOSE_MIN_MS`).
 */
import { COOKIE_KEY, deleteCookie, writeCookie } from "../api/cookie.ts";
import { LOOPBACK_HOSTS } from "../api/host_allowlist.ts";
import { splitOptionHostPort } from "../config/host_port.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { HostPort } from "../platform/conn.ts";
import type { HttpServer, Serve } from "../platform/serve.ts";
import type { KvStore } from "../platform/storage.ts";
import { errorText } from "../util/error_text.ts";
import { parseAddress } from "../wire/address_format.ts";
import { formatEndpoint } from "../wire/host_port.ts";
import { isBindAny, isLocal } from "../wire/routability.ts";

/** The API's close gets at least this long after the final saves, even past the deadline. */
export const API_CLOSE_MIN_MS = 250;

/**
 * The `--api` bind host as an allowlist entry (IPv6 in brackets), or nothing
 * for the default, `none` and the any-address (no request names it).
 */
export function apiBindHosts(api: string | undefined): string[] {
  if (api === undefined || api === "none") return [];
  const bind = splitOptionHostPort(api, true);
  if (bind === undefined) return [];
  try {
    if (isBindAny(parseAddress(bind.host))) return [];
  } catch {
    // A name, not an IP literal.
  }
  return [bind.host.includes(":") ? `[${bind.host}]` : bind.host];
}

/** True when `host` (a bind address) is reachable from this machine only. */
function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  try {
    const address = parseAddress(host);
    return isLocal(address) && !isBindAny(address);
  } catch {
    return false;
  }
}

/** Resolves true when `p` settles within `ms`, false otherwise (never rejects). */
async function settleWithin(p: Promise<unknown>, ms: number, clock: Clock): Promise<boolean> {
  const timer = new AbortController();
  const settled = p.then(() => true, () => true);
  const late = clock.sleep(Math.max(ms, 0), timer.signal).then(() => false, () => false);
  const done = await Promise.race([settled, late]);
  timer.abort();
  return done;
}

/** What an `ApiStart` needs. */
export interface ApiStartOptions {
  /** Where to serve: `--api` (HOST:PORT, validated by the options), or "none". */
  readonly api: string;
  /** The bearer token; `generated` when no `--api-token` was given (it goes to the cookie). */
  readonly token: { readonly value: string; readonly generated: boolean };
  /** The data directory, for the log line naming the cookie. */
  readonly datadir: string;
  /** Hosts the app answers besides loopback (for the log line; the app enforces them). */
  readonly allowedHosts: readonly string[];
  /** The request handler (the hono app). */
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly serve: Serve;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The status API's server, from start to close. */
export class ApiStart {
  readonly #o: ApiStartOptions;
  #server: HttpServer | null = null;
  /** The store holding our cookie, while it does. */
  #cookieIn: KvStore | null = null;

  constructor(options: ApiStartOptions) {
    this.#o = options;
  }

  /** Where the API listens, or null. */
  get address(): HostPort | null {
    return this.#server?.addr ?? null;
  }

  /** Writes the cookie (when the token was generated) to `store` and serves. */
  async start(store: KvStore): Promise<void> {
    const { api, token, logger } = this.#o;
    if (api === "none") {
      logger.info("status API off (--api=none)");
      return;
    }
    const bind = splitOptionHostPort(api, true);
    if (bind === undefined) throw new Error(`invalid HOST:PORT ${JSON.stringify(api)}`);
    let cookie: string | undefined;
    if (token.generated) {
      if (!isLoopback(bind.host)) {
        logger.warn(
          "the status API is reachable from other hosts and no --api-token is set: its read " +
            "routes need no token, and the generated one is only in the local cookie file; " +
            "bind --api to 127.0.0.1, or set --api-token to control the node remotely",
          { api },
        );
      }
      await writeCookie(store, token.value);
      this.#cookieIn = store;
      cookie = `${this.#o.datadir}/${COOKIE_KEY}`;
    }
    this.#server = await this.#o.serve({ ...bind, fetch: this.#o.fetch });
    logger.info("status API listening", {
      url: `http://${formatEndpoint(this.#server.addr)}/status`,
      // Requests addressed to another name get 403 (--api-allowed-hosts adds names).
      hosts: [...new Set([...LOOPBACK_HOSTS, ...this.#o.allowedHosts])],
      ...(cookie === undefined ? {} : { cookie }),
    });
  }

  /** Deletes the cookie we wrote (a failure is logged). */
  async deleteCookie(): Promise<void> {
    const store = this.#cookieIn;
    if (store === null) return;
    this.#cookieIn = null;
    await deleteCookie(store).catch((error) =>
      this.#o.logger.warn("cannot delete the API cookie", { error: errorText(error) })
    );
  }

  /** Closes the server, waiting until `deadline` (clock ms) but at least `API_CLOSE_MIN_MS`. */
  async close(deadline: number): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    const wait = Math.max(deadline - this.#o.clock.now(), API_CLOSE_MIN_MS);
    if (!await settleWithin(server.close(), wait, this.#o.clock)) {
      this.#o.logger.warn("the status API did not close before the stop deadline");
    }
  }
}
