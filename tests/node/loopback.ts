/**
 * Real regtest nodes on loopback for the node tests: each made with
 * `createNode` (mod.ts) over the current runtime's platform, a fresh
 * temporary data directory, P2P on 127.0.0.1:0, DNS seeds off; their log
 * records are kept. `stopAll` stops every node made and removes the
 * directories. Also: reading the API cookie and mining regtest blocks.
 */
import { platform } from "#platform";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNode, type NodeHandle, type OptionsInput } from "../../mod.ts";
import type { LogRecord } from "../../src/log/logger.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { RegtestMiner } from "../support/regtest_blocks.ts";

/** Longest wait for peers to connect or a block to travel. */
export const NET_WAIT_MS = 10_000;

/** A node made for a test. */
export interface TestNode {
  readonly node: NodeHandle;
  readonly records: LogRecord[];
  /** Log messages at `level` (every level without one). */
  messages(level?: LogRecord["level"]): string[];
}

const made: TestNode[] = [];
const dirs: string[] = [];

/** A fresh temporary data directory (removed by `stopAll`). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "btc-edge-node-"));
  dirs.push(dir);
  return dir;
}

/** Makes (does not start) a regtest node with `input` over the test defaults. */
export function makeNode(input: OptionsInput = {}): TestNode {
  const records: LogRecord[] = [];
  const node = createNode({
    network: "regtest",
    datadir: input.datadir ?? tempDir(),
    listen: ["127.0.0.1:0"],
    api: "none",
    dnsseed: false,
    logLevel: "debug",
    ...input,
  }, { platform, logSink: (r) => records.push(r) });
  const t: TestNode = {
    node,
    records,
    messages: (level) =>
      records.filter((r) => level === undefined || r.level === level).map((r) => r.message),
  };
  made.push(t);
  return t;
}

/** Makes and starts a node. */
export async function startNode(input: OptionsInput = {}): Promise<TestNode> {
  const t = makeNode(input);
  await t.node.start();
  return t;
}

/** Stops every node made so far and removes the temporary directories. */
export async function stopAll(): Promise<void> {
  for (const t of made.splice(0)) await t.node.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Where `t` accepts peers (`127.0.0.1:port`). */
export function p2pAddress(t: TestNode): string {
  return t.node.status().listening[0];
}

/** The base URL of `t`'s API. */
export function apiUrl(t: TestNode): string {
  return `http://${t.node.status().api}`;
}

/** Peers of `t` that completed the handshake. */
export function readyPeers(t: TestNode): number {
  return t.node.peers().filter((p) => p.handshake === "ready").length;
}

/** The token in `t`'s api.cookie. */
export function cookieToken(t: TestNode): string {
  return readFileSync(join(t.node.datadir, "api.cookie"), "utf8").trim();
}

/** Successive regtest blocks from genesis, as hex for `POST /blocks`. */
export function minedBlocks(count: number, tag = 0): string[] {
  const miner = new RegtestMiner(platform.sha256, tag);
  return Array.from({ length: count }, () => toHex(miner.next()));
}
