/**
 * The connection manager: who we are connected to and why. It keeps the
 * automatic outbound slots full (one peer per network group, candidates from
 * `candidate.ts`, a bounded number of dials in flight, a replacement dial as
 * soon as a peer is lost), dials anchors first, keeps persistent peers,
 * runs feelers and seeding, listens and admits inbound peers (limits and
 * eviction in `inbound.ts`), and reports `attempt`, `good` and `connected`
 * to the address manager.
 *
 * Address-manager reporting follows Core: `attempt` when a dial starts (it
 * stamps the try and counts a failure unless the address later proves
 * `good`), `good` after a completed outbound handshake, `connected` when an
 * outbound peer that completed its handshake is lost. Failures are counted
 * only while we appear online: when our ready outbound peers span at least
 * two network groups (Tor/I2P peers count one each), or the target is below
 * two. A node whose own network is down reaches nobody and would otherwise
 * condemn every address it tries.
 *
 * Every connection runs inside a task of the task group (registered before
 * it starts), from the dial to the peer's end; every dial, sleep and lookup
 * takes the manager's AbortSignal, a child of the node's.
 */
import { errorText } from "../util/error_text.ts";
import type { AddrManager } from "../addrmgr/addr_manager.ts";
import type { Logger } from "../log/logger.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../peer/peer.ts";
import type { PeerOptions } from "../peer/peer_options.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../peer/services.ts";
import type { Conn, HostPort, Listener } from "../platform/conn.ts";
import type { Platform } from "../platform/platform.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import type { NetAddress } from "../wire/address.ts";
import { formatAddress } from "../wire/address_format.ts";
import {
  type AddressPort,
  formatEndpoint,
  formatHostPort,
  numericAddress,
  parseHostPort,
} from "../wire/host_port.ts";
import { internalAddress } from "../wire/internal_address.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";
import type { NetworkParams } from "../wire/params.ts";
import { abortReason, type ChildController, childController } from "../util/abort_tree.ts";
import { chooseAnchors } from "./anchors.ts";
import { type CandidatePick, pickCandidate, RECENT_TRY_MIN_TRIES } from "./candidate.ts";
import { type ConnConfig, DEFAULT_CONN_CONFIG } from "./conn_config.ts";
import type { ConnectionInfo, ConnKind } from "./connection.ts";
import { Dialer } from "./dialer.ts";
import { queryDnsSeeds } from "./dns_seeds.ts";
import type { EvictionCandidate } from "./eviction.ts";
import { nextFeelerDelayMs } from "./feeler.ts";
import { FIXED_SEEDS } from "./fixed_seeds.ts";
import { groupKey, outboundGroup } from "./group.ts";
import { admitInbound } from "./inbound.ts";
import { type ConnectionOutcome, keepConnected } from "./persistent.ts";
import { Wakeup } from "../util/wakeup.ts";

/** Ready outbound groups needed before failed dials count against addresses (Core: 2). */
/**
 * User-requested connections (API POST /peers): kept targets plus one-off
 * dials in progress or connected. Bounds what control requests can start.
 */
export const MAX_USER_CONNECTIONS = 32;

/** What a user-requested connect did. */
export type UserConnectResult = "started" | "duplicate" | "limit" | "stopping";

export const ONLINE_MIN_GROUPS = 2;
/** DNS seeds are skipped when this many outbound peers are ready by then (Core: 2). */
const ENOUGH_PEERS_FOR_NO_SEEDING = 2;
/** Fixed seeds are dated between 2 weeks and 1 week ago (Core). */
const WEEK_SECONDS = 7 * 24 * 3600;
/** Services assumed for fixed seeds. */
const FIXED_SEED_SERVICES = NODE_NETWORK | NODE_WITNESS;

/** Starts named background tasks (the node's `TaskGroup`). */
export interface TaskSpawner {
  /** Registers and starts `fn`; false (not started) once shutting down. */
  spawn(name: string, fn: () => Promise<unknown>): boolean;
}

/** What the connection manager needs. */
export interface ConnManagerOptions {
  readonly platform: Pick<Platform, "dial" | "listen" | "resolve" | "clock" | "sha256">;
  readonly params: NetworkParams;
  readonly addrman: AddrManager;
  readonly isBanned: (addr: NetAddress) => boolean;
  readonly tasks: TaskSpawner;
  /** The parent signal (the node's); the manager aborts its own child on `stop`. */
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  /** Default `cryptoRandom`. */
  readonly random?: Random;
  /** Options for a new peer of `kind`. */
  readonly peerOptions: (kind: ConnKind) => PeerOptions;
  /** Each new peer, before it starts: the node subscribes to its messages here. */
  readonly onPeer?: (peer: Peer, kind: ConnKind) => void;
  readonly config?: Partial<ConnConfig>;
}

/** Connection counts by kind, and dials in flight. */
export interface ConnCounts {
  readonly inbound: number;
  readonly outbound: number;
  readonly feeler: number;
  readonly seed: number;
  readonly persistent: number;
  readonly manual: number;
  readonly dialing: number;
}

/** A connection while it lasts. */
interface Connection extends ConnectionInfo {
  readyAt: number | null;
  /** `host:port` as dialled (for inbound: the remote end). */
  readonly hostPort: string;
  readonly group: string | null;
  endReason: string;
}

/** A dial in flight. */
interface Dialing {
  readonly kind: ConnKind;
  readonly hostPort: string;
  readonly group: string | null;
}

/** Who we are connected to, and why. */
export class ConnManager {
  /** The settings in force (defaults filled in). */
  readonly config: ConnConfig;
  readonly #platform: ConnManagerOptions["platform"];
  readonly #params: NetworkParams;
  readonly #addrman: AddrManager;
  readonly #isBanned: (addr: NetAddress) => boolean;
  readonly #tasks: TaskSpawner;
  readonly #log: Logger;
  readonly #random: Random;
  readonly #peerOptions: (kind: ConnKind) => PeerOptions;
  readonly #onPeer: ((peer: Peer, kind: ConnKind) => void) | undefined;
  readonly #abort: ChildController;
  readonly #dialer: Dialer;
  readonly #wake = new Wakeup();
  readonly #conns = new Map<number, Connection>();
  readonly #dialing = new Set<Dialing>();
  /** Targets kept connected at user request (API `persistent`), at most MAX_USER_CONNECTIONS. */
  readonly #userKept = new Set<string>();
  /** Outbound `host:port`s connected or being dialled, with how many times. */
  readonly #busy = new Map<string, number>();
  readonly #listeners: Listener[] = [];
  /** Secret for the keyed network groups of inbound eviction. */
  readonly #groupKey: Uint8Array;
  #closing = false;
  #stopped: Promise<void> | null = null;
  /** A failed-dial wake-up is scheduled. */
  #wakeTimerSet = false;

  constructor(options: ConnManagerOptions) {
    this.config = { ...DEFAULT_CONN_CONFIG, ...options.config };
    this.#platform = options.platform;
    this.#params = options.params;
    this.#addrman = options.addrman;
    this.#isBanned = options.isBanned;
    this.#tasks = options.tasks;
    this.#log = options.logger;
    this.#random = options.random ?? cryptoRandom;
    this.#peerOptions = options.peerOptions;
    this.#onPeer = options.onPeer;
    this.#abort = childController(options.signal);
    this.#groupKey = this.#random.bytes(32);
    this.#dialer = new Dialer({
      dial: options.platform.dial,
      clock: options.platform.clock,
      sha256: options.platform.sha256,
      proxy: this.config.proxy,
      onion: this.config.onion,
      timeoutMs: this.config.connectTimeoutMs,
    });
  }

  /** True with `--connect`: only the given peers, nothing automatic. */
  get connectOnly(): boolean {
    return this.config.connect.length > 0;
  }

  /** Every live connection. */
  connections(): ConnectionInfo[] {
    return [...this.#conns.values()];
  }

  /** Connections by kind, and dials in flight. */
  counts(): ConnCounts {
    const n = { inbound: 0, outbound: 0, feeler: 0, seed: 0, persistent: 0, manual: 0 };
    for (const c of this.#conns.values()) n[c.kind]++;
    return { ...n, dialing: this.#dialing.size };
  }

  /** Where we accept inbound peers. */
  get listening(): HostPort[] {
    return this.#listeners.map((l) => l.addr);
  }

  /** True when addresses of `network` can be dialled with the configured proxies. */
  reachable(network: NetAddress["network"]): boolean {
    return this.#dialer.reachable(network);
  }

  // ---- start steps ----

  /** Listens on each address; rejects when one cannot be bound (those opened close at `stop`). */
  async listen(binds: readonly HostPort[]): Promise<HostPort[]> {
    for (const bind of binds) {
      if (this.#closing) break;
      const listener = await this.#platform.listen({
        host: bind.host,
        port: bind.port,
        onConn: (conn) => this.accept(conn),
      });
      this.#listeners.push(listener);
      if (this.#closing) await listener.close();
    }
    return this.listening;
  }

  /** Dials saved anchors now (they take automatic outbound slots); returns how many. */
  connectAnchors(anchors: readonly AddressPort[]): number {
    if (this.connectOnly) return 0;
    let started = 0;
    const used = this.#usedGroups();
    for (const a of anchors) {
      if (started >= this.config.targetOutbound) break;
      const hostPort = formatHostPort(a.address, a.port);
      const group = outboundGroup(a.address);
      if (this.#isBanned(a.address) || !this.reachable(a.address.network)) continue;
      if (this.#busy.has(hostPort) || (group !== null && used.has(group))) continue;
      if (group !== null) used.add(group);
      const target = { host: formatAddress(a.address), port: a.port };
      if (this.#spawnDial(`anchor ${hostPort}`, target, hostPort, "outbound", group, true)) {
        started++;
      }
    }
    return started;
  }

  /** Starts one keep-connected loop per `--connect` and `--addnode` peer; returns how many. */
  startPersistent(): number {
    let n = 0;
    for (const target of [...this.config.connect, ...this.config.addnode]) {
      if (this.#spawnPersistent(target)) n++;
    }
    return n;
  }

  /**
   * Starts seeding in the background: `--seednode` connections and DNS seeds
   * when the address book needs addresses, fixed seeds if it stays empty.
   * Nothing with `--connect`. Returns whether seeding was started.
   */
  startSeeding(): boolean {
    if (this.connectOnly) return false;
    return this.#tasks.spawn("seeding", () => this.#seed());
  }

  /**
   * Starts the outbound loop and the feelers (nothing with `--connect`). With
   * an outbound target of 0 the node makes no automatic connection at all:
   * no feelers either.
   */
  startOutbound(): boolean {
    if (this.connectOnly) return false;
    const loop = this.#tasks.spawn("outbound slots", () => this.#fillLoop());
    if (this.config.targetOutbound === 0) return loop;
    return loop && this.startFeelers();
  }

  /**
   * Starts only the feeler loop: a feeler is tried every
   * `feelerIntervalMs` (on average) while the outbound slots are full.
   */
  startFeelers(): boolean {
    if (this.connectOnly) return false;
    return this.#tasks.spawn("feelers", () => this.#feelerLoop());
  }

  /**
   * Connects to `target` at user request: `persistent` keeps it connected
   * like `--addnode`, otherwise it is dialled once. "duplicate" when that
   * target is already being dialled, connected or kept; "limit" past
   * `MAX_USER_CONNECTIONS`; "stopping" during shutdown.
   */
  connect(target: HostPort, persistent: boolean): UserConnectResult {
    if (this.#closing) return "stopping";
    const hostPort = formatEndpoint(target);
    if ((this.#busy.get(hostPort) ?? 0) > 0 || this.#userKept.has(hostPort)) return "duplicate";
    if (this.#userKept.size + this.#countKind("manual") >= MAX_USER_CONNECTIONS) return "limit";
    if (!persistent) {
      const started = this.#spawnDial(
        `manual ${hostPort}`,
        target,
        hostPort,
        "manual",
        null,
        false,
      );
      return started ? "started" : "stopping";
    }
    if (!this.#spawnPersistent(target)) return "stopping";
    this.#userKept.add(hostPort);
    return "started";
  }

  /** Connections and dials in progress of `kind`. */
  #countKind(kind: ConnKind): number {
    let n = 0;
    for (const d of this.#dialing) if (d.kind === kind) n++;
    for (const c of this.#conns.values()) if (c.kind === kind) n++;
    return n;
  }

  /** Disconnects peer `id`; false when there is no such peer. */
  disconnect(id: number, reason: string): boolean {
    const c = this.#conns.get(id);
    if (c === undefined) return false;
    void c.peer.disconnect(reason);
    return true;
  }

  /** The outbound peers worth remembering as anchors: the longest-lived ready ones. */
  anchors(): AddressPort[] {
    const candidates = [];
    for (const c of this.#conns.values()) {
      if (c.kind === "outbound" && c.readyAt !== null && c.peer.state === "ready") {
        candidates.push({ address: c.peer.address, readySince: c.readyAt });
      }
    }
    return chooseAnchors(candidates);
  }

  /**
   * Stops: no new connections, every dial, sleep and lookup aborted,
   * listeners closed, every peer told to disconnect. The tasks running the
   * connections end as the peers close (the node awaits its task group).
   * Idempotent.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#closing = true;
      this.#abort.controller.abort(new Error("node stopping"));
      const closing = this.#listeners.map((l) => l.close());
      for (const c of [...this.#conns.values()]) void c.peer.disconnect("node stopping");
      await Promise.all(closing);
      this.#abort.dispose();
    })();
    return this.#stopped;
  }

  // ---- inbound ----

  /** Takes an accepted connection: admitted (maybe evicting another peer) or closed. */
  accept(conn: Conn): void {
    if (this.#closing) return conn.close();
    const address = numericAddress(conn.remote.host);
    if (address === null) return conn.close();
    const remote = formatHostPort(address, conn.remote.port);
    let inbound = 0;
    let sameAddress = 0;
    const key = formatAddress(address);
    for (const c of this.#conns.values()) {
      if (c.kind !== "inbound") continue;
      inbound++;
      if (formatAddress(c.peer.address.address) === key) sameAddress++;
    }
    const decision = admitInbound({
      banned: this.#isBanned(address),
      sameAddress,
      inbound,
      maxInbound: this.config.maxInbound,
      maxPerIp: this.config.maxInboundPerIp,
      candidates: () => this.#evictionCandidates(),
    });
    if (!decision.accept) {
      this.#log.debug("inbound connection refused", { remote, reason: decision.reason });
      return conn.close();
    }
    if (decision.evict !== undefined) {
      const victim = this.#conns.get(decision.evict)!;
      this.#log.debug("inbound peer evicted for a newcomer", {
        peer: victim.peer.toString(),
        newcomer: remote,
      });
      void victim.peer.disconnect("evicted to make room for a new inbound peer");
    }
    let peer: Peer;
    try {
      peer = newInboundPeer(conn, this.#peerOptions("inbound"));
    } catch (error) {
      this.#log.debug("inbound connection refused", { remote, reason: errorText(error) });
      return conn.close();
    }
    if (!this.#tasks.spawn(`inbound ${remote}`, () => peer.closed)) return conn.close();
    this.#adopt(peer, "inbound", remote, null, false);
  }

  #evictionCandidates(): EvictionCandidate[] {
    const out: EvictionCandidate[] = [];
    for (const c of this.#conns.values()) {
      if (c.kind !== "inbound") continue;
      const s = c.peer.stats();
      const group = groupKey(c.peer.address.address);
      out.push({
        id: c.peer.id,
        group,
        keyedGroup: this.#keyedGroup(group),
        minPingMs: s.minPingMs,
        lastBlockTime: s.lastBlockAnnounced?.time ?? 0,
        connectedAt: s.connectedAt,
      });
    }
    return out;
  }

  /** The group hashed with our secret: a 32-bit number an attacker cannot predict. */
  #keyedGroup(group: string): number {
    const text = new TextEncoder().encode(group);
    const data = new Uint8Array(this.#groupKey.length + text.length);
    data.set(this.#groupKey);
    data.set(text, this.#groupKey.length);
    const h = this.#platform.sha256(data);
    return new DataView(h.buffer, h.byteOffset, 4).getUint32(0);
  }

  // ---- outbound ----

  /** Automatic outbound peers connected or being dialled. */
  #outboundCount(): number {
    let n = 0;
    for (const c of this.#conns.values()) if (c.kind === "outbound") n++;
    for (const d of this.#dialing) if (d.kind === "outbound") n++;
    return n;
  }

  /** Automatic dials (outbound and feeler) in flight. */
  #automaticDials(): number {
    let n = 0;
    for (const d of this.#dialing) if (d.kind === "outbound" || d.kind === "feeler") n++;
    return n;
  }

  /** Groups of our outbound and feeler connections and dials. */
  #usedGroups(): Set<string> {
    const used = new Set<string>();
    for (const c of this.#conns.values()) {
      if ((c.kind === "outbound" || c.kind === "feeler") && c.group !== null) used.add(c.group);
    }
    for (const d of this.#dialing) {
      if ((d.kind === "outbound" || d.kind === "feeler") && d.group !== null) used.add(d.group);
    }
    return used;
  }

  /** Core's "are we online" test for counting failures (see the module header). */
  #countFailures(): boolean {
    const groups = new Set<string>();
    let privacy = 0;
    for (const c of this.#conns.values()) {
      if (c.kind !== "outbound" || c.readyAt === null) continue;
      if (c.group === null) privacy++;
      else groups.add(c.group);
    }
    return groups.size + privacy >= Math.min(ONLINE_MIN_GROUPS, this.config.targetOutbound);
  }

  #pick(feeler: boolean): CandidatePick | undefined {
    const outbound = this.#outboundCount();
    const target = this.config.targetOutbound;
    return pickCandidate({
      select: feeler
        ? () =>
          this.#addrman.selectTriedCollision()?.incumbent ?? this.#addrman.select({ newOnly: true })
        : () => this.#addrman.select({ outbound, outboundTarget: target }),
      now: Math.floor(this.#platform.clock.now() / 1000),
      defaultPort: this.#params.defaultPort,
      usedGroups: this.#usedGroups(),
      isBanned: this.#isBanned,
      isBusy: (hostPort) => this.#busy.has(hostPort),
      reachable: (network) => this.reachable(network),
      feeler,
    });
  }

  /** Opens dials until the slots (or the dial budget) are full or no candidate is left. */
  #fill(): void {
    while (
      !this.#closing && this.#outboundCount() < this.config.targetOutbound &&
      this.#automaticDials() < this.config.maxDialsInFlight
    ) {
      const pick = this.#pick(false);
      if (pick === undefined) {
        this.#log.debug("no address to dial for an outbound slot", {
          outbound: this.#outboundCount(),
          known: this.#addrman.size,
        });
        return;
      }
      if (pick.tries >= RECENT_TRY_MIN_TRIES) {
        this.#log.debug("outbound candidate taken after many draws", {
          peer: pick.hostPort,
          tries: pick.tries,
        });
      }
      this.#spawnDial(
        `outbound ${pick.hostPort}`,
        { host: formatAddress(pick.address.addr), port: pick.address.port },
        pick.hostPort,
        "outbound",
        pick.group,
        false,
      );
    }
  }

  async #fillLoop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      this.#fill();
      await this.#wake.wait(this.config.recheckMs, this.#platform.clock, signal);
    }
  }

  /**
   * Wakes the outbound loop after the failed-dial pause. Failures in the
   * meantime share the one timer, so a burst of refusals paces the loop
   * instead of multiplying its wake-ups.
   */
  #wakeSoon(): void {
    if (this.#wakeTimerSet) return;
    this.#wakeTimerSet = true;
    this.#platform.clock.setTimer(
      this.config.failedDialPauseMs,
      () => {
        this.#wakeTimerSet = false;
        this.#wake.notify();
      },
      this.#abort.signal,
    );
  }

  /** Registers a dial and starts its task (the connection runs in it to the end). */
  #spawnDial(
    name: string,
    target: HostPort,
    hostPort: string,
    kind: ConnKind,
    group: string | null,
    anchor: boolean,
  ): boolean {
    const dialing = this.#reserve(kind, hostPort, group);
    const started = this.#tasks.spawn(name, async () => {
      try {
        const outcome = await this.#runConnection(target, dialing, anchor);
        this.#log.debug("connection ended", { peer: `${hostPort} (outbound)`, kind, ...outcome });
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        this.#log.debug("outbound connection failed", {
          peer: `${hostPort} (outbound)`,
          kind,
          anchor,
          error: errorText(error),
        });
        if (kind === "outbound") this.#wakeSoon();
      }
    });
    if (!started) this.#release(dialing);
    return started;
  }

  #reserve(kind: ConnKind, hostPort: string, group: string | null): Dialing {
    const d: Dialing = { kind, hostPort, group };
    this.#dialing.add(d);
    this.#busy.set(hostPort, (this.#busy.get(hostPort) ?? 0) + 1);
    return d;
  }

  #release(d: Dialing): void {
    if (this.#dialing.delete(d)) this.#unbusy(d.hostPort);
  }

  #unbusy(hostPort: string): void {
    const n = (this.#busy.get(hostPort) ?? 1) - 1;
    if (n <= 0) this.#busy.delete(hostPort);
    else this.#busy.set(hostPort, n);
  }

  /**
   * One outbound connection from dial to end (the dial must be reserved).
   * Rejects when the dial fails; resolves with how the connection ended.
   */
  async #runConnection(target: HostPort, d: Dialing, anchor: boolean): Promise<ConnectionOutcome> {
    const signal = this.#abort.signal;
    const addr = numericAddress(target.host);
    if (addr !== null) this.#addrman.attempt(addr, target.port, this.#countFailures());
    let dialed;
    try {
      dialed = await this.#dialer.connect(target, signal);
    } catch (error) {
      this.#release(d);
      throw error;
    }
    if (signal.aborted) {
      dialed.conn.close();
      this.#release(d);
      throw abortReason(signal);
    }
    // The busy mark passes from the dial to the connection (released when it ends).
    this.#dialing.delete(d);
    const peer = newOutboundPeer(dialed.address, dialed.conn, this.#peerOptions(d.kind));
    const c = this.#adopt(peer, d.kind, d.hostPort, d.group, anchor);
    await peer.closed;
    return { ready: c.readyAt !== null, reason: c.endReason };
  }

  /** Tracks `peer`, lets the node subscribe, watches its handshake and end, starts it. */
  #adopt(
    peer: Peer,
    kind: ConnKind,
    hostPort: string,
    group: string | null,
    anchor: boolean,
  ): Connection {
    const c: Connection = { peer, kind, anchor, readyAt: null, hostPort, group, endReason: "" };
    this.#conns.set(peer.id, c);
    this.#onPeer?.(peer, kind);
    peer.on("ready", () => this.#onReady(c));
    peer.on("disconnected", (reason) => this.#onGone(c, reason));
    if (kind === "seed") {
      peer.on("message", (msg) => {
        if ((msg.command === "addr" || msg.command === "addrv2") && msg.addresses.length > 1) {
          void peer.disconnect("seed node answered with addresses");
        }
      });
    }
    peer.start();
    return c;
  }

  #onReady(c: Connection): void {
    c.readyAt = this.#platform.clock.now();
    if (c.kind === "inbound") return;
    const { address, port } = c.peer.address;
    if (address.network !== "internal") {
      this.#addrman.good(address, port);
      const services = c.peer.remoteVersion?.services;
      if (services !== undefined) this.#addrman.setServices(address, port, services);
    }
    if (c.kind === "feeler") void c.peer.disconnect("feeler done");
    if (c.kind === "seed") {
      this.#platform.clock.setTimer(
        this.config.seedAnswerTimeoutMs,
        () => void c.peer.disconnect("seed node sent no addresses in time"),
        this.#abort.signal,
      );
    }
  }

  #onGone(c: Connection, reason: string): void {
    c.endReason = reason;
    this.#conns.delete(c.peer.id);
    if (c.kind === "inbound") return;
    this.#unbusy(c.hostPort);
    const { address, port } = c.peer.address;
    if (c.readyAt !== null && c.kind !== "feeler" && address.network !== "internal") {
      this.#addrman.connected(address, port);
    }
    if (c.kind === "outbound" && !this.#closing) this.#wake.notify();
  }

  // ---- persistent peers ----

  #spawnPersistent(target: HostPort): boolean {
    const hostPort = formatEndpoint(target);
    const label = `${hostPort} (outbound)`;
    return this.#tasks.spawn(`persistent ${hostPort}`, () =>
      keepConnected({
        signal: this.#abort.signal,
        clock: this.#platform.clock,
        stepMs: this.config.retryStepMs,
        maxMs: this.config.retryMaxMs,
        connectOnce: () =>
          this.#runConnection(target, this.#reserve("persistent", hostPort, null), false),
        onFailure: (failures, reason, retryInMs) =>
          this.#log.error("persistent peer connection failed", {
            peer: label,
            attempt: failures,
            retryInSeconds: retryInMs / 1000,
            error: reason,
          }),
      }));
  }

  // ---- feelers ----

  async #feelerLoop(): Promise<void> {
    const signal = this.#abort.signal;
    const clock = this.#platform.clock;
    while (!signal.aborted) {
      const delay = nextFeelerDelayMs(this.#random, this.config.feelerIntervalMs);
      try {
        await clock.sleep(delay, signal);
      } catch {
        return;
      }
      // Only a node with its outbound slots full explores (as Core).
      let outbound = 0;
      for (const c of this.#conns.values()) if (c.kind === "outbound") outbound++;
      if (outbound < this.config.targetOutbound) continue;
      this.#addrman.resolveCollisions();
      const pick = this.#pick(true);
      if (pick === undefined) continue;
      const d = this.#reserve("feeler", pick.hostPort, pick.group);
      const target = { host: formatAddress(pick.address.addr), port: pick.address.port };
      try {
        const outcome = await this.#runConnection(target, d, false);
        this.#log.debug("feeler done", { peer: pick.hostPort, answered: outcome.ready });
      } catch (error) {
        if (signal.aborted) return;
        this.#log.debug("feeler failed", { peer: pick.hostPort, error: errorText(error) });
      }
      this.#addrman.resolveCollisions();
    }
  }

  // ---- seeding ----

  async #seed(): Promise<void> {
    const signal = this.#abort.signal;
    const clock = this.#platform.clock;
    const book = this.#addrman;
    const { seednode, dnsSeed } = this.config;
    if (book.needMoreAddresses()) {
      for (const target of seednode) {
        const hostPort = formatEndpoint(target);
        this.#spawnDial(`seed ${hostPort}`, target, hostPort, "seed", null, false);
      }
    }
    let learned = 0;
    const seeds = this.#params.dnsSeeds;
    if (dnsSeed && seeds.length > 0 && book.needMoreAddresses()) {
      if (book.size > 0) await clock.sleep(this.config.dnsSeedDelayMs, signal).catch(() => {});
      if (signal.aborted) return;
      if (this.#readyOutbound() >= ENOUGH_PEERS_FOR_NO_SEEDING) {
        this.#log.debug("DNS seeds skipped: enough outbound peers", {});
      } else {
        const answers = await queryDnsSeeds(seeds, {
          resolve: this.#platform.resolve,
          sha256: this.#platform.sha256,
          random: this.#random,
          signal,
          logger: this.#log,
          now: Math.floor(clock.now() / 1000),
          defaultPort: this.#params.defaultPort,
        });
        if (signal.aborted) return;
        for (const a of answers) learned += book.add(a.addresses, a.source);
        const answered = answers.filter((a) => a.error === undefined).length;
        this.#log.info("DNS seeds queried", { seeds: answers.length, answered, added: learned });
        if (answered === 0 && this.#readyOutbound() === 0) {
          this.#log.warn(
            "no DNS seed answered and no peer is connected: no peers are reachable yet " +
              "(is this machine offline?); the node keeps trying and its status API stays up",
            { seeds: answers.length },
          );
        }
        this.#wake.notify();
      }
    }
    await this.#fixedSeeds(!(dnsSeed && seeds.length > 0) && seednode.length === 0);
  }

  /** Adds the fixed seeds if the book is (still) empty: at once, or after the fixed-seed delay. */
  async #fixedSeeds(immediately: boolean): Promise<void> {
    const list = this.config.fixedSeeds ?? FIXED_SEEDS[this.#params.name];
    if (list.length === 0 || this.#addrman.size > 0) return;
    if (!immediately) {
      await this.#platform.clock.sleep(this.config.fixedSeedDelayMs, this.#abort.signal).catch(
        () => {},
      );
      if (this.#abort.signal.aborted || this.#addrman.size > 0) return;
    }
    const nowSeconds = Math.floor(this.#platform.clock.now() / 1000);
    const addresses: PeerAddress[] = [];
    for (const text of list) {
      try {
        const { address, port } = parseHostPort(text, this.#params.defaultPort);
        const age = WEEK_SECONDS + this.#random.int(WEEK_SECONDS);
        addresses.push({
          time: nowSeconds - age,
          services: FIXED_SEED_SERVICES,
          addr: address,
          port,
        });
      } catch (error) {
        this.#log.warn("fixed seed ignored", { seed: text, error: errorText(error) });
      }
    }
    const added = this.#addrman.add(
      addresses,
      internalAddress(this.#platform.sha256, "fixedseeds"),
    );
    this.#log.info("address book empty; fixed seeds added", { added });
    this.#wake.notify();
  }

  #readyOutbound(): number {
    let n = 0;
    for (const c of this.#conns.values()) if (c.kind === "outbound" && c.readyAt !== null) n++;
    return n;
  }
}
