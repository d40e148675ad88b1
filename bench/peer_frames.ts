/**
 * Frames through one peer, in this process: an inbound `Peer` past its
 * handshake on a minimal in-memory `Conn` (reads hand over prepared 64 KiB
 * chunks, writes resolve at once), so the figures are the peer's own cost of
 * framing, checksums, streaming decode, message decode and its bookkeeping,
 * with no socket in the way. Four figures, each summed over several fresh
 * peers (total items ÷ total time):
 *
 * - receive: small frames (a 32-byte payload under an unknown command), many
 *   to a chunk; messages/s.
 * - receive: 1 MB `block` payloads split over 64 KiB chunks (each gathered
 *   into one buffer and its checksum verified); MB/s.
 * - send: small messages through `peer.send` (encode, frame, checksum, queue,
 *   write); messages/s.
 * - send: 1 MB `block` payloads (header and payload written separately);
 *   MB/s.
 *
 * With `v2` the peer speaks BIP324 v2 (the runtime's AEAD and curve; the
 * remote's packets are sealed before the clock starts): the same four
 * figures through one v2 connection, to set against v1's.
 *
 * Run: node_modules/.bin/bun bench/peer_frames.ts [v2]
 *      node_modules/.bin/deno run -A bench/peer_frames.ts
 *      node_modules/.bin/node bench/peer_frames.ts
 */
import { platform } from "#platform";
import process from "node:process";
import { cryptoRandom } from "../src/platform/random.ts";
import { encodeMessageType } from "../src/transport/bip324_message_type.ts";
import { PACKET_EXPANSION } from "../src/transport/bip324_cipher.ts";
import { v2TransportFactory } from "../src/transport/v2_transport.ts";
import { encodeMessage, wireCommand } from "../src/wire/message.ts";
import { concat } from "../tests/support/bytes.ts";
import { V2Remote } from "../tests/support/v2_remote.ts";
import { newInboundPeer, type Peer } from "../src/peer/peer.ts";
import type { Conn } from "../src/platform/conn.ts";
import { fromHex } from "../src/wire/bytes.ts";
import type { Message } from "../src/wire/message.ts";
import { encodeMessageFrame } from "../tests/support/message_frame.ts";
import { remoteVersion } from "../tests/support/scripted_peer.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

const MAGIC = fromHex("fabfb5da"); // regtest
/** The transport measured. */
const V2 = process.argv.includes("v2");
const sha256 = platform.sha256;
/** Bytes a read hands over at most (a typical socket read). */
const CHUNK_BYTES = 64 * 1024;
/** Fresh peers per figure (the first one is a warm-up, not counted). */
const ROUNDS = 6;
/** Small frames per round. */
const SMALL_FRAMES = 100_000;
/** Payload bytes of a small frame. */
const SMALL_PAYLOAD = 32;
/** 1 MB payloads per round. */
const BLOCKS = 20;
const BLOCK_BYTES = 1_000_000;
/** Small messages sent per batch before waiting for the writes (stays under the queue bound). */
const SEND_BATCH = 10_000;

/** A connection whose reads return `chunks` in order and whose writes count bytes. */
class BenchConn implements Conn {
  readonly remote = { host: "127.0.0.1", port: 50000 };
  readonly local = { host: "127.0.0.1", port: 18444 };
  readonly readable: ReadableStream<Uint8Array>;
  readonly closed: Promise<void>;
  written = 0;
  /** The first bytes written (a v2 peer's key and garbage). */
  first: Uint8Array | null = null;
  #chunks: Uint8Array[] = [];
  #wake: (() => void) | null = null;
  #target = 0;
  #reached: (() => void) | null = null;
  #resolveClosed!: () => void;

  constructor() {
    this.closed = new Promise((r) => (this.#resolveClosed = r));
    this.readable = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (this.#chunks.length === 0) await new Promise<void>((r) => (this.#wake = r));
        controller.enqueue(this.#chunks.shift()!);
      },
    }, { highWaterMark: 0 });
  }

  /** Makes `bytes` readable, in chunks of at most `CHUNK_BYTES`. */
  feed(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
      this.#chunks.push(bytes.subarray(at, at + CHUNK_BYTES));
    }
    this.#wake?.();
    this.#wake = null;
  }

  /** Resolves once `total` bytes were written in all. */
  writtenReaches(total: number): Promise<void> {
    if (this.written >= total) return Promise.resolve();
    this.#target = total;
    return new Promise((r) => (this.#reached = r));
  }

  write(bytes: Uint8Array): Promise<void> {
    this.first ??= bytes.slice();
    this.written += bytes.length;
    if (this.#reached !== null && this.written >= this.#target) {
      this.#reached();
      this.#reached = null;
    }
    return Promise.resolve();
  }

  close(): void {
    this.#resolveClosed();
  }
}

/** Frames of `messages` back to back in one buffer. */
function stream(messages: readonly Message[]): Uint8Array {
  const frames = messages.map((m) => encodeMessageFrame(MAGIC, m, sha256));
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

const HANDSHAKE_MESSAGES: Message[] = [
  remoteVersion({ userAgent: "/bench:0/", startHeight: 0 }),
  { command: "verack" },
];
const HANDSHAKE = stream(HANDSHAKE_MESSAGES);

/** Bytes a transport adds to a message of `command` (v1 header; v2 packet and type). */
function overhead(command: string): number {
  return V2 ? PACKET_EXPANSION + encodeMessageType(command).length : 24;
}

/** The bytes carrying `messages` to a peer: v1 frames, or packets of `remote`'s v2 session. */
function bytesFor(remote: V2Remote | null, messages: readonly Message[]): Uint8Array {
  if (remote === null) return stream(messages);
  return concat(messages.map((m) => remote.message(wireCommand(m), encodeMessage(m))));
}

/** A peer under test: its connection, its delivered count, its v2 remote (null: v1). */
interface Ready {
  peer: Peer;
  conn: BenchConn;
  delivered: () => number;
  remote: V2Remote | null;
}

/** A fresh inbound peer past its handshake (v1, or v2 with `V2`), counting delivered messages. */
async function readyPeer(): Promise<Ready> {
  const conn = new BenchConn();
  const transport = V2
    ? v2TransportFactory({
      magic: MAGIC,
      sha256,
      initiator: false,
      random: cryptoRandom,
      aead: platform.aead,
      curve: platform.secp256k1,
    })
    : undefined;
  const peer = newInboundPeer(conn, {
    magic: MAGIC,
    sha256,
    timeouts: { inactivityMs: 600_000 },
    transport,
  });
  let count = 0;
  peer.on("message", () => count++);
  const ready = new Promise<void>((resolve, reject) => {
    peer.on("ready", resolve);
    peer.on("disconnected", (reason) => reject(new Error(`peer dropped: ${reason}`)));
  });
  peer.start();
  let remote: V2Remote | null = null;
  if (V2) {
    remote = new V2Remote({
      initiator: true,
      magic: MAGIC,
      random: cryptoRandom,
      aead: platform.aead,
      curve: platform.secp256k1,
    });
    conn.feed(remote.hello());
    await new Promise((r) => setTimeout(r, 0));
    remote.establish(conn.first!);
    conn.feed(concat([remote.handshake(), bytesFor(remote, HANDSHAKE_MESSAGES)]));
  } else {
    conn.feed(HANDSHAKE);
  }
  await ready;
  return { peer, conn, delivered: () => count, remote };
}

/** Resolves once `peer` delivered `n` messages (checked on each delivery). */
function deliveredReaches(peer: Peer, n: number, count: () => number): Promise<void> {
  return new Promise((resolve, reject) => {
    const off = peer.on("message", () => {
      if (count() >= n) {
        off();
        resolve();
      }
    });
    peer.on("disconnected", (reason) => reject(new Error(`peer dropped: ${reason}`)));
  });
}

/**
 * Total ms of `ROUNDS - 1` measured rounds of `round` (each on a fresh peer),
 * given the bytes `prepare` makes for it before the clock starts.
 */
async function measure(
  round: (p: Ready, input: Uint8Array) => Promise<void>,
  prepare: (p: Ready) => Uint8Array = () => new Uint8Array(0),
) {
  let total = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const p = await readyPeer();
    const input = prepare(p);
    const t0 = performance.now();
    await round(p, input);
    const ms = performance.now() - t0;
    if (i > 0) total += ms;
    await p.peer.disconnect("bench round over");
  }
  return total;
}

const small = new Uint8Array(SMALL_PAYLOAD).fill(1);
const smallMessages: Message[] = Array.from(
  { length: SMALL_FRAMES },
  () => ({ command: "unknown", name: "benchmsg", raw: small }),
);
const smallStream = V2 ? null : stream(smallMessages);
const blockPayloads = Array.from(
  { length: BLOCKS },
  (_, i) => new Uint8Array(BLOCK_BYTES).fill(i + 1),
);
const blockMessages: Message[] = blockPayloads.map((raw) => ({ command: "block", raw }));
const blockStream = V2 ? null : stream(blockMessages);

console.log(
  `peer frames over ${V2 ? "BIP324 v2" : "v1"}, ${runtime}: ${ROUNDS - 1} measured rounds of each`,
);

const receiveSmallMs = await measure(async ({ peer, conn, delivered }, input) => {
  const done = deliveredReaches(peer, SMALL_FRAMES, delivered);
  conn.feed(input);
  await done;
}, (p) => smallStream ?? bytesFor(p.remote, smallMessages));
const receiveBlockMs = await measure(async ({ peer, conn, delivered }, input) => {
  const done = deliveredReaches(peer, BLOCKS, delivered);
  conn.feed(input);
  await done;
}, (p) => blockStream ?? bytesFor(p.remote, blockMessages));
const sendSmallMs = await measure(async ({ peer, conn }) => {
  const msg: Message = { command: "unknown", name: "benchmsg", raw: small };
  for (let sent = 0; sent < SMALL_FRAMES; sent += SEND_BATCH) {
    const before = conn.written;
    for (let i = 0; i < SEND_BATCH; i++) {
      if (!peer.send(msg)) throw new Error("send refused");
    }
    await conn.writtenReaches(before + SEND_BATCH * (overhead("benchmsg") + SMALL_PAYLOAD));
  }
});
const sendBlockMs = await measure(async ({ peer, conn }) => {
  for (const raw of blockPayloads) {
    const before = conn.written;
    if (!peer.send({ command: "block", raw })) throw new Error("send refused");
    await conn.writtenReaches(before + overhead("block") + BLOCK_BYTES);
  }
});

const measured = ROUNDS - 1;
const perSecond = (items: number, ms: number) => (items * measured) / (ms / 1000);
/** v1's names are those of the results table from before v2. */
const NAME = V2 ? "peer frames v2" : "peer frames";
const metrics = [
  {
    name: `${NAME}: receive small (32 B payload)`,
    unit: "/s",
    value: perSecond(SMALL_FRAMES, receiveSmallMs),
  },
  {
    name: `${NAME}: receive 1 MB blocks in 64 KiB chunks`,
    unit: "MB/s",
    value: perSecond(BLOCKS, receiveBlockMs),
  },
  {
    name: `${NAME}: send small (32 B payload)`,
    unit: "/s",
    value: perSecond(SMALL_FRAMES, sendSmallMs),
  },
  { name: `${NAME}: send 1 MB blocks`, unit: "MB/s", value: perSecond(BLOCKS, sendBlockMs) },
];
for (const m of metrics) {
  console.log(`  ${m.name}: ${Math.round(m.value).toLocaleString()} ${m.unit}`);
}
printResult("peer_frames", metrics);
