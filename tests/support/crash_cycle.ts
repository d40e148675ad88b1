/**
 * Crash-safety helper shared by `tests/node/crash_test.ts` and
 * `bench/crash.ts`: a data directory seeded with a large address table
 * (peers.json), bans and a few thousand regtest headers; a real node
 * (`main.ts` under a chosen runtime) started on it, given work that saves
 * (bans and 1–2 MB blocks through the API: header saves and block store
 * writes, or a SIGTERM whose stop path writes the headers and peers.json),
 * and SIGKILLed at a seeded random moment. Before each start the directory
 * is inspected on its own (every file parsed and cross-checked, every block
 * file compared with the block it is named for); the start must then load
 * exactly that — or, for a file that fails the inspection, set it aside
 * with a warning — and answer its API; then the newest stored blocks and
 * any file holding wrong bytes are asked for over P2P: each answer is the
 * block's exact bytes, or `notfound` for a wrong file, never other bytes.
 * Anything else (no start, a crash, a refusal, other figures, a block lost
 * or served wrong) is a failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import { fromStored, PEERS_KEY } from "../../src/addrmgr/persist.ts";
import { BAN_LIST_KEY, BanList } from "../../src/peer/ban_list.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Sha256 } from "../../src/platform/hash.ts";
import { type Random, seededRandom } from "../../src/platform/random.ts";
import { HeaderChain } from "../../src/sync/header_chain.ts";
import { HeaderPersistence, HEADERS_PER_CHUNK } from "../../src/sync/header_persist.ts";
import { NODE_NETWORK_LIMITED_MIN_BLOCKS } from "../../src/sync/block_store.ts";
import { BLOCKS_DIR } from "../../src/node/node.ts";
import { MSG_WITNESS_BLOCK } from "../../src/wire/messages/inv.ts";
import { blockHeaderHash } from "../../src/wire/block_header.ts";
import type { NetAddress } from "../../src/wire/address.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { BLOCK_HEADER_SIZE } from "../../src/wire/block_header.ts";
import { bytesEqual, hashToHex, hexToHash, toHex } from "../../src/wire/bytes.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { isRoutable } from "../../src/wire/routability.ts";
import { openFileStore } from "../../adapters/storage/file.ts";
import { ROOT, runtimeCommand, type RuntimeName } from "../runtime_command.ts";
import { fillerTxs, RegtestMiner } from "./regtest_blocks.ts";
import { clientOf } from "./block_source.ts";

/** Bearer token of the crashed nodes' control routes (32 characters). */
export const CRASH_API_TOKEN = "crash-test-token-0123456789abcde";
/** Longest wait for a node to answer its API after spawning. */
const START_WAIT_MS = 30_000;
/** Longest wait for a killed child to be reaped. */
const EXIT_WAIT_MS = 10_000;
/** Longest a "live" kill waits for the first block to be taken before its random delay. */
const FIRST_BLOCK_WAIT_MS = 5_000;
const POLL_MS = 20;
/** Bytes of a header chunk before its headers (header_persist.ts format). */
const CHUNK_PREAMBLE_SIZE = 52;
/** Ban length of seeded and API bans: far longer than any run. */
const BAN_SECONDS = 30 * 24 * 3600;

const API_LISTENING = /status API listening url=http:\/\/(127\.0\.0\.1:\d+)\/status/;
const P2P_LISTENING = /listening for peers addresses=\["(127\.0\.0\.1:\d+)"\]/;
const LOADED = /storage loaded .*?addresses=(\d+) bans=(\d+) .*?height=(\d+) blocks=(\d+)/;
/** Stored blocks asked for after each start (the newest: the likeliest to be cut by a kill). */
const SERVED_SAMPLE = 3;
/** `block-<hash>-<size>.bin` (src/sync/block_store.ts). */
const BLOCK_FILE = /^block-([0-9a-f]{64})-(\d+)\.bin$/;
/** Filler transactions of a spare block: ~1 MB or ~2 MB, alternately. */
const SPARE_TX_BYTES = 4_000;
const SPARE_TXS = [250, 500] as const;
/** The warnings of a load that set a file aside. */
const SET_ASIDE = {
  peers: /peers\.json is unusable; set aside/,
  bans: /ban list is corrupt; set aside/,
  headers: /stored headers unusable; set aside/,
} as const;

/** What a data directory holds, as inspected from outside the node. */
export interface DirState {
  /** Addresses in a valid peers.json (0 when absent), or "corrupt". */
  readonly addresses: number | "corrupt";
  /** Bans in force in a valid bans.json (0 when absent), or "corrupt". */
  readonly bans: number | "corrupt";
  /**
   * Height of the stored header chain (with the headers of stored blocks it
   * lacks, which the node takes back), or "corrupt" when a chunk is unusable.
   */
  readonly height: number | "corrupt";
  /** Block files in the window of the last 288 heights: what the node must load. */
  readonly blocks: number;
  /** Of them, files that do not hold the block they are named for (never to be served). */
  readonly wrongBlocks: number;
  /** Temp files a killed write left behind (the next start removes them). */
  readonly tempFiles: number;
  /** The keys those temp files were being written for. */
  readonly tempKeys: readonly string[];
}

/** The material a crash run seeds every data directory with. */
export interface CrashSeed {
  /** A directory holding peers.json, bans.json and header chunks, to copy. */
  readonly template: string;
  /** Regtest blocks from height 1, the first `seededHeight` already stored. */
  readonly blocks: readonly Uint8Array[];
  /** Height of each block by hash (display hex). */
  readonly heights: ReadonlyMap<string, number>;
  readonly seededHeight: number;
  readonly addresses: number;
}

/** Sizes of a seed. */
export interface SeedOptions {
  /** Addresses gossiped into the table (it keeps what fits its buckets). */
  readonly gossip: number;
  readonly bans: number;
  /** Headers stored (over 2,000 gives a full chunk and a partial one). */
  readonly headers: number;
  /** Extra blocks (1–2 MB) to submit during the run. */
  readonly spareBlocks: number;
}

/** A routable IPv4 address from `r`. */
function randomIpv4(r: Random): NetAddress {
  for (;;) {
    const a: NetAddress = { network: "ipv4", bytes: r.bytes(4) };
    if (isRoutable(a)) return a;
  }
}

/** Writes the seed files into `dir` (created) through the real persistence code. */
export async function makeSeed(
  dir: string,
  sha256: Sha256,
  options: SeedOptions,
): Promise<CrashSeed> {
  mkdirSync(dir, { recursive: true });
  const nowMs = Date.now();
  const clock: Clock = {
    now: () => nowMs,
    setTimer: () => () => {},
    sleep: () => Promise.resolve(),
  };
  const r = seededRandom(7);
  const store = await openFileStore(dir);
  try {
    const book = new AddrManager({ sha256, clock, random: r, store });
    for (let i = 0; i < options.gossip; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, options.gossip - i) }, () => ({
        time: Math.floor(nowMs / 1000) - r.int(3 * 3600),
        services: 1033n,
        addr: randomIpv4(r),
        port: 8333,
      }));
      book.add(batch, randomIpv4(r), 0);
    }
    if (!await book.save()) throw new Error("cannot write the seed peers.json");
    const bans = await BanList.load({ store, clock: { ...clock, now: () => Date.now() } });
    for (let i = 0; i < options.bans; i++) {
      await bans.ban(randomIpv4(r), "crash seed", BAN_SECONDS * 1000);
    }
    const chain = new HeaderChain({ params: NETWORKS.regtest, sha256, now: () => Date.now() });
    const miner = new RegtestMiner(sha256, 9);
    const blocks: Uint8Array[] = [];
    for (let i = 0; i < options.headers; i++) blocks.push(miner.next());
    for (let i = 0; i < options.spareBlocks; i++) {
      blocks.push(miner.next(fillerTxs(SPARE_TXS[i % 2], SPARE_TX_BYTES, i)));
    }
    const heights = new Map(blocks.map((b, i) => [hashToHex(blockHeaderHash(sha256, b)), i + 1]));
    for (const block of blocks.slice(0, options.headers)) {
      chain.acceptHeader(block.subarray(0, BLOCK_HEADER_SIZE));
    }
    await new HeaderPersistence({ store, chain, sha256, now: () => nowMs, logger: silentLogger })
      .save();
    return { template: dir, blocks, heights, seededHeight: options.headers, addresses: book.size };
  } finally {
    await store.close?.();
  }
}

/** Copies the seed's files into `datadir` (created). */
export function seedDir(seed: CrashSeed, datadir: string): void {
  cpSync(seed.template, datadir, { recursive: true });
}

/** One block file found in `<datadir>/blocks`. */
export interface BlockFile {
  /** Wire order. */
  readonly hash: Uint8Array;
  readonly height: number;
  /** It holds exactly the block it is named for. */
  readonly right: boolean;
}

/**
 * Inspects `dir` as the node's loaders would, without the node; block files
 * are checked against `seed`'s blocks (without one, none are expected).
 */
export function inspectDir(dir: string, sha256: Sha256, seed?: CrashSeed): DirState {
  const names = readdirSync(dir);
  const blocksDir = join(dir, BLOCKS_DIR);
  const blockNames = existsSync(blocksDir) ? readdirSync(blocksDir) : [];
  const temps = [
    ...names.filter((n) => n.startsWith(".") && n.endsWith(".tmp")),
    ...blockNames.filter((n) => n.startsWith(".") && n.endsWith(".tmp")),
  ];
  const headers = inspectHeaders(dir, names);
  const files = seed === undefined ? [] : blockFiles(dir, seed);
  const height = headers === "corrupt" ? headers : adoptedHeight(headers, files);
  const kept = height === "corrupt" ? [] : inWindow(files, height);
  return {
    addresses: inspectPeers(dir, names, sha256),
    bans: inspectBans(dir, names),
    height,
    blocks: kept.length,
    wrongBlocks: kept.filter((f) => !f.right).length,
    tempFiles: temps.length,
    // ".<key>.<token>.<serial>.tmp" (adapters/storage/file.ts).
    tempKeys: temps.map((n) => n.slice(1).split(".").slice(0, -3).join(".")),
  };
}

/** The block files in `<dir>/blocks` named for blocks of `seed`. */
export function blockFiles(dir: string, seed: CrashSeed): BlockFile[] {
  const blocksDir = join(dir, BLOCKS_DIR);
  if (!existsSync(blocksDir)) return [];
  const out: BlockFile[] = [];
  for (const name of readdirSync(blocksDir)) {
    const m = BLOCK_FILE.exec(name);
    const height = m === null ? undefined : seed.heights.get(m[1]);
    if (m === null || height === undefined) continue;
    const bytes = readFileSync(join(blocksDir, name));
    const right = bytesEqual(new Uint8Array(bytes), seed.blocks[height - 1]);
    out.push({ hash: hexToHash(m[1]), height, right });
  }
  return out.sort((a, b) => a.height - b.height);
}

/**
 * The chain's height once the node has taken back the headers of stored
 * blocks above `headers` (each connects to the one below it).
 */
function adoptedHeight(headers: number, files: readonly BlockFile[]): number {
  const heights = new Set(files.filter((f) => f.right).map((f) => f.height));
  let height = headers;
  while (heights.has(height + 1)) height++;
  return height;
}

/** The files the node keeps with its tip at `tip`: the last 288 heights. */
function inWindow(files: readonly BlockFile[], tip: number): BlockFile[] {
  return files.filter((f) => f.height > tip - NODE_NETWORK_LIMITED_MIN_BLOCKS && f.height <= tip);
}

function inspectPeers(dir: string, names: string[], sha256: Sha256): number | "corrupt" {
  if (!names.includes(PEERS_KEY)) return 0;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      readFileSync(join(dir, PEERS_KEY)),
    );
    return fromStored(JSON.parse(text), sha256, seededRandom(1)).size;
  } catch {
    return "corrupt";
  }
}

function inspectBans(dir: string, names: string[]): number | "corrupt" {
  if (!names.includes(BAN_LIST_KEY)) return 0;
  try {
    const file = JSON.parse(readFileSync(join(dir, BAN_LIST_KEY), "utf8")) as {
      bans: { until: number }[];
    };
    if (!Array.isArray(file.bans)) return "corrupt";
    return file.bans.filter((b) => b.until > Date.now()).length;
  } catch {
    return "corrupt";
  }
}

/** Height of the stored chunks (a linear chain), checking numbering, sizes and fullness. */
function inspectHeaders(dir: string, names: string[]): number | "corrupt" {
  const chunks = names.filter((n) => /^headers-\d{6}\.bin$/.test(n)).sort();
  let headers = 0;
  for (const [i, name] of chunks.entries()) {
    if (name !== `headers-${String(i).padStart(6, "0")}.bin`) return "corrupt";
    if (headers !== i * HEADERS_PER_CHUNK) return "corrupt";
    const bytes = readFileSync(join(dir, name));
    if (bytes.length < CHUNK_PREAMBLE_SIZE) return "corrupt";
    const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(44, true);
    if (bytes.length !== CHUNK_PREAMBLE_SIZE + count * BLOCK_HEADER_SIZE) return "corrupt";
    headers += count;
  }
  return Math.max(headers - 1, 0);
}

/** How one start went. */
export type StartOutcome =
  /** Loaded exactly what the inspection found. */
  | "loaded"
  /** Set a file the inspection found unusable aside, and started. */
  | "set-aside"
  /** Killed before it answered (a kill during start). */
  | "killed-in-start";

/** A node process of a crash run. */
interface Child {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<unknown>;
}

function spawnNode(runtime: RuntimeName, datadir: string): Child {
  const [cmd, ...rest] = runtimeCommand(runtime, join(ROOT, "main.ts"));
  const child = spawn(cmd, [
    ...rest,
    "--network=regtest",
    `--datadir=${datadir}`,
    "--listen=127.0.0.1:0",
    "--api=127.0.0.1:0",
    `--api-token=${CRASH_API_TOKEN}`,
    "--dnsseed=false",
    // Connect-only to a port where nothing listens: the node never dials the seeded
    // (random, real-looking) addresses, not even with feelers.
    "--connect=127.0.0.1:1",
    "--log-level=info",
  ], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (d: unknown) => {
    out += String(d);
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { child, output: () => out, exited };
}

const sleep = (ms: number) => new Promise<void>((wake) => setTimeout(wake, ms));

/** SIGKILLs `c` (if still running) and waits for it to be reaped. */
async function kill(c: Child): Promise<void> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  const late = sleep(EXIT_WAIT_MS).then(() => "late");
  if (await Promise.race([c.exited, late]) === "late") throw new Error("a killed node lingers");
}

/** Where a kill landed. */
export type KillMode =
  /** While the node starts (loading, setting aside, taking the lock). */
  | "start"
  /** While ban and header saves triggered through the API are in flight. */
  | "live"
  /** During the stop path after SIGTERM (headers, peers.json, bans). */
  | "stop";

/** One kill and the start that checked it. */
export interface CycleResult {
  readonly mode: KillMode;
  readonly outcome: StartOutcome;
  /** The node had exited by itself before the kill (a stop that finished first). */
  readonly exitedFirst: boolean;
  readonly state: DirState;
  readonly startMs: number;
}

/** Why a cycle failed, with the node's output. */
export class CrashFailure extends Error {
  constructor(message: string, output: string) {
    super(`${message}\n--- node output (tail) ---\n${output.slice(-4000)}`);
    this.name = "CrashFailure";
  }
}

/** A crash run over one data directory under one runtime. */
export class CrashRun {
  readonly #runtime: RuntimeName;
  readonly #datadir: string;
  readonly #seed: CrashSeed;
  readonly #sha256: Sha256;
  readonly #r: Random;
  /** Typical times, learnt as the run goes, to aim the kills. */
  #startMs = 1000;
  #stopMs = 300;
  #banSerial = 0;

  constructor(runtime: RuntimeName, datadir: string, seed: CrashSeed, sha256: Sha256, rng: Random) {
    this.#runtime = runtime;
    this.#datadir = datadir;
    this.#seed = seed;
    this.#sha256 = sha256;
    this.#r = rng;
  }

  /**
   * Inspects the directory, starts a node on it, checks what it loaded, gives
   * it saving work and kills it in `mode`. Throws `CrashFailure` when the
   * start is not the last complete save or a clean set-aside.
   */
  async cycle(mode: KillMode): Promise<CycleResult> {
    const state = inspectDir(this.#datadir, this.#sha256, this.#seed);
    const stored = this.#stored(state);
    const t0 = performance.now();
    const c = spawnNode(this.#runtime, this.#datadir);
    try {
      if (mode === "start") {
        await sleep(this.#r.int(Math.max(1, Math.round(this.#startMs * 1.2))));
        const exitedFirst = c.child.exitCode !== null;
        await kill(c);
        if (exitedFirst) throw new CrashFailure("the node exited during its start", c.output());
        const api = API_LISTENING.exec(c.output());
        if (api !== null) this.#check(state, c.output());
        return {
          mode,
          outcome: api === null ? "killed-in-start" : this.#outcome(c.output()),
          exitedFirst,
          state,
          startMs: performance.now() - t0,
        };
      }
      const api = await this.#waitStarted(c);
      const startMs = performance.now() - t0;
      this.#startMs = startMs;
      const loaded = this.#check(state, c.output());
      await this.#checkServed(c.output(), stored);
      const work = this.#work(api, loaded.height);
      let exitedFirst: boolean;
      if (mode === "live") {
        // The kill falls among the block writes, not before the first (a loaded machine may take
        // longer than the whole random delay to take a 2 MB block through the API).
        await Promise.race([work.firstBlock, sleep(FIRST_BLOCK_WAIT_MS)]);
        await sleep(this.#r.int(400));
        exitedFirst = c.child.exitCode !== null;
        await kill(c);
      } else {
        await sleep(this.#r.int(50));
        const t1 = performance.now();
        c.child.kill("SIGTERM");
        const delay = this.#r.int(Math.max(1, Math.round(this.#stopMs * 1.3)));
        const done = await Promise.race([
          c.exited.then(() => true),
          sleep(delay).then(() => false),
        ]);
        if (done) this.#stopMs = performance.now() - t1;
        exitedFirst = done;
        await kill(c);
      }
      await work.done;
      if (exitedFirst && mode === "live") {
        throw new CrashFailure("the node exited by itself while running", c.output());
      }
      return { mode, outcome: this.#outcome(c.output()), exitedFirst, state, startMs };
    } catch (error) {
      await kill(c).catch(() => {});
      if (error instanceof CrashFailure) throw error;
      throw new CrashFailure(String(error), c.output());
    }
  }

  /** A last clean start: the directory must load; then a clean stop. */
  async finalStart(): Promise<StartOutcome> {
    const state = inspectDir(this.#datadir, this.#sha256, this.#seed);
    const stored = this.#stored(state);
    const c = spawnNode(this.#runtime, this.#datadir);
    try {
      await this.#waitStarted(c);
      this.#check(state, c.output());
      await this.#checkServed(c.output(), stored);
      c.child.kill("SIGTERM");
      await Promise.race([c.exited, sleep(EXIT_WAIT_MS)]);
      return this.#outcome(c.output());
    } finally {
      await kill(c).catch(() => {});
    }
  }

  async #waitStarted(c: Child): Promise<string> {
    const deadline = performance.now() + START_WAIT_MS;
    for (;;) {
      const api = API_LISTENING.exec(c.output());
      if (api !== null) return `http://${api[1]}`;
      if (c.child.exitCode !== null || performance.now() > deadline) {
        throw new CrashFailure(
          c.child.exitCode !== null
            ? `the node exited with ${c.child.exitCode} instead of starting`
            : "the node did not start in time",
          c.output(),
        );
      }
      await sleep(POLL_MS);
    }
  }

  /** The block files of the window the node must serve, as inspected. */
  #stored(state: DirState): BlockFile[] {
    return state.height === "corrupt"
      ? []
      : inWindow(blockFiles(this.#datadir, this.#seed), state.height);
  }

  /**
   * Asks the started node over P2P for the newest stored blocks and every
   * file holding wrong bytes: the blocks must come back exactly, the wrong
   * ones as `notfound`.
   */
  async #checkServed(out: string, stored: readonly BlockFile[]): Promise<void> {
    const wanted = [
      ...stored.filter((f) => f.right).slice(-SERVED_SAMPLE),
      ...stored.filter((f) => !f.right),
    ];
    if (wanted.length === 0) return;
    const address = P2P_LISTENING.exec(out);
    if (address === null) throw new CrashFailure("no 'listening for peers' line", out);
    const { client } = await clientOf(address[1], NETWORKS.regtest);
    try {
      await client.send({
        command: "getdata",
        items: wanted.map((f) => ({ type: MSG_WITNESS_BLOCK, hash: f.hash })),
      });
      const answers: (Uint8Array | null)[] = [];
      while (answers.length < wanted.length) {
        const msg = await client.next();
        if (msg === null) throw new CrashFailure("the node closed the block client", out);
        if (msg.command === "block") answers.push(msg.raw);
        if (msg.command === "notfound") answers.push(...msg.items.map(() => null));
      }
      for (const [i, f] of wanted.entries()) {
        const got = answers[i];
        const block = this.#seed.blocks[f.height - 1];
        if (f.right && (got === null || !bytesEqual(got, block))) {
          throw new CrashFailure(`stored block ${f.height} was not served as stored`, out);
        }
        if (!f.right && got !== null && !bytesEqual(got, block)) {
          throw new CrashFailure(`block ${f.height} was served with wrong bytes`, out);
        }
      }
    } finally {
      client.conn.close();
    }
  }

  /** Checks the "storage loaded" figures against the inspection; returns them. */
  #check(
    state: DirState,
    out: string,
  ): { addresses: number; bans: number; height: number; blocks: number } {
    const m = LOADED.exec(out);
    if (m === null) throw new CrashFailure("no 'storage loaded' line", out);
    const loaded = {
      addresses: Number(m[1]),
      bans: Number(m[2]),
      height: Number(m[3]),
      blocks: Number(m[4]),
    };
    const expect = (what: keyof typeof SET_ASIDE, found: number | "corrupt", got: number) => {
      if (found === "corrupt") {
        if (!SET_ASIDE[what].test(out)) {
          throw new CrashFailure(`${what}: an unusable file was not set aside`, out);
        }
        const aside = readdirSync(this.#datadir).some((n) => n.includes(".corrupt-"));
        if (!aside) throw new CrashFailure(`${what}: no .corrupt- file in the datadir`, out);
      } else if (got !== found) {
        throw new CrashFailure(
          `${what}: the directory holds ${found}, the node loaded ${got}`,
          out,
        );
      }
    };
    expect("peers", state.addresses, loaded.addresses);
    // A ban may expire between the inspection and the load; none do here (30 days).
    expect("bans", state.bans, loaded.bans);
    expect("headers", state.height, loaded.height);
    // With the headers set aside the chain is shorter: blocks above it are dropped, not lost.
    if (state.height !== "corrupt" && loaded.blocks !== state.blocks) {
      throw new CrashFailure(
        `blocks: the directory holds ${state.blocks} in the window, the node loaded ${loaded.blocks}`,
        out,
      );
    }
    return loaded;
  }

  #outcome(out: string): StartOutcome {
    return Object.values(SET_ASIDE).some((re) => re.test(out)) ? "set-aside" : "loaded";
  }

  /**
   * Bans and blocks through the API (each ban saves bans.json; blocks save
   * headers and are written to the block store): `done` when every request
   * has settled, `firstBlock` when the first block's has.
   */
  #work(api: string, height: number): { done: Promise<void>; firstBlock: Promise<void> } {
    const post = (path: string, body: unknown) =>
      fetch(api + path, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${CRASH_API_TOKEN}`,
        },
        body: JSON.stringify(body),
      }).then((res) => res.body?.cancel(), () => {});
    const jobs: Promise<unknown>[] = [];
    for (let i = 1 + this.#r.int(4); i > 0; i--) {
      const n = this.#banSerial++;
      jobs.push(post("/bans", {
        address: `198.51.${(n >> 8) & 0xff}.${n & 0xff}`,
        durationSeconds: BAN_SECONDS,
        reason: "crash test",
      }));
    }
    const blocks = this.#seed.blocks.slice(height, height + 1 + this.#r.int(3));
    const first = blocks.length > 0 ? post("/blocks", { hex: toHex(blocks[0]) }) : undefined;
    jobs.push((async () => {
      await first;
      for (const block of blocks.slice(1)) await post("/blocks", { hex: toHex(block) });
    })());
    return {
      done: Promise.all(jobs).then(() => {}),
      firstBlock: Promise.resolve(first).then(() => {}),
    };
  }
}
