/**
 * A simulated network for tests, benches and the simulator: virtual hosts
 * with arbitrary addresses (1.2.3.4, 2001:db8::1...) that listen and dial
 * over in-memory pipes, so the real node runs unchanged with as many
 * distinct, routable peers as a test needs. `platform(host)` gives one
 * host's view as a `Platform` (dial from it, listen on it, resolve through
 * the simulated DNS, serve HTTP in memory, one memory store per directory).
 *
 * Hosts can be black holes: a dial to one never completes until it is
 * aborted or times out, like a SYN sent into a firewall that drops it.
 * A dial to a host with no listener on the port is refused at once.
 *
 * With `latencyMs` set, connections are `simLink`s on the network's clock
 * (give it a `VirtualClock` for a deterministic run): bytes take the link's
 * one-way delay, a dial takes a round trip (the listener sees the
 * connection after one delay, the dialer after two; a refusal comes back
 * after two), and with `dialLoss` a share of dials (drawn from the seeded
 * `random`) are lost like an unanswered SYN and hang until their timeout.
 */
import type { Clock } from "../../src/platform/clock.ts";
import type {
  Conn,
  DialOptions,
  HostPort,
  Listener,
  ListenOptions,
} from "../../src/platform/conn.ts";
import type { Sha256 } from "../../src/platform/hash.ts";
import type { Platform } from "../../src/platform/platform.ts";
import type { ResolveOptions } from "../../src/platform/resolver.ts";
import type { HttpServer, ServeOptions } from "../../src/platform/serve.ts";
import type { KvStore } from "../../src/platform/storage.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { formatAddress, parseAddress } from "../../src/wire/address_format.ts";
import { type Random, seededRandom } from "../../src/platform/random.ts";
import { timeoutError } from "../shared/errors.ts";
import { type MemoryPipe, memoryPipe } from "../memory/pipe.ts";
import { memoryStore } from "../storage/memory.ts";
import { simLink } from "./link.ts";

/** First port handed out to dialing sides and port-0 listeners (IANA dynamic range). */
export const FIRST_EPHEMERAL_PORT = 49152;
/** Last port of the dynamic range; the counter wraps to the first after it. */
const LAST_EPHEMERAL_PORT = 65535;

/** The BIP324 crypto a runtime brings (`Platform.aead`, `Platform.secp256k1`). */
export type SimCrypto = Pick<Platform, "aead" | "secp256k1">;

/** What a simulated network is made with. */
export interface SimNetworkOptions {
  /** SHA-256 for the platforms handed out (the runtime's own). */
  readonly sha256: Sha256;
  /** BIP324's AEAD and curve for the platforms handed out (the runtime's own; default the core's). */
  readonly crypto?: SimCrypto;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Unread bytes each pipe direction buffers (see `memoryPipe` and `simLink`). */
  readonly capacityBytes?: number;
  /**
   * One-way delay of each new connection: a number for every link, or a
   * function of the two hosts (and the network's random source, for
   * jitter). Absent: connections are instant in-memory pipes.
   */
  readonly latencyMs?: number | ((from: string, to: string, random: Random) => number);
  /** Share of dials lost (they hang until their timeout); needs `latencyMs`. Default 0. */
  readonly dialLoss?: number;
  /** Draws link delays and lost dials. Default `seededRandom(1)`. */
  readonly random?: Random;
  /** Sees every chunk a latency link delivers (`link` numbers connections from 1). */
  readonly onDeliver?: (link: number, toServer: boolean, bytes: Uint8Array) => void;
}

/** What crossed the network so far. */
export interface SimNetworkStats {
  /** Dials started. */
  dials: number;
  /** Dials that connected. */
  connections: number;
  /** Dials refused (no listener). */
  refused: number;
  /** Dials lost (`dialLoss`) or sent into a black hole. */
  lost: number;
  /** Chunks and bytes delivered over latency links. */
  chunks: number;
  bytes: number;
}

/** The canonical text of an IP literal, or null for a name. */
function canonical(host: string): string | null {
  try {
    return formatAddress(parseAddress(host));
  } catch {
    return null;
  }
}

function label(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** An Error shaped like a runtime's refused connection. */
function refused(target: string): Error {
  const error = new Error(`connect ECONNREFUSED ${target} (simulated)`);
  error.name = "ConnectionRefused";
  return error;
}

/** Many virtual hosts on one in-memory network. */
export class SimNetwork {
  readonly #sha256: Sha256;
  readonly #crypto: SimCrypto;
  readonly #clock: Clock;
  readonly #capacity: number | undefined;
  readonly #listeners = new Map<string, (conn: Conn) => void>();
  readonly #servers = new Map<string, ServeOptions["fetch"]>();
  readonly #blackHoles = new Set<string>();
  readonly #dns = new Map<string, readonly string[] | (() => readonly string[])>();
  readonly #stores = new Map<string, KvStore>();
  readonly #nextPort = new Map<string, number>();
  readonly #latency: SimNetworkOptions["latencyMs"];
  readonly #dialLoss: number;
  readonly #random: Random;
  readonly #onDeliver: SimNetworkOptions["onDeliver"];
  #pendingDials = 0;
  #links = 0;
  /** Counters of dials, connections and delivered bytes. */
  readonly stats: SimNetworkStats = {
    dials: 0,
    connections: 0,
    refused: 0,
    lost: 0,
    chunks: 0,
    bytes: 0,
  };
  /** Every dial target in order (`host:port`), for tests that check who was dialled. */
  readonly dials: string[] = [];

  constructor(options: SimNetworkOptions) {
    this.#sha256 = options.sha256;
    this.#crypto = options.crypto ?? {};
    this.#clock = options.clock ?? systemClock;
    this.#capacity = options.capacityBytes;
    this.#latency = options.latencyMs;
    this.#dialLoss = options.dialLoss ?? 0;
    this.#random = options.random ?? seededRandom(1);
    this.#onDeliver = options.onDeliver;
  }

  /** The clock the network (and every platform it hands out) runs on. */
  get clock(): Clock {
    return this.#clock;
  }

  /** Dials that have neither connected nor failed yet (black-hole dials, mostly). */
  get pendingDials(): number {
    return this.#pendingDials;
  }

  /** Makes `host` a black hole: dials to it hang until aborted or timed out. */
  blackHole(host: string): void {
    this.#blackHoles.add(canonical(host) ?? host);
  }

  /**
   * Makes `name` resolve to `addresses` (an empty list: the name exists with
   * no address), or to what `addresses()` returns at each lookup (a seed
   * that answers with a different sample each time).
   */
  setDns(name: string, addresses: readonly string[] | (() => readonly string[])): void {
    const key = name.toLowerCase().replace(/\.$/, "");
    this.#dns.set(key, typeof addresses === "function" ? addresses : [...addresses]);
  }

  /** One host's view of the network as a `Platform` named "sim". */
  platform(host: string, overrides: Partial<Platform> = {}): Platform {
    const { aead, secp256k1 } = this.#crypto;
    const self = canonical(host);
    if (self === null) throw new TypeError(`sim host ${JSON.stringify(host)} is not an IP address`);
    return {
      name: "sim",
      dial: (target, options) => this.dial(self, target, options),
      listen: (options) => this.listen(self, options),
      resolve: (name, options) => this.resolve(name, options),
      sha256: this.#sha256,
      clock: this.#clock,
      serve: (options) => this.serve(self, options),
      openStore: (dir) => Promise.resolve(this.store(dir)),
      aead,
      secp256k1,
      ...overrides,
    };
  }

  /** The memory store of data directory `dir` (the same one on every call). */
  store(dir: string): KvStore {
    let store = this.#stores.get(dir);
    if (store === undefined) this.#stores.set(dir, store = memoryStore());
    return store;
  }

  /** Resolves a simulated name; IP literals come back as themselves. */
  resolve(name: string, options: ResolveOptions = {}): Promise<string[]> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const ip = canonical(name);
    if (ip !== null) return Promise.resolve([ip]);
    const found = this.#dns.get(name.toLowerCase().replace(/\.$/, ""));
    if (found === undefined) {
      const error = new Error(`queryA ENOTFOUND ${name} (simulated)`);
      error.name = "NotFound";
      return Promise.reject(error);
    }
    return Promise.resolve([...(typeof found === "function" ? found() : found)]);
  }

  /** Listens on `host` (0.0.0.0 and :: mean the host itself); port 0 picks a free port. */
  listen(host: string, options: ListenOptions): Promise<Listener> {
    const bindIp = canonical(options.host);
    const ip = bindIp === null || bindIp === "0.0.0.0" || bindIp === "::" ? host : bindIp;
    const port = options.port === 0 ? this.#ephemeral(ip) : options.port;
    const key = label(ip, port);
    if (this.#listeners.has(key)) {
      const error = new Error(`listen EADDRINUSE ${key} (simulated)`);
      error.name = "AddrInUse";
      return Promise.reject(error);
    }
    this.#listeners.set(key, options.onConn);
    let closed = false;
    return Promise.resolve({
      addr: { host: ip, port },
      close: () => {
        if (!closed) {
          closed = true;
          if (this.#listeners.get(key) === options.onConn) this.#listeners.delete(key);
        }
        return Promise.resolve();
      },
    });
  }

  /**
   * Dials `target` from `from`: a pipe whose far end goes to the listener,
   * a refusal when nobody listens, a hang for a black hole. Honours the
   * signal and `timeoutMs` as the adapters do.
   */
  dial(from: string, target: HostPort, options: DialOptions = {}): Promise<Conn> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.dials.push(label(target.host, target.port));
    this.stats.dials++;
    if (this.#latency !== undefined) return this.#dialOverLink(from, target, options);
    this.#pendingDials++;
    return new Promise<Conn>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.#pendingDials--;
        cancelTimer();
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const onAbort = () => finish(() => reject(signal!.reason));
      signal?.addEventListener("abort", onAbort, { once: true });
      const cancelTimer = timeoutMs === undefined ? () => {} : this.#clock.setTimer(
        timeoutMs,
        () =>
          finish(() => reject(timeoutError(`dial ${label(target.host, target.port)}`, timeoutMs))),
      );
      this.resolve(target.host).then(
        ([ip]) => {
          if (ip === undefined) throw refused(label(target.host, target.port));
          if (this.#blackHoles.has(ip)) {
            this.stats.lost++;
            return; // never answers
          }
          const onConn = this.#listeners.get(label(ip, target.port));
          if (onConn === undefined) {
            this.stats.refused++;
            throw refused(label(ip, target.port));
          }
          this.stats.connections++;
          finish(() => {
            const pipe = memoryPipe({
              capacityBytes: this.#capacity,
              client: { host: from, port: this.#ephemeral(from) },
              server: { host: ip, port: target.port },
            });
            onConn(pipe.server);
            resolve(pipe.client);
          });
        },
      ).catch((error) => finish(() => reject(error)));
    });
  }

  /**
   * A dial over a latency link: the listener takes the connection one delay
   * after the dial, the dialer gets its end one delay later.
   */
  #dialOverLink(from: string, target: HostPort, options: DialOptions): Promise<Conn> {
    const { signal, timeoutMs } = options;
    const clock = this.#clock;
    this.#pendingDials++;
    return new Promise<Conn>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): boolean => {
        if (settled) return false;
        settled = true;
        this.#pendingDials--;
        cancelTimer();
        signal?.removeEventListener("abort", onAbort);
        fn();
        return true;
      };
      const onAbort = () => finish(() => reject(signal!.reason));
      signal?.addEventListener("abort", onAbort, { once: true });
      const cancelTimer = timeoutMs === undefined ? () => {} : clock.setTimer(
        timeoutMs,
        () =>
          finish(() => reject(timeoutError(`dial ${label(target.host, target.port)}`, timeoutMs))),
      );
      this.resolve(target.host).then(([ip]) => {
        if (ip === undefined) throw refused(label(target.host, target.port));
        if (
          this.#blackHoles.has(ip) || (this.#dialLoss > 0 && this.#random.float() < this.#dialLoss)
        ) {
          this.stats.lost++;
          return; // the SYN is never answered
        }
        const latency = this.#linkLatency(from, ip);
        clock.setTimer(latency, () => {
          if (settled) return; // given up before the SYN arrived
          const onConn = this.#listeners.get(label(ip, target.port));
          if (onConn === undefined) {
            this.stats.refused++;
            const error = refused(label(ip, target.port));
            clock.setTimer(latency, () => finish(() => reject(error)));
            return;
          }
          this.stats.connections++;
          const pipe = this.#link(from, { host: ip, port: target.port }, latency);
          onConn(pipe.server);
          clock.setTimer(latency, () => {
            if (!finish(() => resolve(pipe.client))) pipe.client.close();
          });
        });
      }).catch((error) => finish(() => reject(error)));
    });
  }

  #linkLatency(from: string, to: string): number {
    const l = this.#latency!;
    const ms = typeof l === "number" ? l : l(from, to, this.#random);
    return Math.max(0, ms);
  }

  #link(from: string, server: HostPort, latencyMs: number): MemoryPipe {
    const id = ++this.#links;
    const tap = this.#onDeliver;
    return simLink({
      clock: this.#clock,
      latencyMs,
      capacityBytes: this.#capacity,
      client: { host: from, port: this.#ephemeral(from) },
      server,
      onDeliver: (bytes, toServer) => {
        this.stats.chunks++;
        this.stats.bytes += bytes.length;
        tap?.(id, toServer, bytes);
      },
    });
  }

  /** Serves `fetch` on `host`; requests reach it through `request`. */
  serve(host: string, options: ServeOptions): Promise<HttpServer> {
    const bindIp = canonical(options.host);
    const ip = bindIp === null || bindIp === "0.0.0.0" || bindIp === "::" ? host : bindIp;
    const port = options.port === 0 ? this.#ephemeral(ip) : options.port;
    const key = label(ip, port);
    this.#servers.set(key, options.fetch);
    return Promise.resolve({
      addr: { host: ip, port },
      close: () => {
        this.#servers.delete(key);
        return Promise.resolve();
      },
    });
  }

  /** Sends `request` to the HTTP server at `host:port`; 502 when none serves there. */
  async request(host: string, port: number, request: Request): Promise<Response> {
    const fetch = this.#servers.get(label(canonical(host) ?? host, port));
    if (fetch === undefined) return new Response("no simulated server", { status: 502 });
    return await fetch(request);
  }

  #ephemeral(host: string): number {
    const next = this.#nextPort.get(host) ?? FIRST_EPHEMERAL_PORT;
    this.#nextPort.set(host, next >= LAST_EPHEMERAL_PORT ? FIRST_EPHEMERAL_PORT : next + 1);
    return next;
  }
}
