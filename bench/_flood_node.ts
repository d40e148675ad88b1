/**
 * Flood bench helper: one real node (`main.ts` as a child process under a
 * chosen runtime) on loopback, regtest, temporary datadir, no outbound
 * peers, and typed reads of its API (`/status`, `/peers`). The leading
 * underscore keeps bench/run_all.ts from running this module as a bench.
 */
import { freePort } from "#platform";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ROOT, runtimeCommand, type RuntimeName } from "../tests/runtime_command.ts";

/** Bearer token of the node's control routes (32 characters). */
export const API_TOKEN = "flood-bench-token-0123456789abcd";
/** Where the node listens and the bench connects. */
export const LOOPBACK = "127.0.0.1";
/** Handshake timeout given to the node, seconds. */
export const HANDSHAKE_TIMEOUT_S = 2;
/** Longest wait for the node to start answering its API. */
const START_MS = 60_000;
/** Longest wait for the child to exit after SIGTERM before it is killed. */
const STOP_MS = 5_000;
const POLL_MS = 50;

/** The parts of `GET /status` the bench reads. */
export interface NodeStatus {
  readonly addrman: { readonly new: number; readonly tried: number; readonly total: number };
  readonly bans: number;
  readonly memory: { readonly rss?: number; readonly heapUsed?: number };
}

/** The parts of one `GET /peers` entry the bench reads. */
export interface NodePeer {
  readonly id: number;
  readonly address: string;
  readonly handshake: string;
  readonly banScore: number;
  readonly knownInventory: number;
  readonly sendQueueBytes: number;
}

/** A running node. */
export interface FloodNode {
  readonly runtime: RuntimeName;
  readonly p2pPort: number;
  readonly apiPort: number;
  /** `GET /status`. */
  status(): Promise<NodeStatus>;
  /** `GET /peers`. */
  peers(): Promise<NodePeer[]>;
  /** Everything the node printed (stdout and stderr). */
  output(): string;
  /** Stops the child (SIGTERM, then SIGKILL) and removes the datadir. */
  stop(): Promise<void>;
}

/** Starts a node under `runtime` with `extra` options and waits until its API answers. */
export async function startFloodNode(
  runtime: RuntimeName,
  extra: readonly string[] = [],
): Promise<FloodNode> {
  const [apiPort, p2pPort] = [await freePort(), await freePort()];
  const datadir = mkdtempSync(join(tmpdir(), `btc-edge-flood-${runtime}-`));
  const args = [
    "--network=regtest",
    `--datadir=${datadir}`,
    `--listen=${LOOPBACK}:${p2pPort}`,
    `--api=${LOOPBACK}:${apiPort}`,
    "--dnsseed=false",
    `--api-token=${API_TOKEN}`,
    `--handshaketimeout=${HANDSHAKE_TIMEOUT_S}`,
    "--targetoutbound=0",
    "--log-level=error",
    ...extra,
  ];
  const [cmd, ...rest] = runtimeCommand(runtime, join(ROOT, "main.ts"));
  const child: ChildProcess = spawn(cmd, [...rest, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (d: unknown) => {
    out += String(d);
    if (out.length > 100_000) out = out.slice(-50_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(datadir, { recursive: true, force: true });
  };
  process.once("exit", kill);

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`http://${LOOPBACK}:${apiPort}${path}`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET ${path} answered ${response.status}`);
    }
    return await response.json() as T;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_MS);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", kill);
    rmSync(datadir, { recursive: true, force: true });
  };
  const node: FloodNode = {
    runtime,
    p2pPort,
    apiPort,
    status: () => get<NodeStatus>("/status"),
    peers: () => get<NodePeer[]>("/peers"),
    output: () => out,
    stop,
  };
  const deadline = performance.now() + START_MS;
  for (;;) {
    try {
      await node.status();
      return node;
    } catch {
      if (child.exitCode !== null || performance.now() > deadline) {
        await stop();
        throw new Error(`${runtime} node did not start; output:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
