/**
 * The connection manager: who we are connected to and why. This file starts
 * and stops the rest and runs each connection from its dial to its end:
 * reporting to the address manager, letting the node subscribe, ending
 * feelers at their handshake. The folder, by question:
 *
 * - what kinds of connection exist: `connection.ts` (Core's names);
 * - how many of which kind, which groups are taken: `connection_table.ts`;
 * - where an outbound slot is filled: `outbound.ts`, with the address
 *   chosen by `candidate.ts` and network groups from `group.ts`;
 * - which outbound peers go to keep us on the honest chain: chain-sync
 *   eviction `chain_sync.ts`, the stale-tip check and its extra peers
 *   `stale_tip.ts`, which extra peer goes `outbound_eviction.ts`, over what
 *   the block side tells (`chain_view.ts`); what it reports: `conn_events.ts`;
 * - how a dial goes out (direct or SOCKS5): `dialer.ts`, `socks5.ts`;
 * - feelers: `feeler.ts`; seeding (`--seednode`, DNS and fixed seeds):
 *   `seeding.ts`, `fixed_seeds.ts`; anchors: `anchors.ts`;
 * - peers the user names (`--connect`, `--addnode`, the API), kept or once:
 *   `manual.ts`;
 * - listening, inbound admission and eviction: `inbound.ts`, `eviction.ts`;
 * - v2 (BIP324) or v1 per connection, the v1 retry of a failed v2 dial and
 *   the addresses that speak v1 only: `transport_choice.ts`;
 * - the settings: `conn_config.ts`.
 *
 * Address-manager reporting follows Core: `attempt` when a dial starts (it
 * stamps the try and counts a failure unless the address later proves
 * `good`), `good` after a completed outbound handshake, `connected` when an
 * outbound peer that completed its handshake is lost (never for a
 * block-relay-only peer: its last-seen time would tell who we hold such a
 * connection to). Failures are counted
 * only while we appear online (`ONLINE_MIN_GROUPS` in `outbound.ts`): a
 * node whose own network is down reaches nobody and would otherwise condemn
 * every address it tries.
 *
 * Every connection runs inside a task of the task group (registered before
 * it starts), from the dial to the peer's end; every dial, sleep and lookup
 * takes the manager's AbortSignal, a child of the node's.
 */
import type { AddrManager } from "../addrmgr/addr_manager.ts";
import type { Logger } from "../log/logger.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../peer/peer.ts";
import type { PeerOptions } from "../peer/peer_options.ts";
import { desirableServices, NODE_NONE } from "../peer/services.ts";
import type { Conn, HostPort } from "../platform/conn.ts";
import type { Platform } from "../platform/platform.ts";
import { cryptoRandom, type Random } from "../platform/random.ts";
import { abortReason, type ChildController, childController } from "../util/abort_tree.ts";
import { errorText } from "../util/error_text.ts";
import type { NetAddress } from "../wire/address.ts";
import { type AddressPort, formatEndpoint, numericAddress } from "../wire/host_port.ts";
import type { NetworkParams } from "../wire/params.ts";
import type { ChainView } from "./chain_view.ts";
import { ChainSyncWatch } from "./chain_sync.ts";
import { type ConnConfig, DEFAULT_CONN_CONFIG } from "./conn_config.ts";
import type { ConnEvent, EvictionRule } from "./conn_events.ts";
import {
  CONN_KINDS,
  type ConnectionInfo,
  type ConnectionOutcome,
  type ConnKind,
} from "./connection.ts";
import {
  type Connection,
  ConnectionTable,
  type ConnFilter,
  type Reservation,
} from "./connection_table.ts";
import { Dialer } from "./dialer.ts";
import { runFeelers } from "./feeler.ts";
import { InboundGate } from "./inbound.ts";
import { BLOCK_RELAY, FULL_RELAY, OutboundSlots } from "./outbound.ts";
import {
  extraBlockRelayToEvict,
  extraFullRelayToEvict,
  type OutboundPeerFacts,
} from "./outbound_eviction.ts";
import { ManualConnections, type UserConnectResult } from "./manual.ts";
import { runSeeding, superviseAddrFetch } from "./seeding.ts";
import { StaleTipCheck } from "./stale_tip.ts";
import { TransportChoice } from "./transport_choice.ts";

/** Starts named background tasks (the node's `TaskGroup`). */
export interface TaskSpawner {
  /** Registers and starts `fn`; false (not started) once shutting down. */
  spawn(name: string, fn: () => Promise<unknown>): boolean;
}

/** What the connection manager needs. */
export interface ConnManagerOptions {
  readonly platform: Pick<
    Platform,
    "dial" | "listen" | "resolve" | "clock" | "sha256" | "aead" | "secp256k1"
  >;
  readonly params: NetworkParams;
  readonly addrman: AddrManager;
  readonly isBanned: (addr: NetAddress) => boolean;
  readonly tasks: TaskSpawner;
  /** The parent signal (the node's); the manager aborts its own child on `stop`. */
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  /** Default `cryptoRandom`. */
  readonly random?: Random;
  /** Options for a new peer of `kind` (`persistent`: kept connected). */
  readonly peerOptions: (kind: ConnKind, persistent: boolean) => PeerOptions;
  /**
   * The services wanted of an automatic outbound peer announcing `services`
   * (Core `GetDesirableServiceFlags`: it depends on how far behind we are).
   * Candidates are chosen by it, and kinds that expect services drop a peer
   * whose `version` lacks them. Default: `desirableServices` near the tip.
   */
  readonly desirableServices?: (services: bigint) => bigint;
  /** Each new peer, before it starts: the node subscribes to its messages here. */
  readonly onPeer?: (peer: Peer, kind: ConnKind) => void;
  /**
   * The block side (the block manager behind `ChainView`): without it there
   * is no chain-sync eviction, stale-tip check or extra peer.
   */
  readonly chain?: ChainView;
  /** Stale tips detected and peers evicted (`conn_events.ts`). */
  readonly onEvent?: (event: ConnEvent) => void;
  readonly config?: Partial<ConnConfig>;
}

/** Who we are connected to, and why. */
export class ConnManager {
  /** The settings in force (defaults filled in). */
  readonly config: ConnConfig;
  readonly #platform: ConnManagerOptions["platform"];
  readonly #params: NetworkParams;
  readonly #addrman: AddrManager;
  readonly #tasks: TaskSpawner;
  readonly #log: Logger;
  readonly #random: Random;
  readonly #peerOptions: ConnManagerOptions["peerOptions"];
  readonly #desirable: (services: bigint) => bigint;
  readonly #onPeer: ConnManagerOptions["onPeer"];
  readonly #abort: ChildController;
  readonly #table = new ConnectionTable();
  readonly #inbound: InboundGate;
  readonly #dialer: Dialer;
  readonly #outbound: OutboundSlots;
  readonly #manual: ManualConnections;
  readonly #chainSync: ChainSyncWatch | null;
  readonly #staleTip: StaleTipCheck | null;
  readonly #onEvent: ConnManagerOptions["onEvent"];
  readonly #transports: TransportChoice;
  /** The v1 redial reserved for a v2 attempt that ended with nothing received. */
  readonly #v1Retries = new WeakMap<Connection, Reservation>();
  #closing = false;
  #stopped: Promise<void> | null = null;

  constructor(options: ConnManagerOptions) {
    this.config = { ...DEFAULT_CONN_CONFIG, ...options.config };
    this.#platform = options.platform;
    this.#params = options.params;
    this.#addrman = options.addrman;
    this.#tasks = options.tasks;
    this.#log = options.logger;
    this.#random = options.random ?? cryptoRandom;
    this.#peerOptions = options.peerOptions;
    this.#desirable = options.desirableServices ?? ((services) => desirableServices(services, 0));
    this.#onPeer = options.onPeer;
    this.#onEvent = options.onEvent;
    this.#abort = childController(options.signal);
    const { chain } = options;
    const clock = options.platform.clock;
    this.#chainSync = chain === undefined ? null : new ChainSyncWatch({
      chain,
      clock,
      signal: this.#abort.signal,
      logger: this.#log,
      evict: (id, reason) => this.#evict(id, "chain-sync", reason),
    });
    this.#staleTip = chain === undefined ? null : new StaleTipCheck({
      chain,
      clock,
      random: this.#random,
      signal: this.#abort.signal,
      logger: this.#log,
      blockIntervalSeconds: this.#params.powTargetSpacing,
      evictExtra: () => this.#evictExtra(chain),
      checkChainSync: () => this.#chainSync?.checkAll(),
      onStaleTip: (lastTipChangeAt) => this.#onEvent?.({ type: "stale-tip", lastTipChangeAt }),
      wakeOutbound: () => this.#outbound.wake(),
    });
    this.#inbound = new InboundGate({
      listen: options.platform.listen,
      closing: () => this.#closing,
      table: this.#table,
      maxInbound: this.config.maxInbound,
      maxPerIp: this.config.maxInboundPerIp,
      isBanned: options.isBanned,
      sha256: options.platform.sha256,
      random: this.#random,
      logger: this.#log,
      desirableServices: this.#desirable,
      peerChain: (id) => chain?.peerChain(id),
      open: (conn, remote) => this.#openInbound(conn, remote),
      evict: (id, reason) => this.#evict(id, "inbound", reason),
    });
    this.#outbound = new OutboundSlots({
      table: this.#table,
      addrman: this.#addrman,
      config: this.config,
      clock: options.platform.clock,
      signal: this.#abort.signal,
      defaultPort: this.#params.defaultPort,
      isBanned: options.isBanned,
      reachable: (network) => this.reachable(network),
      desirableServices: this.#desirable,
      logger: this.#log,
      dial: (target, r, anchor) => this.#spawnDial(target, r, anchor),
      extras: this.#staleTip ?? undefined,
    });
    this.#manual = new ManualConnections({
      table: this.#table,
      config: this.config,
      clock: options.platform.clock,
      signal: this.#abort.signal,
      logger: this.#log,
      spawn: (name, fn) => this.#tasks.spawn(name, fn),
      dial: (target, r) => this.#spawnDial(target, r),
      run: (target, r) => this.#runConnection(target, r, false),
    });
    this.#transports = new TransportChoice({
      v2: this.config.v2transport,
      magic: this.#params.magic,
      sha256: options.platform.sha256,
      random: this.#random,
      aead: options.platform.aead,
      curve: options.platform.secp256k1,
    });
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
    return this.#table.list();
  }

  /** How many connections (and, as `filter.dials` says, dials in flight) pass `filter`. */
  count(filter: ConnFilter = {}): number {
    return this.#table.count(filter);
  }

  /** Where we accept inbound peers. */
  get listening(): HostPort[] {
    return this.#inbound.listening;
  }

  /** True when addresses of `network` can be dialled with the configured proxies. */
  reachable(network: NetAddress["network"]): boolean {
    return this.#dialer.reachable(network);
  }

  // ---- start steps ----

  /** Listens on each address; rejects when one cannot be bound (those opened close at `stop`). */
  listen(binds: readonly HostPort[]): Promise<HostPort[]> {
    return this.#inbound.listen(binds);
  }

  /** Dials saved anchors now (they take automatic outbound slots); returns how many. */
  connectAnchors(anchors: readonly AddressPort[]): number {
    return this.connectOnly ? 0 : this.#outbound.connectAnchors(anchors);
  }

  /** Starts one keep-connected loop per `--connect` and `--addnode` peer; returns how many. */
  startPersistent(): number {
    let n = 0;
    for (const target of [...this.config.connect, ...this.config.addnode]) {
      if (this.#manual.keep(target)) n++;
    }
    return n;
  }

  /**
   * Starts seeding in the background (`seeding.ts`): `--seednode` peers and
   * DNS seeds when the address book needs addresses, fixed seeds if it stays
   * empty. Nothing with `--connect`. Returns whether seeding was started.
   */
  startSeeding(): boolean {
    if (this.connectOnly) return false;
    return this.#tasks.spawn("seeding", () =>
      runSeeding({
        signal: this.#abort.signal,
        platform: this.#platform,
        params: this.#params,
        config: this.config,
        addrman: this.#addrman,
        random: this.#random,
        logger: this.#log,
        readyOutbound: () => this.#table.count({ kinds: FULL_RELAY, ready: true }),
        fetchFrom: (target) =>
          this.#spawnDial(target, this.#table.reserve("addr-fetch", formatEndpoint(target), null)),
        onAddresses: () => this.#outbound.wake(),
      }));
  }

  /**
   * Starts the outbound loop, the stale-tip check (with a block side) and
   * the feelers (nothing with `--connect`). With an outbound target of 0 the
   * node makes no automatic connection at all: no feelers either.
   */
  startOutbound(): boolean {
    if (this.connectOnly) return false;
    const loop = this.#tasks.spawn("outbound slots", () => this.#outbound.run());
    if (this.config.targetOutbound === 0) return loop;
    const staleTip = this.#staleTip;
    const checking = staleTip === null ||
      this.#tasks.spawn("stale tip check", () => staleTip.run());
    return loop && checking && this.startFeelers();
  }

  /**
   * The block side's "chain" event: our tip moved (`tipChanged`), or peer
   * `peerId` showed a better header; the chain-sync states follow.
   */
  chainMoved(peerId: number | null, tipChanged: boolean): void {
    this.#chainSync?.chainMoved(peerId, tipChanged);
  }

  /** True when peer `id` is protected from chain-sync and extra-peer eviction. */
  isProtected(id: number): boolean {
    return this.#chainSync?.isProtected(id) ?? false;
  }

  /**
   * Starts only the feeler loop (`feeler.ts`): a feeler is tried every
   * `feelerIntervalMs` (on average) while the outbound slots are full.
   */
  startFeelers(): boolean {
    if (this.connectOnly) return false;
    return this.#tasks.spawn("feelers", () =>
      runFeelers({
        signal: this.#abort.signal,
        clock: this.#platform.clock,
        random: this.#random,
        meanMs: this.config.feelerIntervalMs,
        addrman: this.#addrman,
        logger: this.#log,
        slots: this.#outbound,
        table: this.#table,
        run: (target, r) => this.#runConnection(target, r, false),
      }));
  }

  /**
   * Connects to `target` at user request (`manual.ts`): `persistent` keeps
   * it connected like `--addnode`, otherwise it is dialled once; "stopping"
   * during shutdown.
   */
  connect(target: HostPort, persistent: boolean): UserConnectResult {
    return this.#closing ? "stopping" : this.#manual.request(target, persistent);
  }

  /** Disconnects peer `id`; false when there is no such peer. */
  disconnect(id: number, reason: string): boolean {
    const c = this.#table.get(id);
    if (c === undefined) return false;
    void c.peer.disconnect(reason);
    return true;
  }

  /** The peers worth remembering as anchors: the longest-lived ready block-relay-only ones. */
  anchors(): AddressPort[] {
    return this.#outbound.anchors();
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
      const closing = this.#inbound.close();
      for (const c of this.#table.list()) void c.peer.disconnect("node stopping");
      await closing;
      this.#abort.dispose();
    })();
    return this.#stopped;
  }

  // ---- one connection, from dial to end ----

  /** Starts the task of the reserved dial `r` (the connection runs in it to the end). */
  #spawnDial(target: HostPort, r: Reservation, anchor = false): boolean {
    const peer = `${r.hostPort} (outbound)`;
    const started = this.#tasks.spawn(`${anchor ? "anchor" : r.kind} ${r.hostPort}`, async () => {
      try {
        const outcome = await this.#runConnection(target, r, anchor);
        this.#log.debug("connection ended", { peer, kind: r.kind, ...outcome });
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        const fields = { peer, kind: r.kind, anchor, error: errorText(error) };
        this.#log.debug("outbound connection failed", fields);
        if (SLOT_KINDS.includes(r.kind)) this.#outbound.wakeAfterFailure();
      }
    });
    if (!started) this.#table.release(r);
    return started;
  }

  /**
   * One outbound connection from dial to end (the dial must be reserved):
   * v2 first where `transport_choice.ts` says so, and once more as v1 at
   * once when that attempt ends with nothing received. Rejects when a dial
   * fails; resolves with how the (last) connection ended.
   */
  async #runConnection(
    target: HostPort,
    r: Reservation,
    anchor: boolean,
  ): Promise<ConnectionOutcome> {
    const signal = this.#abort.signal;
    const addr = numericAddress(target.host);
    const book = addr === null ? undefined : this.#addrman.find(addr, target.port);
    let v2 = this.#transports.tryV2(r.hostPort, r.kind, book?.services);
    if (addr !== null) this.#addrman.attempt(addr, target.port, this.#outbound.online());
    for (;;) {
      let dialed;
      try {
        dialed = await this.#dialer.connect(target, signal);
      } catch (error) {
        this.#table.release(r);
        throw error;
      }
      if (signal.aborted) {
        dialed.conn.close();
        this.#table.release(r);
        throw abortReason(signal);
      }
      const peer = newOutboundPeer(dialed.address, dialed.conn, {
        ...this.#peerOptions(r.kind, r.persistent),
        requiredServices: CONN_KINDS[r.kind].expectServices ? this.#desirable : NODE_NONE,
        transport: this.#transports.outbound(v2),
      });
      const c = this.#table.connected(r, peer, anchor);
      this.#adopt(c);
      await peer.closed;
      const retry = this.#v1Retries.get(c);
      if (retry === undefined) return { ready: c.readyAt !== null, reason: c.endReason };
      this.#log.debug("v2 connection got no answer; retrying with v1", {
        peer: `${r.hostPort} (outbound)`,
        reason: c.endReason,
      });
      r = retry;
      v2 = false;
    }
  }

  /** Runs an inbound connection that `inbound.ts` admitted. */
  #openInbound(conn: Conn, remote: string): void {
    let peer: Peer;
    try {
      peer = newInboundPeer(conn, {
        ...this.#peerOptions("inbound", false),
        transport: this.#transports.inbound(),
      });
    } catch (error) {
      this.#log.debug("inbound connection refused", { remote, reason: errorText(error) });
      return conn.close();
    }
    if (!this.#tasks.spawn(`inbound ${remote}`, () => peer.closed)) return conn.close();
    this.#adopt(this.#table.accepted(peer, remote));
  }

  /** Lets the node subscribe to a new peer, watches its handshake and end, starts it. */
  #adopt(c: Connection): void {
    const { peer, kind } = c;
    this.#onPeer?.(peer, kind);
    peer.on("ready", () => this.#onReady(c));
    peer.on("disconnected", (reason) => this.#onGone(c, reason));
    if (kind === "addr-fetch") {
      superviseAddrFetch(peer, {
        clock: this.#platform.clock,
        answerTimeoutMs: this.config.seedAnswerTimeoutMs,
        signal: this.#abort.signal,
      });
    }
    peer.start();
  }

  #onReady(c: Connection): void {
    c.readyAt = this.#platform.clock.now();
    if (c.kind === "inbound") return;
    this.#chainSync?.add(c.peer.id, c.kind);
    const { address, port } = c.peer.address;
    const services = c.peer.remoteVersion?.services;
    if (services !== undefined) this.#transports.handshake(c.hostPort, services);
    if (address.network !== "internal") {
      this.#addrman.good(address, port);
      if (services !== undefined) this.#addrman.setServices(address, port, services);
    }
    if (c.kind === "feeler") void c.peer.disconnect("feeler done");
  }

  #onGone(c: Connection, reason: string): void {
    // The v1 redial takes the place before this connection gives it up.
    const retry = c.kind !== "inbound" && !this.#closing &&
      this.#transports.retryAsV1(c.hostPort, c.peer);
    if (retry) {
      this.#v1Retries.set(c, this.#table.reserve(c.kind, c.hostPort, c.group, c.persistent));
    }
    this.#table.closed(c, reason);
    if (c.kind === "inbound") return;
    this.#chainSync?.remove(c.peer.id);
    const { address, port } = c.peer.address;
    if (
      c.readyAt !== null && c.kind !== "feeler" && c.kind !== "block-relay-only" &&
      address.network !== "internal"
    ) {
      this.#addrman.connected(address, port);
    }
    // Dropped after its version (without the services we want, say): the book learns what it
    // announced, as Core's SetServices on every outbound version, so it is not chosen again.
    const services = c.peer.remoteVersion?.services;
    if (c.readyAt === null && services !== undefined && address.network !== "internal") {
      this.#addrman.setServices(address, port, services);
    }
    if (SLOT_KINDS.includes(c.kind) && !this.#closing && !retry) this.#outbound.wake();
  }

  // ---- eviction ----

  /** Disconnects peer `id` by `rule` and reports it. */
  #evict(id: number, rule: EvictionRule, reason: string): void {
    const c = this.#table.get(id);
    if (c === undefined) return;
    this.#log.info("peer evicted", { peer: c.peer.toString(), kind: c.kind, rule, reason });
    this.#onEvent?.({ type: "evicted", id, peer: c.peer.toString(), kind: c.kind, rule, reason });
    void c.peer.disconnect(reason);
  }

  /**
   * Evicts the extra outbound peers beyond the targets (`outbound_eviction.ts`):
   * one block-relay-only and one full-relay at most. True when a full-relay
   * one went.
   */
  #evictExtra(chain: ChainView): boolean {
    const now = this.#platform.clock.now();
    const ready = this.#table.list({ kinds: SLOT_KINDS, ready: true })
      .filter((c) => c.peer.state === "ready");
    const facts = ready.map((c): OutboundPeerFacts => {
      const seen = chain.peerChain(c.peer.id);
      return {
        id: c.peer.id,
        kind: c.kind,
        network: c.peer.address.address.network,
        connectedAt: c.peer.stats().connectedAt,
        protect: this.isProtected(c.peer.id),
        lastAnnouncementAt: seen?.lastAnnouncementAt ?? 0,
        lastBlockAt: seen?.lastBlockAt ?? 0,
        blocksInFlight: chain.blocksInFlight(c.peer.id),
      };
    });
    const blockTarget = this.config.targetOutbound === 0 ? 0 : this.config.blockRelayOnly;
    const block = extraBlockRelayToEvict(facts, blockTarget, now);
    if (block !== undefined) {
      this.#evict(block, "extra-block-relay", "extra block-relay-only peer evicted");
    }
    const manual = this.#table.list({ kinds: ["manual"] })
      .map((c) => c.peer.address.address.network);
    const full = extraFullRelayToEvict(facts, this.config.targetOutbound, manual, now);
    if (full === undefined) return false;
    this.#evict(full, "extra-full-relay", "extra outbound peer evicted");
    return true;
  }
}

/** The kinds of the automatic outbound slots. */
const SLOT_KINDS: readonly ConnKind[] = [...FULL_RELAY, ...BLOCK_RELAY];
