/**
 * Flood bench helper: a scripted peer over a raw loopback socket. It sends
 * `version`, answers `version` with `verack` and `ping` with `pong`, counts
 * what it receives by command and notes when the node closed it. The leading
 * underscore keeps bench/run_all.ts from running this module as a bench.
 */
import { platform } from "#platform";
import { connect, type Socket } from "node:net";
import { FrameDecoder } from "../src/transport/v1_framing.ts";
import { decodeMessage, type Message } from "../src/wire/message.ts";
import { encodeMessageFrame } from "../tests/support/message_frame.ts";
import { NETWORKS } from "../src/wire/params.ts";

/** Regtest message start. */
export const MAGIC: Uint8Array = NETWORKS.regtest.magic;
/** Our advertised protocol version. */
const PROTOCOL_VERSION = 70016;
/** Bytes counted per received command before counting stops (a bound on the map). */
const MAX_COMMANDS = 64;

/** The `version` a scripted peer sends. */
function versionMessage(): Message {
  const any = {
    services: 0n,
    addr: { network: "ipv4", bytes: new Uint8Array(4) },
    port: 0,
  } as const;
  return {
    command: "version",
    version: PROTOCOL_VERSION,
    services: 0n,
    timestamp: Math.floor(Date.now() / 1000),
    addrRecv: any,
    addrFrom: any,
    nonce: BigInt(Math.floor(Math.random() * 2 ** 52)),
    userAgent: "/flood-bench:0.1/",
    startHeight: 0,
    relay: true,
  };
}

/** Options of `ScriptedPeer.open`. */
export interface PeerOptions {
  /** Source address to bind (a distinct 127.x.y.z per peer gets past per-IP limits). */
  readonly localAddress?: string;
  /** Send `version` at once (false: a silent socket). Default true. */
  readonly handshake?: boolean;
}

/** One scripted connection to the node. */
export class ScriptedPeer {
  readonly socket: Socket;
  readonly openedAt: number = performance.now();
  /** When our `verack` arrived (`null`: not yet). */
  readyAt: number | null = null;
  /** When the socket closed (`null`: open). */
  closedAt: number | null = null;
  /** Messages received by command. */
  readonly received: Map<string, number> = new Map();
  /** When the first message of each command arrived. */
  readonly firstAt: Map<string, number> = new Map();
  readonly #decoder = new FrameDecoder(MAGIC, platform.sha256);

  constructor(port: number, host: string, options: PeerOptions = {}) {
    this.socket = connect({ port, host, localAddress: options.localAddress, noDelay: true });
    this.socket.on("error", () => {/* counted as closed */});
    this.socket.on("close", () => (this.closedAt ??= performance.now()));
    this.socket.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    if (options.handshake ?? true) {
      this.socket.once("connect", () => this.send(versionMessage()));
    }
  }

  /** Sends `msg`; false when the socket's buffer is over its high-water mark. */
  send(msg: Message): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(encodeMessageFrame(MAGIC, msg, platform.sha256));
  }

  /** Sends raw bytes (a prepared frame). */
  sendRaw(frame: Uint8Array): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(frame);
  }

  /** Resolves once the socket's write buffer drained or it closed, or after `ms`. */
  drained(ms: number): Promise<void> {
    if (this.socket.writableLength === 0 || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.socket.off("drain", done);
        this.socket.off("close", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.socket.once("drain", done);
      this.socket.once("close", done);
    });
  }

  /** Resolves true once `ready()`, false on close or after `ms`. */
  async waitReady(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (this.readyAt === null && this.closedAt === null && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.readyAt !== null;
  }

  /** Closes the socket now. */
  close(): void {
    this.socket.destroy();
  }

  #onData(chunk: Uint8Array): void {
    try {
      this.#decoder.push(chunk);
      for (let frame = this.#decoder.next(); frame !== null; frame = this.#decoder.next()) {
        const command = frame.command;
        if (this.received.has(command) || this.received.size < MAX_COMMANDS) {
          this.received.set(command, (this.received.get(command) ?? 0) + 1);
          if (!this.firstAt.has(command)) this.firstAt.set(command, performance.now());
        }
        if (command === "version") this.send({ command: "verack" });
        else if (command === "verack") this.readyAt ??= performance.now();
        else if (command === "ping") {
          const ping = decodeMessage(command, frame.payload);
          if (ping.command === "ping") this.send({ command: "pong", nonce: ping.nonce });
        }
      }
    } catch {
      this.socket.destroy();
    }
  }
}
