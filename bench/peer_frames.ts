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
 * Run: node_modules/.bin/bun bench/peer_frames.ts
 *      node_modules/.bin/deno run -A bench/peer_frames.ts
 *      node_modules/.bin/node bench/peer_frames.ts
 */
import { platform } from "#platform";
import { newInboundPeer, type Peer } from "../src/peer/peer.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../src/peer/services.ts";
import type { Conn } from "../src/platform/conn.ts";
import { fromHex } from "../src/wire/bytes.ts";
import type { Message } from "../src/wire/message.ts";
import { encodeMessageFrame } from "../tests/support/message_frame.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

const MAGIC = fromHex("fabfb5da"); // regtest
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

const HANDSHAKE = stream([
  {
    command: "version",
    version: 70016,
    services: NODE_NETWORK | NODE_WITNESS,
    timestamp: Math.floor(Date.now() / 1000),
    addrRecv: { services: 0n, addr: { network: "ipv4", bytes: new Uint8Array(4) }, port: 0 },
    addrFrom: { services: 0n, addr: { network: "ipv6", bytes: new Uint8Array(16) }, port: 0 },
    nonce: 0x0123456789abcdefn,
    userAgent: "/bench:0/",
    startHeight: 0,
    relay: true,
  },
  { command: "verack" },
]);

/** A fresh inbound peer past its handshake, counting delivered messages. */
async function readyPeer(): Promise<{ peer: Peer; conn: BenchConn; delivered: () => number }> {
  const conn = new BenchConn();
  const peer = newInboundPeer(conn, { magic: MAGIC, sha256, timeouts: { inactivityMs: 600_000 } });
  let count = 0;
  peer.on("message", () => count++);
  const ready = new Promise<void>((resolve, reject) => {
    peer.on("ready", resolve);
    peer.on("disconnected", (reason) => reject(new Error(`peer dropped: ${reason}`)));
  });
  peer.start();
  conn.feed(HANDSHAKE);
  await ready;
  return { peer, conn, delivered: () => count };
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

/** Total ms of `ROUNDS - 1` measured rounds of `round` (each on a fresh peer). */
async function measure(round: (p: Awaited<ReturnType<typeof readyPeer>>) => Promise<void>) {
  let total = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const p = await readyPeer();
    const t0 = performance.now();
    await round(p);
    const ms = performance.now() - t0;
    if (i > 0) total += ms;
    await p.peer.disconnect("bench round over");
  }
  return total;
}

const small = new Uint8Array(SMALL_PAYLOAD).fill(1);
const smallStream = stream(
  Array.from(
    { length: SMALL_FRAMES },
    () => ({ command: "unknown", name: "benchmsg", raw: small }),
  ),
);
const blockPayloads = Array.from(
  { length: BLOCKS },
  (_, i) => new Uint8Array(BLOCK_BYTES).fill(i + 1),
);
const blockStream = stream(blockPayloads.map((raw) => ({ command: "block", raw })));

console.log(`peer frames, ${runtime}: ${ROUNDS - 1} measured rounds of each`);

const receiveSmallMs = await measure(async ({ peer, conn, delivered }) => {
  const done = deliveredReaches(peer, SMALL_FRAMES, delivered);
  conn.feed(smallStream);
  await done;
});
const receiveBlockMs = await measure(async ({ peer, conn, delivered }) => {
  const done = deliveredReaches(peer, BLOCKS, delivered);
  conn.feed(blockStream);
  await done;
});
const sendSmallMs = await measure(async ({ peer, conn }) => {
  const msg: Message = { command: "unknown", name: "benchmsg", raw: small };
  for (let sent = 0; sent < SMALL_FRAMES; sent += SEND_BATCH) {
    const before = conn.written;
    for (let i = 0; i < SEND_BATCH; i++) {
      if (!peer.send(msg)) throw new Error("send refused");
    }
    await conn.writtenReaches(before + SEND_BATCH * (24 + SMALL_PAYLOAD));
  }
});
const sendBlockMs = await measure(async ({ peer, conn }) => {
  for (const raw of blockPayloads) {
    const before = conn.written;
    if (!peer.send({ command: "block", raw })) throw new Error("send refused");
    await conn.writtenReaches(before + 24 + BLOCK_BYTES);
  }
});

const measured = ROUNDS - 1;
const perSecond = (items: number, ms: number) => (items * measured) / (ms / 1000);
const metrics = [
  {
    name: "peer frames: receive small (32 B payload)",
    unit: "/s",
    value: perSecond(SMALL_FRAMES, receiveSmallMs),
  },
  {
    name: "peer frames: receive 1 MB blocks in 64 KiB chunks",
    unit: "MB/s",
    value: perSecond(BLOCKS, receiveBlockMs),
  },
  {
    name: "peer frames: send small (32 B payload)",
    unit: "/s",
    value: perSecond(SMALL_FRAMES, sendSmallMs),
  },
  { name: "peer frames: send 1 MB blocks", unit: "MB/s", value: perSecond(BLOCKS, sendBlockMs) },
];
for (const m of metrics) {
  console.log(`  ${m.name}: ${Math.round(m.value).toLocaleString()} ${m.unit}`);
}
printResult("peer_frames", metrics);
