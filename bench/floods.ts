/**
 * Floods and slow peers: a real node (`main.ts` as a child process, regtest,
 * loopback, handshake timeout 2 s, a fresh node per scenario) attacked from
 * this process over raw sockets by scripted peers that complete the version
 * handshake and then flood. Observed through the node's API (`/status`,
 * `/peers`). Scenarios:
 *
 * 1. inv flood: 1,000,000 random block/tx entries in 20 `inv` of 50,000,
 *    then (a fresh node) in 2,000 `inv` of 500, too small to cost points;
 *    memory before/peak/after, the attacker's known-inventory size and score.
 * 2. addr flood: 100,000 routable IPv4 addresses in 100 `addr` of 1,000;
 *    addresses that entered the address manager vs the token-bucket allowance.
 * 3. connection flood: 1,000 sockets (distinct 127.x.y.z sources) that never
 *    send `version`; how many the handshake timeout closes and when, the
 *    handshake latency of 8 honest peers during the flood and the time a
 *    block submitted meanwhile takes to be announced to them.
 * 4. headers junk: 20 `headers` of 2,000 that do not connect, then headers on
 *    genesis with bad proof of work; score, disconnect, memory.
 * 5. non-reading peer: asks for the genesis block 500 at a time (up to
 *    2,000,000 times) and never reads; when it is dropped and how large its
 *    send queue grew.
 *
 * Run: node_modules/.bin/node bench/floods.ts [deno|bun|node|all] [scenario name part]
 *      (the bench process itself runs under any runtime)
 */
import process from "node:process";
import { ADDR_BUCKET_START, ADDR_RATE_PER_SECOND } from "../src/addrmgr/token_bucket.ts";
import { platform } from "#platform";
import { type BlockHeader, blockHeaderHash, encodeBlockHeader } from "../src/wire/block_header.ts";
import { hexToHash, toHex } from "../src/wire/bytes.ts";
import { type Message } from "../src/wire/message.ts";
import { encodeMessageFrame } from "../tests/support/message_frame.ts";
import { MSG_BLOCK, MSG_TX } from "../src/wire/messages/inv.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { type RuntimeName, RUNTIMES } from "../tests/runtime_command.ts";
import { RegtestMiner } from "../tests/support/regtest_blocks.ts";
import {
  API_TOKEN,
  type FloodNode,
  HANDSHAKE_TIMEOUT_S,
  LOOPBACK,
  type NodePeer,
  startFloodNode,
} from "./_flood_node.ts";
import { MAGIC, ScriptedPeer } from "./_flood_peer.ts";
import { RUNTIME_LABEL } from "./_runtime_label.ts";
import { ascending, quantile } from "./_stats.ts";

const sha256 = platform.sha256;
/** Longest wait for a scripted peer's handshake. */
const HANDSHAKE_WAIT_MS = 10_000;
/** Longest wait for the socket buffer of one flood message to drain. */
const DRAIN_MS = 10_000;
/** Longest wait, after a flood, for the node to settle (score, drop, counters). */
const SETTLE_MS = 5_000;
/** Interval of the memory sampler. */
const SAMPLE_MS = 100;
/** Inv flood: 20 messages of 50,000 (Core MAX_INV_SZ) = 1,000,000 entries. */
const INV_MESSAGES = 20;
const INV_PER_MESSAGE = 50_000;
/** The same million in messages small enough to cost no points (see src/peer/inventory_cost.ts). */
const SMALL_INV_MESSAGES = 2_000;
const SMALL_INV_PER_MESSAGE = 500;
/** Addr flood: 100 messages of 1,000 (MAX_ADDR_TO_SEND) = 100,000 addresses. */
const ADDR_MESSAGES = 100;
const ADDR_PER_MESSAGE = 1_000;
/** Connection flood: silent sockets and honest peers. */
const SILENT_SOCKETS = 1_000;
const HONEST_PEERS = 8;
/** Headers junk: messages of 2,000 non-connecting headers, then bad-PoW single headers. */
const JUNK_HEADER_MESSAGES = 20;
const HEADERS_PER_MESSAGE = 2_000;
const BAD_POW_MESSAGES = 10;
/**
 * Non-reading peer: getdata messages of 500 genesis requests (too small to
 * cost points, so only the send-queue bound can stop it), and the longest
 * wait to drop.
 */
const GETDATA_MESSAGES = 4_000;
const GETDATA_PER_MESSAGE = 500;
const SLOW_DROP_MS = 30_000;

const mb = (bytes: number | undefined) =>
  bytes === undefined ? "n/a" : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : `${v.toFixed(0)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Prints a two-column table under a title. */
function table(title: string, rows: readonly (readonly [string, string])[]): void {
  console.log(`\n  ${title}`);
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of rows) console.log(`    ${k.padEnd(width)}${v}`);
}

/** Samples the node's rss and heap in the background until `stop`. */
class MemorySampler {
  peakRss = 0;
  peakHeap = 0;
  samples = 0;
  #running = true;
  readonly #done: Promise<void>;

  constructor(node: FloodNode) {
    this.#done = (async () => {
      while (this.#running) {
        try {
          const s = await node.status();
          this.peakRss = Math.max(this.peakRss, s.memory.rss ?? 0);
          this.peakHeap = Math.max(this.peakHeap, s.memory.heapUsed ?? 0);
          this.samples++;
        } catch {
          // The API may lag under load; the next sample counts.
        }
        await sleep(SAMPLE_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}

/** The `/peers` entry of `peer` (matched by its local port), or undefined once gone. */
async function peerEntry(node: FloodNode, peer: ScriptedPeer): Promise<NodePeer | undefined> {
  const suffix = `:${peer.socket.localPort}`;
  const address = `${peer.socket.localAddress}${suffix}`;
  return (await node.peers()).find((p) => p.address === address);
}

/** A scripted peer that completed the handshake (throws otherwise). */
async function readyPeer(node: FloodNode, localAddress?: string): Promise<ScriptedPeer> {
  const peer = new ScriptedPeer(node.p2pPort, LOOPBACK, { localAddress });
  if (!(await peer.waitReady(HANDSHAKE_WAIT_MS))) {
    peer.close();
    throw new Error(`scripted peer handshake failed; node output:\n${node.output()}`);
  }
  return peer;
}

/** Sends prepared frames one by one, waiting for each to drain; stops if the socket closes. */
async function flood(peer: ScriptedPeer, frames: readonly Uint8Array[]): Promise<number> {
  let sent = 0;
  for (const frame of frames) {
    if (peer.closedAt !== null) break;
    if (!peer.sendRaw(frame)) await peer.drained(DRAIN_MS);
    sent++;
  }
  return sent;
}

/** Polls the peer's entry until it is gone or `ms` passed; the last entry seen. */
async function watchPeer(
  node: FloodNode,
  peer: ScriptedPeer,
  ms: number,
  onEntry: (e: NodePeer) => void = () => {},
): Promise<{ last: NodePeer | undefined; goneAt: number | null }> {
  const deadline = performance.now() + ms;
  let last: NodePeer | undefined;
  while (performance.now() < deadline) {
    const e = await peerEntry(node, peer).catch(() => last);
    if (e === undefined) return { last, goneAt: performance.now() };
    last = e;
    onEntry(e);
    await sleep(SAMPLE_MS);
  }
  return { last, goneAt: null };
}

function randomHashes(count: number): Uint8Array {
  const bytes = new Uint8Array(count * 32);
  for (let off = 0; off < bytes.length; off += 65_536) {
    crypto.getRandomValues(bytes.subarray(off, Math.min(bytes.length, off + 65_536)));
  }
  return bytes;
}

/** The inv flood in `messages` messages of `perMessage` entries (1,000,000 in all). */
async function invFlood(
  node: FloodNode,
  messages: number,
  perMessage: number,
  round = "",
): Promise<{ rssBefore: number; peakRss: number }> {
  const frames = Array.from({ length: messages }, () => {
    const hashes = randomHashes(perMessage);
    const items = Array.from({ length: perMessage }, (_, i) => ({
      type: i % 2 === 0 ? MSG_TX : MSG_BLOCK,
      hash: hashes.subarray(i * 32, i * 32 + 32),
    }));
    return encodeMessageFrame(MAGIC, { command: "inv", items }, sha256);
  });
  const peer = await readyPeer(node);
  const before = await node.status();
  const sampler = new MemorySampler(node);
  const start = performance.now();
  const sent = await flood(peer, frames);
  const sendDone = performance.now();
  let maxKnown = 0;
  let maxScore = 0;
  const { last, goneAt } = await watchPeer(node, peer, SETTLE_MS, (e) => {
    maxKnown = Math.max(maxKnown, e.knownInventory);
    maxScore = Math.max(maxScore, e.banScore);
  });
  await sampler.stop();
  const after = await node.status();
  peer.close();
  table(`[${node.runtime}] inv flood${round}: ${messages} × ${perMessage} entries`, [
    ["messages sent", `${sent} of ${messages} in ${ms(sendDone - start)}`],
    [
      "rss before / peak / after",
      `${mb(before.memory.rss)} / ${mb(sampler.peakRss)} / ${mb(after.memory.rss)}`,
    ],
    [
      "heap before / peak / after",
      `${mb(before.memory.heapUsed)} / ${mb(sampler.peakHeap)} / ${mb(after.memory.heapUsed)}`,
    ],
    ["peak rss growth (target < 20 MB)", mb(sampler.peakRss - (before.memory.rss ?? 0))],
    [
      "attacker knownInventory (max seen, bound 1,000)",
      `${maxKnown} (last ${last?.knownInventory ?? "—"})`,
    ],
    ["attacker banScore (max seen)", `${maxScore}`],
    ["getdata the node sent back", `${peer.received.get("getdata") ?? 0} messages`],
    [
      "disconnected",
      goneAt === null && peer.closedAt === null
        ? `no (within ${SETTLE_MS} ms of the flood)`
        : `after ${ms((peer.closedAt ?? goneAt!) - start)} from first send`,
    ],
    ["memory samples", `${sampler.samples}`],
  ]);
  return { rssBefore: before.memory.rss ?? 0, peakRss: sampler.peakRss };
}

async function addrFlood(node: FloodNode): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const frames = Array.from({ length: ADDR_MESSAGES }, (_, m) => {
    const addresses = Array.from({ length: ADDR_PER_MESSAGE }, (_, i) => {
      const n = m * ADDR_PER_MESSAGE + i;
      // 20.0.0.0/8 onward (routable): one address per /24 up to 65,536, then per host.
      const bytes = new Uint8Array([20 + (n >> 16), (n >> 8) & 255, n & 255, 1 + (m % 250)]);
      return {
        time: now - 600,
        services: 1n,
        addr: { network: "ipv4" as const, bytes },
        port: 8333,
      };
    });
    return encodeMessageFrame(MAGIC, { command: "addr", addresses }, sha256);
  });
  const peer = await readyPeer(node);
  const connected = peer.openedAt;
  const before = await node.status();
  const start = performance.now();
  const sent = await flood(peer, frames);
  await sleep(500);
  const entry = await peerEntry(node, peer).catch(() => undefined);
  const after = await node.status();
  const elapsedS = (performance.now() - connected) / 1000;
  const allowance = ADDR_BUCKET_START + ADDR_RATE_PER_SECOND * elapsedS;
  const added = after.addrman.total - before.addrman.total;
  peer.close();
  table(`[${node.runtime}] addr flood: ${ADDR_MESSAGES} × ${ADDR_PER_MESSAGE} IPv4 addresses`, [
    ["messages sent", `${sent} of ${ADDR_MESSAGES} in ${ms(performance.now() - start - 500)}`],
    ["addrman total before / after", `${before.addrman.total} / ${after.addrman.total}`],
    ["added", `${added}`],
    [
      "token-bucket allowance",
      `≤ ${allowance.toFixed(1)} (${ADDR_BUCKET_START} + ${ADDR_RATE_PER_SECOND}/s × ${
        elapsedS.toFixed(1)
      } s)`,
    ],
    ["within allowance", added <= Math.floor(allowance) ? "yes" : "NO"],
    ["attacker banScore / still connected", `${entry?.banScore ?? "—"} / ${entry !== undefined}`],
  ]);
}

async function connectionFlood(node: FloodNode): Promise<void> {
  const sampler = new MemorySampler(node);
  const before = await node.status();
  const start = performance.now();
  const silent: ScriptedPeer[] = [];
  for (let i = 0; i < SILENT_SOCKETS; i++) {
    const localAddress = `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;
    silent.push(new ScriptedPeer(node.p2pPort, LOOPBACK, { localAddress, handshake: false }));
    if (i % 100 === 99) await sleep(10);
  }
  const opened = performance.now() - start;
  await sleep(200);
  const honest = Array.from(
    { length: HONEST_PEERS },
    (_, i) => new ScriptedPeer(node.p2pPort, LOOPBACK, { localAddress: `127.1.0.${1 + i}` }),
  );
  const honestReady = await Promise.all(honest.map((p) => p.waitReady(HANDSHAKE_WAIT_MS)));
  const latencies = ascending(
    honest.filter((_, i) => honestReady[i]).map((p) => p.readyAt! - p.openedAt),
  );
  const openDuringHonest = silent.filter((p) => p.closedAt === null).length;

  // A block submitted while the silent sockets are still open reaches the honest peers.
  const block = new RegtestMiner(sha256).next();
  const submitAt = performance.now();
  const response = await fetch(`http://${LOOPBACK}:${node.apiPort}/blocks`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${API_TOKEN}` },
    body: JSON.stringify({ hex: toHex(block) }),
  });
  const submitText = await response.text();
  const deadline = performance.now() + SETTLE_MS;
  const announced = (p: ScriptedPeer) => p.firstAt.get("inv") ?? p.firstAt.get("headers");
  while (honest.some((p) => p.readyAt !== null && announced(p) === undefined)) {
    if (performance.now() > deadline) break;
    await sleep(5);
  }
  const relay = ascending(
    honest.map(announced).filter((t): t is number => t !== undefined).map((t) => t - submitAt),
  );

  // Wait for the handshake timeout to close the silent sockets.
  const closeDeadline = start + HANDSHAKE_TIMEOUT_S * 1000 + opened + 5_000;
  while (silent.some((p) => p.closedAt === null) && performance.now() < closeDeadline) {
    await sleep(50);
  }
  await sampler.stop();
  const closes = ascending(
    silent.filter((p) => p.closedAt !== null).map((p) => p.closedAt! - p.openedAt),
  );
  const early = closes.filter((t) => t < HANDSHAKE_TIMEOUT_S * 1000 - 100).length;
  const honestStill = honest.filter((p) => p.closedAt === null).length;
  for (const p of [...silent, ...honest]) p.close();
  table(
    `[${node.runtime}] connection flood: ${SILENT_SOCKETS} silent sockets + ${HONEST_PEERS} honest peers`,
    [
      ["silent sockets opened in", ms(opened)],
      [
        "closed by the node",
        `${closes.length} of ${SILENT_SOCKETS} (${early} before ${
          HANDSHAKE_TIMEOUT_S - 0.1
        } s: refused, not timed out)`,
      ],
      [
        "close time after open min / median / max",
        `${ms(quantile(closes, 0))} / ${ms(quantile(closes, 0.5))} / ${ms(quantile(closes, 1))}`,
      ],
      ["silent still open when honest peers dialled", `${openDuringHonest}`],
      ["honest handshakes completed", `${latencies.length} of ${HONEST_PEERS}`],
      [
        "honest handshake latency min / median / max",
        `${ms(quantile(latencies, 0))} / ${ms(quantile(latencies, 0.5))} / ${
          ms(quantile(latencies, 1))
        }`,
      ],
      ["block submit answer", `${response.status} ${submitText.slice(0, 60)}`],
      [
        "block announced to honest peers",
        `${relay.length} of ${HONEST_PEERS}, median ${ms(quantile(relay, 0.5))}, max ${
          ms(quantile(relay, 1))
        }`,
      ],
      ["honest peers still connected at the end", `${honestStill}`],
      ["rss before / peak", `${mb(before.memory.rss)} / ${mb(sampler.peakRss)}`],
    ],
  );
}

/** A regtest header on `prev` whose hash fails the target (last wire byte ≥ 0x80). */
function badPowHeader(prev: Uint8Array, salt: number): Uint8Array {
  const header: BlockHeader = {
    version: 0x20000000,
    prevBlock: prev,
    merkleRoot: randomHashes(1),
    time: Math.floor(Date.now() / 1000),
    bits: 0x207fffff,
    nonce: salt,
  };
  for (let nonce = salt; nonce < salt + 1_000; nonce++) {
    header.nonce = nonce;
    const bytes = encodeBlockHeader(header);
    if (blockHeaderHash(sha256, bytes)[31] >= 0x80) return bytes;
  }
  throw new Error("no failing nonce in 1,000 tries");
}

async function headersJunk(node: FloodNode): Promise<void> {
  const headerOf = (prev: Uint8Array, nonce: number): BlockHeader => ({
    version: 0x20000000,
    prevBlock: prev,
    merkleRoot: new Uint8Array(32),
    time: Math.floor(Date.now() / 1000),
    bits: 0x207fffff,
    nonce,
  });
  const junkFrames = Array.from({ length: JUNK_HEADER_MESSAGES }, (_, m) => {
    const prevs = randomHashes(HEADERS_PER_MESSAGE);
    const headers = Array.from(
      { length: HEADERS_PER_MESSAGE },
      (_, i) => headerOf(prevs.subarray(i * 32, i * 32 + 32), m * HEADERS_PER_MESSAGE + i),
    );
    return encodeMessageFrame(MAGIC, { command: "headers", headers }, sha256);
  });
  const genesis = hexToHash(NETWORKS.regtest.genesisHash);
  const badFrames = Array.from({ length: BAD_POW_MESSAGES }, (_, m) => {
    const bytes = badPowHeader(genesis, m * 1_000);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const header: BlockHeader = {
      version: view.getInt32(0, true),
      prevBlock: bytes.slice(4, 36),
      merkleRoot: bytes.slice(36, 68),
      time: view.getUint32(68, true),
      bits: view.getUint32(72, true),
      nonce: view.getUint32(76, true),
    };
    const msg: Message = { command: "headers", headers: [header] };
    return encodeMessageFrame(MAGIC, msg, sha256);
  });
  const rows: [string, string][] = [];
  const before = await node.status();
  const sampler = new MemorySampler(node);
  for (
    const [label, frames, source] of [
      [`${JUNK_HEADER_MESSAGES} × ${HEADERS_PER_MESSAGE} non-connecting`, junkFrames, "127.0.0.2"],
      [`${BAD_POW_MESSAGES} × 1 bad proof of work on genesis`, badFrames, "127.0.0.3"],
    ] as const
  ) {
    const peer = await readyPeer(node, source);
    const start = performance.now();
    const sent = await flood(peer, frames);
    let maxScore = 0;
    const { goneAt } = await watchPeer(node, peer, SETTLE_MS, (e) => {
      maxScore = Math.max(maxScore, e.banScore);
    });
    const dropped = peer.closedAt ?? goneAt;
    rows.push([`${label}: sent`, `${sent} of ${frames.length}`]);
    rows.push([`${label}: banScore (max seen)`, `${maxScore}`]);
    rows.push([
      `${label}: dropped`,
      dropped === null ? `no (within ${SETTLE_MS} ms)` : `after ${ms(dropped - start)}`,
    ]);
    peer.close();
  }
  await sampler.stop();
  const after = await node.status();
  rows.push(["bans before / after", `${before.bans} / ${after.bans}`]);
  rows.push([
    "rss before / peak / after",
    `${mb(before.memory.rss)} / ${mb(sampler.peakRss)} / ${mb(after.memory.rss)}`,
  ]);
  rows.push([
    "heap before / peak / after",
    `${mb(before.memory.heapUsed)} / ${mb(sampler.peakHeap)} / ${mb(after.memory.heapUsed)}`,
  ]);
  table(`[${node.runtime}] headers junk`, rows);
}

/** The reason in the node's log line for dropping the peer on local port `port`. */
function dropReason(output: string, port: number): string {
  const line = output.split("\n").find((l) =>
    l.includes(`:${port} `) && /send queue|banned/.test(l)
  );
  return line === undefined ? "not logged" : (line.match(/reason=(.*)$/)?.[1] ?? line);
}

async function nonReadingPeer(node: FloodNode): Promise<void> {
  const genesis = hexToHash(NETWORKS.regtest.genesisHash);
  const items = Array.from({ length: GETDATA_PER_MESSAGE }, () => ({
    type: MSG_BLOCK,
    hash: genesis,
  }));
  const frame = encodeMessageFrame(MAGIC, { command: "getdata", items }, sha256);
  const peer = await readyPeer(node);
  peer.socket.pause(); // never read again
  const port = peer.socket.localPort ?? 0;
  const before = await node.status();
  const sampler = new MemorySampler(node);
  const start = performance.now();
  let maxQueue = 0;
  let sent = 0;
  const watching = watchPeer(node, peer, SLOW_DROP_MS, (e) => {
    maxQueue = Math.max(maxQueue, e.sendQueueBytes);
  });
  for (; sent < GETDATA_MESSAGES && peer.closedAt === null; sent++) {
    if (!peer.sendRaw(frame)) await peer.drained(1_000);
  }
  const { last, goneAt } = await watching;
  await sampler.stop();
  peer.close();
  table(
    `[${node.runtime}] non-reading peer: getdata genesis × ${GETDATA_PER_MESSAGE} per message`,
    [
      ["getdata messages sent", `${sent} of ${GETDATA_MESSAGES}`],
      ["peak sendQueueBytes seen", mb(maxQueue)],
      [
        "last entry: sendQueueBytes / banScore",
        `${mb(last?.sendQueueBytes)} / ${last?.banScore ?? "—"}`,
      ],
      [
        "dropped",
        goneAt === null ? `no (within ${SLOW_DROP_MS} ms)` : `after ${ms(goneAt - start)}`,
      ],
      ["reason (node's log)", dropReason(node.output(), port)],
      ["rss before / peak", `${mb(before.memory.rss)} / ${mb(sampler.peakRss)}`],
    ],
  );
}

/**
 * The small-message inv flood twice on one node: the second shows whether
 * the first's rss growth is spent for good or grows again with each flood
 * (the collector's young generation reaching its size is a one-off).
 */
async function smallInvFloodTwice(node: FloodNode): Promise<void> {
  const first = await invFlood(node, SMALL_INV_MESSAGES, SMALL_INV_PER_MESSAGE, " (1st)");
  const second = await invFlood(node, SMALL_INV_MESSAGES, SMALL_INV_PER_MESSAGE, " (2nd)");
  table(`[${node.runtime}] inv flood in small messages, twice`, [
    ["peak rss growth of the 1st over the start", mb(first.peakRss - first.rssBefore)],
    [
      "peak rss growth of the 2nd over the 1st's peak",
      mb(Math.max(0, second.peakRss - first.peakRss)),
    ],
  ]);
}

const SCENARIOS: readonly {
  readonly name: string;
  readonly run: (node: FloodNode) => Promise<void>;
  readonly options?: readonly string[];
}[] = [
  {
    name: "inv flood",
    run: async (node) => void await invFlood(node, INV_MESSAGES, INV_PER_MESSAGE),
  },
  { name: "inv flood in small messages", run: smallInvFloodTwice },
  { name: "addr flood", run: addrFlood },
  {
    name: "connection flood",
    run: connectionFlood,
    options: [`--maxpeers=${SILENT_SOCKETS + HONEST_PEERS + 10}`],
  },
  { name: "headers junk", run: headersJunk },
  // Debug logging names the reason the peer was dropped.
  { name: "non-reading peer", run: nonReadingPeer, options: ["--log-level=debug"] },
];

const wanted = process.argv[2];
const runtimes: readonly RuntimeName[] = wanted === undefined || wanted === "all"
  ? RUNTIMES
  : RUNTIMES.filter((r) => r === wanted);
if (runtimes.length === 0) {
  console.error(`unknown runtime ${wanted}; one of ${RUNTIMES.join(", ")} or all`);
  process.exit(2);
}
const only = process.argv[3];
const scenarios = only === undefined ? SCENARIOS : SCENARIOS.filter((s) => s.name.includes(only));
if (scenarios.length === 0) {
  console.error(
    `no scenario matches ${only}; scenarios: ${SCENARIOS.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
console.log(
  `Floods and slow peers — node under ${runtimes.join(", ")} (a fresh node per scenario, ` +
    `handshake timeout ${HANDSHAKE_TIMEOUT_S} s); bench process ${RUNTIME_LABEL}`,
);
let failures = 0;
for (const runtime of runtimes) {
  for (const scenario of scenarios) {
    let node: FloodNode | undefined;
    try {
      node = await startFloodNode(runtime, scenario.options);
      await scenario.run(node);
    } catch (error) {
      failures++;
      console.log(`\n  [${runtime}] ${scenario.name}: FAILED: ${(error as Error).message}`);
    } finally {
      await node?.stop();
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
