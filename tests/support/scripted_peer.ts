/**
 * Test helpers for the peer, sync and fuzz tests: a scripted fake remote that speaks raw
 * frames over a `Conn` (reading only when asked, so "stop reading" is just
 * not asking), a remote `version` builder, default peer options and an
 * event recorder. Its waits are bounded by `WAIT_MS` of tests/support/wait.ts.
 */
import { platform } from "#platform";
import { memoryPipe, type PipeOptions } from "../../adapters/memory/pipe.ts";
import type { Conn } from "../../src/platform/conn.ts";
import { newInboundPeer, newOutboundPeer, type Peer } from "../../src/peer/peer.ts";
import type { PeerOptions } from "../../src/peer/peer_options.ts";
import type { PeerDirection } from "../../src/peer/handshake.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import { fromHex } from "../../src/wire/bytes.ts";
import { FrameDecoder } from "../../src/transport/v1_framing.ts";
import { decodeMessage, type KnownCommand, type Message } from "../../src/wire/message.ts";
import { encodeMessageFrame } from "../support/message_frame.ts";
import { type InvItem, MSG_BLOCK } from "../../src/wire/messages/inv.ts";
import type { VersionMessage } from "../../src/wire/messages/version.ts";
import { WAIT_MS, waitFor } from "./wait.ts";

/** The message type(s) whose `command` can be `C` (ping/pong share one type). */
export type MessageWith<C extends KnownCommand> = Message extends infer M
  ? M extends { command: infer K } ? C extends K ? M : never : never
  : never;

/** Mainnet message start. */
export const MAGIC: Uint8Array = fromHex("f9beb4d9");

/** Options for a peer under test: mainnet magic, the runtime's SHA-256, plus overrides. */
export function peerOptions(overrides: Partial<PeerOptions> = {}): PeerOptions {
  return { magic: MAGIC, sha256: platform.sha256, ...overrides };
}

/** A plausible remote `version` (a full node at protocol 70016), with overrides. */
export function remoteVersion(overrides: Partial<VersionMessage> = {}): VersionMessage {
  return {
    command: "version",
    version: 70016,
    services: NODE_NETWORK | NODE_WITNESS,
    timestamp: Math.floor(Date.now() / 1000),
    addrRecv: { services: 0n, addr: { network: "ipv4", bytes: new Uint8Array(4) }, port: 0 },
    addrFrom: { services: 0n, addr: { network: "ipv6", bytes: new Uint8Array(16) }, port: 0 },
    nonce: 0x0123456789abcdefn,
    userAgent: "/Satoshi:27.0.0/",
    startHeight: 850_000,
    relay: true,
    ...overrides,
  };
}

/** An inv of `n` distinct block entries (36 bytes each). */
export function invOf(n: number, seed = 0): { command: "inv"; items: InvItem[] } {
  const items: InvItem[] = [];
  for (let i = 0; i < n; i++) {
    const hash = new Uint8Array(32);
    new DataView(hash.buffer).setUint32(0, seed * 1_000_000 + i, true);
    items.push({ type: MSG_BLOCK, hash });
  }
  return { command: "inv", items };
}

/** Everything a peer emitted, in order. */
export interface EventLog {
  ready: number;
  messages: Message[];
  misbehaving: Array<{ score: number; reason: string; banned: boolean }>;
  disconnected: string[];
}

/** Subscribes to every event of `peer`. */
export function recordEvents(peer: Peer): EventLog {
  const log: EventLog = { ready: 0, messages: [], misbehaving: [], disconnected: [] };
  peer.on("ready", () => log.ready++);
  peer.on("message", (m) => log.messages.push(m));
  peer.on("misbehaving", (r) => log.misbehaving.push(r));
  peer.on("disconnected", (reason) => log.disconnected.push(reason));
  return log;
}

/** A fake remote party scripted by the test, speaking frames over `conn`. */
export class ScriptedPeer {
  readonly conn: Conn;
  readonly #decoder: FrameDecoder;
  readonly #magic: Uint8Array;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #inbox: Message[] = [];
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  #ended = false;

  constructor(conn: Conn, magic: Uint8Array = MAGIC) {
    this.conn = conn;
    this.#magic = magic;
    this.#decoder = new FrameDecoder(magic, platform.sha256);
    this.#reader = conn.readable.getReader();
  }

  /** Sends one message. */
  send(msg: Message): Promise<void> {
    return this.conn.write(encodeMessageFrame(this.#magic, msg, platform.sha256));
  }

  /** Sends raw bytes. */
  sendRaw(bytes: Uint8Array): Promise<void> {
    return this.conn.write(bytes);
  }

  /** The next message, or `null` once the stream ended. Throws after `ms`. */
  async next(ms = WAIT_MS): Promise<Message | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
    });
    try {
      while (this.#inbox.length === 0 && !this.#ended) {
        this.#pending ??= this.#reader.read();
        const { done, value } = await Promise.race([this.#pending, timeout]);
        this.#pending = null;
        if (done) {
          this.#ended = true;
          break;
        }
        this.#decoder.push(value);
        for (let f = this.#decoder.next(); f !== null; f = this.#decoder.next()) {
          this.#inbox.push(decodeMessage(f.command, f.payload.slice()));
        }
      }
    } finally {
      clearTimeout(timer);
    }
    return this.#inbox.shift() ?? null;
  }

  /** The next message, which must be a `command`. */
  async expect<C extends KnownCommand>(command: C, ms = WAIT_MS): Promise<MessageWith<C>> {
    const msg = await this.next(ms);
    if (msg === null) throw new Error(`expected ${command}, the stream ended`);
    if (msg.command !== command) throw new Error(`expected ${command}, got ${msg.command}`);
    return msg as MessageWith<C>;
  }

  /** Reads (and drops) messages until the stream ends; throws after `ms`. Returns the commands. */
  async untilEnd(ms = WAIT_MS): Promise<string[]> {
    const seen: string[] = [];
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("the stream did not end");
      const msg = await this.next(left);
      if (msg === null) return seen;
      seen.push(msg.command);
    }
  }

  /**
   * Plays the remote side of a handshake with our outbound peer: reads its
   * `version`, answers `version` (+ `verack`), then reads up to its `verack`.
   * Returns the peer's version and the commands it sent after it.
   */
  async acceptHandshake(
    version: VersionMessage = remoteVersion(),
    sendVerack = true,
  ): Promise<{ ours: VersionMessage; after: string[] }> {
    const ours = await this.expect("version");
    await this.send(version);
    const after = await this.#readThroughVerack();
    if (sendVerack) await this.send({ command: "verack" });
    return { ours, after };
  }

  /**
   * Plays the remote side of a handshake with our inbound peer: sends
   * `version`, reads its `version` and up to its `verack`, sends `verack`.
   */
  async initiateHandshake(
    version: VersionMessage = remoteVersion(),
  ): Promise<{ ours: VersionMessage; after: string[] }> {
    await this.send(version);
    const ours = await this.expect("version");
    const after = await this.#readThroughVerack();
    await this.send({ command: "verack" });
    return { ours, after };
  }

  async #readThroughVerack(): Promise<string[]> {
    const after: string[] = [];
    for (let i = 0; i < 10; i++) {
      const msg = await this.next();
      if (msg === null) throw new Error(`stream ended during the handshake after ${after}`);
      after.push(msg.command);
      if (msg.command === "verack") return after;
    }
    throw new Error(`no verack among ${after}`);
  }
}

/** A started peer, the scripted remote on the other end and the recorded events. */
export interface PeerUnderTest {
  readonly peer: Peer;
  readonly remote: ScriptedPeer;
  readonly events: EventLog;
  /** The peer's own end of the connection. */
  readonly conn: Conn;
}

/** Starts a peer of `direction` on one end of `conn`/`theirs`, a scripted remote on the other. */
export function startPeer(
  direction: PeerDirection,
  ours: Conn,
  theirs: Conn,
  options: PeerOptions,
): PeerUnderTest {
  const peer = direction === "outbound"
    ? newOutboundPeer(
      { address: parseAddress(ours.remote.host), port: ours.remote.port },
      ours,
      options,
    )
    : newInboundPeer(ours, options);
  const events = recordEvents(peer);
  const remote = new ScriptedPeer(theirs);
  peer.start();
  return { peer, remote, events, conn: ours };
}

/** `startPeer` over a fresh memory pipe (our peer on the client end when outbound). */
export function peerOnPipe(
  direction: PeerDirection,
  options: PeerOptions = peerOptions(),
  pipe: PipeOptions = {},
): PeerUnderTest {
  const { client, server } = memoryPipe(pipe);
  return direction === "outbound"
    ? startPeer(direction, client, server, options)
    : startPeer(direction, server, client, options);
}

/** Completes the handshake from the scripted side and waits for "ready". */
export async function completeHandshake(
  t: PeerUnderTest,
  version: VersionMessage = remoteVersion(),
): Promise<{ ours: VersionMessage; after: string[] }> {
  const result = t.peer.direction === "outbound"
    ? await t.remote.acceptHandshake(version)
    : await t.remote.initiateHandshake(version);
  await waitFor(() => t.events.ready === 1, "ready");
  return result;
}

/** A peer on a memory pipe with the handshake done. */
export async function readyPeer(
  direction: PeerDirection,
  options: PeerOptions = peerOptions(),
  pipe: PipeOptions = {},
): Promise<PeerUnderTest> {
  const t = peerOnPipe(direction, options, pipe);
  await completeHandshake(t);
  return t;
}
