/**
 * Cross-runtime interop: an `echo_peer` fixture listens under each of Deno,
 * Bun and Node, and a `dialer` fixture under each of the three dials each
 * peer (9 pairs) and runs a regtest version/verack handshake. Both sides
 * report the bytes they sent and received; the test checks them byte for
 * byte against frames it encodes itself (with node:crypto's SHA-256), so
 * every runtime's sockets, SHA-256 and codecs are checked against the others.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "../../src/wire/bytes.ts";
import { handshakeBytes, RUNTIMES } from "./fixtures/handshake.ts";
import { ROOT, runtimeCommand } from "../runtime_command.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";

type Runtime = typeof RUNTIMES[number];

const FIXTURES = join(ROOT, "tests", "interop", "fixtures");
/** Longest wait for a peer to write its port file. */
const PEER_START_MS = 15_000;
/** Longest one dialer run may take, start-up included. */
const DIALER_RUN_MS = 15_000;
const POLL_MS = 20;

/** A running peer: its process, its port and the JSON lines it printed. */
interface Peer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

const peers = new Map<Runtime, Peer>();
let workDir = "";

function run(runtime: Runtime, script: string, args: string[]): ChildProcess {
  const [command, ...rest] = runtimeCommand(runtime, join(FIXTURES, script));
  return spawn(command, [...rest, ...args], {
    cwd: ROOT,
    // stdin is a pipe nobody writes to: a peer exits when it closes, i.e. when this process ends.
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** The exit code once the child has exited and its output streams are drained ('close'). */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("close", (code) => resolve(code)));
}

/** Collects a child's stdout as lines and its stderr as text. */
function collect(child: ChildProcess): { lines: string[]; stderr: () => string } {
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (text: string) => {
    const parts = (partial + text).split("\n");
    partial = parts.pop()!;
    lines.push(...parts.filter((line) => line.length > 0));
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (text: string) => (stderr += text));
  return { lines, stderr: () => stderr };
}

async function startPeer(runtime: Runtime): Promise<Peer> {
  const portFile = join(workDir, `${runtime}.port`);
  const child = run(runtime, "echo_peer.ts", [portFile]);
  const exited = exitOf(child);
  const { lines, stderr } = collect(child);
  for (let waited = 0; !existsSync(portFile); waited += POLL_MS) {
    if (waited > PEER_START_MS || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`${runtime} echo_peer did not start: ${stderr()}`);
    }
    await new Promise((wake) => setTimeout(wake, POLL_MS));
  }
  return { child, port: Number(readFileSync(portFile, "utf8")), lines, exited };
}

/** Runs one dialer to exit and returns its JSON report. */
async function runDialer(runtime: Runtime, port: number): Promise<Record<string, unknown>> {
  const child = run(runtime, "dialer.ts", [String(port)]);
  const { lines, stderr } = collect(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), DIALER_RUN_MS);
  const code = await exitOf(child);
  clearTimeout(timer);
  if (code !== 0 || lines.length !== 1) {
    throw new Error(`${runtime} dialer exited ${code}: ${lines.join("\n")} ${stderr()}`);
  }
  return JSON.parse(lines[0]);
}

describe("cross-runtime handshake", () => {
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "btc-edge-interop-"));
    const started = await Promise.allSettled(RUNTIMES.map(startPeer));
    started.forEach((result, i) => {
      if (result.status === "fulfilled") peers.set(RUNTIMES[i], result.value);
    });
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  });

  afterAll(() => {
    for (const peer of peers.values()) {
      if (peer.child.exitCode === null) peer.child.kill("SIGKILL");
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  for (const dialer of RUNTIMES) {
    for (const listener of RUNTIMES) {
      test(`${dialer} dialer ↔ ${listener} peer: version/verack byte for byte`, async () => {
        const peer = peers.get(listener)!;
        const report = await runDialer(dialer, peer.port);
        const dialerBytes = toHex(handshakeBytes("dialer", dialer, sha256));
        const peerBytes = toHex(handshakeBytes("peer", listener, sha256));
        expect(report.runtime).toBe(dialer);
        expect(report.peerAgent).toBe(`/btc-edge-interop:peer:${listener}/`);
        expect(report.sent).toBe(dialerBytes);
        expect(report.received).toBe(peerBytes);
        // The peer prints its line before closing, and the dialer exits only after the close.
        const line = peer.lines
          .map((text) => JSON.parse(text))
          .find((entry) => entry.remotePort === report.localPort);
        expect(line).toBeDefined();
        expect(line.runtime).toBe(listener);
        expect(line.handshaken).toBe(true);
        expect(line.received).toBe(dialerBytes);
        expect(line.sent).toBe(peerBytes);
      }, 20_000);
    }
  }

  test("every peer hears SIGTERM through onShutdownSignal and exits", async () => {
    for (const peer of peers.values()) peer.child.kill("SIGTERM");
    const codes = await Promise.all([...peers.values()].map((peer) => peer.exited));
    // Deno's node:child_process reports a child it signalled as killed (code
    // null) even when the child caught the signal and exited 0 itself.
    for (const code of codes) expect([0, null]).toContain(code);
    for (const [runtime, peer] of peers) {
      const shutdown = peer.lines.map((text) => JSON.parse(text)).find((entry) => entry.shutdown);
      expect(shutdown).toEqual({ runtime, shutdown: "SIGTERM" });
    }
  }, 20_000);
});
