/**
 * Inbound bench helpers (handshakes.ts, idle_peers.ts): our node in this
 * process (the bench's runtime) listening on loopback with room for many
 * inbound peers, the client process (bench/_handshake_clients.ts, always
 * under node so only the node side changes runtime), and the process's
 * memory after a full collection. The leading underscore keeps
 * bench/run_all.ts from running this module as a bench.
 */
import { platform } from "#platform";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { resolveOptions } from "../src/config/load.ts";
import { silentLogger } from "../src/log/logger.ts";
import { EdgeNode } from "../src/node/node.ts";
import { ROOT, runtimeCommand } from "../tests/runtime_command.ts";

/** The parts of Bun's API read here (declared so deno and node type-check). */
declare const Bun: undefined | { gc(force: boolean): void };

/** Where the node listens and the clients connect. */
export const LOOPBACK = "127.0.0.1";

/** Our node, in this process. */
export interface InboundNode {
  readonly port: number;
  /** Inbound peers connected now. */
  inbound(): number;
  stop(): Promise<void>;
}

/** Starts our node (regtest, no API, no outbound) accepting up to `maxPeers` inbound peers. */
export async function startInboundNode(maxPeers: number): Promise<InboundNode> {
  const datadir = mkdtempSync(join(tmpdir(), "btc-edge-inbound-"));
  const node = new EdgeNode(
    resolveOptions([["option", {
      network: "regtest",
      listen: [`${LOOPBACK}:0`],
      api: "none",
      dnsseed: false,
      targetoutbound: 0,
      maxpeers: maxPeers,
      maxpeersperip: 1000,
      handshaketimeout: 60,
    }]]),
    { platform, datadir, logger: silentLogger },
  );
  await node.start();
  const port = Number(node.status().listening[0].split(":").pop());
  return {
    port,
    inbound: () => node.status().peers.inbound,
    stop: async () => {
      await node.stop();
      rmSync(datadir, { recursive: true, force: true });
    },
  };
}

/** What the client process reports once every handshake is done or failed. */
export interface ClientReport {
  readonly ready: number;
  readonly failed: number;
  /** First connect to last handshake, ms. */
  readonly ms: number;
  /** Handshake latency quantiles, ms. */
  readonly p50: number;
  readonly p99: number;
}

/** A running client process. */
export interface Clients {
  /** Resolves with the report once every handshake is done or failed. */
  readonly report: Promise<ClientReport>;
  /** Closes the connections and ends the process. */
  close(): Promise<void>;
}

/**
 * Starts `count` clients against `port` (at most `window` handshakes in
 * flight); with `hold` they stay connected until `close()`. `magic` in hex
 * (default regtest); `transport` v1 framing or BIP324 v2.
 */
export function startClients(
  port: number,
  count: number,
  window: number,
  hold: boolean,
  magicHex = "",
  transport: "v1" | "v2" = "v1",
): Clients {
  const [cmd, ...args] = runtimeCommand("node", join(ROOT, "bench", "_handshake_clients.ts"));
  const child = spawn(
    cmd,
    [
      ...args,
      String(port),
      String(count),
      String(window),
      hold ? "hold" : "go",
      magicHex,
      transport,
    ],
    { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  let out = "";
  const report = new Promise<ClientReport>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += String(d);
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as ClientReport);
    });
    // "close" comes after the output was read ("exit" may come first under deno).
    child.once("close", (code) => reject(new Error(`client process ended (${code}): ${out}`)));
  });
  return {
    report,
    close: async () => {
      child.stdin!.end();
      await exited;
      process.removeListener("exit", kill);
    },
  };
}

/** Where `gc` appears when the engine exposes it. */
const g = globalThis as { gc?: () => void };

/** True when this process can force a full collection. */
export function canCollect(): boolean {
  if (typeof Bun !== "undefined" || g.gc !== undefined) return true;
  try {
    setFlagsFromString("--expose-gc"); // node: takes effect for new contexts
    g.gc = runInNewContext("gc") as () => void;
  } catch {
    // deno: only with --v8-flags=--expose-gc
  }
  return g.gc !== undefined;
}

/**
 * Bytes used after a full collection (when possible): `rss`, and `heap`,
 * the JS heap plus external memory (ArrayBuffers; V8) or JavaScriptCore's
 * heap plus its extra (buffer) memory (Bun, whose `memoryUsage().heapUsed`
 * also counts freed malloc memory).
 */
export async function memory(): Promise<{ rss: number; heap: number }> {
  if (typeof Bun !== "undefined") {
    Bun.gc(true);
    const jsc = "bun:jsc"; // a variable, so deno and node do not try to resolve it
    const { heapStats } = await import(jsc);
    const s = heapStats() as { heapSize: number; extraMemorySize: number };
    return { rss: process.memoryUsage().rss, heap: s.heapSize + s.extraMemorySize };
  }
  if (canCollect()) {
    g.gc!();
    g.gc!();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

/** Polls `cond` every 5 ms; throws after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
