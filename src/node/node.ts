/**
 * The node: what starts and stops, in which order. It opens the data
 * directory's store, loads the ban list, accepts inbound peers, keeps the
 * user-requested (`--connect`, `--addnode`) peers connected with backoff, and
 * serves the status API.
 *
 * Start order: store → bans → listeners → persistent peers → API. Stop order:
 * stop accepting → abort every dial and sleep (one AbortController) →
 * disconnect peers → close the API → await the task group (deadline) → final
 * saves. `stop()` is idempotent: every call returns the same promise.
 */
import type { Hono } from "hono";
import { createApp } from "../api/app.ts";
import { splitOptionHostPort } from "../config/host_port.ts";
import type { Options } from "../config/options.ts";
import type { Logger } from "../log/logger.ts";
import type { Conn, HostPort, Listener } from "../platform/conn.ts";
import type { Platform } from "../platform/platform.ts";
import type { HttpServer } from "../platform/serve.ts";
import type { KvStore } from "../platform/storage.ts";
import { BanList } from "../peer/ban_list.ts";
import { newInboundPeer, newOutboundPeer, type Peer, type PeerOptions } from "../peer/peer.ts";
import type { PeerStats } from "../peer/peer_stats.ts";
import { NODE_WITNESS } from "../peer/services.ts";
import { VERSION } from "../version.ts";
import { parseAddress } from "../wire/address_format.ts";
import { formatHostPort } from "../wire/host_port.ts";
import { getParams, type NetworkParams } from "../wire/params.ts";
import type { NodeStatus } from "./status.ts";
import { TaskGroup } from "./task_group.ts";

/** How long stop() waits for background tasks before returning anyway. */
export const STOP_DEADLINE_MS = 2_000;
/** Persistent-peer retry: 5 s × attempts, capped at 5 minutes (btcd's connmgr). */
export const RETRY_STEP_MS = 5_000;
export const RETRY_MAX_MS = 5 * 60_000;
/** Services we announce: we relay blocks with their witness data. */
export const OUR_SERVICES = NODE_WITNESS;

/** What the node needs from its embedder. */
export interface NodeDeps {
  readonly platform: Platform;
  readonly logger: Logger;
  /** The data directory (already resolved from options and defaults). */
  readonly datadir: string;
}

type NodeState = NodeStatus["state"];

/** A btc-edge node. */
export class EdgeNode {
  readonly options: Options;
  readonly params: NetworkParams;
  readonly datadir: string;
  /** The hono app of the status API (mountable by embedders). */
  readonly app: Hono;

  readonly #platform: Platform;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #tasks: TaskGroup;
  readonly #peers = new Map<number, Peer>();
  readonly #localNonces = new Set<bigint>();
  readonly #listeners: Listener[] = [];
  #api: HttpServer | null = null;
  #store: KvStore | null = null;
  #bans: BanList | null = null;
  #state: NodeState = "new";
  #startedAt = 0;
  #nextPeerId = 1;
  #stopping: Promise<void> | null = null;

  constructor(options: Options, deps: NodeDeps) {
    this.options = options;
    this.params = getParams(options.network);
    this.datadir = deps.datadir;
    this.#platform = deps.platform;
    this.#log = deps.logger.child("node");
    this.#tasks = new TaskGroup((name, error) =>
      this.#log.error("background task failed", { task: name, error: errorText(error) })
    );
    this.app = createApp(this);
  }

  /** Starts every room in order. Rejects (after cleaning up) when a step fails. */
  async start(): Promise<void> {
    if (this.#state !== "new") throw new Error(`start() called on a node that is ${this.#state}`);
    this.#state = "starting";
    this.#startedAt = this.#platform.clock.now();
    try {
      this.#store = await this.#platform.openStore(this.datadir);
      this.#log.info("data directory opened", { datadir: this.datadir, network: this.params.name });
      this.#bans = await BanList.load({
        store: this.#store,
        clock: this.#platform.clock,
        logger: this.#log.child("bans"),
        durationMs: this.options.bantime * 1000,
      });
      this.#log.info("ban list loaded", { bans: this.#bans.entries().length });
      await this.#startListeners();
      this.#startPersistentPeers();
      await this.#startApi();
      this.#state = "running";
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops everything; idempotent and safe to call concurrently (one shared promise). */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** The node at a glance. */
  status(): NodeStatus {
    const list = [...this.#peers.values()];
    return {
      network: this.params.name,
      version: VERSION,
      runtime: this.#platform.name,
      state: this.#state,
      uptimeSeconds: this.#startedAt
        ? Math.floor((this.#platform.clock.now() - this.#startedAt) / 1000)
        : 0,
      listening: this.#listeners.map((l) => hostPortText(l.addr)),
      api: this.#api ? hostPortText(this.#api.addr) : null,
      peers: {
        inbound: list.filter((p) => p.direction === "inbound").length,
        outbound: list.filter((p) => p.direction === "outbound").length,
        persistent: list.filter((p) => p.persistent).length,
        list: list.map((p) => ({
          id: p.id,
          peer: p.toString(),
          state: p.state,
          userAgent: p.remoteVersion?.userAgent ?? null,
          version: p.remoteVersion?.version ?? null,
          startHeight: p.remoteVersion?.startHeight ?? null,
        })),
      },
      bans: this.#bans?.entries().length ?? 0,
    };
  }

  /** Per-peer statistics. */
  peers(): PeerStats[] {
    return [...this.#peers.values()].map((p) => p.stats());
  }

  async #startListeners(): Promise<void> {
    const wanted = this.options.listen.length
      ? this.options.listen
      : [`0.0.0.0:${this.params.defaultPort}`];
    if (wanted.includes("none")) return;
    for (const text of wanted) {
      const hp = splitOptionHostPort(text, true)!;
      const listener = await this.#platform.listen({ ...hp, onConn: (conn) => this.#accept(conn) });
      this.#listeners.push(listener);
      this.#log.info("listening for peers", { address: hostPortText(listener.addr) });
    }
  }

  #accept(conn: Conn): void {
    if (this.#abort.signal.aborted) return conn.close();
    let peer: Peer;
    try {
      peer = newInboundPeer(conn, this.#peerOptions(false));
    } catch (error) {
      this.#log.debug("inbound connection refused", {
        remote: hostPortText(conn.remote),
        error: errorText(error),
      });
      return conn.close();
    }
    if (this.#bans?.isBanned(peer.address.address)) {
      this.#log.debug("banned peer refused", { peer: peer.toString() });
      void peer.disconnect("banned");
      return;
    }
    this.#adopt(peer);
  }

  #startPersistentPeers(): void {
    for (const text of [...this.options.connect, ...this.options.addnode]) {
      const target = splitOptionHostPort(text)!;
      this.#tasks.spawn(`persistent ${text}`, () => this.#keepConnected(target));
    }
  }

  /** Dials `target` until stop, reconnecting after each loss with 5 s × attempts backoff. */
  async #keepConnected(target: HostPort): Promise<void> {
    const signal = this.#abort.signal;
    const log = this.#log.child("connmgr");
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const conn = await this.#platform.dial(target, {
          signal,
          timeoutMs: this.options.timeout * 1000,
        });
        const address = { address: parseAddress(conn.remote.host), port: target.port };
        const peer = newOutboundPeer(address, conn, this.#peerOptions(true));
        this.#adopt(peer);
        await peer.closed;
        if (peer.state === "ready") attempt = 0;
      } catch (error) {
        if (signal.aborted) return;
        log.error("persistent peer connection failed", {
          peer: `${hostPortText(target)} (outbound)`,
          attempt,
          error: errorText(error),
        });
      }
      const delay = Math.min(RETRY_STEP_MS * Math.max(attempt, 1), RETRY_MAX_MS);
      await this.#platform.clock.sleep(delay, signal).catch(() => {});
    }
  }

  #adopt(peer: Peer): void {
    this.#peers.set(peer.id, peer);
    peer.on("misbehaving", (report) => {
      if (report.banned) void this.#bans?.ban(peer.address.address, report.reason);
    });
    peer.on("disconnected", () => this.#peers.delete(peer.id));
    peer.start();
  }

  #peerOptions(persistent: boolean): PeerOptions {
    return {
      magic: this.params.magic,
      sha256: this.#platform.sha256,
      clock: this.#platform.clock,
      logger: this.#log.child("peer"),
      services: OUR_SERVICES,
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

  async #startApi(): Promise<void> {
    const api = this.options.api ?? `127.0.0.1:${this.params.defaultApiPort}`;
    if (api === "none") return;
    const hp = splitOptionHostPort(api, true)!;
    this.#api = await this.#platform.serve({ ...hp, fetch: (req) => this.app.fetch(req) });
    this.#log.info("status API listening", {
      url: `http://${hostPortText(this.#api.addr)}/status`,
    });
  }

  async #stop(): Promise<void> {
    if (this.#state === "new") {
      this.#state = "stopped";
      return;
    }
    this.#state = "stopping";
    this.#log.info("stopping");
    this.#abort.abort(new Error("node stopping"));
    await Promise.all(this.#listeners.map((l) => l.close()));
    await Promise.all([...this.#peers.values()].map((p) => p.disconnect("node stopping")));
    await this.#api?.close();
    const late = await this.#tasks.close(STOP_DEADLINE_MS, this.#platform.clock);
    if (late.length) this.#log.warn("tasks still running at the stop deadline", { tasks: late });
    this.#state = "stopped";
    this.#log.info("stopped");
  }
}

function hostPortText(hp: HostPort): string {
  try {
    return formatHostPort(parseAddress(hp.host), hp.port);
  } catch {
    return `${hp.host}:${hp.port}`;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
