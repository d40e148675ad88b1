/**
 * The node: what starts and stops, in which order.
 *
 * `start()`: load storage (peers.json, bans, anchors, headers, the block
 * store in `<datadir>/blocks`) → start the
 * address manager → start the block manager → start the peer handler
 * (address gossip, message dispatch, connection manager) → listeners → anchors and
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
 * (final headers save, queued block writes) and the address manager (final
 * peers.json), writes the anchors and pending bans, ends the event streams,
 * closes the API (its open /events requests have ended by then) and closes
 * the stores. Until the
 * API closes it answers with state "stopping".
 */
import type { Hono } from "hono";
import { AddrExchange } from "../addrmgr/addr_exchange.ts";
import { AddrGossip } from "../addrmgr/gossip.ts";
import { AddrManager } from "../addrmgr/addr_manager.ts";
import { createApp } from "../api/app.ts";
import { generateToken } from "../api/cookie.ts";
import type {
  AddressPage,
  AddressQuery,
  ApiSource,
  NodeEvent,
  NodeStatus,
  PeerView,
} from "../api/source.ts";
import { splitOptionHostPort } from "../config/host_port.ts";
import type { Options } from "../config/options.ts";
import { saveAnchors, takeAnchors } from "../connmgr/anchors.ts";
import type { ConnConfig } from "../connmgr/conn_config.ts";
import { ConnManager } from "../connmgr/conn_manager.ts";
import type { ConnKind } from "../connmgr/connection.ts";
import type { Logger } from "../log/logger.ts";
import { BanList } from "../peer/ban_list.ts";
import type { Peer } from "../peer/peer.ts";
import type { PeerOptions } from "../peer/peer_options.ts";
import {
  desirableServices,
  NODE_NETWORK_LIMITED,
  NODE_P2P_V2,
  NODE_WITNESS,
} from "../peer/services.ts";
import type { Conn, DialOptions, HostPort } from "../platform/conn.ts";
import type { Platform } from "../platform/platform.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import type { KvStore } from "../platform/storage.ts";
import { BlockManager } from "../sync/block_manager.ts";
import { errorText } from "../util/error_text.ts";
import { VERSION } from "../version.ts";
import type { NetAddress } from "../wire/address.ts";
import type { AddressPort } from "../wire/host_port.ts";
import { formatEndpoint } from "../wire/host_port.ts";
import { getParams, type NetworkParams, withMinimumChainWork } from "../wire/params.ts";
import { apiBindHosts, ApiStart } from "./api_start.ts";
import { nodeApiSource } from "./api_source.ts";
import { NodeBans } from "./bans.ts";
import type { BlockService } from "./block_service.ts";
import { EventBus } from "./event_bus.ts";
import { MessageDispatch } from "./message_dispatch.ts";
import {
  publishAddrmanSaved,
  publishBlockEvents,
  publishConnEvent,
  publishPeerEvents,
} from "./node_events.ts";
import { NodeMetrics } from "./node_metrics.ts";
import { nodeStatus } from "./status.ts";
import { TaskGroup } from "./task_group.ts";

/** How long stop() waits for background tasks before returning anyway. */
export const STOP_DEADLINE_MS = 2_000;
/**
 * Services we announce: the last 288 blocks (BIP159, the block store) with
 * their witness data.
 */
export const OUR_SERVICES = NODE_NETWORK_LIMITED | NODE_WITNESS;
/** The block store's directory inside the data directory. */
export const BLOCKS_DIR = "blocks";
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
  readonly #blocks: BlockService;
  readonly #metrics = new NodeMetrics();
  readonly #localNonces = new Set<bigint>();
  /** What our `version` and self-advertisement announce: `OUR_SERVICES`, with `--v2transport` NODE_P2P_V2. */
  readonly #services: bigint;
  /** Peer, block, ban and address-book events for the API's event stream. */
  readonly #events = new EventBus<NodeEvent>();
  readonly #bans: NodeBans;
  /** The node as the API sees it (also behind `addresses()`). */
  readonly #source: ApiSource;
  readonly #api: ApiStart;
  #store: KvStore | null = null;
  #blockStore: KvStore | null = null;
  #banList: BanList | null = null;
  #addrman: AddrManager | null = null;
  #connmgr: ConnManager | null = null;
  #anchors: AddressPort[] | null = null;
  #state: NodeState = "new";
  #startedAt = 0;
  #nextPeerId = 1;
  #steps: Promise<void> | null = null;
  #stopping: Promise<void> | null = null;

  constructor(options: Options, deps: NodeDeps) {
    this.options = options;
    const params = getParams(options.network);
    this.params = options.minimumchainwork === undefined
      ? params
      : withMinimumChainWork(params, BigInt(`0x${options.minimumchainwork.replace(/^0x/, "")}`));
    this.datadir = deps.datadir;
    this.#platform = deps.platform;
    this.#log = deps.logger.child("node");
    this.#random = deps.random ?? cryptoRandom;
    this.#tuning = deps.tuning ?? {};
    this.#services = OUR_SERVICES | (options.v2transport ? NODE_P2P_V2 : 0n);
    const clock = this.#platform.clock;
    this.#blocks = new BlockManager({
      params: this.params,
      sha256: this.#platform.sha256,
      clock,
      logger: this.#log.child("sync"),
      random: this.#random,
      limits: { keepBlocks: options.keepblocks },
    });
    publishBlockEvents(this.#blocks, this.#events, this.#metrics, clock);
    this.#tasks = new TaskGroup((name, error) =>
      this.#log.error("background task failed", { task: name, error: errorText(error) })
    );
    this.#bans = new NodeBans({
      list: () => this.#banList,
      connections: () => this.#connmgr?.connections() ?? [],
      events: this.#events,
      clock,
      logger: this.#log,
    });
    this.#source = nodeApiSource({
      status: () => this.status(),
      connmgr: () => this.#connmgr,
      addrman: () => this.#addrman,
      bans: () => this.#banList,
      blocks: this.#blocks,
      metrics: this.#metrics,
      events: this.#events,
      ban: (address, reason, durationMs) => this.#bans.ban(address, reason, durationMs),
    });
    const token = options.apiToken ?? generateToken();
    this.app = createApp(this.#source, {
      token,
      logger: this.#log.child("api"),
      allowedHosts: [...apiBindHosts(options.api), ...options.apiAllowedHosts],
      corsOrigins: options.apiCorsOrigins,
      onServerError: () => this.#metrics.countError("api"),
    });
    this.#api = new ApiStart({
      api: options.api ?? `127.0.0.1:${this.params.defaultApiPort}`,
      token: { value: token, generated: options.apiToken === undefined },
      datadir: this.datadir,
      allowedHosts: [...apiBindHosts(options.api), ...options.apiAllowedHosts],
      fetch: (request) => this.app.fetch(request),
      serve: this.#platform.serve,
      clock,
      logger: this.#log,
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
   * Starts every part in order. Rejects, after cleaning up, when a step
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
    const clock = this.#platform.clock;
    return nodeStatus({
      network: this.params.name,
      version: VERSION,
      runtime: this.#platform.name,
      state: this.#state,
      uptimeSeconds: this.#startedAt ? Math.floor((clock.now() - this.#startedAt) / 1000) : 0,
      connections: this.#connmgr?.connections() ?? [],
      listening: this.#connmgr?.listening ?? [],
      api: this.#api.address,
      blocks: this.#blocks,
      book: this.#addrman?.stats(),
      bans: this.#banList?.entries().length ?? 0,
      memory: this.#platform.memory?.() ?? {},
    });
  }

  /** Per-peer statistics, each with its connection type. */
  peers(): PeerView[] {
    return this.#source.peers();
  }

  // ---- start ----

  async #startSteps(): Promise<void> {
    const signal = this.#abort.signal;
    const log = this.#log;

    // 1. Storage: peers.json, bans, anchors, headers.
    const store = this.#store = await this.#platform.openStore(this.datadir);
    if (signal.aborted) return;
    this.#banList = await BanList.load({
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
      onSaved: (addresses) => publishAddrmanSaved(this.#events, this.#platform.clock, addresses),
    });
    this.#anchors = await takeAnchors(store, this.params.defaultPort, log);
    const headers = await this.#blocks.load(store);
    if (signal.aborted) return;
    const blockStore = this.#blockStore = await this.#platform.openStore(
      `${this.datadir.replace(/[\\/]+$/, "")}/${BLOCKS_DIR}`,
    );
    if (signal.aborted) return;
    const blocks = await this.#blocks.loadBlocks(blockStore);
    if (signal.aborted) return;
    log.info("storage loaded", {
      datadir: this.datadir,
      network: this.params.name,
      addresses: addrman.size,
      bans: this.#banList.entries().length,
      anchors: this.#anchors.length,
      headers: headers.loaded,
      height: this.#blocks.status().tip.height,
      blocks: blocks.blocks,
      blockBytes: blocks.bytes,
      ...(headers.problem === null ? {} : { headersSetAside: headers.setAside.length }),
    });

    // 2. Address manager.
    addrman.start();
    const book = addrman.stats();
    log.info("address manager started", { new: book.new, tried: book.tried });

    // 3. Block manager.
    this.#blocks.start();
    log.info("block manager started", { height: this.#blocks.status().tip.height });

    // 4. Peer handler: address gossip, message dispatch, connection manager.
    const isBanned = (a: NetAddress) => this.#banList?.isBanned(a) ?? false;
    const gossip = new AddrGossip({
      book: addrman,
      sha256: this.#platform.sha256,
      clock: this.#platform.clock,
      random: this.#random,
      isBanned,
    });
    const dispatch = new MessageDispatch({
      addresses: new AddrExchange({
        gossip,
        logger: log.child("router"),
        local: () => ({
          listenPort: this.#connmgr?.listening[0]?.port ?? null,
          services: this.#services,
        }),
        now: () => this.#platform.clock.now(),
      }),
      blocks: this.#blocks,
    });
    const connmgr = this.#connmgr = new ConnManager({
      platform: {
        dial: (target, o) => this.#dial(target, o),
        listen: (o) => this.#platform.listen(o),
        resolve: (name, o) => this.#platform.resolve(name, o),
        clock: this.#platform.clock,
        sha256: this.#platform.sha256,
        aead: this.#platform.aead,
        secp256k1: this.#platform.secp256k1,
      },
      params: this.params,
      addrman,
      isBanned,
      tasks: this.#tasks,
      signal,
      logger: log.child("connmgr"),
      random: this.#random,
      peerOptions: (_kind, persistent) => this.#peerOptions(persistent),
      desirableServices: (services) =>
        desirableServices(services, this.#blocks.approximateTipDepth()),
      onPeer: (peer, kind) => this.#onPeer(peer, kind, dispatch),
      chain: this.#blocks.progress,
      onEvent: (event) => publishConnEvent(this.#events, this.#platform.clock, event),
      config: this.#connConfig(),
    });
    this.#blocks.on("chain", (e) => connmgr.chainMoved(e.peerId, e.tipChanged));
    log.info("peer handler started", {
      targetOutbound: connmgr.config.targetOutbound,
      maxInbound: connmgr.config.maxInbound,
      proxy: this.options.proxy ?? null,
      v2transport: this.options.v2transport,
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
    await this.#api.start(store);
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
      v2transport: o.v2transport,
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

  #onPeer(peer: Peer, kind: ConnKind, dispatch: MessageDispatch): void {
    dispatch.attach(peer, kind);
    this.#metrics.peerOpened(peer);
    peer.on("misbehaving", (report) => {
      this.#metrics.countError("misbehaviour");
      if (report.banned) void this.#bans.ban(peer.address.address, report.reason);
    });
    peer.on("disconnected", (reason) => {
      if (reason.startsWith(MALFORMED_REASON)) this.#metrics.countError("decode");
      this.#metrics.peerClosed(peer);
    });
    publishPeerEvents(peer, kind, this.#events, this.#platform.clock);
  }

  #peerOptions(persistent: boolean): PeerOptions {
    return {
      magic: this.params.magic,
      sha256: this.#platform.sha256,
      clock: this.#platform.clock,
      random: this.#random,
      logger: this.#log.child("peer"),
      services: this.#services,
      bestHeight: () => this.#blocks.status().tip.height,
      localNonces: this.#localNonces,
      persistent,
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
    await this.#api.deleteCookie();
    await this.#saveState(anchors);
    // The API closes last: open /events streams receive the final saves, end with the event
    // bus, and so never hold the server's close (Deno's waits for requests in flight).
    this.#events.close();
    await this.#api.close(deadline);
    for (const store of [this.#blockStore, this.#store]) {
      await store?.close?.().catch((error: unknown) =>
        this.#log.warn("cannot close the data directory", { error: errorText(error) })
      );
    }
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
    await this.#bans.saved();
  }
}
