/**
 * Relay bench helper: a line of real nodes (`main.ts` as child processes,
 * each under its own runtime) on loopback, regtest, node i + 1 connecting
 * to node i. Each node's `GET /events` stream is read by the bench, which
 * stamps every `block.accepted` with its own clock when the event arrives;
 * blocks go in with `POST /blocks`. The leading underscore keeps
 * bench/run_all.ts from running this module as a bench.
 */
import { freePort } from "#platform";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { ROOT, runtimeCommand, type RuntimeName } from "../tests/runtime_command.ts";

/** Bearer token of every node's control routes (32 characters). */
const API_TOKEN = "relay-bench-token-0123456789abcd";
const LOOPBACK = "127.0.0.1";
/** Longest wait for a node to start and see its neighbours ready. */
const START_MS = 60_000;
/** Longest wait for a child to exit after SIGTERM before it is killed. */
const STOP_MS = 5_000;
const POLL_MS = 50;

/** One node of the line. */
export interface LineNode {
  readonly runtime: RuntimeName;
  readonly child: ChildProcess;
  readonly apiPort: number;
  readonly p2pPort: number;
  /** Block hash (hex) → when its `block.accepted` arrived. */
  readonly arrivals: Map<string, Arrival>;
  /** Everything the node printed (stdout and stderr). */
  output(): string;
}

/** When a node accepted a block. */
export interface Arrival {
  /** The bench's `performance.now()` when the event reached it. */
  readonly at: number;
  /** The event's own `time`: the node's wall clock (Unix ms) when it accepted the block. */
  readonly nodeTime: number;
}

/** The running line, and how to stop it. */
export interface Line {
  readonly nodes: readonly LineNode[];
  /** Submits a serialized block at node `index`; throws unless it was accepted. */
  submit(index: number, hex: string): Promise<void>;
  /** Closes the event streams, stops every child (SIGTERM, then SIGKILL) and removes the datadirs. */
  stop(): Promise<void>;
}

function apiUrl(node: LineNode, path: string): string {
  return `http://${LOOPBACK}:${node.apiPort}${path}`;
}

/** True once the node answers `GET /peers` with `count` peers, all ready and sending headers. */
async function peersReady(node: LineNode, count: number): Promise<boolean> {
  try {
    const response = await fetch(apiUrl(node, "/peers"));
    if (!response.ok) {
      await response.body?.cancel();
      return false;
    }
    const peers = await response.json() as {
      handshake: string;
      features: { sendHeaders: boolean };
    }[];
    return peers.length === count &&
      peers.every((p) => p.handshake === "ready" && p.features.sendHeaders);
  } catch {
    return false; // not listening yet
  }
}

/**
 * Reads `GET /events` in the background, recording each `block.accepted`
 * hash with the time its chunk arrived; resolves once the stream is open.
 */
async function watchEvents(node: LineNode, signal: AbortSignal): Promise<void> {
  const response = await fetch(apiUrl(node, "/events"), { signal });
  if (!response.ok || response.body === null) {
    throw new Error(`${node.runtime} node: GET /events answered ${response.status}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const first = await reader.read(); // the opening comment
  if (first.done) throw new Error(`${node.runtime} node: event stream ended at once`);
  void (async () => {
    let buffer = first.value;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        const at = performance.now();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!message.startsWith("event: block.accepted\n")) continue;
          const data = message.slice(message.indexOf("data: ") + 6);
          const event = JSON.parse(data) as { time: number; data: { hash: string } };
          const hash = event.data.hash;
          if (!node.arrivals.has(hash)) node.arrivals.set(hash, { at, nodeTime: event.time });
        }
      }
    } catch {
      // Aborted when the line stops.
    }
  })();
}

/**
 * Starts one node per entry of `runtimes` (regtest, loopback, temporary
 * datadirs), connects node i + 1 to node i, waits until every node sees its
 * neighbours ready, and opens every event stream. `v2transport`: the nodes'
 * `--v2transport` (every link v2, or every link v1).
 */
export async function startLine(
  runtimes: readonly RuntimeName[],
  v2transport = true,
): Promise<Line> {
  const nodes: LineNode[] = [];
  const datadirs: string[] = [];
  const events = new AbortController();
  // If the bench exits without stop() (an uncaught error, process.exit), the children go too.
  const killAll = () => {
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill("SIGKILL");
    for (const dir of datadirs) rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", killAll);

  const stop = async () => {
    events.abort();
    await Promise.all(nodes.map(async (n) => {
      if (n.child.exitCode !== null || n.child.signalCode !== null) return;
      const exited = new Promise((resolve) => n.child.once("exit", resolve));
      n.child.kill("SIGTERM");
      const timer = setTimeout(() => n.child.kill("SIGKILL"), STOP_MS);
      await exited;
      clearTimeout(timer);
    }));
    process.removeListener("exit", killAll);
    for (const dir of datadirs) rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < runtimes.length; i++) {
      const [apiPort, p2pPort] = [await freePort(), await freePort()];
      const datadir = mkdtempSync(join(tmpdir(), `btc-edge-relay-${i}-`));
      datadirs.push(datadir);
      const args = [
        "--network=regtest",
        `--datadir=${datadir}`,
        `--listen=${LOOPBACK}:${p2pPort}`,
        `--api=${LOOPBACK}:${apiPort}`,
        "--dnsseed=false",
        `--api-token=${API_TOKEN}`,
        "--log-level=warn",
        `--v2transport=${v2transport}`,
        // Node 0 dials nobody; the others dial only their left neighbour.
        ...(i === 0 ? ["--targetoutbound=0"] : [`--connect=${LOOPBACK}:${nodes[i - 1].p2pPort}`]),
      ];
      const [cmd, ...rest] = runtimeCommand(runtimes[i], join(ROOT, "main.ts"));
      const child = spawn(cmd, [...rest, ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      child.stderr!.on("data", (d) => (out += d));
      nodes.push({
        runtime: runtimes[i],
        child,
        apiPort,
        p2pPort,
        arrivals: new Map(),
        output: () => out,
      });
    }
    const deadline = performance.now() + START_MS;
    for (let i = 0; i < nodes.length; i++) {
      const expected = i === 0 || i === nodes.length - 1 ? 1 : 2;
      while (!(await peersReady(nodes[i], expected))) {
        if (nodes[i].child.exitCode !== null || performance.now() > deadline) {
          throw new Error(
            `node ${i} (${nodes[i].runtime}) did not get ${expected} ready peer(s); ` +
              `output:\n${nodes[i].output()}`,
          );
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    for (const node of nodes) await watchEvents(node, events.signal);
  } catch (error) {
    await stop();
    throw error;
  }

  const submit = async (index: number, hex: string) => {
    const response = await fetch(apiUrl(nodes[index], "/blocks"), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ hex }),
    });
    const text = await response.text();
    if (!response.ok || (JSON.parse(text) as { status: string }).status !== "accepted") {
      throw new Error(`node ${index} refused a block: ${response.status} ${text}`);
    }
  };
  return { nodes, submit, stop };
}
