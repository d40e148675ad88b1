/**
 * The node: what starts and stops, in which order.
 *
 * `start()`: load storage (peers.json, bans, anchors, headers) → start the
 * address manager → start the block manager → start the peer handler
 * (gossip, message routing, connection manager) → listeners → anchors and
 * persistent peers → seeding (seed nodes, DNS seeds, fixed seeds) → fill the
 * outbound slots (and feelers) → serve the HTTP API (with a generated token
 * written to `api.cookie` when no `--api-token` is set). Each step is logged
 * at info once. A `stop()` during `start()` ends the start quietly.
 *
 * `stop()`: every call returns the same promise. It aborts the root
 * AbortController (every dial, sleep, DNS query and timer hangs off it),
 * notes the anchors, stops accepting and disconnects every peer, awaits the
 * task group up to the deadline (2 s by default; what is still running then
 * is logged and left behind), deletes the cookie, stops the block manager
 * (final headers save) and the address manager (final peers.json), writes
 * the anchors and pending bans, ends the event streams, closes the API (its
 * open /events requests have ended by then) and closes the store. Until the
 * API closes it answers with state "stopping".
 */
import { errorText } from "../util/error_text.ts";
import type { Hono } from "hono";
import { AddrGossip } from "../addrmgr/gossip.ts";
import { AddrManager } from "../addrmgr/addr_manager.ts";
import { createApp } from "../api/app.ts";
import { COOKIE_KEY, deleteCookie, generateToken, writeCookie } from "../api/cookie.ts";
import { LOOPBACK_HOSTS } from "../api/host_allowlist.ts";
import { splitOptionHostPort } from "../config/host_port.ts";
import type { Options } from "../config/options.ts";
import { saveAnchors, takeAnchors } from "../connmgr/anchors.ts";
import type { ConnConfig } from "../connmgr/conn_config.ts";
import { ConnManager } from "../connmgr/conn_manager.ts";
import type { ConnKind } from "../connmgr/connection.ts";
import type { Logger } from "../log/logger.ts";
import { BanList } from "../peer/ban_list.ts";
import type { Peer, PeerOptions } from "../peer/peer.ts";
import type { PeerStats } from "../peer/peer_stats.ts";
import { NODE_WITNESS } from "../peer/services.ts";
import type { Clock } from "../platform/clock.ts";
import type { Conn, DialOptions, HostPort } from "../platform/conn.ts";
import type { Platform } from "../platform/platform.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import type { HttpServer } from "../platform/serve.ts";
import type { KvStore } from "../platform/storage.ts";
import { VERSION } from "../version.ts";
import { addressEquals, type NetAddress } from "../wire/address.ts";
import { formatAddress, parseAddress } from "../wire/address_format.ts";
import type { AddressPort } from "../wire/host_port.ts";
import { formatEndpoint } from "../wire/host_port.ts";
import { getParams, type NetworkParams } from "../wire/params.ts";
import { isBindAny, isLocal } from "../wire/routability.ts";
import type { AddressPage, AddressQuery, ApiSource, NodeEvent } from "../api/source.ts";
import { nodeApiSource } from "./api_source.ts";
import { BlockManagerRoom } from "./block_manager_room.ts";
import { EventBus } from "./event_bus.ts";
import { NodeMetrics } from "./node_metrics.ts";
import { PeerRouter } from "./peer_router.ts";
import type { NodeStatus } from "./status.ts";
import { TaskGroup } from "./task_group.ts";

/** How long stop() waits for background tasks before returning anyway. */
export const STOP_DEADLINE_MS = 2_000;
/** Services we announce: we relay blocks with their witness data. */
export const OUR_SERVICES = NODE_WITNESS;
/** The API's close gets at least this long after the final saves, even past the deadline. */
const API_CLOSE_MIN_MS = 250;
/** Task names listed in the "still running at the deadline" warning. */
const MAX_LATE_TASKS_LOGGED = 20;
/** How a peer's disconnect reason starts when it sent a message that does not decode. */
const MALFORMED_REASON = "malformed ";

/** Settings tests and benches shorten; not user options. */
export interface NodeTuning {
  /** stop() waits this long for background tasks. Default `STOP_DEADLINE_MS`. */
  readonly stopDeadlineMs?: number;
  /** Connection-manager settings over those derived from the options. */
  readonly conn?: Partial<ConnConfig>;
}

/** What the node needs from its embedder. */
export interface NodeDeps {
  readonly platform: Platform;
  readonly logger: Logger;
  /** The data directory (already resolved from options and defaults). */
  readonly datadir: string;
  /** Randomness for the address book and connection choices. Default `cryptoRandom`. */
  readonly random?: Random;
  readonly tuning?: NodeTuning;
}

type NodeState = NodeStatus["state"];

/** `splitOptionHostPort` for a value the option schema already validated. */
function hostPort(text: string, allowPortZero = false): HostPort {
  const hp = splitOptionHostPort(text, allowPortZero);
  if (hp === undefined) throw new Error(`invalid HOST:PORT ${JSON.stringify(text)}`);
  return hp;
}

/**
 * The `--api` bind host as an allowlist entry (IPv6 in brackets), or nothing
 * for the default, `none` and the any-address (no request names it).
 */
function apiBindHost(api: string | undefined): string[] {
  if (api === undefined || api === "none") return [];
  const { host } = hostPort(api, true);
  try {
    if (isBindAny(parseAddress(host))) return [];
  } catch {
    // A name, not an IP literal.
  }
  return [host.includes(":") ? `[${host}]` : host];
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

/** A btc-edge node. */
export class EdgeNode {
  readonly options: Options;
  readonly params: NetworkParams;
  readonly datadir: string;
  /** The hono app of the status API (mountable by embedders). */
  readonly app: Hono;

  readonly #platform: Platform;
  readonly #log: Logger;
  readonly #random: Random;
  readonly #tuning: NodeTuning;
  /** The root of the AbortController tree. */
  readonly #abort = new AbortController();
  readonly #tasks: TaskGroup;
  readonly #blocks: BlockManagerRoom;
  readonly #metrics = new NodeMetrics();
  /** The bearer token of the API's control routes. */
  readonly #token: string;
  readonly #localNonces = new Set<bigint>();
  readonly #banSaves = new Set<Promise<void>>();
  /** Peer and ban events for the API's event stream. */
  readonly #events = new EventBus<NodeEvent>();
  /** The node as the API sees it (also behind `addresses()`). */
  readonly #source: ApiSource;
  #store: KvStore | null = null;
  #bans: BanList | null = null;
  #addrman: AddrManager | null = null;
  #connmgr: ConnManager | null = null;
  #anchors: AddressPort[] | null = null;
  #api: HttpServer | null = null;
  /** True while `api.cookie` holds our generated token. */
  #cookieWritten = false;
  #state: NodeState = "new";
  #startedAt = 0;
  #nextPeerId = 1;
  #steps: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: Options, deps: NodeDeps) {
    this.options = options;
    this.params = getParams(options.network);
    this.datadir = deps.datadir;
    this.#platform = deps.platform;
    this.#log = deps.logger.child("node");
    this.#random = deps.random ?? cryptoRandom;
    this.#tuning = deps.tuning ?? {};
    this.#token = options.apiToken ?? generateToken();
    this.#blocks = new BlockManagerRoom({
      params: this.params,
      sha256: this.#platform.sha256,
      clock: this.#platform.clock,
      logger: this.#log.child("sync"),
      random: this.#random,
      onAccepted: (e) =>
        this.#events.publish({
          type: "block.accepted",
          time: e.receivedAt,
          data: {
            hash: e.hash,
            height: e.height,
            ...(e.from === undefined ? {} : { from: e.from }),
          },
        }),
      onRelayed: (e, latencySeconds) => {
        this.#metrics.relayLatency.observe(latencySeconds);
        this.#events.publish({
          type: "block.relayed",
          time: this.#platform.clock.now(),
          data: { hash: e.hash, to: [...e.to] },
        });
      },
    });
    this.#tasks = new TaskGroup((name, error) =>
      this.#log.error("background task failed", { task: name, error: errorText(error) })
    );
    this.#source = nodeApiSource({
      status: () => this.status(),
      connmgr: () => this.#connmgr,
      addrman: () => this.#addrman,
      bans: () => this.#bans,
      blocks: this.#blocks,
      metrics: this.#metrics,
      events: this.#events,
      ban: (address, reason, durationMs) => this.#ban(address, reason, durationMs),
    });
    this.app = createApp(this.#source, {
      token: this.#token,
      logger: this.#log.child("api"),
      allowedHosts: [...apiBindHost(options.api), ...options.apiAllowedHosts],
      corsOrigins: options.apiCorsOrigins,
      onServerError: () => this.#metrics.countError("api"),
    });
  }

  /**
   * The address book: counts per network and table, whether more addresses
   * are wanted, and one page of entries (as `GET /addresses` pages them).
   */
  addresses(query: AddressQuery = { limit: 100 }): AddressPage {
    return this.#source.addresses(query);
  }

  /**
   * The node's events (peer connected/disconnected, block accepted/relayed,
   * ban, address-manager save) from now until `signal` aborts or the node stops.
   */
  events(signal: AbortSignal): AsyncIterable<NodeEvent> {
    return this.#events.subscribe(signal);
  }

  /** The address book (null before start). */
  get addrman(): AddrManager | null {
    return this.#addrman;
  }

  /** The connection manager (null before start). */
  get connmgr(): ConnManager | null {
    return this.#connmgr;
  }

  /** Where the node is in its life. */
  get state(): NodeState {
    return this.#state;
  }

  /**
   * Starts every room in order. Rejects, after cleaning up, when a step
   * fails; resolves early (without error) when `stop()` is called meanwhile.
   */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`start() called on a node that is ${this.#state}`);
    this.#state = "starting";
    this.#startedAt = this.#platform.clock.now();
    this.#steps = this.#startSteps();
    try {
      await this.#steps;
    } catch (error) {
      if (this.#abort.signal.aborted) {
        this.#log.info("start interrupted by stop", { error: errorText(error) });
        return;
      }
      this.#log.error("start failed", { error: errorText(error) });
      await this.stop();
      throw error;
    }
  }

  /** Stops everything; idempotent and safe to call concurrently (one shared promise). */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /**
   * A shutdown signal (SIGINT, SIGTERM) arrived: the first stops the node, a
   * later one only logs that shutdown is in progress. Resolves when stopped.
   */
  signal(name: string): Promise<void> {
    if (this.#stopping !== null) {
      this.#log.warn(`${name} received; shutdown already in progress`, { signal: name });
      return this.#stopping;
    }
    this.#log.info(`${name} received; shutting down`, { signal: name });
    return this.stop();
  }

  /** The node at a glance. */
  status(): NodeStatus {
    const conns = this.#connmgr?.connections() ?? [];
    const book = this.#addrman?.stats();
    const tip = this.#blocks.tip();
    let inbound = 0;
    let persistent = 0;
    let feeler = 0;
    for (const c of conns) {
      if (c.kind === "inbound") inbound++;
      if (c.kind === "persistent") persistent++;
      if (c.kind === "feeler") feeler++;
    }
    return {
      network: this.params.name,
      version: VERSION,
      runtime: this.#platform.name,
      state: this.#state,
      uptimeSeconds: this.#startedAt
        ? Math.floor((this.#platform.clock.now() - this.#startedAt) / 1000)
        : 0,
      listening: (this.#connmgr?.listening ?? []).map(formatEndpoint),
      api: this.#api ? formatEndpoint(this.#api.addr) : null,
      peers: {
        inbound,
        outbound: conns.length - inbound,
        persistent,
        feeler,
        list: conns.map(({ peer: p }) => ({
          id: p.id,
          peer: p.toString(),
          state: p.state,
          userAgent: p.remoteVersion?.userAgent ?? null,
          version: p.remoteVersion?.version ?? null,
          startHeight: p.remoteVersion?.startHeight ?? null,
        })),
      },
      chain: { height: tip.height, bestHash: tip.hash },
      sync: this.#blocks.sync(),
      addrman: { new: book?.new ?? 0, tried: book?.tried ?? 0, total: book?.total ?? 0 },
      bans: this.#bans?.entries().length ?? 0,
      memory: this.#platform.memory?.() ?? {},
    };
  }

  /** Per-peer statistics. */
  peers(): PeerStats[] {
    return (this.#connmgr?.connections() ?? []).map((c) => c.peer.stats());
  }

  // ---- start ----

  async #startSteps(): Promise<void> {
    const signal = this.#abort.signal;
    const log = this.#log;

    // 1. Storage: peers.json, bans, anchors, headers.
    const store = this.#store = await this.#platform.openStore(this.datadir);
    if (signal.aborted) return;
    this.#bans = await BanList.load({
      store,
      clock: this.#platform.clock,
      logger: log.child("bans"),
      durationMs: this.options.bantime * 1000,
    });
    const addrman = this.#addrman = await AddrManager.open({
      sha256: this.#platform.sha256,
      clock: this.#platform.clock,
      random: this.#random,
      logger: log.child("addrmgr"),
      store,
      onSaved: (addresses) =>
        this.#events.publish({
          type: "addrman.saved",
          time: this.#platform.clock.now(),
          data: { addresses },
        }),
    });
    this.#anchors = await takeAnchors(store, this.params.defaultPort, log);
    const blockSummary = await this.#blocks.load(store);
    if (signal.aborted) return;
    log.info("storage loaded", {
      datadir: this.datadir,
      network: this.params.name,
      addresses: addrman.size,
      bans: this.#bans.entries().length,
      anchors: this.#anchors.length,
      ...blockSummary,
    });

    // 2. Address manager.
    addrman.start();
    const book = addrman.stats();
    log.info("address manager started", { new: book.new, tried: book.tried });

    // 3. Block manager.
    this.#blocks.start();
    log.info("block manager started", { height: this.#blocks.tip().height });

    // 4. Peer handler: gossip, message routing, connection manager.
    const isBanned = (a: NetAddress) => this.#bans?.isBanned(a) ?? false;
    const gossip = new AddrGossip({
      book: addrman,
      sha256: this.#platform.sha256,
      clock: this.#platform.clock,
      random: this.#random,
      isBanned,
    });
    const router = new PeerRouter({
      gossip,
      blocks: this.#blocks,
      logger: log.child("router"),
      local: () => ({
        listenPort: this.#connmgr?.listening[0]?.port ?? null,
        services: OUR_SERVICES,
      }),
      now: () => this.#platform.clock.now(),
    });
    const connmgr = this.#connmgr = new ConnManager({
      platform: {
        dial: (target, o) => this.#dial(target, o),
        listen: (o) => this.#platform.listen(o),
        resolve: (name, o) => this.#platform.resolve(name, o),
        clock: this.#platform.clock,
        sha256: this.#platform.sha256,
      },
      params: this.params,
      addrman,
      isBanned,
      tasks: this.#tasks,
      signal,
      logger: log.child("connmgr"),
      random: this.#random,
      peerOptions: (kind) => this.#peerOptions(kind),
      onPeer: (peer, kind) => this.#onPeer(peer, kind, router),
      config: this.#connConfig(),
    });
    log.info("peer handler started", {
      targetOutbound: connmgr.config.targetOutbound,
      maxInbound: connmgr.config.maxInbound,
      proxy: this.options.proxy ?? null,
    });

    // 5. Listeners.
    const binds = this.options.listen.length
      ? this.options.listen
      : [`0.0.0.0:${this.params.defaultPort}`];
    if (binds.includes("none")) log.info("not listening for peers (--listen=none)");
    else {
      const addresses = await connmgr.listen(binds.map((b) => hostPort(b, true)));
      if (signal.aborted) return;
      log.info("listening for peers", { addresses: addresses.map(formatEndpoint) });
    }

    // 6. Anchors and persistent peers.
    const anchors = connmgr.connectAnchors(this.#anchors);
    const persistent = connmgr.startPersistent();
    log.info("connecting to anchors and persistent peers", { anchors, persistent });

    // 7. Seeding.
    const seeding = connmgr.startSeeding();
    log.info(seeding ? "address seeding started" : "address seeding off (--connect)", {
      dnsSeed: this.options.dnsseed,
      seedNodes: this.options.seednode.length,
      needAddresses: addrman.needMoreAddresses(),
    });

    // 8. Outbound slots and feelers.
    const filling = connmgr.startOutbound();
    log.info(filling ? "filling outbound slots" : "automatic outbound off (--connect)", {
      target: connmgr.config.targetOutbound,
    });

    // 9. HTTP API.
    await this.#startApi();
    if (signal.aborted) return;
    this.#state = "running";
  }

  #connConfig(): Partial<ConnConfig> {
    const o = this.options;
    return {
      targetOutbound: o.targetoutbound,
      maxInbound: o.maxpeers,
      maxInboundPerIp: o.maxpeersperip,
      connectTimeoutMs: o.timeout * 1000,
      connect: o.connect.map((t) => hostPort(t)),
      addnode: o.addnode.map((t) => hostPort(t)),
      seednode: o.seednode.map((t) => hostPort(t)),
      dnsSeed: o.dnsseed,
      proxy: o.proxy === undefined ? undefined : hostPort(o.proxy),
      onion: o.onion === undefined ? undefined : hostPort(o.onion),
      ...this.#tuning.conn,
    };
  }

  /** The platform's dial, counting failures (not aborts) as "dial" errors. */
  async #dial(target: HostPort, options?: DialOptions): Promise<Conn> {
    try {
      return await this.#platform.dial(target, options);
    } catch (error) {
      if (!options?.signal?.aborted) this.#metrics.countError("dial");
      throw error;
    }
  }

  #onPeer(peer: Peer, kind: ConnKind, router: PeerRouter): void {
    router.attach(peer, kind);
    this.#metrics.peerOpened(peer);
    peer.on("misbehaving", (report) => {
      this.#metrics.countError("misbehaviour");
      if (report.banned) void this.#ban(peer.address.address, report.reason);
    });
    peer.on("disconnected", (reason) => {
      if (reason.startsWith(MALFORMED_REASON)) this.#metrics.countError("decode");
      this.#metrics.peerClosed(peer);
    });
    if (kind === "feeler") return;
    let ready = false;
    peer.on("ready", () => {
      ready = true;
      this.#events.publish({
        type: "peer.connected",
        time: this.#platform.clock.now(),
        data: {
          id: peer.id,
          peer: peer.toString(),
          direction: peer.direction,
          userAgent: peer.stats().userAgent,
          persistent: peer.persistent,
        },
      });
    });
    peer.on("disconnected", (reason) => {
      if (!ready) return;
      this.#events.publish({
        type: "peer.disconnected",
        time: this.#platform.clock.now(),
        data: { id: peer.id, peer: peer.toString(), reason },
      });
    });
  }

  /**
   * Bans `address` for `durationMs` (default: --bantime), disconnects its
   * peers and publishes the ban; resolves once the ban list is saved.
   */
  #ban(address: NetAddress, reason: string, durationMs?: number): Promise<void> {
    const bans = this.#bans;
    if (bans === null) return Promise.resolve();
    const save = bans.ban(address, reason, durationMs).catch((error) =>
      this.#log.warn("cannot save the ban list", { error: errorText(error) })
    );
    this.#banSaves.add(save);
    void save.finally(() => this.#banSaves.delete(save));
    const key = formatAddress(address);
    const entry = bans.entries().find((e) => e.address === key);
    if (entry !== undefined) {
      this.#events.publish({
        type: "ban",
        time: this.#platform.clock.now(),
        data: { address: entry.address, until: entry.until, reason: entry.reason },
      });
    }
    for (const c of this.#connmgr?.connections() ?? []) {
      if (addressEquals(c.peer.address.address, address)) void c.peer.disconnect("banned");
    }
    return save;
  }

  #peerOptions(kind: ConnKind): PeerOptions {
    return {
      magic: this.params.magic,
      sha256: this.#platform.sha256,
      clock: this.#platform.clock,
      random: this.#random,
      logger: this.#log.child("peer"),
      services: OUR_SERVICES,
      bestHeight: () => this.#blocks.tip().height,
      localNonces: this.#localNonces,
      persistent: kind === "persistent",
      id: this.#nextPeerId++,
      banThreshold: this.options.banscore,
      timeouts: {
        handshakeMs: this.options.handshaketimeout * 1000,
        pingIntervalMs: this.options.pinginterval * 1000,
        pingTimeoutMs: this.options.pingtimeout * 1000,
        inactivityMs: this.options.inactivitytimeout * 1000,
      },
    };
  }

  async #startApi(): Promise<void> {
    const api = this.options.api ?? `127.0.0.1:${this.params.defaultApiPort}`;
    if (api === "none") {
      this.#log.info("status API off (--api=none)");
      return;
    }
    const hp = hostPort(api, true);
    let cookie: string | undefined;
    if (this.options.apiToken === undefined) {
      if (!isLoopback(hp.host)) {
        this.#log.warn(
          "the status API is reachable from other hosts and no --api-token is set: its read " +
            "routes need no token, and the generated one is only in the local cookie file; " +
            "bind --api to 127.0.0.1, or set --api-token to control the node remotely",
          { api },
        );
      }
      await writeCookie(this.#store!, this.#token);
      this.#cookieWritten = true;
      cookie = `${this.datadir}/${COOKIE_KEY}`;
    }
    this.#api = await this.#platform.serve({ ...hp, fetch: (req) => this.app.fetch(req) });
    this.#log.info("status API listening", {
      url: `http://${formatEndpoint(this.#api.addr)}/status`,
      // Requests addressed to another name get 403 (--api-allowed-hosts adds names).
      hosts: [
        ...new Set([...LOOPBACK_HOSTS, ...apiBindHost(api), ...this.options.apiAllowedHosts]),
      ],
      ...(cookie === undefined ? {} : { cookie }),
    });
  }

  // ---- stop ----

  async #stop(): Promise<void> {
    if (this.#state === "new") {
      this.#state = "stopped";
      return;
    }
    const clock = this.#platform.clock;
    const begun = clock.now();
    const deadline = begun + (this.#tuning.stopDeadlineMs ?? STOP_DEADLINE_MS);
    this.#state = "stopping";
    this.#log.info("stopping");
    this.#abort.abort(new Error("node stopping"));
    await this.#steps?.catch(() => {});
    const anchors = this.#connmgr?.anchors() ?? [];
    await this.#connmgr?.stop();
    const late = await this.#tasks.close(Math.max(deadline - clock.now(), 0), clock);
    if (late.length > 0) {
      this.#log.warn("tasks still running at the stop deadline", {
        count: late.length,
        tasks: late.slice(0, MAX_LATE_TASKS_LOGGED),
      });
    }
    if (this.#cookieWritten) {
      this.#cookieWritten = false;
      await deleteCookie(this.#store!).catch((error) =>
        this.#log.warn("cannot delete the API cookie", { error: errorText(error) })
      );
    }
    await this.#saveState(anchors);
    // The API closes last: open /events streams receive the final saves, end with the event
    // bus, and so never hold the server's close (Deno's waits for requests in flight).
    this.#events.close();
    if (this.#api !== null) {
      const wait = Math.max(deadline - clock.now(), API_CLOSE_MIN_MS);
      if (!await settleWithin(this.#api.close(), wait, clock)) {
        this.#log.warn("the status API did not close before the stop deadline");
      }
    }
    await this.#store?.close?.().catch((error: unknown) =>
      this.#log.warn("cannot close the data directory", { error: errorText(error) })
    );
    this.#state = "stopped";
    this.#log.info("stopped", { ms: clock.now() - begun });
  }

  /** The final saves: block manager, peers.json, anchors, bans. Failures are logged. */
  async #saveState(anchors: AddressPort[]): Promise<void> {
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        this.#log.warn(`cannot save ${what}`, { error: errorText(error) });
      }
    };
    await attempt("the block manager state", () => this.#blocks.stop());
    const book = this.#addrman;
    if (book !== null) {
      // Always written on a clean stop (even unchanged); the save timer stops
      // whatever became of the write (a failed one is tried once more).
      await attempt("peers.json", async () => {
        try {
          if (!await book.save()) throw new Error("the store refused the write");
        } finally {
          await book.stop();
        }
      });
    }
    // Anchors are written only by a node that read them at start (see anchors.ts).
    if (this.#store !== null && this.#anchors !== null) {
      await attempt("anchors.json", () => saveAnchors(this.#store!, anchors));
    }
    await Promise.all(this.#banSaves);
  }
}
