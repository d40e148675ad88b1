/**
 * Interop with a node nobody on this project wrote: bcoin 1.0.2 (a
 * JavaScript full node speaking protocol 70015: no addrv2, no wtxidrelay) on
 * regtest on loopback. Our node A dials bcoin, and a third node C connects
 * to A. (bcoin dialling us is not tested: bcoin 1.0.2 keeps an outbound peer
 * only if it advertises NODE_NETWORK, which btc-edge, keeping only recent
 * blocks, never will; at most it advertises NODE_NETWORK_LIMITED.) bcoin mines blocks through its HTTP JSON-RPC
 * (`generatetoaddress`) once A is connected (bcoin then still at height 0,
 * where it leaves our first `getheaders` unanswered: it never sends an empty
 * `headers`); A syncs their headers, downloads the blocks and relays them to
 * C. Last, a fourth node D joins and syncs bcoin's chain from bcoin.
 * bcoin has no BIP324 and scores a v2 handshake's random bytes as
 * misbehaviour (it bans the dialler's IP in most runs, which would fail
 * every later dial from loopback), so the nodes that dial bcoin (A, D) run
 * with `--v2transport=false`; C keeps v2 on, so its v2 dial to A (v2 off)
 * is dropped and retried once as v1, and every link here ends up v1.
 * On failure the message carries our nodes' peers and logs and bcoin's debug log.
 *
 * bcoin is installed with `npm install --ignore-scripts` into a scratch
 * folder (.tmp/bcoin-1.0.2, git-ignored, reused by later runs), never into
 * the project's own dependencies, and run by fixtures/bcoin_node.cjs without
 * native code. It runs once per `npm test`: under Node only (skipped, saying
 * so, under Bun and Deno), and skipped, saying why, when the install fails
 * (no network).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Readable } from "node:stream";
import { createNode, type NodeHandle } from "../../mod.ts";
import type { LogRecord } from "../../src/log/logger.ts";
import type { PeerStats } from "../../src/peer/peer_stats.ts";
import { USER_AGENT } from "../../src/version.ts";
import { onlyOncePerRun, ROOT } from "../runtime_command.ts";
import { waitFor } from "../support/wait.ts";

const BCOIN_VERSION = "1.0.2";
/** The scratch install, reused across runs (`.tmp/` is git-ignored and excluded from deno). */
const INSTALL_DIR = join(ROOT, ".tmp", `bcoin-${BCOIN_VERSION}`);
const LAUNCHER = join(ROOT, "tests", "interop", "fixtures", "bcoin_node.cjs");
/** Longest `npm install` may take (about 10 s on a good connection). */
const INSTALL_MS = 180_000;
/** Longest wait for bcoin to print its ready line. */
const BCOIN_START_MS = 30_000;
/** Longest wait for a handshake, a header sync or a block relay. */
const NET_WAIT_MS = 30_000;
/** Longest wait for bcoin to exit after its stdin closes, before it is killed. */
const BCOIN_STOP_MS = 5_000;
/** bcoin log lines kept for failure messages. */
const LOG_TAIL_LINES = 200;
/** Log lines of each of our nodes in a failure message. */
const NODE_LOG_LINES = 25;
/** Blocks bcoin mines. */
const BLOCKS = 5;
/** What bcoin says in its `version`. */
const BCOIN_AGENT = `/bcoin:v${BCOIN_VERSION}/`;
/** bcoin's protocol version: before addrv2 (70016) and wtxidrelay. */
const BCOIN_PROTOCOL = 70015;
const API_KEY = "btc-edge-interop";

/** The ready line of fixtures/bcoin_node.cjs. */
interface BcoinReady {
  readonly p2pPort: number;
  readonly httpPort: number;
  readonly apiKey: string;
  /** A regtest address to mine to. */
  readonly address: string;
}

/** One entry of bcoin's `getpeerinfo`. */
interface BcoinPeer {
  readonly inbound: boolean;
  readonly subver: string;
}

/** Runs `command`; resolves its exit code (null when killed) and its output. */
function run(
  command: string,
  args: string[],
  ms: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (out += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (out += text));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.once("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, out: String(err) });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** True when INSTALL_DIR holds bcoin at BCOIN_VERSION. */
function installed(): boolean {
  const manifest = join(INSTALL_DIR, "node_modules", "bcoin", "package.json");
  return existsSync(manifest) &&
    JSON.parse(readFileSync(manifest, "utf8")).version === BCOIN_VERSION;
}

/**
 * Installs bcoin into INSTALL_DIR unless it is there already (into a fresh
 * folder renamed into place, so an interrupted install is never reused).
 * Resolves `null`, or why bcoin cannot run.
 */
async function ensureBcoin(): Promise<string | null> {
  if (installed()) return null;
  const staging = `${INSTALL_DIR}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const { code, out } = await run("npm", [
    "install",
    "--ignore-scripts",
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--prefix",
    staging,
    `bcoin@${BCOIN_VERSION}`,
  ], INSTALL_MS);
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const head = out.trim().split("\n").slice(0, 3).join(" | ");
    return `\`npm install bcoin@${BCOIN_VERSION}\` failed (exit ${code}): ${head}`;
  }
  rmSync(INSTALL_DIR, { recursive: true, force: true });
  renameSync(staging, INSTALL_DIR);
  return installed() ? null : `bcoin@${BCOIN_VERSION} is not in ${INSTALL_DIR} after npm install`;
}

const skipReason = onlyOncePerRun ?? await ensureBcoin();
if (skipReason !== null) console.log(`bcoin_interop_test: skipped, ${skipReason}`);

let bcoin: ChildProcess | null = null;
let bcoinExited: Promise<unknown> = Promise.resolve();
/** bcoin's last log lines (debug level, both streams), for failure messages. */
const bcoinLog: string[] = [];
let ready: BcoinReady | null = null;
const nodes: { name: string; node: NodeHandle; records: LogRecord[] }[] = [];
const dirs: string[] = [];

/** Calls `onLine` with each complete line `stream` writes. */
function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (text: string) => {
    const parts = (partial + text).split("\n");
    partial = parts.pop()!;
    for (const part of parts) if (part.length > 0) onLine(part);
  });
}

/** Keeps `line` among bcoin's last LOG_TAIL_LINES log lines (its memory reports left out). */
function keepBcoinLine(line: string): void {
  if (line.includes("Memory: rss=")) return;
  bcoinLog.push(line);
  if (bcoinLog.length > LOG_TAIL_LINES) bcoinLog.shift();
}

/** Starts the launcher and resolves its ready line. */
async function startBcoin(): Promise<BcoinReady> {
  const child = spawn(process.execPath, ["--no-deprecation", LAUNCHER, INSTALL_DIR, API_KEY], {
    cwd: ROOT,
    // bcoin says why it drops a peer only at debug level.
    env: { ...process.env, BCOIN_LOG_LEVEL: "debug" },
    // stdin is a pipe nobody writes to: bcoin exits when it closes (afterAll, or when we die).
    stdio: ["pipe", "pipe", "pipe"],
  });
  bcoin = child;
  bcoinExited = new Promise((resolve) => child.once("close", resolve));
  let line: BcoinReady | null = null;
  eachLine(child.stdout!, (text) => {
    if (text.startsWith('{"ready":true')) line = JSON.parse(text) as BcoinReady;
    else keepBcoinLine(text);
  });
  eachLine(child.stderr!, keepBcoinLine);
  await waitFor(
    () => line !== null || child.exitCode !== null,
    "bcoin to start",
    BCOIN_START_MS,
  ).catch((err) => {
    throw new Error(`${err.message}; bcoin said:\n${bcoinLog.join("\n")}`);
  });
  if (line === null) throw new Error(`bcoin exited (${child.exitCode}):\n${bcoinLog.join("\n")}`);
  return line;
}

/** Calls bcoin's JSON-RPC method over its HTTP API. */
async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${ready!.httpPort}/`, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`x:${ready!.apiKey}`)}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ method, params }),
  });
  const body = await res.json() as { result: unknown; error: { message: string } | null };
  if (!res.ok || body.error) {
    throw new Error(`bcoin ${method}: HTTP ${res.status} ${JSON.stringify(body.error)}`);
  }
  return body.result;
}

/** Makes and starts a regtest node of ours on loopback. */
async function startOurs(
  name: string,
  connect: string[],
  v2transport: boolean,
): Promise<NodeHandle> {
  const datadir = join(ROOT, ".tmp", `bcoin-interop-${name}-${process.pid}`);
  rmSync(datadir, { recursive: true, force: true });
  dirs.push(datadir);
  const records: LogRecord[] = [];
  const node = createNode({
    network: "regtest",
    datadir,
    listen: ["127.0.0.1:0"],
    api: "none",
    dnsseed: false,
    logLevel: "debug",
    connect,
    v2transport,
  }, { platform, logSink: (r) => records.push(r) });
  nodes.push({ name, node, records });
  await node.start();
  return node;
}

/** `host:port` where `node` accepts peers. */
function p2pAddress(node: NodeHandle): string {
  return node.status().listening[0];
}

/** True when `p` completed the handshake and its user agent is `agent`. */
function isReady(p: PeerStats, agent: string): boolean {
  return p.handshake === "ready" && p.userAgent === agent;
}

/** The outbound peer of `node` that completed the handshake with user agent `agent`. */
function outboundWith(node: NodeHandle, agent: string): PeerStats | undefined {
  return node.peers().find((p) => isReady(p, agent) && p.direction === "outbound");
}

/** `block` messages `node` received from all its peers. */
function blocksReceived(node: NodeHandle): number {
  return node.peers().reduce((n, p) => n + (p.received.perCommand.block?.messages ?? 0), 0);
}

/** One line per peer of `node`: address, direction, handshake, agent, messages by command. */
function peerLines(name: string, node: NodeHandle): string[] {
  const counts = (t: PeerStats["sent"]) =>
    Object.entries(t.perCommand).map(([cmd, c]) => `${cmd}:${c.messages}`).join(",");
  return node.peers().map((p) =>
    `${name} peer ${p.address} ${p.direction} ${p.handshake} ${p.userAgent} ` +
    `sent{${counts(p.sent)}} received{${counts(p.received)}}`
  );
}

/**
 * What a failure message carries: each node's chain and peers and its last
 * log lines (address and connection manager left out), then bcoin's last log lines.
 */
function diagnostics(): string {
  const ours = nodes.flatMap(({ name, node, records }) => [
    `${name} chain ${JSON.stringify(node.status().chain)}`,
    ...peerLines(name, node),
    ...records.filter((r) => !/addrmgr|connmgr/.test(r.category)).slice(-NODE_LOG_LINES)
      .map((r) => `${name} ${r.level} [${r.category}] ${r.message} ${JSON.stringify(r.fields)}`),
  ]);
  return [...ours, "bcoin:", ...bcoinLog].join("\n");
}

/** Waits for `cond`; on timeout the error carries the nodes' logs. */
async function settled(cond: () => boolean, what: string): Promise<void> {
  await waitFor(cond, what, NET_WAIT_MS).catch((err) => {
    throw new Error(`${err.message}\n${diagnostics()}`);
  });
}

describe("interop with bcoin 1.0.2 on regtest", () => {
  let a: NodeHandle;
  let c: NodeHandle;

  beforeAll(async () => {
    if (skipReason !== null) return;
    ready = await startBcoin();
    a = await startOurs("a", [`127.0.0.1:${ready.p2pPort}`], false);
    c = await startOurs("c", [p2pAddress(a)], true);
  });

  afterAll(async () => {
    for (const { node } of nodes.splice(0)) await node.stop();
    if (bcoin !== null && bcoin.exitCode === null) {
      bcoin.stdin!.end();
      const timer = setTimeout(() => bcoin!.kill("SIGKILL"), BCOIN_STOP_MS);
      await bcoinExited;
      clearTimeout(timer);
    }
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  test.skipIf(skipReason !== null)(
    "our node dials bcoin and completes the handshake with a 70015 peer",
    async () => {
      await settled(
        () => outboundWith(a, BCOIN_AGENT) !== undefined,
        "A's handshake with bcoin",
      );
      const p = outboundWith(a, BCOIN_AGENT)!;
      expect(p.version).toBe(BCOIN_PROTOCOL);
      expect(p.negotiatedVersion).toBe(BCOIN_PROTOCOL);
      // 70015 predates both: neither may be negotiated with bcoin.
      expect(p.features.addrV2).toBe(false);
      expect(p.features.wtxidRelay).toBe(false);
      const seen = await rpc("getpeerinfo") as BcoinPeer[];
      expect(seen.filter((q) => q.subver === USER_AGENT && q.inbound).length).toBe(1);
    },
    BCOIN_START_MS + NET_WAIT_MS,
  );

  test.skipIf(skipReason !== null)(
    "blocks bcoin mines reach our node A, which relays them to C",
    async () => {
      await settled(
        () =>
          outboundWith(a, BCOIN_AGENT) !== undefined && outboundWith(c, USER_AGENT) !== undefined,
        "A connected to bcoin and C to A",
      );
      const hashes = await rpc("generatetoaddress", [BLOCKS, ready!.address]) as string[];
      expect(hashes.length).toBe(BLOCKS);
      await settled(
        () => blocksReceived(a) >= BLOCKS && blocksReceived(c) >= BLOCKS,
        `${BLOCKS} blocks at A and C`,
      );
      const tip = { height: BLOCKS, bestHash: hashes[BLOCKS - 1] };
      expect(a.status().chain).toEqual(tip);
      expect(c.status().chain).toEqual(tip);
      // Each block downloaded once (A's from bcoin: C sends A none) and relayed once to C.
      expect(blocksReceived(a)).toBe(BLOCKS);
      expect(blocksReceived(c)).toBe(BLOCKS);
      const toC = a.peers().find((p) => isReady(p, USER_AGENT) && p.direction === "inbound")!;
      expect(toC.sent.perCommand.block?.messages).toBe(BLOCKS);
      // v2 off at A: bcoin's link is v1, and C's v2 dial fell back to v1.
      expect(outboundWith(a, BCOIN_AGENT)!.transport).toBe("v1");
      expect(toC.transport).toBe("v1");
    },
    2 * NET_WAIT_MS + 5_000,
  );

  test.skipIf(skipReason !== null)(
    "a node of ours joining later syncs bcoin's chain from bcoin",
    async () => {
      const height = await rpc("getblockcount") as number;
      expect(height).toBeGreaterThanOrEqual(BLOCKS);
      const bestHash = await rpc("getbestblockhash") as string;
      const d = await startOurs("d", [`127.0.0.1:${ready!.p2pPort}`], false);
      await settled(
        () => d.status().chain.height === height && blocksReceived(d) >= BLOCKS,
        `D's sync to height ${height}`,
      );
      expect(d.status().chain).toEqual({ height, bestHash });
    },
    NET_WAIT_MS + 5_000,
  );
});
