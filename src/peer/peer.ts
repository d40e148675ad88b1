/**
 * One remote party: a peer owns one connection and speaks the protocol on
 * it. Bytes become frames and frames bytes in its transport (`../transport/`,
 * v1 framing unless its options name another); the peer decodes the messages
 * in the frames and encodes the ones it sends; `transport` tells which
 * protocol the connection speaks (v1, BIP324 v2). It runs the version
 * handshake (`peer_handshake.ts`, over the state machine of `handshake.ts`),
 * records the features the remote asks for (`features.ts`), keeps the
 * connection alive or drops it (`liveness.ts`),
 * sends through a bounded queue that honours backpressure (`send_queue.ts`),
 * scores misbehaviour (`misbehaviour.ts`; large `inv`/`getdata` cost
 * transient points, `inventory_cost.ts`), remembers what the remote knows
 * (`known_inventory.ts`) and counts everything (`peer_stats.ts`). What it is
 * made with, and the defaults, are in `peer_options.ts`. Everything else
 * (addresses, headers, blocks, getdata...) goes to its owner as a "message"
 * event (the events are declared in `peer_events.ts`); the owner answers
 * through `send`. The node never relays a transaction (blocks-only, see
 * `handshake.ts`).
 *
 * Log policy (records go to the logger given in the options, each with the
 * peer's `toString()` in the `peer` field):
 * - info: the version exchange completed (user agent, version, height); a
 *   peer that had completed it is lost (reason).
 * - warn: failures of persistent (user-requested) peers: a failed handshake,
 *   a timeout, a drop, and misbehaviour that would have banned another peer.
 * - debug: everything else (timeouts and failures of other peers, ignored
 *   and malformed messages, misbehaviour).
 *
 * The only ways to make a peer are `newOutboundPeer` and `newInboundPeer`.
 */
import { errorText } from "../util/error_text.ts";
import { printable } from "../util/printable.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Conn } from "../platform/conn.ts";
import type { Transport, TransportInfo } from "../transport/transport.ts";
import { parseAddress } from "../wire/address_format.ts";
import { blockHeaderHash, encodeBlockHeader } from "../wire/block_header.ts";
import { hashToHex } from "../wire/bytes.ts";
import { DecodeError } from "../wire/errors.ts";
import { type AddressPort, formatHostPort } from "../wire/host_port.ts";
import { decodeMessage, encodeMessage, type Message, wireCommand } from "../wire/message.ts";
import { INV_ENTRY_SIZE, type InvItem, MSG_BLOCK, MSG_WITNESS_FLAG } from "../wire/messages/inv.ts";
import type { VersionMessage } from "../wire/messages/version.ts";
import { Emitter } from "../util/emitter.ts";
import type { HandshakeState, PeerDirection } from "./handshake.ts";
import { type FeatureMessage, NO_FEATURES, withFeature } from "./features.ts";
import { inventoryPoints } from "./inventory_cost.ts";
import { KnownInventory } from "./known_inventory.ts";
import { Liveness } from "./liveness.ts";
import {
  BanScore,
  DUPLICATE_VERSION_POINTS,
  LATE_FEATURE_POINTS,
  MALFORMED_MESSAGE_POINTS,
} from "./misbehaviour.ts";
import type { PeerEvents } from "./peer_events.ts";
import { PeerHandshake } from "./peer_handshake.ts";
import { type PeerOptions, type PeerSettings, peerSettings } from "./peer_options.ts";
import {
  type AnnouncedBlock,
  OTHER_COMMAND,
  type PeerFeatures,
  type PeerStats,
  TrafficCounter,
} from "./peer_stats.ts";
import { SendQueue } from "./send_queue.ts";
import { serviceNames, servicesHex } from "./services.ts";

/** The reason when the remote closed the connection (or it broke). */
const REMOTE_CLOSED = "connection closed";

/** A token only this module holds: the constructor is reachable through the two factories only. */
const CREATE: unique symbol = Symbol("Peer.create");

/** One connected remote party. Make one with `newOutboundPeer` or `newInboundPeer`. */
export class Peer {
  /** Node-wide id. */
  readonly id: number;
  readonly direction: PeerDirection;
  /** User-requested (never banned automatically; failures logged as warnings). */
  readonly persistent: boolean;
  /** The remote address and port. */
  readonly address: AddressPort;
  /** What the remote is known to have (announced by it or to it). */
  readonly known: KnownInventory;
  /** Resolves once the connection is closed, after "disconnected" was emitted. Never rejects. */
  readonly closed: Promise<void>;

  readonly #conn: Conn;
  /** `host:port`. */
  readonly #hostPort: string;
  /** `host:port (direction)`: the one string form. */
  readonly #label: string;
  readonly #settings: PeerSettings;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #events: Emitter<PeerEvents>;
  readonly #transport: Transport;
  readonly #queue: SendQueue;
  readonly #liveness: Liveness;
  readonly #score: BanScore;
  readonly #handshake: PeerHandshake;
  readonly #sent = new TrafficCounter();
  readonly #received = new TrafficCounter();
  readonly #connectedAt: number;
  #resolveClosed!: () => void;
  #started = false;
  #closing = false;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #features: PeerFeatures = NO_FEATURES;
  #lastBlock: AnnouncedBlock | null = null;
  #lastSend: number | null = null;
  #lastReceive: number | null = null;
  #ignored = 0;
  #reportedBan = false;

  /** Internal: use `newOutboundPeer` / `newInboundPeer`. */
  constructor(
    token: typeof CREATE,
    direction: PeerDirection,
    address: AddressPort,
    conn: Conn,
    options: PeerOptions,
  ) {
    if (token !== CREATE) throw new TypeError("use newOutboundPeer or newInboundPeer");
    const settings = peerSettings(options);
    this.#settings = settings;
    this.id = settings.id;
    this.direction = direction;
    this.persistent = settings.persistent;
    this.address = address;
    this.#hostPort = formatHostPort(address.address, address.port);
    this.#label = `${this.#hostPort} (${direction})`;
    this.#conn = conn;
    this.#clock = settings.clock;
    this.#log = settings.logger;
    this.#handshake = new PeerHandshake({
      direction,
      address,
      settings,
      clock: this.#clock,
      send: (msg) => this.#enqueue(msg),
      fail: (reason) => this.#fail(reason),
    });
    this.#connectedAt = this.#clock.now();
    this.known = new KnownInventory(settings.knownInventoryLimit);
    this.#events = new Emitter((event, error) =>
      this.#log.warn("peer event handler threw", { peer: this.#label, event, error })
    );
    this.#queue = new SendQueue(
      (bytes) => conn.write(bytes),
      settings.sendQueueLimitBytes,
      (error) => this.#fail(`write failed: ${errorText(error)}`),
    );
    this.#liveness = new Liveness(
      this.#clock,
      settings.random,
      settings.timeouts,
      this.#abort.signal,
      {
        sendPing: (nonce) => this.#enqueue({ command: "ping", nonce }),
        timeout: (reason) => this.#fail(reason),
      },
    );
    this.#score = new BanScore(this.#clock);
    this.#transport = settings.transport({
      open: () => {
        if (this.direction === "outbound") this.#handshake.sendVersion();
      },
      frame: (command, payload, wireBytes) => this.#onFrame(command, payload, wireBytes),
      malformed: (error, fatal) => this.#malformed(error, fatal),
      write: (chunks) => {
        this.#push(chunks);
      },
    }, this.#abort.signal);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /** `203.0.113.7:8333 (outbound)`, `[2001:db8::1]:8333 (inbound)`: the one string form. */
  toString(): string {
    return this.#label;
  }

  /** Where the handshake is ("closed" after a disconnect). */
  get state(): HandshakeState {
    return this.#handshake.state;
  }

  /** The remote's `version` message, once received. */
  get remoteVersion(): VersionMessage | null {
    return this.#handshake.remote;
  }

  /** min(our protocol version, theirs) once their `version` arrived, else 0. */
  get negotiatedVersion(): number {
    return this.#handshake.negotiated;
  }

  /** The transport's protocol, session id, and whether a failed v2 dial should retry as v1. */
  get transport(): TransportInfo {
    return this.#transport.info();
  }

  /** Features the remote negotiated. */
  get features(): PeerFeatures {
    return this.#features;
  }

  /**
   * Bytes queued for sending and not yet taken by the connection. An owner
   * sending a lot (blocks for getdata) waits while this is high, so a slow
   * but reading peer is not dropped for the queue bound.
   */
  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof PeerEvents>(event: K, handler: (...args: PeerEvents[K]) => void): () => void {
    return this.#events.on(event, handler);
  }

  /**
   * Starts the peer: the handshake deadline, the transport (our `version`
   * goes out once it is open, if outbound) and the read loop. Subscribe to
   * events first. Later calls do nothing.
   */
  start(): void {
    if (this.#started || this.#closing) return;
    this.#started = true;
    this.#log.debug("peer connection open", { peer: this.#label, id: this.id });
    this.#liveness.startHandshakeTimer();
    this.#transport.start();
    void this.#conn.closed.then(() => this.#fail(REMOTE_CLOSED));
    void this.#readLoop();
  }

  /**
   * Queues `msg` (encoded and framed) once the handshake is complete.
   * Returns false, sending nothing, before that or after a disconnect; a
   * message that would overflow the send queue disconnects the peer (false).
   * A `block`/`tx`/unknown payload is sent as given: do not modify it afterwards.
   */
  send(msg: Message): boolean {
    return this.#handshake.state === "ready" && this.#enqueue(msg);
  }

  /** False when `payload`, a frame being handled before its checksum was checked, fails it. */
  payloadIntact(payload: Uint8Array): boolean {
    return this.#transport.intact?.(payload) ?? true;
  }

  /**
   * Closes the connection (idempotent, safe from any context): the first
   * call emits "disconnected" with its reason; every call returns `closed`.
   * Nothing is sent or handled afterwards.
   */
  disconnect(reason: string): Promise<void> {
    return this.#close(reason, false);
  }

  /**
   * Adds misbehaviour points (persistent by default; `transient` points
   * decay with a 60 s half-life). Reaching the ban threshold emits
   * "misbehaving" and, unless the peer is persistent, disconnects it.
   */
  misbehave(points: number, reason: string, transient = false): void {
    if (this.#closing) return;
    const score = this.#score.add(transient ? 0 : points, transient ? points : 0);
    this.#log.debug("peer misbehaving", { peer: this.#label, points, score, reason });
    if (score < this.#settings.banThreshold || this.#reportedBan) return;
    this.#reportedBan = true;
    if (this.persistent) {
      this.#log.warn("persistent peer misbehaving; not banned", {
        peer: this.#label,
        score,
        reason,
      });
      this.#events.emit("misbehaving", { score, reason, banned: false });
    } else {
      this.#events.emit("misbehaving", { score, reason, banned: true });
      this.#fail(`banned: ${reason}`);
    }
  }

  /** A snapshot of this peer's state and counters. */
  stats(): PeerStats {
    const hs = this.#handshake;
    const r = hs.remote;
    const transport = this.#transport.info();
    return {
      id: this.id,
      address: this.#hostPort,
      direction: this.direction,
      persistent: this.persistent,
      handshake: hs.state,
      transport: transport.protocol,
      sessionId: transport.sessionId,
      services: servicesHex(r?.services ?? 0n),
      serviceNames: serviceNames(r?.services ?? 0n),
      version: r?.version ?? 0,
      negotiatedVersion: hs.negotiated,
      userAgent: printable(r?.userAgent ?? ""),
      startHeight: r?.startHeight ?? 0,
      relay: r?.relay ?? true,
      features: { ...this.#features },
      lastBlockAnnounced: this.#lastBlock,
      pingMs: this.#liveness.lastPingMs,
      minPingMs: this.#liveness.minPingMs,
      pingWaitMs: this.#liveness.pingWaitMs,
      timeOffsetSeconds: hs.timeOffsetSeconds,
      connectedAt: this.#connectedAt,
      lastSend: this.#lastSend,
      lastReceive: this.#lastReceive,
      banScore: Math.round(this.#score.value),
      knownInventory: this.known.size,
      sendQueueBytes: this.#queue.bytes,
      ignoredMessages: this.#ignored,
      sent: this.#sent.snapshot(),
      received: this.#received.snapshot(),
    };
  }

  // ---- sending ----

  /** Encodes, frames and queues `msg`; false when not sent. */
  #enqueue(msg: Message): boolean {
    if (this.#closing) return false;
    const command = wireCommand(msg);
    const chunks = this.#transport.encode(command, encodeMessage(msg));
    if (!this.#push(chunks)) return false;
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    this.#sent.record(msg.command === "unknown" ? OTHER_COMMAND : command, size);
    this.#lastSend = this.#clock.now();
    if (msg.command === "inv") this.known.addItems(msg.items);
    return true;
  }

  /** Queues bytes for the connection; false (and, on overflow, a disconnect) when refused. */
  #push(chunks: Uint8Array[]): boolean {
    const result = this.#queue.push(chunks);
    if (result === "overflow") {
      this.#fail(`send queue over ${this.#queue.limit} bytes (the peer is not reading)`);
    }
    return result === "queued";
  }

  // ---- receiving ----

  async #readLoop(): Promise<void> {
    let reader: ReadableStreamDefaultReader<Uint8Array>;
    try {
      reader = this.#conn.readable.getReader();
    } catch (error) {
      this.#fail(`cannot read the connection: ${errorText(error)}`);
      return;
    }
    this.#reader = reader;
    try {
      while (!this.#closing) {
        const { done, value } = await reader.read();
        if (done) {
          this.#fail(REMOTE_CLOSED);
          return;
        }
        if (this.#closing) return;
        this.#transport.receive(value);
      }
    } catch (error) {
      this.#fail(`receive failed: ${errorText(error)}`);
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  #onFrame(command: string, payload: Uint8Array, size: number): void {
    this.#lastReceive = this.#clock.now();
    this.#liveness.received();
    if (command === "inv" || command === "getdata") {
      // Charged by size before decoding: the message that bans is never decoded.
      const entries = Math.floor(payload.length / INV_ENTRY_SIZE);
      if (!this.#chargeInventory(command, entries)) {
        this.#received.record(command, size);
        return;
      }
    }
    let msg: Message;
    try {
      msg = decodeMessage(command, payload);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.#received.record(command, size); // only known commands can fail to decode
      // Without a readable version there is no handshake to continue.
      const fatal = command === "version" && this.#handshake.remote === null;
      this.#malformed(error, fatal);
      return;
    }
    this.#received.record(msg.command === "unknown" ? OTHER_COMMAND : command, size);
    this.#handle(msg);
  }

  #handle(msg: Message): void {
    const command = wireCommand(msg);
    const { next, action } = this.#handshake.step(command);
    switch (action.kind) {
      case "accept-version":
        this.#handshake.acceptVersion(msg as VersionMessage, next);
        return;
      case "complete":
        this.#complete(next);
        return;
      case "feature":
        this.#feature(msg as FeatureMessage);
        return;
      case "ignore":
        this.#ignore(command, action.why);
        return;
      case "violation":
        this.misbehave(
          action.violation === "duplicate-version" ? DUPLICATE_VERSION_POINTS : LATE_FEATURE_POINTS,
          action.reason,
        );
        if (action.disconnect) this.#fail(action.reason);
        return;
      case "deliver":
        this.#deliver(msg);
        return;
    }
  }

  #complete(next: HandshakeState): void {
    this.#handshake.complete(next);
    const r = this.#handshake.remote!;
    this.#log.info("peer connected", {
      peer: this.#label,
      userAgent: printable(r.userAgent),
      version: r.version,
      height: r.startHeight,
      services: servicesHex(r.services),
    });
    this.#liveness.handshakeComplete();
    if (this.#closing) return;
    this.#events.emit("ready");
  }

  /** Post-handshake messages: liveness and feature flags here, the rest to the owner. */
  #deliver(msg: Message): void {
    switch (msg.command) {
      case "ping":
        this.#enqueue({ command: "pong", nonce: msg.nonce });
        return;
      case "pong":
        if (this.#liveness.pong(msg.nonce) === null) this.#ignore("pong", "unexpected pong nonce");
        return;
      case "sendheaders":
      case "feefilter":
        this.#feature(msg as FeatureMessage);
        return;
      case "inv":
        this.known.addItems(msg.items);
        this.#noteBlockInv(msg.items);
        break;
      case "headers":
      case "cmpctblock": {
        const last = msg.command === "headers" ? msg.headers.at(-1) : msg.header;
        if (last !== undefined) {
          this.#noteBlock(blockHeaderHash(this.#settings.sha256, encodeBlockHeader(last)));
        }
        break;
      }
    }
    this.#events.emit("message", msg);
  }

  #feature(msg: FeatureMessage): void {
    const features = withFeature(this.#features, msg, this.#handshake.negotiated);
    if (typeof features === "string") this.#ignore(msg.command, features);
    else this.#features = features;
  }

  /** Charges a large inventory message (see `inventoryPoints`); false once the peer is dropped. */
  #chargeInventory(command: string, entries: number): boolean {
    const points = inventoryPoints(entries);
    if (points > 0) this.misbehave(points, `${command} of ${entries} entries`, true);
    return !this.#closing;
  }

  /** The last block entry of an `inv` (already in `known`) is the last block announced. */
  #noteBlockInv(items: readonly InvItem[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      if ((items[i].type & ~MSG_WITNESS_FLAG) === MSG_BLOCK) {
        this.#lastBlock = { hash: hashToHex(items[i].hash), time: this.#clock.now() };
        return;
      }
    }
  }

  #noteBlock(hash: Uint8Array): void {
    this.known.add(hash);
    this.#lastBlock = { hash: hashToHex(hash), time: this.#clock.now() };
  }

  #ignore(command: string, why: string): void {
    this.#ignored++;
    this.#log.debug("peer message ignored", { peer: this.#label, command, why });
  }

  #malformed(error: DecodeError, fatal: boolean): void {
    this.#log.debug("peer sent a malformed message", {
      peer: this.#label,
      command: error.command,
      kind: error.kind,
      bound: error.bound,
      error: error.message,
    });
    this.misbehave(MALFORMED_MESSAGE_POINTS, error.message);
    if (fatal) this.#fail(`malformed ${error.command ?? "frame"}: ${error.message}`);
  }

  // ---- closing ----

  /** A failure (timeout, error, protocol problem): closes and logs as a failure. */
  #fail(reason: string): void {
    void this.#close(reason, true);
  }

  #close(reason: string, failure: boolean): Promise<void> {
    if (this.#closing) return this.closed;
    this.#closing = true;
    const wasReady = this.#handshake.close();
    this.#abort.abort();
    this.#queue.close();
    this.#reader?.cancel().catch(() => {});
    this.#conn.close();
    const fields = { peer: this.#label, reason };
    if (this.persistent && failure) this.#log.warn("persistent peer failed", fields);
    else if (wasReady) this.#log.info("peer disconnected", fields);
    else this.#log.debug("peer disconnected before the handshake completed", fields);
    this.#events.emit("disconnected", reason);
    void this.#conn.closed.then(() => this.#resolveClosed());
    return this.closed;
  }
}

/**
 * A peer for a connection we opened to `address` (the address we dialed,
 * which is also what `toString` shows). Call `start()` after subscribing.
 */
export function newOutboundPeer(address: AddressPort, conn: Conn, options: PeerOptions): Peer {
  return new Peer(CREATE, "outbound", address, conn, options);
}

/**
 * A peer for a connection the remote opened; its address is the socket's
 * remote end. Throws `DecodeError` when `conn.remote.host` is not a numeric
 * address (the adapters always report one). Call `start()` after subscribing.
 */
export function newInboundPeer(conn: Conn, options: PeerOptions): Peer {
  const address: AddressPort = { address: parseAddress(conn.remote.host), port: conn.remote.port };
  return new Peer(CREATE, "inbound", address, conn, options);
}
