/**
 * The block store (src/sync/block_store.ts), three sets of figures:
 *
 * 1. Writing a block, and the crash-safety choice it rests on: an atomic
 *    write through the storage port (temp file, fsync, rename, directory
 *    fsync) against a plain write in place, and what checking a block on
 *    every read would cost instead (sha256d of the whole block) against the
 *    check the store makes (its length and header hash), for 1 and 2 MB.
 * 2. Serving: a real node (`main.ts` under the bench's runtime, a child
 *    process) holding 288 blocks of ~1 MB submitted through its API (the
 *    newest 16 stay in its memory cache, all go to disk) serves `getdata`
 *    to 1 and to 8 peers at once: blocks/s and MB/s from the memory cache
 *    (the 16 newest) and from disk (older ones), and their ratio. The
 *    peers count frames without checking checksums, so the node is the
 *    bottleneck. Target: disk within 1.5× of memory.
 * 3. Start-up with a full store: `createNode(...).start()` in process on
 *    the node's data directory (288 blocks, ~290 MB), against the same
 *    directory without its blocks, and `BlockStore.open` alone. Target:
 *    ≤ 200 ms.
 *
 * Run: node_modules/.bin/node bench/block_store.ts [requests-per-peer]
 *      (bun and deno too; default 48 blocks per peer and path)
 */
import { platform } from "#platform";
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { openFileStore } from "../adapters/storage/file.ts";
import { createNode } from "../mod.ts";
import { silentLogger } from "../src/log/logger.ts";
import { BLOCKS_DIR } from "../src/node/node.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../src/peer/services.ts";
import { BlockStore, blockStoreLimits } from "../src/sync/block_store.ts";
import { HeaderChain } from "../src/sync/header_chain.ts";
import { HeaderPersistence } from "../src/sync/header_persist.ts";
import { blockHeaderHash } from "../src/wire/block_header.ts";
import { bytesEqual } from "../src/wire/bytes.ts";
import { sha256d } from "../src/wire/hash.ts";
import { MSG_WITNESS_BLOCK } from "../src/wire/messages/inv.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { runtimeName } from "../tests/runtime_command.ts";
import { encodeMessageFrame } from "../tests/support/message_frame.ts";
import { fillerTxs, RegtestMiner } from "../tests/support/regtest_blocks.ts";
import { remoteVersion } from "../tests/support/scripted_peer.ts";
import {
  type NodeProcess,
  startNode,
  stopNode,
  submitBlock,
  waitFor,
} from "../tests/interop/fixtures/node_process.ts";
import { printResult } from "./_result.ts";
import { median } from "./_stats.ts";

const regtest = NETWORKS.regtest;
const sha256 = platform.sha256;
const REQUESTS = Number(process.argv[2] ?? 48);
/** Blocks the node holds (what NODE_NETWORK_LIMITED promises). */
const BLOCKS = 288;
/** The node's in-memory cache (MAX_RECENT_BLOCKS): the newest blocks are served from it. */
const CACHED = 16;
/** Writes measured per size. */
const WRITES = 20;
/** Start-ups measured per case. */
const STARTS = 7;
const MB = 1_000_000;

const rows: { name: string; unit: string; value: number }[] = [];
function row(name: string, unit: string, value: number, text = `${value.toFixed(2)} ${unit}`) {
  rows.push({ name: `block store: ${name}`, unit, value: Number(value.toFixed(3)) });
  console.log(`  ${name.padEnd(58)} ${text}`);
}

/** Part 1: the write and the checks. */
async function writeCosts(): Promise<void> {
  console.log("writing one block (median of 20)");
  const dir = join(base, "writes");
  const store = await openFileStore(dir);
  try {
    for (const size of [MB, 2 * MB]) {
      const block = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
      const atomic: number[] = [];
      const inPlace: number[] = [];
      const fullCheck: number[] = [];
      const cheapCheck: number[] = [];
      const reads: number[] = [];
      for (let i = 0; i < WRITES; i++) {
        let t = performance.now();
        await store.set(`w${size}-${i}`, block);
        atomic.push(performance.now() - t);
        t = performance.now();
        writeFileSync(join(dir, `p${size}-${i}`), block);
        inPlace.push(performance.now() - t);
        t = performance.now();
        const read = await readFile(join(dir, `w${size}-${i}`));
        reads.push(performance.now() - t);
        const bytes = new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
        t = performance.now();
        sha256d(sha256, bytes);
        fullCheck.push(performance.now() - t);
        t = performance.now();
        if (bytes.length === size) blockHeaderHash(sha256, bytes);
        cheapCheck.push(performance.now() - t);
      }
      const mb = size / MB;
      row(`${mb} MB atomic write (temp, fsync, rename)`, "ms", median(atomic));
      row(`${mb} MB plain write in place (no fsync)`, "ms", median(inPlace));
      row(`${mb} MB read`, "ms", median(reads));
      row(`${mb} MB full check on read (sha256d)`, "ms", median(fullCheck));
      row(`${mb} MB check made on read (length, header hash)`, "ms", median(cheapCheck));
    }
  } finally {
    await store.close?.();
  }
}

/** 288 regtest blocks of ~1 MB (250 segwit transactions of 4 kB each). */
function mineBlocks(): Uint8Array[] {
  const t0 = performance.now();
  const miner = new RegtestMiner(sha256, 21);
  const blocks = Array.from({ length: BLOCKS }, (_, i) => miner.next(fillerTxs(250, 4_000, i)));
  const mb = blocks.reduce((n, b) => n + b.length, 0) / MB;
  console.log(
    `\n${BLOCKS} blocks, ${mb.toFixed(0)} MB, mined in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  return blocks;
}

/** Part 2: a node holding the blocks serves them to 1 and 8 peers. */
async function serving(blocks: Uint8Array[], datadir: string): Promise<void> {
  const node = await startNode({ runtime: runtimeName, datadir });
  try {
    const t0 = performance.now();
    for (const block of blocks) await submitBlock(node, block);
    await waitFor("288 block files", () => {
      const files = readdirSync(join(datadir, BLOCKS_DIR)).filter((n) => n.startsWith("block-"));
      return Promise.resolve(files.length === BLOCKS ? true : undefined);
    }, node);
    console.log(`submitted and stored in ${(performance.now() - t0).toFixed(0)} ms\n`);
    console.log(`serving ${REQUESTS} blocks of ~1 MB to each peer`);
    const hashes = blocks.map((b) => blockHeaderHash(sha256, b));
    const newest = hashes.slice(-CACHED);
    const older = hashes.slice(0, BLOCKS - CACHED - 4);
    // One unmeasured round of each path first: the node's serving code is then compiled.
    await serve(node, 1, (i) => newest[i % newest.length], blocks);
    await serve(node, 1, (i) => older[(i * 11) % older.length], blocks);
    for (const peers of [1, 8]) {
      // The memory path cycles through the 16 cached blocks; the disk path reads distinct ones.
      const memory = await serve(node, peers, (i) => newest[i % newest.length], blocks);
      const disk = await serve(node, peers, (i) => older[(i * 7) % older.length], blocks);
      const label = peers === 1 ? "1 peer" : `${peers} peers`;
      row(`${label}, memory: blocks/s`, "/s", memory.blocksPerSecond, `${memory.text}`);
      row(`${label}, disk: blocks/s`, "/s", disk.blocksPerSecond, `${disk.text}`);
      row(`${label}, memory: MB/s`, "MB/s", memory.mbPerSecond);
      row(`${label}, disk: MB/s`, "MB/s", disk.mbPerSecond);
      row(`${label}, disk time ÷ memory time`, "×", memory.blocksPerSecond / disk.blocksPerSecond);
    }
  } finally {
    await stopNode(node);
  }
}

/** `peers` clients each ask for `REQUESTS` blocks (`pick(i)`); the node's throughput. */
async function serve(
  node: NodeProcess,
  peers: number,
  pick: (i: number) => Uint8Array,
  blocks: readonly Uint8Array[],
): Promise<{ blocksPerSecond: number; mbPerSecond: number; text: string }> {
  const clients = await Promise.all(
    Array.from({ length: peers }, (_, i) => BlockClient.connect(node.p2pPort, i)),
  );
  try {
    // One warm-up block each, checked byte for byte.
    const first = pick(0);
    for (const c of clients) {
      const [got] = await c.fetch([first], true);
      if (!bytesEqual(got, blocks.find((b) => bytesEqual(blockHeaderHash(sha256, b), first))!)) {
        throw new Error("the node served other bytes");
      }
    }
    const wanted = Array.from({ length: REQUESTS }, (_, i) => pick(i + 1));
    const t0 = performance.now();
    const bytes = await Promise.all(clients.map((c) => c.fetch(wanted, false)));
    const seconds = (performance.now() - t0) / 1000;
    const total = bytes.reduce((n, b) => n + b.reduce((m, x) => m + x.length, 0), 0);
    const blocksPerSecond = (peers * REQUESTS) / seconds;
    const mbPerSecond = total / MB / seconds;
    return {
      blocksPerSecond,
      mbPerSecond,
      text: `${blocksPerSecond.toFixed(0)} blocks/s, ${mbPerSecond.toFixed(0)} MB/s`,
    };
  } finally {
    for (const c of clients) c.close();
  }
}

/** Part 3: start-up with and without the 288 blocks. */
async function startUp(datadir: string): Promise<void> {
  console.log("\nstart-up (median of 7)");
  const startMs = async (dir: string) => {
    const times: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const node = createNode({
        network: "regtest",
        datadir: dir,
        listen: ["127.0.0.1:0"],
        api: "none",
        dnsseed: false,
        connect: ["127.0.0.1:1"],
      }, { platform, logSink: () => {} });
      const t0 = performance.now();
      await node.start();
      times.push(performance.now() - t0);
      const held = node.status().chain.height;
      await node.stop();
      if (held !== BLOCKS) throw new Error(`the node loaded height ${held}`);
    }
    return median(times);
  };
  const full = await startMs(datadir);
  row("start() with 288 blocks on disk", "ms", full);
  const chain = new HeaderChain({ params: regtest, sha256, now: () => Date.now() });
  const kv = await openFileStore(datadir);
  await new HeaderPersistence({
    store: kv,
    chain,
    sha256,
    now: () => Date.now(),
    logger: silentLogger,
  })
    .load();
  await kv.close?.();
  const blocksKv = await openFileStore(join(datadir, BLOCKS_DIR));
  const opens: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const t0 = performance.now();
    const { report } = await BlockStore.open({
      store: blocksKv,
      chain,
      sha256,
      logger: silentLogger,
      limits: blockStoreLimits(),
    });
    opens.push(performance.now() - t0);
    if (report.blocks !== BLOCKS) throw new Error(`opened ${report.blocks} blocks`);
  }
  await blocksKv.close?.();
  row("BlockStore.open of 288 blocks (index from the keys)", "ms", median(opens));
  renameSync(join(datadir, BLOCKS_DIR), join(base, "aside"));
  row("start() without the blocks", "ms", await startMs(datadir));
}

/**
 * A peer that asks for blocks and counts the frames of the answers without
 * checking their checksums (so the node, not the client, is measured). Each
 * dials from its own loopback address (127.0.0.2, .3, ...): the node takes
 * at most DEFAULT_MAX_INBOUND_PER_IP connections from one address.
 */
class BlockClient {
  readonly #socket: Socket;
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  #closed = false;
  #wake: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
      this.#notify();
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#notify();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number, client: number): Promise<BlockClient> {
    const socket = connect({ port, host: "127.0.0.1", localAddress: `127.0.0.${2 + client}` });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const c = new BlockClient(socket);
    const services = NODE_NETWORK | NODE_WITNESS;
    await c.#send({ ...remoteVersion({ services, startHeight: BLOCKS, relay: false }) });
    while ((await c.#frame(true)).command !== "verack");
    await c.#send({ command: "verack" });
    return c;
  }

  /** Asks for `hashes`; resolves with the blocks (payloads kept only when `keep`). */
  async fetch(hashes: readonly Uint8Array[], keep: boolean): Promise<Uint8Array[]> {
    await this.#send({
      command: "getdata",
      items: hashes.map((hash) => ({ type: MSG_WITNESS_BLOCK, hash })),
    });
    const out: Uint8Array[] = [];
    while (out.length < hashes.length) {
      const frame = await this.#frame(keep);
      if (frame.command === "notfound") throw new Error("the node answered notfound");
      if (frame.command === "block") out.push(keep ? frame.payload : new Uint8Array(frame.length));
    }
    return out;
  }

  close(): void {
    this.#socket.destroy();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #send(msg: Parameters<typeof encodeMessageFrame>[1]): Promise<void> {
    const bytes = encodeMessageFrame(regtest.magic, msg, sha256);
    return new Promise((resolve, reject) =>
      this.#socket.write(bytes, (err) => (err ? reject(err) : resolve()))
    );
  }

  /** The next frame: its command, length and (when `keep`) payload. */
  async #frame(keep: boolean): Promise<{ command: string; length: number; payload: Uint8Array }> {
    await this.#need(24);
    const header = this.#take(24, true);
    let command = "";
    for (let i = 4; i < 16 && header[i] !== 0; i++) command += String.fromCharCode(header[i]);
    const length = new DataView(header.buffer, header.byteOffset).getUint32(16, true);
    await this.#need(length);
    return { command, length, payload: this.#take(length, keep) };
  }

  /** Waits until `n` bytes are buffered. */
  async #need(n: number): Promise<void> {
    while (this.#length < n) {
      if (this.#closed) throw new Error("the node closed the connection");
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Removes `n` buffered bytes; a copy of them when `keep`, else an empty array. */
  #take(n: number, keep: boolean): Uint8Array {
    const out = new Uint8Array(keep ? n : 0);
    for (let at = 0; at < n;) {
      const chunk = this.#chunks[0];
      const k = Math.min(chunk.length, n - at);
      if (keep) out.set(chunk.subarray(0, k), at);
      if (k === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(k);
      at += k;
    }
    this.#length -= n;
    return out;
  }
}

// At the end of the file: BlockClient, a class, is usable only once its declaration has run.
const base = mkdtempSync(join(tmpdir(), "btc-edge-block-store-"));
try {
  console.log(`block store under ${runtimeName} (${process.platform})\n`);
  await writeCosts();
  const blocks = mineBlocks();
  const datadir = join(base, "node");
  await serving(blocks, datadir);
  await startUp(datadir);
  printResult("block_store", rows);
} finally {
  rmSync(base, { recursive: true, force: true });
}
