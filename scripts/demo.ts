/**
 * `npm run demo`: a local regtest network of three btc-edge nodes, one per
 * runtime (Deno, Bun, Node), as child processes on 127.0.0.1 with free
 * ports. Bun's node connects to Deno's, Node's to both (a triangle). The
 * script prints each node's dashboard and status URL, mines a few regtest
 * blocks itself and submits them to the Deno node (`POST /blocks`, bearer
 * token), then prints the tip height each node reports once the blocks have
 * been relayed. It stays up until Ctrl-C (stopping the nodes with SIGTERM),
 * or exits after one round with `--once`.
 *
 * Flags: `--once`, `--blocks=N` (default 3). Run with Node 24 (type stripping).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { Readable } from "node:stream";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { RegtestMiner } from "../tests/support/regtest_blocks.ts";
import { ROOT, runtimeCommand, type RuntimeName } from "../tests/runtime_command.ts";
import { toHex } from "../src/wire/bytes.ts";

/** Blocks mined when `--blocks` is not given. */
const DEFAULT_BLOCKS = 3;
/** Most blocks one run may mine (each is found by brute force in this process). */
const MAX_BLOCKS = 100;
/** Longest wait for a node's API to answer, and for every node to reach the tip. */
const START_WAIT_MS = 30_000;
const RELAY_WAIT_MS = 30_000;
/** Longest wait for the nodes to stop after SIGTERM before they are killed. */
const STOP_WAIT_MS = 10_000;
/** How often the nodes' status is polled while waiting. */
const POLL_MS = 200;

/** One child node. */
interface DemoNode {
  runtime: RuntimeName;
  p2p: number;
  api: number;
  child: ChildProcess;
  exited: Promise<void>;
}

const argv = process.argv.slice(2);
const once = argv.includes("--once");
const blocksArg = argv.find((a) => a.startsWith("--blocks="))?.slice("--blocks=".length);
const blockCount = blocksArg === undefined ? DEFAULT_BLOCKS : Number(blocksArg);
for (const arg of argv) {
  if (arg !== "--once" && !arg.startsWith("--blocks=")) fail(`unknown argument ${arg}`);
}
if (!Number.isInteger(blockCount) || blockCount < 1 || blockCount > MAX_BLOCKS) {
  fail(`--blocks must be an integer from 1 to ${MAX_BLOCKS}`);
}

const token = randomBytes(24).toString("hex");
const root = mkdtempSync(join(tmpdir(), "btc-edge-demo-"));
const nodes: DemoNode[] = [];
let stopping: Promise<void> | undefined;

function fail(message: string): never {
  console.error(`demo: ${message}`);
  process.exit(2);
}

/** "demo:", in bold on a terminal that takes colour. */
const PREFIX = process.stdout.isTTY && !process.env.NO_COLOR ? "\x1b[1mdemo:\x1b[0m" : "demo:";

function say(message: string): void {
  console.log(`${PREFIX} ${message}`);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Prints a child's output line by line, each line tagged with its runtime. */
function tagLines(stream: Readable, tag: string): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) console.log(`${tag} ${line}`);
  });
  stream.on("end", () => {
    if (rest) console.log(`${tag} ${rest}`);
  });
}

async function startNode(runtime: RuntimeName, connect: DemoNode[]): Promise<DemoNode> {
  const [p2p, api] = [await freePort(), await freePort()];
  const datadir = join(root, runtime);
  const [cmd, ...args] = runtimeCommand(runtime, join(ROOT, "main.ts"));
  const child = spawn(cmd, [
    ...args,
    "--network=regtest",
    `--datadir=${datadir}`,
    `--listen=127.0.0.1:${p2p}`,
    `--api=127.0.0.1:${api}`,
    `--api-token=${token}`,
    "--dnsseed=false",
    ...connect.map((peer) => `--connect=127.0.0.1:${peer.p2p}`),
  ], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: Ctrl-C reaches only this script, which stops the nodes once.
    detached: true,
  });
  const tag = `[${runtime.padEnd(4)}]`;
  tagLines(child.stdout!, tag);
  tagLines(child.stderr!, tag);
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const node: DemoNode = { runtime, p2p, api, child, exited };
  nodes.push(node);
  for (let waited = 0;; waited += POLL_MS) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the ${runtime} node exited during start`);
    }
    if (await status(node).catch(() => undefined)) return node;
    if (waited > START_WAIT_MS) throw new Error(`the ${runtime} node's API did not answer`);
    await sleep(POLL_MS);
  }
}

interface Status {
  chain: { height: number; bestHash: string };
  peers: { inbound: number; outbound: number };
}

async function status(node: DemoNode): Promise<Status> {
  const response = await fetch(`http://127.0.0.1:${node.api}/status`);
  if (!response.ok) throw new Error(`/status answered HTTP ${response.status}`);
  return await response.json() as Status;
}

/** What `POST /blocks` answers. */
interface Submitted {
  status: string;
  hash: string;
  height?: number;
}

async function submitBlock(node: DemoNode, block: Uint8Array): Promise<Submitted> {
  const response = await fetch(`http://127.0.0.1:${node.api}/blocks`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ hex: toHex(block) }),
  });
  const body = await response.text();
  if (!response.ok) {
    throw new Error(
      `POST /blocks on the ${node.runtime} node answered HTTP ` +
        `${response.status}: ${body}`,
    );
  }
  return JSON.parse(body) as Submitted;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every node is connected to the other two. */
async function waitForTriangle(): Promise<void> {
  for (let waited = 0; waited < START_WAIT_MS; waited += POLL_MS) {
    const all = await Promise.all(nodes.map(status));
    if (all.every((s) => s.peers.inbound + s.peers.outbound >= nodes.length - 1)) return;
    await sleep(POLL_MS);
  }
  throw new Error("the nodes did not all connect to each other");
}

/** Polls until every node reports `height`; returns the last heights seen. */
async function waitForHeight(height: number): Promise<Status[]> {
  let all: Status[] = [];
  for (let waited = 0; waited < RELAY_WAIT_MS; waited += POLL_MS) {
    all = await Promise.all(nodes.map(status));
    if (all.every((s) => s.chain.height >= height)) break;
    await sleep(POLL_MS);
  }
  return all;
}

/** Stops every node with SIGTERM (SIGKILL after a while), removes the data, exits. */
function stopAll(code: number): Promise<void> {
  stopping ??= (async () => {
    say("stopping the nodes");
    for (const node of nodes) node.child.kill("SIGTERM");
    const killer = setTimeout(() => {
      for (const node of nodes) node.child.kill("SIGKILL");
    }, STOP_WAIT_MS);
    await Promise.all(nodes.map((node) => node.exited));
    clearTimeout(killer);
    rmSync(root, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void stopAll(0));
  }

  const deno = await startNode("deno", []);
  const bun = await startNode("bun", [deno]);
  await startNode("node", [deno, bun]);
  say("three regtest nodes are up:");
  for (const node of nodes) {
    say(
      `  ${node.runtime.padEnd(4)} dashboard http://127.0.0.1:${node.api}/  ` +
        `status http://127.0.0.1:${node.api}/status  p2p 127.0.0.1:${node.p2p}`,
    );
  }
  await waitForTriangle();
  say("every node is connected to the other two");

  const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
  const miner = new RegtestMiner(sha256);
  const tip = (await status(deno)).chain.height;
  if (tip !== 0) throw new Error(`the deno node is at height ${tip}, expected a fresh chain`);
  say(`mining ${blockCount} regtest blocks and submitting them to the deno node`);
  for (let i = 0; i < blockCount; i++) {
    const block = miner.next();
    const answer = await submitBlock(deno, block);
    say(`  block ${miner.height}: ${answer.status} ${answer.hash}`);
  }

  const heights = await waitForHeight(miner.height);
  say("tip height seen by each node after relay:");
  nodes.forEach((node, i) => {
    say(
      `  ${node.runtime.padEnd(4)} height ${heights[i].chain.height} ` +
        `best ${heights[i].chain.bestHash}`,
    );
  });
  const synced = heights.every((s) => s.chain.height === miner.height);
  say(synced ? "all three nodes agree on the tip" : "not every node reached the tip in time");

  if (once) await stopAll(synced ? 0 : 1);
  say("the nodes keep running; press Ctrl-C to stop them");
}

main().catch(async (error) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
